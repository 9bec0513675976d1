"""Quality flags for each row: the things a reviewer should look at first.

* ``numbers``: a number in the source has no equal number in the target, or the other way round.
  German and English write numbers differently ("2.700" / "2,700" / "2700", "3,5" / "3.5"), so a
  number token stands for every value it can mean under either convention and two tokens match
  when they can mean the same value.
* ``empty_target``: the source has text and the target has none.
* ``untranslated``: the target is the source again or written in the source language
  (``align.text.compare.untranslated``, the rule the quality estimate uses too).
* ``length``: the row's length ratio is far from this document's norm
  (``align.text.compare.length_norm``, the norm the quality estimate judges length against): a
  row is flagged when its modified z-score (Iglewicz and Hoaglin) is above 3.5.
* ``tags``: the target does not hold exactly its source's inline codes (``align.codes``): one is
  missing, extra, or paired on one side and standalone on the other (``tag_problems`` says which,
  in words). Where the codes sit in the target is the translator's choice; a row without a
  target yet is ``empty_target``, not ``tags``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal

from align.codes import code_problems
from align.document import AlignedDocument, Pair
from align.mt.langcodes import base_lang
from align.text import compare
from align.text.compare import Norm

NUMBERS = "numbers"
EMPTY_TARGET = "empty_target"
UNTRANSLATED = "untranslated"
LENGTH = "length"
TAGS = "tags"

LABELS = {
    NUMBERS: "numbers differ",
    EMPTY_TARGET: "target empty",
    UNTRANSLATED: "untranslated",
    LENGTH: "length unusual",
    TAGS: "tags differ",
}

# grouped numbers first (1.234.567,89 / 1,234,567.89 / 2 700 with a no-break space), then plain ones
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[.,'\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])")

MIN_CHARS_FOR_LENGTH = 20  # ratios of very short rows are noise
MAX_Z = 3.5


_GROUP_SPLIT = {sep: re.compile("[" + re.escape(sep) + "'\u00a0\u202f]") for sep in ".,"}


def _parse(token: str, thousands: str, decimal: str) -> Decimal | None:
    """Read ``token`` with one convention; None when it is not well-formed under it."""
    body, frac = token.rsplit(decimal, 1) if decimal in token else (token, "")
    groups = _GROUP_SPLIT[thousands].split(body)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    digits = "".join(groups)
    if not digits.isdigit() or (frac and not frac.isdigit()):
        return None
    return Decimal(f"{digits}.{frac}" if frac else digits).normalize()


# languages that write a decimal point (3.5) and group thousands with commas (2,700); the others
# we expect (de, fr, es, it, nl, pt, ru, pl, ...) write 3,5 and 2.700
DECIMAL_POINT_LANGS = frozenset({"en", "zh", "ja", "ko", "he", "th", "hi", "ga", "mt"})


def _conventions(lang: str | None) -> list[tuple[str, str]]:
    point, comma = (",", "."), (".", ",")
    if lang is None:
        return [point, comma]
    return [point, comma] if base_lang(lang) in DECIMAL_POINT_LANGS else [comma, point]


def number_values(text: str, lang: str | None = None) -> list[frozenset[Decimal]]:
    """The numbers of ``text``, each as the set of values it can mean.

    With a language, a token means what that language's convention reads (the other convention
    only when the token is malformed under it: "3.5" in German text); without one, every reading.
    """
    found = []
    for token in _NUMBER.findall(text):
        values: set[Decimal] = set()
        for thousands, decimal in _conventions(lang):
            value = _parse(token, thousands, decimal)
            if value is not None:
                values.add(value)
                if lang is not None:
                    break
        if values:
            found.append(frozenset(values))
    return found


def numbers_match(source: str, target: str, src_lang: str | None = None, tgt_lang: str | None = None) -> bool:
    """True when every number on each side has a partner that can mean the same value."""
    left = number_values(source, src_lang)
    right = number_values(target, tgt_lang)
    if len(left) != len(right):
        return False
    unused = list(right)
    for values in left:
        partner = next((i for i, other in enumerate(unused) if values & other), None)
        if partner is None:
            return False
        unused.pop(partner)
    return True


def length_norm(pairs: Sequence[Pair]) -> Norm | None:
    """The document's length norm from rows with text on both sides (None: too few rows)."""
    return compare.length_norm([p.source for p in pairs], [p.target for p in pairs])


@functools.lru_cache(maxsize=20_000)
def _text_flags(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> tuple[str, ...]:
    """The flags that depend on the row alone (cached: a rerun of the page rechecks every row)."""
    if not source and not target:
        return ()
    if source and not target:
        return (EMPTY_TARGET,)
    flags = []
    if not numbers_match(source, target, src_lang, tgt_lang):
        flags.append(NUMBERS)
    if compare.untranslated(source, target, src_lang, tgt_lang) is not None:
        flags.append(UNTRANSLATED)
    return tuple(flags)


def pair_flags(pair: Pair, norm: Norm | None = None, src_lang: str | None = None, tgt_lang: str | None = None) -> tuple[str, ...]:
    """The flags of one row, in a fixed order (``norm``: the document's length norm; without one,
    no length flag)."""
    source, target = pair.source.strip(), pair.target.strip()
    flags = _text_flags(source, target, src_lang, tgt_lang)
    if (pair.src_codes or pair.tgt_codes) and tag_problems(pair):
        flags += (TAGS,)
    if norm is not None and source and target and max(len(source), len(target)) >= MIN_CHARS_FOR_LENGTH:
        if abs(norm.z(compare.log_length_ratio(source, target))) > MAX_Z:
            flags += (LENGTH,)
    return flags


def tag_problems(pair: Pair) -> tuple[str, ...]:
    """Why a row is flagged ``tags``, in words a translator can act on ("missing code <2/>");
    () when its target holds exactly its source's codes or has no text yet."""
    return code_problems(pair.src_codes, pair.tgt_codes, pair.target)


def check_pairs(pairs: Sequence[Pair], src_lang: str | None = None, tgt_lang: str | None = None) -> list[tuple[str, ...]]:
    """Flags for every row, with the length norm of these rows."""
    norm = length_norm(pairs)
    return [pair_flags(p, norm, src_lang, tgt_lang) for p in pairs]


def with_flags(doc: AlignedDocument) -> AlignedDocument:
    """The document with each pair's ``flags`` set by the checks."""
    return doc.replace(
        pairs=[p.replace(flags=f) for p, f in zip(doc.pairs, check_pairs(doc.pairs, doc.src_lang, doc.tgt_lang), strict=True)]
    )
