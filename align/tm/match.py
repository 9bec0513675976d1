"""Match percentages and the words a translator has to change: pure functions over units.

Bands, as a translator knows them from memoQ:

* **101%** (context match): the normalised source is the same and so are the sources before and
  after it (the unit's neighbours when it was stored; "" at a document's edge). A unit stored
  without any neighbour (a lone sentence, a TM export without context) has no context to agree
  with and gives 100% at most. Safe to take without a look.
* **100%** (exact match): the same normalised source (``align.tm.text.normalise``), other or
  unknown neighbours.
* **fuzzy** (75% to 99%): offered, never inserted on its own.

The fuzzy percentage is ``rapidfuzz.fuzz.ratio`` (the Indel similarity, ``1 - (insertions +
deletions) / total length``) of the two normalised sources, in characters, rounded down and kept
below 100; a difference in case only scores 99. Characters rather than words because German
inflects and compounds: "Vertrag"/"Vertrags" or "Mietvertrag"/"Mietverträge" are one word each,
and a word-level ratio would call them as different as "Vertrag"/"Hund", so a one-ending change
in a short sentence would drop below the 75% band although the translator retypes two letters.
A character ratio falls with what has to be retyped, whatever the language, and rapidfuzz
computes it in microseconds. Rounding down keeps 74.9 out of the 75% band.

What differs is shown in words (``differing_words``): the tokens of the unit's source that a
word-level edit script (rapidfuzz's Levenshtein opcodes over word tokens) replaces or deletes to
turn it into the query, with their character spans for highlighting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from align.document import Origin
from align.tm.text import Word, normalise, words

#: Fuzzy matches below this are not offered (memoQ's and Trados's usual lower limit).
MIN_FUZZY = 75
CONTEXT_MATCH = 101
EXACT_MATCH = 100


@dataclass(frozen=True)
class Unit:
    """A translation unit: a normalised source and target in base languages (``de``, ``en``), the
    sources of its neighbours when it was stored (for 101% matches), where it came from
    (``origin``: "project" for a confirmed row of the review page, else the imported file's
    format, "tmx", "csv", ...; ``project`` and ``file`` name them) and when (ISO 8601, UTC)."""

    source: str
    target: str
    src_lang: str
    tgt_lang: str
    prev_source: str = ""
    next_source: str = ""
    origin: str = ""
    project: str = ""
    file: str = ""
    created_at: str = ""
    updated_at: str = ""
    id: int = 0


@dataclass(frozen=True)
class Match:
    """A unit found for a query sentence and its match percentage (101, 100, or 75-99)."""

    unit: Unit
    score: int
    query: str

    @property
    def exact(self) -> bool:
        """A 100% or 101% match: the TM's target can replace the machine."""
        return self.score >= EXACT_MATCH

    @property
    def origin(self) -> Origin:
        """The ``Pair.origin`` of a row whose target is this match's: ``tm101``, ``tm100``, ``tm85``."""
        return Origin.memory(self.score)

    def differing(self) -> tuple[Word, ...]:
        """The words of the unit's source that differ from the query (see ``differing_words``)."""
        return differing_words(self.query, self.unit.source)


def fuzzy_score(query: str, source: str) -> int:
    """The match percentage of two different normalised sources, 0 to 99 (module doc)."""
    from rapidfuzz import fuzz

    if query == source:
        return EXACT_MATCH
    if query.casefold() == source.casefold():
        return 99
    return min(99, math.floor(fuzz.ratio(query, source) + 1e-9))


def score(query: str, unit: Unit, previous: str = "", following: str = "") -> int:
    """The match percentage of ``unit`` for the normalised ``query`` whose neighbours in its
    document are ``previous`` and ``following`` (normalised; "" at the document's edges)."""
    if unit.source != query:
        return fuzzy_score(query, unit.source)
    if (unit.prev_source or unit.next_source) and (unit.prev_source, unit.next_source) == (previous, following):
        return CONTEXT_MATCH
    return EXACT_MATCH


def differing_words(query: str, tm_source: str) -> tuple[Word, ...]:
    """The words (and punctuation marks) of the unit's source that are not in ``query`` where a
    word-level alignment of the two expects them: replaced or left out in the query. Both texts
    are compared in the TM's normal form, and spans are character offsets into
    ``normalise(tm_source)``: the unit's source as the memory stores it (``Match.unit.source``), so
    the page can highlight them there. Words are compared as written (a changed capital letter is
    a difference)."""
    from rapidfuzz.distance import Levenshtein

    unit_words = words(normalise(tm_source))
    query_words = [w.word for w in words(normalise(query))]
    marked: list[Word] = []
    for op in Levenshtein.opcodes([w.word for w in unit_words], query_words):
        if op.tag in ("replace", "delete"):
            marked.extend(unit_words[op.src_start : op.src_end])
    return tuple(marked)
