"""Sentence texts -> the new text of each block and of each of its pieces (runs, text nodes, cells).

A block's text is its sentences with what lies between them. Each sentence's new text goes into
the piece where the sentence starts (so it takes that run's bold or italic, or that link); the
parts of the sentence in other pieces are emptied. What lies between two sentences (whitespace in
every reader) becomes one separator: a line break where the source had one (plain text), else the
target language's joiner; separators around emptied sentences collapse, and none is left at the
start or end of a block.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from align.document import Sentence
from align.text.readers import Block, SourceText

log = logging.getLogger(__name__)

_LINE_BREAK_CHARS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class Filled:
    """A block with its new text: whole (for writers that write blocks) and per piece.

    ``pieces[k]`` is the new text of ``block.pieces[k]``; ``changed`` is False when the new text is
    the old one (a writer then leaves the block as it was, inline markup and all).
    """

    block: Block
    text: str
    pieces: tuple[str, ...]
    changed: bool


def fill_blocks(source: SourceText, sentences: Sequence[Sentence], texts: Sequence[str], joiner: str) -> list[Filled]:
    """The new text of every block of ``source``, from the new text of each of its ``sentences``."""
    starts = [b.start for b in source.blocks]
    inside: list[list[tuple[Sentence, str]]] = [[] for _ in source.blocks]
    for sentence, text in zip(sentences, texts, strict=True):
        k = bisect.bisect_right(starts, sentence.start) - 1
        if k < 0 or sentence.end > source.blocks[k].end:
            log.warning("sentence at %d-%d lies outside the source's blocks; put in the nearest", sentence.start, sentence.end)
            k = max(k, 0)
        if source.blocks:
            inside[k].append((sentence, text))
    filled = []
    for block, placed in zip(source.blocks, inside, strict=True):
        whole = compose(source.text, [(block.start, block.end)], placed, joiner)[0]
        pieces = tuple(compose(source.text, [(p.start, p.end) for p in block.pieces], placed, joiner)) if block.pieces else ()
        filled.append(Filled(block, whole, pieces, whole != source.text[block.start : block.end]))
    return filled


def compose(text: str, pieces: Sequence[tuple[int, int]], placed: Sequence[tuple[Sentence, str]], joiner: str) -> list[str]:
    """The new text of each piece ``(start, end)`` of ``text``, given each sentence's new text.

    ``placed`` are the sentences inside the pieces' block, in order, with their new texts.
    """
    if not pieces:
        return []
    starts = [s for s, _ in pieces]
    fragments: list[tuple[int, bool, str]] = []  # (piece, is a separator, text)

    def gap(low: int, high: int) -> None:
        for k, (start, end) in enumerate(pieces):
            a, b = max(low, start), min(high, end)
            if a < b:
                fragments.append((k, True, text[a:b]))

    cursor = pieces[0][0]
    for sentence, new in placed:
        gap(cursor, sentence.start)
        k = max(bisect.bisect_right(starts, sentence.start) - 1, 0)
        fragments.append((k, False, new))
        cursor = max(cursor, sentence.end)
    gap(cursor, pieces[-1][1])

    out: list[list[str]] = [[] for _ in pieces]
    pending: tuple[int, str] | None = None
    started = False
    for k, separator, fragment in fragments:
        if separator and not fragment.strip():
            if pending is None:
                pending = (k, "\n" if _LINE_BREAK_CHARS.intersection(fragment) else joiner)
            continue
        if not fragment:
            continue
        if pending is not None and started:
            out[pending[0]].append(pending[1])
        pending = None
        out[k].append(fragment)
        started = True
    return ["".join(parts) for parts in out]
