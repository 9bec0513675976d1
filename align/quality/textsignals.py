"""Signals a single row carries on its own: repetition loops, untranslated output, numbers and codes
that do not match, a translation that stops mid-sentence, a negation that went missing.

Each returns a ``Finding``: how strongly the row looks broken, in nats of evidence (log odds
against "needs no fix"), and the reason in words a translator can act on. The strengths are
likelihood ratios in spirit: how much more often a broken translation shows the pattern than a
sound one (the false-alarm rates on real WMT21 output are in devtools/RESULTS.md, "Quality estimation").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from align.mt.langcodes import base_lang
from align.review.checks import number_values
from align.text import compare
from align.text.compare import words

REPETITION = "repetition"
UNTRANSLATED = "untranslated"
NUMBERS = "numbers"
CODES = "codes"
TRUNCATION = "truncation"
NEGATION = "negation"


@dataclass(frozen=True)
class Finding:
    """One signal's verdict on a row: ``evidence`` > 0 speaks for a fix, in nats."""

    signal: str
    evidence: float
    reason: str = ""


# ---- repetition -------------------------------------------------------------------------------------
MAX_GRAM = 4


def runs(tokens: Sequence[str], max_gram: int = MAX_GRAM) -> dict[tuple[str, ...], int]:
    """For each n-gram (n <= max_gram) that follows itself without a gap, the most times it does.

    A loop repeats a short unit back to back ("salad salad salad", "the salad, the salad"), so
    back-to-back runs are what count; a word used twice in a sentence is normal.
    """
    found: dict[tuple[str, ...], int] = {}
    for n in range(1, max_gram + 1):
        i = 0
        while i + 2 * n <= len(tokens):
            unit = tuple(tokens[i : i + n])
            k = 1
            while tuple(tokens[i + k * n : i + (k + 1) * n]) == unit:
                k += 1
            if k > 1:
                found[unit] = max(found.get(unit, 1), k)
            i += n * (k - 1) + 1 if k > 1 else 1
    return found


def repetition(source: str, target: str) -> Finding | None:
    """A unit repeated back to back in the target more often than the same unit in the source
    ("2:0 (0:0)" repeats "0" in both and is no loop)."""
    in_source = runs(words(source))
    loops = [(k, len(unit), unit) for unit, k in runs(words(target)).items() if k > in_source.get(unit, 1)]
    loops = [loop for loop in loops if loop[0] > 2 or loop[1] > 1]  # "very very", "bye bye": twice is language
    if not loops:
        return None
    count, _, gram = max(loops)
    evidence = 2.5 if count == 2 else 5.0 + min(count - 3, 3)
    return Finding(REPETITION, evidence, f"repeats '{' '.join(gram)}' {count} times")


# ---- untranslated output ----------------------------------------------------------------------------
def untranslated(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> Finding | None:
    """The target is (nearly) the source, or is written in the source language
    (``align.text.compare.untranslated``, the rule the review check flags by).

    Names are the same in both languages, so a short target equal to its source ("Greta
    Thunberg", or a headline left in German: "Angenehme Atmosphäre") only asks for a check and a
    single word weighs nothing; four words or more, or source-language function words, make it
    untranslated.
    """
    found = compare.untranslated(source, target, src_lang, tgt_lang)
    if found is None:
        return None
    if found.copy and (found.words >= 4 or found.source_share is not None):
        return Finding(UNTRANSLATED, 8.0, "looks untranslated (the target repeats the source)")
    if found.copy and found.words >= 2:
        return Finding(UNTRANSLATED, 3.0, "the target repeats the source: check it needs no translation")
    if found.source_share is None:
        return None
    if found.source_share >= 0.8:
        return Finding(UNTRANSLATED, 7.0, f"looks untranslated (written in {found.src_lang}, not {found.tgt_lang})")
    return Finding(UNTRANSLATED, 3.0, f"partly untranslated ({found.src_lang} words in the {found.tgt_lang} text)")


# ---- numbers, URLs, e-mail addresses, codes ---------------------------------------------------------
NUMBER_WORDS = {
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "en": "zero one two three four five six seven eight nine ten eleven twelve",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze",
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
}
_NUMBER_WORD_VALUES = {lang: {w: Decimal(i) for i, w in enumerate(text.split())} for lang, text in NUMBER_WORDS.items()}
# ("ein" and "a" would partner any lost or added 1: too common to count)
_NUMBER_WORD_VALUES["de"] |= {"zwanzig": Decimal(20)}
_NUMBER_WORD_VALUES["en"] |= {"twenty": Decimal(20), "dozen": Decimal(12)}
_NUMBER_WORD_VALUES["en"] |= {
    w: Decimal(i + 1)
    for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())
}


@dataclass(frozen=True)
class _Number:
    text: str
    values: frozenset[Decimal]


_TIME = re.compile(r"(?<![\d.,:])([01]?\d|2[0-3])\s?(?::\s?([0-5]\d)(?!\d)|[.h]([0-5]\d)(?=\s*(?:Uhr|h\b|[ap]\.?\s?m\b)))", re.I)
_HOUR = re.compile(r"(?<![\d.,:])([01]?\d|2[0-3])(?=\s*(?:Uhr|[ap]\.?\s?m\b|o'clock))", re.I)
_NUMBER_TOKEN = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:[.,'\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])")


def numbers_of(text: str, lang: str | None) -> list[_Number]:
    """Each number token with every value it can mean: both notations unless the language says
    which; a clock time (16.15 Uhr, 4:15 p.m.) is one number, also read on the 12-hour clock."""
    out: list[_Number] = []
    for match in _TIME.finditer(text):
        hour, minute = int(match.group(1)), match.group(2) or match.group(3)
        values = {Decimal(f"{h}.{minute}").normalize() for h in {hour, hour % 12 or 12}}
        out.append(_Number(match.group(0), frozenset(values)))
    for match in _HOUR.finditer(text):
        hour = int(match.group(1))
        out.append(_Number(match.group(0), frozenset({Decimal(hour), Decimal(hour % 12 or 12)})))
    rest = _HOUR.sub(lambda m: " " * len(m.group(0)), text)
    rest = _TIME.sub(lambda m: " " * len(m.group(0)), rest)
    for token in _NUMBER_TOKEN.findall(rest):
        readings = number_values(token, lang)
        if readings:
            out.append(_Number(token, readings[0]))
    return out


def _word_values(text: str, lang: str | None) -> list[_Number]:
    table = _NUMBER_WORD_VALUES.get(base_lang(lang), {})
    return [_Number(w, frozenset({table[w]})) for w in words(text) if w in table]


def _unmatched(mine: list[_Number], theirs: list[_Number], spelled: list[_Number]) -> list[_Number]:
    """My numbers without a partner among theirs (digits first, then spelled-out numbers). A token
    written identically on both sides is a partner whatever the notations say (a copied "12.000")."""
    pool = theirs + spelled
    missing = []
    for number in mine:
        hit = next((i for i, other in enumerate(pool) if other.text == number.text), None)
        if hit is None:
            hit = next((i for i, other in enumerate(pool) if other.values & number.values), None)
        if hit is None:
            missing.append(number)
        else:
            pool.pop(hit)
    return missing


def numbers(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> Finding | None:
    """Numbers on one side without an equal number (or number word) on the other."""
    left, right = numbers_of(source, src_lang), numbers_of(target, tgt_lang)
    if not left and not right:
        return None
    lost = _unmatched(left, right, _word_values(target, tgt_lang))
    added = _unmatched(right, left, _word_values(source, src_lang))
    if not lost and not added:
        return None
    if lost and added:
        reason = f"numbers differ: {', '.join(n.text for n in lost)} vs {', '.join(n.text for n in added)}"
        return Finding(NUMBERS, 6.0, reason)
    if lost:
        return Finding(NUMBERS, 4.0, f"number missing in the translation: {', '.join(n.text for n in lost)}")
    # an added number is often a name made explicit ("Corona" -> "COVID-19", "Achtelfinale" ->
    # "round of 16"), so it weighs less than a lost one
    return Finding(NUMBERS, 1.5, f"number not in the source: {', '.join(n.text for n in added)}")


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A8, B27, GT3, H5N1: a word of letters and digits (not a number with a suffix: 2nd, 44jährige)
_CODE = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]+\b")


def codes_of(text: str) -> list[str]:
    """URLs, e-mail addresses and codes mixing letters and digits: written the same in any language."""
    found = _URL.findall(text) + _EMAIL.findall(text)
    rest = _EMAIL.sub(" ", _URL.sub(" ", text))
    found += [c for c in _CODE.findall(rest) if not re.fullmatch(r"\d+[a-zäöüß]+", c)]
    return found


def codes(source: str, target: str) -> Finding | None:
    """A URL, e-mail address or code of the source that the target does not contain verbatim."""
    target_folded = target.casefold()
    missing = [c for c in dict.fromkeys(codes_of(source)) if c.casefold() not in target_folded]
    if not missing:
        return None
    return Finding(CODES, 3.0, f"not in the translation: {', '.join(missing[:3])}")


# ---- truncation ---------------------------------------------------------------------------------------
_END = re.compile(r"[.!?…:;\"'”“»«)\]]\s*$")
DANGLING = {
    "en": set("the a an of to and or but with for in on at by from that which who whose as than its their his her our".split()),
    "de": set("der die das den dem des ein eine einen einem und oder aber mit für von zu auf an in bei dass".split()),
}


_CLAUSE_END = re.compile(r"[,;:]\s+|\s[–—-]\s+")
MIN_TAIL_WORDS = 2


def head_clause(source: str) -> str | None:
    """The source without its last clause (cut at the last comma, semicolon, colon or dash that
    leaves a few words behind), or None when it has no such boundary. Comparing a translation
    with this and with the whole source tells whether the last clause was rendered."""
    text = source.strip()
    for match in reversed(list(_CLAUSE_END.finditer(text))):
        if len(words(text[match.end() :])) >= MIN_TAIL_WORDS and len(words(text[: match.start()])) >= MIN_TAIL_WORDS:
            return text[: match.start()]
    return None


def truncation(source: str, target: str, tgt_lang: str | None) -> Finding | None:
    """The target stops mid-sentence: no closing punctuation where the source has one, or it ends on
    a word that cannot end a sentence ("... with the")."""
    src, tgt = source.strip(), target.strip()
    if not src or not tgt:
        return None
    last = words(tgt)[-1:] or [""]
    dangling = DANGLING.get(base_lang(tgt_lang), set())
    if last[0] in dangling and not _END.search(tgt):
        return Finding(TRUNCATION, 4.0, f"ends mid-sentence ('…{tgt[-25:]}')")
    if _END.search(src) and src[-1] in ".!?…" and not _END.search(tgt):
        return Finding(TRUNCATION, 2.0, "ends mid-sentence (no closing punctuation)")
    return None


# ---- negation -------------------------------------------------------------------------------------------
NEGATIONS = {
    "de": re.compile(r"\b(?:nicht|nichts|nie|niemals|niemand|kein\w*|weder|nirgends|nirgendwo|ohne)\b", re.I),
    "en": re.compile(
        r"\b(?:not|no|never|nothing|nobody|none|neither|nor|nowhere|without|cannot|no-one)\b|n['’]t\b|\bno one\b", re.I
    ),
    "fr": re.compile(r"\b(?:ne|n['’]|pas|jamais|rien|personne|aucun\w*|sans|ni)\b", re.I),
}


def negation(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> Finding | None:
    """More negations in the source than in the target: one may have been lost ("nicht" -> nothing).

    Languages negate in ways a word list misses ("fail to", "lack"), so a missing negation alone
    puts a row in the "check" band, not "poor" (it rarely fires on sound WMT21 output: devtools/RESULTS.md,
    "Figures cited by the code").
    """
    src_re = NEGATIONS.get(base_lang(src_lang))
    tgt_re = NEGATIONS.get(base_lang(tgt_lang))
    if src_re is None or tgt_re is None:
        return None
    src_neg = src_re.findall(source)
    if len(src_neg) > len(tgt_re.findall(target)):
        return Finding(NEGATION, 3.0, f"a negation may be missing ('{src_neg[0].strip()}' in the source)")
    return None


def text_findings(source: str, target: str, src_lang: str | None, tgt_lang: str | None) -> list[Finding]:
    """Every text signal's finding for one row (empty: nothing to say)."""
    if not target.strip() or not source.strip():
        return []
    found = [
        repetition(source, target),
        untranslated(source, target, src_lang, tgt_lang),
        numbers(source, target, src_lang, tgt_lang),
        codes(source, target),
        truncation(source, target, tgt_lang),
        negation(source, target, src_lang, tgt_lang),
    ]
    return [f for f in found if f is not None]
