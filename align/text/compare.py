"""A target beside its source, as text: the rules the review checks (``align.review.checks``) and
the quality estimate (``align.quality``) share, each decided here once so that a row flagged by
one is judged by the other for the same reason. Each user keeps its own wording and weight.

* ``untranslated``: is the target the source again, or written in the source language?
* ``log_length_ratio`` and ``length_norm``: how long a target should be for its source in this
  document, and how far a row is from that.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from align.mt.langcodes import base_lang

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")


def words(text: str) -> list[str]:
    """Casefolded words (digits included, apostrophes kept inside a word)."""
    return [w.casefold() for w in _WORD.findall(text)]


# ---- untranslated -------------------------------------------------------------------------------------
# Frequent function words that the other listed languages do not share ("die", "war", "also", "in"
# are left out where another language has them too); only used to tell languages apart.
FUNCTION_WORDS = {
    "de": "der das dem den des ein eine einer eines einem einen und ist sind nicht auch sich mit von "
    "auf für wurde wurden werden wird noch nach bei aus zum zur über dass oder aber wie kann vom "
    "sein ihre seine ihr wir sie es dieser diese dieses hat haben können soll sollen muss schon "
    "nur sehr mehr wenn weil durch gegen ohne unter zwischen",
    "en": "the of and to is are was were that this with from for by on at which who be been has "
    "have had not it its they their there would will can could should must more than also but "
    "or if when because after before through against without under between what",
    "fr": "le la les des du une un et est sont pas avec pour dans sur qui que au aux ce cette ces "
    "ont été être il elle ils elles leur plus mais ou si",
    "es": "el la los las del una un y es son no con para por en que se al lo su sus este esta estos ha han ser fue más pero si",
    "it": "il lo la gli le dei della delle una un e è sono non con per che si al alla questo questa ha hanno essere più ma se",
    "nl": "de het een en is zijn niet met van op voor door dat die deze wordt worden heeft hebben ook maar als bij naar",
    "pt": "o a os as do da dos das um uma e é são não com para por em que se ao seu sua este esta tem foi ser mais mas",
}
_VOCAB = {lang: frozenset(text.split()) for lang, text in FUNCTION_WORDS.items()}

SAME_TEXT = 90.0  # rapidfuzz ratio (0-100) of the words from which a target is its source again
MIN_LANGUAGE_WORDS = 4  # fewer function words say nothing about the language


@dataclass(frozen=True)
class Untranslated:
    """Why a target looks untranslated: it repeats its source (``copy``), and/or most of its
    telling function words are the source language's (``source_share``: their share, None when
    too few to tell or not more than half). ``words``: the target's word count, which tells a
    sentence left alone from a name or a headline written the same in both languages."""

    copy: bool
    words: int
    source_share: float | None
    src_lang: str
    tgt_lang: str


def untranslated(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> Untranslated | None:
    """Whether ``target`` is untranslated, and why; None when it is not.

    The rule is the quality estimate's, measured on real WMT21 output (devtools/RESULTS.md,
    "Quality estimation"): the words of the target are the source's again (rapidfuzz ratio ``SAME_TEXT`` or
    more: case, spacing, punctuation and a changed or garbled word aside), or more than half of its
    telling function words (at least ``MIN_LANGUAGE_WORDS``) are the source language's. An exact
    copy alone misses output left in German with one word changed or an ``<unk>`` in it. A source
    without a letter (a score, a time, a number) is written the same in every language and is
    never untranslated.
    """
    if not _LETTER.search(source):
        return None
    src_words, tgt_words = words(source), words(target)
    if not tgt_words:
        return None
    from rapidfuzz import fuzz

    copy = fuzz.ratio(" ".join(src_words), " ".join(tgt_words)) >= SAME_TEXT
    share = _source_share(tgt_words, src_lang, tgt_lang)
    if not copy and share is None:
        return None
    return Untranslated(copy, len(tgt_words), share, base_lang(src_lang), base_lang(tgt_lang))


def _source_share(tgt_words: list[str], src_lang: str | None, tgt_lang: str | None) -> float | None:
    """The share of the target's telling function words that are the source language's, when
    there are enough of them and they are the majority (else None)."""
    src, tgt = base_lang(src_lang), base_lang(tgt_lang)
    if src not in _VOCAB or tgt not in _VOCAB or src == tgt:
        return None
    only_src, only_tgt = _VOCAB[src] - _VOCAB[tgt], _VOCAB[tgt] - _VOCAB[src]
    in_src = sum(w in only_src for w in tgt_words)
    in_tgt = sum(w in only_tgt for w in tgt_words)
    if in_src + in_tgt < MIN_LANGUAGE_WORDS or in_src <= in_tgt:
        return None
    return in_src / (in_src + in_tgt)


# ---- length ---------------------------------------------------------------------------------------------
MIN_ROWS = 8  # fewer rows give no usable norm
MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation
LENGTH_SMOOTHING = 10  # characters added to both sides of a length ratio
MIN_LENGTH_SPREAD = 0.05  # a document of near-identical ratios would otherwise flag every small deviation


def log_length_ratio(source: str, target: str) -> float:
    """log((target chars + 10) / (source chars + 10)), spaces at the ends aside.

    The +10 keeps short rows from extreme ratios: on real WMT21 output it flags fewer sound short
    rows than +1 while catching as many broken ones (tests/test_rules_untranslated_length.py).
    """
    return math.log((len(target.strip()) + LENGTH_SMOOTHING) / (len(source.strip()) + LENGTH_SMOOTHING))


@dataclass(frozen=True)
class Norm:
    """The centre and spread of a value over a document's rows."""

    centre: float
    spread: float

    def z(self, value: float) -> float:
        """How many spreads ``value`` lies from the centre (signed)."""
        return (value - self.centre) / self.spread


def robust_norm(values: Sequence[float], min_spread: float) -> Norm | None:
    """Median and MAD (as a standard deviation, at least ``min_spread``) of ``values``; None for
    fewer than ``MIN_ROWS``. Median and MAD, not mean and deviation: the broken rows we look for
    must not move the norm they are judged against (the modified z-score of Iglewicz and Hoaglin)."""
    if len(values) < MIN_ROWS:
        return None
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return Norm(float(median), max(MAD_TO_SD * float(mad), min_spread))


def length_norm(sources: Sequence[str], targets: Sequence[str]) -> Norm | None:
    """How long a target is for its source in this document: the norm of the log length ratios of
    the rows with text on both sides (None: too few rows). A constant ratio would be wrong for other
    language pairs and text types, so each document is its own norm."""
    ratios = [log_length_ratio(s, t) for s, t in zip(sources, targets, strict=True) if s.strip() and t.strip()]
    return robust_norm(ratios, MIN_LENGTH_SPREAD)
