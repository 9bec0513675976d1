"""The corrupted translations of the quality-estimation benchmark (``python -m devtools bench qe``):
real machine translation made wrong the ways machine translation goes wrong, one fault a row, so
the benchmark can ask whether ``align.quality`` finds the broken rows.

``corrupt`` (seeded and pure): about ``rate`` of the rows get exactly one corruption, the six
kinds spread evenly over the rows eligible for each (scarce kinds choose first); every other row
stays as its system wrote it. The kinds imitate what machine
translation really gets wrong; none is shaped after a detector:

- ``repetition``: a decoding loop. An n-gram of the MT (n = 1..3, with a letter or digit in
  it, never the final word that carries the full stop) is repeated so that it occurs 3..8 times
  in a row; in half the cases the loop replaces the rest of the sentence (the output
  degenerates and just stops, no full stop), otherwise the rest of the sentence follows.
- ``untranslated``: the German source passed through as the target (rows whose MT already
  equals the source are not eligible).
- ``dropped_clause``: the last clause left out. The MT is cut at its last clause boundary
  (``, ; :``, a dash between spaces, or before a conjunction or relative word: and, but, or,
  which, who, whom, whose, that, while, whereas, because, since, after, before, when, where,
  as, although, though, if, unless, until) that drops at least 3 words and at least 15% of the
  characters and keeps at least 3 words; the original's sentence-final punctuation is put back
  (NMT that drops a clause still ends with a full stop), with a closing quote when the kept
  part opened one. Rows without such a boundary are not eligible.
- ``wrong_sentence``: the same system's translation of a nearby line, 1..5 lines away in a
  random direction (nearby lines tell the same news story, which is harder to see than a
  random line); offsets whose MT is identical are skipped.
- ``number``: one standalone number of the MT changed, its formatting kept: one digit
  changed, or x10 / /10, or +-1..3 ("2,700" -> "2,760", "27,000" or "270"). Years get digit
  changes and shifts only; numbers with decimals or leading zeros digit changes only. Only MT
  with a standalone number (not "1st", "5G", "2020s", the 19 of "COVID-19").
- ``negation``: one negation removed, the rest made to read plausibly: "did not go" -> "did
  go", "doesn't" -> "does", "won't" -> "will", "cannot" -> "can", "never" dropped, "nobody" /
  "nothing" / "nowhere" / "no one" / "none" -> "somebody" / "something" / "somewhere" /
  "someone" / "some", "no longer" -> "still", "no other" -> "any other", "no" before another
  word -> "a" / "an" (or "some" before a plural). "not only", "whether or not" and "no
  matter" stay.

Each row's corrupted text depends only on the seed, the kind and the row (its own random
stream), so a subset (the bench's ``--systems``, ``--limit``) corrupts the rows it keeps the same
way, except that ``wrong_sentence`` only looks at lines inside the subset.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

KINDS = ("repetition", "untranslated", "dropped_clause", "wrong_sentence", "number", "negation")


@dataclass(frozen=True)
class Row:
    """One line of one system in qe-dev: the German source, the system's English, the reference."""

    system: str
    line: int
    source: str
    mt: str
    reference: str


@dataclass(frozen=True)
class Case:
    system: str
    line: int
    source: str
    mt: str  # what the estimator sees: corrupted when ``kind`` is set
    original_mt: str
    reference: str
    kind: str | None = None


_FINAL = re.compile(r"([.!?…]+)([\"'”’»)]*)\s*$")


def repeat_ngram(mt: str, rng: random.Random) -> str | None:
    """A decoding loop: an n-gram (n = 1..3) repeated to 3..8 occurrences in a row; half the time
    the loop is where the output ends."""
    words = mt.split()
    body = words[:-1] if words and _FINAL.search(words[-1]) else words  # not the word with the full stop
    if len(body) < 1 or len(words) < 3:
        return None
    n = min(rng.randint(1, 3), len(body))
    starts = [i for i in range(len(body) - n + 1) if any(c.isalnum() for c in "".join(words[i : i + n]))]
    if not starts:
        return None
    start = rng.choice(starts)
    gram = words[start : start + n]
    times = rng.randint(3, 8)
    head = words[: start + n] + gram * (times - 1)
    degenerate = rng.random() < 0.5
    return " ".join(head if degenerate else head + words[start + n :])


_CONJUNCTIONS = (
    "and but or which who whom whose that while whereas because since after before when where as although though if unless until"
).split()
_BOUNDARY = re.compile(r"[,;:](?=\s)|\s+[-–—]+(?=\s)|\s+(?=(?:" + "|".join(_CONJUNCTIONS) + r")\b)", re.IGNORECASE)


_OPENERS = {"”": "“", "»": "«", ")": "("}


def _opened(text: str, closer: str) -> bool:
    """Whether ``text`` leaves a quote or bracket open that ``closer`` closes (apostrophes aside)."""
    if closer == '"':
        return text.count('"') % 2 == 1
    opener = _OPENERS.get(closer)
    return opener is not None and text.count(opener) > text.count(closer)


def drop_clause(mt: str) -> str | None:
    """The MT without its last clause, cut at the last boundary that drops >= 3 words and >= 15%
    of the characters and keeps >= 3 words; the sentence-final punctuation is kept."""
    final = _FINAL.search(mt)
    stop, quote = (final.group(1), final.group(2)) if final else ("", "")
    words = len(mt.split())
    for match in reversed(list(_BOUNDARY.finditer(mt))):
        before, after = mt[: match.start()].split(), mt[match.end() :].split()
        if before and after[:2] == ["and", before[-1]]:
            continue  # "more and more" is no clause boundary
        kept = mt[: match.start()].rstrip().rstrip(",;:-–— ")
        if len(kept.split()) < 3:
            break
        closing = "".join(char for char in quote if _opened(kept, char))
        text = kept + stop + closing
        if words - len(text.split()) >= 3 and len(mt) - len(text) >= 0.15 * len(mt):
            return text
    return None


def nearby_sentence(mt: str, line: int, neighbours: dict[int, str], rng: random.Random) -> str | None:
    """The same system's MT of a line 1..5 away (random distance and direction first, then the
    other offsets in random order), skipping identical translations."""
    offsets = [sign * d for d in range(1, 6) for sign in (-1, 1)]
    rng.shuffle(offsets)
    for offset in offsets:
        other = neighbours.get(line + offset)
        if other is not None and other.strip() and other.strip() != mt.strip():
            return other
    return None


_NUMBER = re.compile(r"(?<![\w.,])(?<![A-Za-z]-)\d+(?:[.,]\d+)*(?!\w)")  # not 1st, 5G, 2020s, COVID-19
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def _changed_number(text: str, rng: random.Random) -> str:
    grouped = bool(_GROUPED.fullmatch(text))
    plain = text.isdigit() and not (len(text) > 1 and text.startswith("0"))
    year = plain and len(text) == 4 and 1800 <= int(text) <= 2100
    ways = ["digit"]
    if grouped or plain:
        ways.append("shift")
        if not year:
            ways.append("scale")
    way = rng.choice(ways)
    if way == "digit":
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        at = rng.choice(digits)
        first = at == digits[0] and len(digits) > 1
        choices = [d for d in "0123456789" if d != text[at] and not (first and d == "0")]
        return text[:at] + rng.choice(choices) + text[at + 1 :]
    value = int(text.replace(",", ""))
    if way == "scale":
        value = value // 10 if value >= 10 and value % 10 == 0 and rng.random() < 0.5 else value * 10
    else:
        step = rng.randint(1, 3)
        value = value + step if value - step < 0 or rng.random() < 0.5 else value - step
    return f"{value:,}" if grouped else str(value)


def change_number(mt: str, rng: random.Random) -> str | None:
    """One standalone number of the MT changed (one digit, x10 or /10, or +-1..3), same style."""
    found = list(_NUMBER.finditer(mt))
    if not found:
        return None
    match = rng.choice(found)
    new = _changed_number(match.group(0), rng)
    return mt[: match.start()] + new + mt[match.end() :] if new != match.group(0) else None


_SOME = {"nobody": "somebody", "nothing": "something", "nowhere": "somewhere", "none": "some"}
_CONTRACTED = {"wo": "will", "ca": "can", "sha": "shall"}
_NO_PHRASES = {"one": "someone", "longer": "still", "other": "any other"}
NEGATION = re.compile(
    r"\b(?:no(?:body|thing|where|ne)?|not|never|cannot)\b|\b\w+n[’']t\b",
    re.IGNORECASE,
)


def _like(word: str, model: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _negations(mt: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every negation the corruption can remove."""
    out = []
    for m in NEGATION.finditer(mt):
        word, lower = m.group(0), m.group(0).lower()
        after = mt[m.end() :]
        before = mt[: m.start()]
        nxt = re.match(r"\s+([A-Za-z]+)", after)
        if lower.endswith(("n't", "n’t")):
            stem = word[:-3]
            if stem.lower() == "ai":
                continue
            out.append((m.start(), m.end(), _like(_CONTRACTED.get(stem.lower(), stem), word)))
        elif lower == "cannot":
            out.append((m.start(), m.end(), _like("can", word)))
        elif lower in _SOME:
            out.append((m.start(), m.end(), _like(_SOME[lower], word)))
        elif lower in ("not", "never"):
            if lower == "not" and (re.match(r"\s+only\b", after) or re.search(r"\bor\s*$", before, re.IGNORECASE)):
                continue
            start, end = m.start(), m.end()
            if before.strip():  # "did not go" -> "did go"; "(not yet)" -> "(yet)"
                if mt[start - 1].isspace():
                    start = len(before.rstrip())
                else:
                    end += len(after) - len(after.lstrip())
                out.append((start, end, ""))
            elif nxt:  # sentence-initial: "Never again ..." -> "Again ..."
                end = m.end() + len(after) - len(after.lstrip())
                out.append((start, end + 1, mt[end].upper()))
        elif lower == "no" and nxt and nxt.group(1).islower() and nxt.group(1) != "matter":
            following = nxt.group(1)
            end = m.end()
            if following in _NO_PHRASES:
                end = m.end() + nxt.end()
                new = _NO_PHRASES[following]
            elif following.endswith("s") and not following.endswith("ss"):
                new = "some"
            else:
                new = "an" if following[0] in "aeiou" else "a"
            out.append((m.start(), end, _like(new, word)))
    return out


def remove_negation(mt: str, rng: random.Random) -> str | None:
    """One negation of the MT removed and the sentence made to read on (see the module doc)."""
    found = _negations(mt)
    if not found:
        return None
    start, end, new = rng.choice(found)
    return mt[:start] + new + mt[end:]


def corrupt(rows: Sequence[Row], rate: float = 0.12, seed: int = 1) -> list[Case]:
    """The rows as cases, about ``rate`` of them with exactly one corruption (kinds in the module
    doc), the kinds spread evenly over the rows eligible for each. Pure and deterministic."""
    by_system: dict[str, dict[int, str]] = defaultdict(dict)
    for row in rows:
        by_system[row.system][row.line] = row.mt

    def attempt(row: Row, kind: str) -> str | None:
        rng = random.Random(f"{seed}:{kind}:{row.system}:{row.line}")
        if kind == "repetition":
            text = repeat_ngram(row.mt, rng)
        elif kind == "untranslated":
            text = row.source if row.source.strip() else None
        elif kind == "dropped_clause":
            text = drop_clause(row.mt)
        elif kind == "wrong_sentence":
            text = nearby_sentence(row.mt, row.line, by_system[row.system], rng)
        elif kind == "number":
            text = change_number(row.mt, rng)
        else:
            text = remove_negation(row.mt, rng)
        return text if text is not None and text.strip() != row.mt.strip() else None

    options = {kind: {i: t for i, row in enumerate(rows) if (t := attempt(row, kind)) is not None} for kind in KINDS}
    rng = random.Random(seed)
    chosen: dict[int, tuple[str, str]] = {}
    remaining = round(rate * len(rows))
    order = sorted(KINDS, key=lambda k: (len(options[k]), KINDS.index(k)))  # scarce kinds choose first
    for left, kind in zip(range(len(order), 0, -1), order, strict=True):
        free = sorted(i for i in options[kind] if i not in chosen)
        quota = min(len(free), round(remaining / left))
        for i in rng.sample(free, quota):
            chosen[i] = (kind, options[kind][i])
        remaining -= quota
    cases = []
    for i, row in enumerate(rows):
        picked, text = chosen.get(i, ("", row.mt))
        cases.append(Case(row.system, row.line, row.source, text, row.mt, row.reference, picked or None))
    return cases
