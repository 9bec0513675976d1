"""Word alignment against human gold: alignment error rate, precision and recall.

The gold follows Och & Ney (the Vilar et al. de-en Europarl set's guidelines): sure links S and
possible links P, every sure link also possible. For a test alignment A (Och & Ney 2003)::

    precision = |A ∩ P| / |A|      recall = |A ∩ S| / |S|
    AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)

summed over all sentence pairs before dividing (corpus level, as every published AER is).

The gold file (``tests/data/wordalign``, its ``GUIDELINES.md``) is blocks separated by blank lines::

    # id: align-dev/003:17-17
    S: 0:Der 1:Kreml ...        (source words with their indices)
    T: 0:The 1:Kremlin ...
    A: 0-0 1-1 ...              (sure links)
    P: 5-3 ...                  (possible links, not repeating the sure ones)

A block whose ``A:`` line is empty is not annotated yet and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from align.errors import FormatError, InputError

_LINK = re.compile(r"(\d+)-(\d+)")


@dataclass(frozen=True)
class GoldPair:
    """One annotated sentence pair: its id, words, sure links and possible links (sure included)."""

    id: str
    src: tuple[str, ...]
    tgt: tuple[str, ...]
    sure: frozenset[tuple[int, int]]
    possible: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Scores:
    """Corpus-level scores of a test alignment against the gold, with the counts they come from."""

    aer: float
    precision: float
    recall: float
    links: int
    sure: int
    pairs: int


def read_gold(path: Path) -> list[GoldPair]:
    """The annotated pairs of a gold file (blocks with an empty ``A:`` line are skipped).

    Raises ``InputError`` when the file cannot be read and ``FormatError`` (naming the file and
    the block) for a malformed block: a bad link, an index out of range, a missing line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the word alignment gold ({error}); give a UTF-8 gold file") from error
    pairs = [_pair(path, block) for block in _blocks(text)]
    return [pair for pair in pairs if pair is not None]


def read_golds(paths: Iterable[Path]) -> list[GoldPair]:
    """The annotated pairs of several gold files, in order."""
    return [pair for path in paths for pair in read_gold(path)]


def _blocks(text: str) -> Iterator[dict[str, str]]:
    block: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# id:"):
            if block:
                yield block
            block = {"id": line[5:].strip()}
        elif line[:2] in ("S:", "T:", "A:", "P:"):
            block[line[0]] = line[2:].strip()
    if block:
        yield block


def _pair(path: Path, block: dict[str, str]) -> GoldPair | None:
    name = block.get("id", "?")
    if not block.get("A"):
        return None
    if "S" not in block or "T" not in block:
        raise FormatError(f"{path}: block {name} has no S: or T: line; every block needs both")
    src = _words(path, name, block["S"])
    tgt = _words(path, name, block["T"])
    sure = _links(path, name, block["A"], len(src), len(tgt))
    possible = _links(path, name, block.get("P", ""), len(src), len(tgt)) | sure
    return GoldPair(name, src, tgt, sure, possible)


def _words(path: Path, name: str, line: str) -> tuple[str, ...]:
    words = []
    for expected, item in enumerate(line.split()):
        index, _, word = item.partition(":")
        if index != str(expected) or not word:
            raise FormatError(f"{path}: block {name}: word {item!r} is not {expected}:WORD; fix the S:/T: line")
        words.append(word)
    return tuple(words)


def _links(path: Path, name: str, line: str, n_src: int, n_tgt: int) -> frozenset[tuple[int, int]]:
    links = set()
    for item in line.split():
        match = _LINK.fullmatch(item)
        if match is None:
            raise FormatError(f"{path}: block {name}: link {item!r} is not I-J; fix the A:/P: line")
        i, j = int(match[1]), int(match[2])
        if i >= n_src or j >= n_tgt:
            raise FormatError(f"{path}: block {name}: link {item} is out of range ({n_src} x {n_tgt} words)")
        links.add((i, j))
    return frozenset(links)


def score(gold: Sequence[GoldPair], test: Sequence[set[tuple[int, int]] | frozenset[tuple[int, int]]]) -> Scores:
    """AER, precision and recall of ``test`` (one link set per gold pair, in order), corpus level."""
    if len(gold) != len(test):
        raise ValueError(f"{len(test)} test alignments for {len(gold)} gold pairs")
    a_total = s_total = a_and_s = a_and_p = 0
    for pair, links in zip(gold, test, strict=True):
        links = set(links)
        a_total += len(links)
        s_total += len(pair.sure)
        a_and_s += len(links & pair.sure)
        a_and_p += len(links & pair.possible)
    aer = 1.0 - (a_and_s + a_and_p) / (a_total + s_total) if a_total + s_total else 0.0
    precision = a_and_p / a_total if a_total else 0.0
    recall = a_and_s / s_total if s_total else 0.0
    return Scores(aer, precision, recall, a_total, s_total, len(gold))


def read_pharaoh(path: Path) -> list[set[tuple[int, int]]]:
    """A Pharaoh file (``i-j`` links, one line per sentence pair), e.g. ``align words`` output."""
    path = Path(path)
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        links = set()
        for item in line.split():
            match = _LINK.fullmatch(item)
            if match is None:
                raise FormatError(f"{path}: line {number}: {item!r} is not an I-J link; give a Pharaoh file")
            links.add((int(match[1]), int(match[2])))
        out.append(links)
    return out
