"""Rows -> the text that takes each source sentence's place.

The rows of an aligned document name the source sentences they came from (``Pair.src_ids``).
After merges a row covers several sentences: its text goes where its first sentence was and the
other sentences' places stay empty. A row without source sentences (inserted by hand, or the lower
half of a split sentence) follows the row before it, in the same place; one before any other row
goes before the first sentence. A sentence no row names (its row was deleted, or a TMX export left
out its row for want of a target) counts as an unconfirmed row without a target: the
``Unconfirmed`` setting decides (nothing, its source text, or a marker), so no source text is
silently lost.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from align.docout.policy import Unconfirmed, row_text
from align.document import AlignedDocument, Pair, Sentence
from align.errors import AlignError

log = logging.getLogger(__name__)

#: A bullet that opens a sentence of a plain-text list ("- Punkt", "• Punkt"): kept when the target lacks it.
_BULLET = re.compile(r"([-–—•·*▪►‣◦○●■□➢✓])\s")


class MismatchError(AlignError):
    """The aligned document's rows do not fit the sentences of the source file."""


def source_sentences(doc: AlignedDocument, text: str, *, where: str) -> list[Sentence]:
    """The source sentences the rows' ``src_ids`` count, as spans of ``text``.

    The document's own sentences when each is exactly its span of ``text`` (JSONL exports and the
    page's projects keep them); otherwise ``text`` segmented again in the document's source
    language, as ``translate`` did (CSV, TSV, XLSX and TMX keep only the rows' sentence numbers).
    """
    own = doc.source_sentences
    if own and all(0 <= s.start <= s.end <= len(text) and text[s.start : s.end] == s.text for s in own):
        return list(own)
    if own:
        log.info("%s: the document's sentences are not spans of the source text; segmenting it again", where)
    from align.text.segment import segment

    return segment(text, doc.src_lang)


def check_rows(doc: AlignedDocument, sentences: Sequence[Sentence], *, aligned: str, source: str) -> None:
    """Refuse a document whose rows cannot belong to ``source``'s sentences, saying why.

    Rows must name sentences (a plain two-column file does not) that exist, and most rows' source
    text must be their sentences' text (an edited or split row may differ; a warning counts them).
    """
    named = [(n, p) for n, p in enumerate(doc.pairs, start=1) if p.src_ids]
    if not named:
        raise MismatchError(
            f"{aligned}: no row names its source sentences (src_ids), so the rows cannot be placed in {source}; "
            "export the rows from this tool (translate, or the page) with their sentence numbers"
        )
    for n, pair in named:
        outside = [i for i in pair.src_ids if not 0 <= i < len(sentences)]
        if outside:
            raise MismatchError(
                f"{aligned}: row {n} names source sentence {outside[0]}, but {source} has {len(sentences)} sentences: "
                "the rows do not come from this source file"
            )
    differ = [n for n, p in named if _fold(p.source) != _fold(" ".join(sentences[i].text for i in p.src_ids))]
    if len(differ) * 2 > len(named):
        shown = ", ".join(map(str, differ[:5])) + (", ..." if len(differ) > 5 else "")
        raise MismatchError(
            f"{aligned}: the source text of {len(differ)} of {len(named)} rows (rows {shown}) differs from the sentences "
            f"of {source}: the rows do not come from this source file"
        )
    if differ:
        log.warning("%s: %d rows' source text differs from %s's sentences (edited or split rows)", aligned, len(differ), source)


def place_rows(doc: AlignedDocument, sentences: Sequence[Sentence], policy: Unconfirmed, joiner: str) -> list[str]:
    """For each source sentence, the text that takes its place (maybe empty); see the module doc."""
    places: list[list[str]] = [[] for _ in sentences]
    leading: list[str] = []
    previous: int | None = None
    for pair in doc.pairs:
        ids = [i for i in pair.src_ids if 0 <= i < len(sentences)]
        anchor = min(ids) if ids else previous
        text = row_text(pair, policy)
        if anchor is None:
            leading.append(text)
            continue
        places[anchor].append(text)
        previous = anchor
    named = named_ids(doc)
    unnamed = [k for k in range(len(places)) if k not in named]
    for k in unnamed:
        places[k].append(row_text(Pair(source=sentences[k].text, target=""), policy))
    if unnamed:
        log.info("%d source sentences have no row; they count as untranslated (%s)", len(unnamed), policy.value)
    if places:
        places[0][:0] = leading
    elif any(leading):
        log.warning("the source has no sentences; %d rows are left out", len(leading))
    texts = [joiner.join(t for t in place if t) for place in places]
    return [_keep_bullet(s.text, t) for s, t in zip(sentences, texts, strict=True)]


def named_ids(doc: AlignedDocument) -> set[int]:
    """The source sentences some row names."""
    return {i for pair in doc.pairs for i in pair.src_ids}


def _keep_bullet(source: str, text: str) -> str:
    """A sentence that opens with a bullet keeps it when its translation lost it."""
    bullet = _BULLET.match(source)
    if bullet and text and not text.startswith(bullet.group(1)):
        return f"{bullet.group(1)} {text}"
    return text


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())
