"""Per-row glossary checks: which entries a row's source hits, and what its target does with them.

Pure functions of (source, target, glossary, languages), so the page, the exports, the quality
estimate and the translator's choice among hypotheses all judge a row the same way:

* a **term** whose source term is in the source and none of whose target terms is in the target:
  "term 'Fahrradbrücke' -> 'cycle bridge' not used" (inflection-aware: "cycle bridges" uses it).
  Given the row's word alignment, the term is judged where it was translated: the reason names
  the words that rendered it ("... not used (rendered as 'bike bridge')"), and a term whose
  rendering is not the target term is flagged even when the target term is elsewhere in the
  sentence ("term 'Abkommen' -> 'treaty' rendered as 'agreement'"; only when every link of the
  rendering is sure, ``rendered.SURE_LINK``). No alignment, or no link on the term: as before;
* a **forbidden** term used in the target: "forbidden term 'bike lane' used". A forbidden entry
  with a source term is concept-specific, as TBX models it (checked where its source term is in
  the row); one without a source term is checked in every row;
* a **do-not-translate** term in the source that the target does not keep exactly as written:
  "'Elbe' not kept verbatim".

A term inside a longer term found at the same place gives way to it ("Verein" inside "Verein der
Anwohner" is not checked on its own). An empty target gets no findings: there is nothing to check
yet, and other checks already say it is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.glossary.model import Entry, Glossary, Kind
from align.glossary.rendered import Rendering, rendering
from align.glossary.terms import GlossaryIndex, IndexedEntry, Token, find_sequence, tokens, verbatim_spans

if TYPE_CHECKING:
    from align.document import Pair
    from align.words.model import WordAlignment

MISSING_TERM = "missing_term"
FORBIDDEN_TERM = "forbidden_term"
NOT_VERBATIM = "not_verbatim"


@dataclass(frozen=True)
class Hit:
    """An entry whose source term occurs in a row's source, at ``start:end``."""

    indexed: IndexedEntry
    start: int
    end: int

    @property
    def entry(self) -> Entry:
        return self.indexed.entry


@dataclass(frozen=True)
class GlossaryFinding:
    """One thing a row's target does against the glossary, with the reason in words.

    ``check`` is MISSING_TERM, FORBIDDEN_TERM or NOT_VERBATIM; the spans point at the source term
    (None for a forbidden term without one) and at the offending target text: the forbidden term,
    or the words that rendered a term otherwise (None when nothing in the target is to blame).
    """

    check: str
    entry: Entry
    reason: str
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None


def _index(glossary: Glossary | GlossaryIndex, src_lang: str | None, tgt_lang: str | None) -> GlossaryIndex:
    return glossary if isinstance(glossary, GlossaryIndex) else glossary.index(src_lang, tgt_lang)


def glossary_hits(
    source: str, glossary: Glossary | GlossaryIndex, src_lang: str | None = None, tgt_lang: str | None = None
) -> list[Hit]:
    """The entries whose source term occurs in ``source``, in text order (a term inside a longer
    term's match gives way to it; forbidden entries are kept beside the term they go with)."""
    index = _index(glossary, src_lang, tgt_lang)
    words = tokens(source, index.src_lang)
    found: list[Hit] = []
    for position, token in enumerate(words):
        for indexed in index.by_first_stem.get(token.key, ()):
            for start, end in find_sequence(indexed.source_key, words[position : position + len(indexed.source_key)]):
                found.append(Hit(indexed, start, end))
    spans = [(h.start, h.end) for h in found if h.entry.kind is not Kind.FORBIDDEN]
    kept = [h for h in found if not any(a <= h.start and h.end <= b and (b - a) > (h.end - h.start) for a, b in spans)]
    return sorted(kept, key=lambda h: (h.start, -h.end))


def row_findings(
    source: str,
    target: str,
    glossary: Glossary | GlossaryIndex,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    alignment: WordAlignment | None = None,
) -> list[GlossaryFinding]:
    """The glossary findings of one row (source and target text), in source order, one per entry.
    ``alignment``: the row's word alignment, to judge each term where it was rendered."""
    if not target.strip():
        return []
    index = _index(glossary, src_lang, tgt_lang)
    hits = glossary_hits(source, index)
    target_words = tokens(target, index.tgt_lang)
    findings: list[GlossaryFinding] = []
    seen: set[Entry] = set()
    for hit in hits:
        if hit.entry in seen:
            continue
        seen.add(hit.entry)
        rendered = rendering(alignment, target, hit.start, hit.end) if alignment is not None else None
        finding = _check(hit.indexed, (hit.start, hit.end), target, target_words, index.tgt_lang, rendered)
        if finding is not None:
            findings.append(finding)
    for indexed in index.unconditional:
        finding = _check(indexed, None, target, target_words, index.tgt_lang)
        if finding is not None:
            findings.append(finding)
    return findings


def glossary_findings(
    pair: Pair,
    glossary: Glossary | GlossaryIndex,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    alignment: WordAlignment | None = None,
) -> list[GlossaryFinding]:
    """The glossary findings of a review row: what the page shows and exports write beside it."""
    return row_findings(pair.source, pair.target, glossary, src_lang, tgt_lang, alignment)


def glossary_reasons(findings: Sequence[GlossaryFinding]) -> tuple[str, ...]:
    """The findings' reasons, as a row's ``reasons`` holds them."""
    return tuple(f.reason for f in findings)


def _check(
    indexed: IndexedEntry,
    source_span: tuple[int, int] | None,
    target: str,
    target_words: Sequence[Token],
    tgt_lang: str,
    rendered: Rendering | None = None,
) -> GlossaryFinding | None:
    entry = indexed.entry
    if entry.kind is Kind.TERM:
        return _check_term(indexed, source_span, target_words, rendered)
    if entry.kind is Kind.DO_NOT_TRANSLATE:
        if any(verbatim_spans(t, target, tgt_lang) for t in entry.targets):
            return None
        return GlossaryFinding(NOT_VERBATIM, entry, f"'{entry.source}' not kept verbatim (do not translate)", source_span)
    for term, key in zip(entry.targets, indexed.target_keys, strict=True):
        spans = find_sequence(key, target_words)
        if spans:
            return GlossaryFinding(FORBIDDEN_TERM, entry, f"forbidden term '{term}' used", source_span, spans[0])
    return None


def _check_term(
    indexed: IndexedEntry, source_span: tuple[int, int] | None, target_words: Sequence[Token], rendered: Rendering | None
) -> GlossaryFinding | None:
    """A term pair: its target term used (where the alignment says it was rendered, when it says)."""
    entry = indexed.entry
    used = [span for key in indexed.target_keys for span in find_sequence(key, target_words)]
    wanted = " or ".join(f"'{t}'" for t in entry.targets)
    if rendered is None:
        return None if used else GlossaryFinding(MISSING_TERM, entry, f"term '{entry.source}' -> {wanted} not used", source_span)
    if any(rendered.overlaps(*span) for span in used) or (used and not rendered.sure):
        return None
    where = (rendered.spans[0][0], rendered.spans[-1][1])
    if used:
        return GlossaryFinding(
            MISSING_TERM, entry, f"term '{entry.source}' -> {wanted} rendered as '{rendered.text}'", source_span, where
        )
    reason = f"term '{entry.source}' -> {wanted} not used (rendered as '{rendered.text}')"
    return GlossaryFinding(MISSING_TERM, entry, reason, source_span, where)
