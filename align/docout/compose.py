"""Sentence texts -> the new text of each block and of each of its pieces (runs, text nodes, cells).

A block's text is its sentences with what lies between them. Each sentence's new text goes into
the piece where the sentence starts (so it takes that run's bold or italic, or that link); the
parts of the sentence in other pieces are emptied. What lies between two sentences (whitespace in
every reader) becomes one separator: a line break where the source had one (plain text), else the
target language's joiner; separators around emptied sentences collapse, and none is left at the
start or end of a block.

A sentence with inline codes (``align.docout.inline``) comes as fragments, each with the piece whose
formatting it takes; a block with such a sentence also gets all its new text as fragments in order
(``Filled.runs``), for writers that make runs of them (Word).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from align.docout.inline import Fragment
from align.document import Sentence
from align.text.readers import Block, SourceText

log = logging.getLogger(__name__)

_LINE_BREAK_CHARS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class Filled:
    """A block with its new text: whole (for writers that write blocks) and per piece.

    ``pieces[k]`` is the new text of ``block.pieces[k]``; ``changed`` is False when the new text is
    the old one (a writer then leaves the block as it was, inline markup and all). ``runs``: for a
    changed block with a sentence that has inline codes, its whole new text as fragments in order,
    each with the slot whose formatting it takes (the text between sentences: the piece where the
    source had it); empty otherwise.
    """

    block: Block
    text: str
    pieces: tuple[str, ...]
    changed: bool
    runs: tuple[Fragment, ...] = ()


def fill_blocks(
    source: SourceText,
    sentences: Sequence[Sentence],
    texts: Sequence[str],
    joiner: str,
    inline: Mapping[int, Sequence[Fragment]] | None = None,
) -> list[Filled]:
    """The new text of every block of ``source``, from the new text of each of its ``sentences``
    (and, for sentences with inline codes, ``inline``: sentence index -> fragments of its text)."""
    inline = inline or {}
    starts = [b.start for b in source.blocks]
    inside: list[list[tuple[Sentence, str, Sequence[Fragment] | None]]] = [[] for _ in source.blocks]
    for n, (sentence, text) in enumerate(zip(sentences, texts, strict=True)):
        k = bisect.bisect_right(starts, sentence.start) - 1
        if k < 0 or sentence.end > source.blocks[k].end:
            log.warning("sentence at %d-%d lies outside the source's blocks; put in the nearest", sentence.start, sentence.end)
            k = max(k, 0)
        if source.blocks:
            inside[k].append((sentence, text, inline.get(n)))
    filled = []
    for block, placed in zip(source.blocks, inside, strict=True):
        plain = [(sentence, text) for sentence, text, _ in placed]
        whole = compose(source.text, [(block.start, block.end)], plain, joiner)[0]
        changed = whole != source.text[block.start : block.end]
        pieces = tuple(compose(source.text, [(p.start, p.end) for p in block.pieces], plain, joiner)) if block.pieces else ()
        runs: tuple[Fragment, ...] = ()
        if changed and block.pieces and any(frags is not None for _, _, frags in placed):
            spans = [(p.start, p.end) for p in block.pieces]
            slots = [p.slot for p in block.pieces]
            runs = tuple(_fragments(source.text, spans, plain, joiner, [f for _, _, f in placed], slots))
        filled.append(Filled(block, whole, pieces, changed, runs))
    return filled


def compose(text: str, pieces: Sequence[tuple[int, int]], placed: Sequence[tuple[Sentence, str]], joiner: str) -> list[str]:
    """The new text of each piece ``(start, end)`` of ``text``, given each sentence's new text.

    ``placed`` are the sentences inside the pieces' block, in order, with their new texts.
    """
    if not pieces:
        return []
    out: list[list[str]] = [[] for _ in pieces]
    for fragment in _fragments(text, pieces, placed, joiner, None, range(len(pieces))):
        out[fragment.slot].append(fragment.text)
    return ["".join(parts) for parts in out]


def _fragments(
    text: str,
    pieces: Sequence[tuple[int, int]],
    placed: Sequence[tuple[Sentence, str]],
    joiner: str,
    coded: Sequence[Sequence[Fragment] | None] | None,
    slots: Sequence[int],
) -> list[Fragment]:
    """The block's new text in order: what lies between sentences (one separator, see the module
    doc) in the slot of the piece where the source had it, each sentence's text in the slot of the
    piece it starts in, or its own ``coded`` fragments."""
    starts = [s for s, _ in pieces]
    raw: list[tuple[int, bool, str, Sequence[Fragment] | None]] = []  # (piece, is a separator, text, fragments)

    def gap(low: int, high: int) -> None:
        for k, (start, end) in enumerate(pieces):
            a, b = max(low, start), min(high, end)
            if a < b:
                raw.append((k, True, text[a:b], None))

    cursor = pieces[0][0]
    for n, (sentence, new) in enumerate(placed):
        gap(cursor, sentence.start)
        k = max(bisect.bisect_right(starts, sentence.start) - 1, 0)
        raw.append((k, False, new, coded[n] if coded is not None else None))
        cursor = max(cursor, sentence.end)
    gap(cursor, pieces[-1][1])

    out: list[Fragment] = []
    pending: tuple[int, str] | None = None
    started = False
    for k, separator, fragment, frags in raw:
        if separator and not fragment.strip():
            if pending is None:
                pending = (k, "\n" if _LINE_BREAK_CHARS.intersection(fragment) else joiner)
            continue
        if not fragment:
            continue
        if pending is not None and started:
            out.append(Fragment(pending[1], slots[pending[0]]))
        pending = None
        if frags is not None:
            out.extend(f for f in frags if f.text or f.standalone)
        else:
            out.append(Fragment(fragment, slots[k]))
        started = True
    return out
