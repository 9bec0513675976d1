"""Inline formatting through translation: a sentence's formatted pieces -> codes -> placed on its
translation -> fragments of the translation, each with the piece whose formatting it takes.

Generic over formats: a writer (DOCX runs, HTML text nodes, Markdown spans) describes a block's
text as :class:`Styled` pieces, each with a **formatting key** (any hashable value; equal keys look
the same: Word, a run's properties and its hyperlink; HTML, the chain of inline elements around a
text node) and a **slot** (the writer's own unit: a run's position, a text node's). Zero-width
pieces (``start == end``) are standalone items: a footnote reference, an image, a field.

API (offsets are in the reader's ``SourceText.text``; a sentence is a ``(start, end)`` span):

* ``Styled.levels``: the key as nested layers, outermost first (Word: the hyperlink, then the
  run's properties; HTML: the chain of elements). With them a link whose words are partly bold
  is one code around the link with a bold code inside, not three codes side by side that the
  translation's word order could scatter.
* ``sentence_codes(start, end, styled, text=None) -> Coded | None``: the sentence's **main**
  formatting (of the keys on a non-space character of ``text``, when given, those with the least
  ``Styled.depth``, and of them the one covering most characters: a link or a bold word is a code
  inside plain text, even when it is most of the sentence; its first piece is ``Coded.main``) and a paired code for
  each stretch of other formatting (consecutive pieces of one key; stretches of whitespace only
  are not codes), a standalone code for each zero-width piece in ``[start, end]``; code ids
  ``"1"``, ``"2"``, ... ; ``Coded.slots[k]`` is the slot code k came from. None when the sentence
  has no codes (one formatting throughout: nothing to place, nothing to pay) or when a piece has
  the key :data:`FIXED` (a writer's "do not split this sentence").
* ``place_sentences(items, aligner) -> list[tuple[Code, ...]]``: for each ``(source, target, coded)``
  the codes placed on ``target`` (``align.words.tags.place_codes`` with one batched word alignment
  of the pairs, method ``tags.METHOD``). A target equal to its source keeps the codes as they
  are (no alignment); a paired code whose source words found no counterpart is stretched over the
  nearest target word no other code holds, so a kind of formatting is never lost.
* ``fragments(target, placed, coded) -> tuple[Fragment, ...]``: the target cut at the placed codes,
  in target order: ``Fragment(text, slot)``, the text outside codes with ``coded.main``, a code's
  text with its slot (innermost code wins), a standalone code as ``Fragment("", slot)`` with
  ``standalone=True``. Concatenating the texts gives ``target``.
* ``inline_fragments(source_text, sentences, targets, styled_of, aligner, placer=None) -> dict[int, tuple[Fragment, ...]]``:
  the three steps for a document: sentence index -> its fragments, only for sentences with
  codes. ``styled_of(k)`` gives the styled pieces of the block sentence k lies in. ``placer``
  (``Placer``) replaces the aligner where the caller knows where codes go (pseudo-translation).

``align.docout.compose.fill_blocks`` takes that dict (``inline=``) and gives each changed block's
whole new text as fragments in order (``Filled.runs``; the text between sentences in the slot of
the piece where the source had it, the sentences without codes in the slot they start in); the
format's writer makes them (Word: the text of each fragment in its slot's run or a copy of it,
inside the same hyperlink).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from align.codes import Code, CodeKind, inside

if TYPE_CHECKING:
    from align.words.aligner import WordAligner
    from align.words.model import WordAlignment

log = logging.getLogger(__name__)

#: A formatting key that keeps its sentence whole (no codes): a writer's mark for pieces it cannot
#: move or copy (a Word field's result).
FIXED = ("fixed",)


@dataclass(frozen=True)
class Styled:
    """A piece of a block's text and how it looks; ``start == end``: a standalone item."""

    start: int
    end: int
    slot: int
    key: Hashable
    depth: int = 0  # how much formatting it has over the block's own (0: none; a link inside bold: more)
    levels: tuple[Hashable, ...] = ()  # the key as nested layers, outermost first (a link, then bold in it)

    @property
    def standalone(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Coded:
    """A sentence's codes (offsets in the sentence), the slot each came from, and its main slot."""

    codes: tuple[Code, ...]
    slots: tuple[int, ...]
    main: int


@dataclass(frozen=True)
class Fragment:
    """A stretch of a translation and the slot whose formatting it takes."""

    text: str
    slot: int
    standalone: bool = False


def sentence_codes(start: int, end: int, styled: Sequence[Styled], text: str | None = None) -> Coded | None:
    """The codes of the sentence ``[start, end)`` from its block's styled pieces (see the module
    doc); ``text`` is what the offsets index (the reader's ``SourceText.text``)."""
    text_pieces = [
        (max(p.start, start), min(p.end, end), p) for p in styled if not p.standalone and p.start < end and p.end > start
    ]
    if not text_pieces:
        return None
    if any(p.key == FIXED for _, _, p in text_pieces):
        return None
    weight: dict[Hashable, tuple[int, int]] = {}  # key -> (-depth, characters)
    for a, b, p in text_pieces:
        if text is None or text[a:b].strip():
            weight[p.key] = (-p.depth, weight.get(p.key, (0, 0))[1] + (b - a))
    if not weight:
        return None
    main_key = max(weight, key=lambda k: weight[k])  # first key seen wins a tie (dicts keep order)
    main = next(p for _, _, p in text_pieces if p.key == main_key)
    items = _layered(text_pieces, 0, _levels(main), start, text)  # (start, end, slot, kind) in the sentence
    items += [
        (p.start - start, p.start - start, p.slot, CodeKind.STANDALONE)
        for p in styled
        if p.standalone and start <= p.start <= end
    ]
    if not items:
        return None
    items.sort(key=lambda item: item[0])  # stable: a standalone code at a paired code's start follows it
    codes = tuple(Code(str(n), kind, a, b) for n, (a, b, _, kind) in enumerate(items, start=1))
    return Coded(codes, tuple(slot for _, _, slot, _ in items), main.slot)


def _levels(piece: Styled) -> tuple[Hashable, ...]:
    return piece.levels or (piece.key,)


_NO_LEVEL = ("no level",)


def _layered(
    pieces: Sequence[tuple[int, int, Styled]], depth: int, base: tuple[Hashable, ...], offset: int, text: str | None
) -> list[tuple[int, int, int, CodeKind]]:
    """The paired codes of consecutive ``pieces`` (clipped spans) from layer ``depth`` down, inside
    a stretch that looks like ``base``: a code around each run of pieces whose layer differs from
    ``base``'s (its slot: the piece of most text in it, whose look its own inner codes differ
    from), parents before children."""
    items: list[tuple[int, int, int, CodeKind]] = []
    group: list[tuple[int, int, Styled]] = []

    def layer(piece: Styled) -> Hashable:
        levels = _levels(piece)
        return levels[depth] if depth < len(levels) else _NO_LEVEL

    def flush() -> None:
        if not group or all(len(_levels(p)) <= depth for _, _, p in group):
            return
        value = layer(group[0][2])
        if value == (base[depth] if depth < len(base) else _NO_LEVEL):
            items.extend(_layered(group, depth + 1, base, offset, text))
            return
        inner = _heaviest(group, text)
        items.append((group[0][0] - offset, group[-1][1] - offset, inner.slot, CodeKind.PAIRED))
        items.extend(_layered(group, depth + 1, _levels(inner), offset, text))

    for a, b, piece in pieces:
        if group and (layer(piece) != layer(group[-1][2]) or a != group[-1][1]):
            flush()
            group = []
        group.append((a, b, piece))
    flush()
    return items


def _heaviest(group: Sequence[tuple[int, int, Styled]], text: str | None) -> Styled:
    """The piece whose look covers most non-space text of ``group`` (the first on a tie)."""
    weight: dict[Hashable, int] = {}
    first: dict[Hashable, Styled] = {}
    for a, b, piece in group:
        first.setdefault(piece.key, piece)
        weight[piece.key] = weight.get(piece.key, 0) + (len(text[a:b].strip()) if text is not None else b - a)
    return first[max(weight, key=lambda k: weight[k])]


def trim_codes(sentence: str, coded: Coded) -> Coded | None:
    """``coded`` with each paired code trimmed of the whitespace at its ends and whitespace-only
    codes left out (formatting on a space is not worth a code); None when no code is left."""
    codes: list[Code] = []
    slots: list[int] = []
    for code, slot in zip(coded.codes, coded.slots, strict=True):
        if code.paired:
            a, b = code.start, code.end
            while a < b and sentence[a].isspace():
                a += 1
            while b > a and sentence[b - 1].isspace():
                b -= 1
            if a == b:
                continue
            code = Code(code.id, code.kind, a, b)
        codes.append(code)
        slots.append(slot)
    if not codes:
        return None
    renumbered = tuple(Code(str(n), c.kind, c.start, c.end) for n, c in enumerate(codes, start=1))
    return Coded(renumbered, tuple(slots), coded.main)


#: Places a sentence's codes on its target without the aligner, where the caller knows how the
#: target was made (a pseudo-translation moves every code by its frame): ``(source, target, codes)``.
Placer = Callable[[str, str, tuple[Code, ...]], tuple[Code, ...]]


def place_sentences(
    items: Sequence[tuple[str, str, Coded]], aligner: WordAligner | None, placer: Placer | None = None
) -> list[tuple[Code, ...]]:
    """Each sentence's codes placed on its target (see the module doc); one batched alignment,
    or ``placer`` for each when given."""
    from align.words.aligner import align_word_pairs
    from align.words.tags import METHOD, place_codes

    placed: list[tuple[Code, ...]] = [coded.codes for _, _, coded in items]
    todo = [k for k, (source, target, _) in enumerate(items) if target != source]
    if not todo:
        return placed
    if placer is not None:
        for k in todo:
            source, target, coded = items[k]
            placed[k] = placer(source, target, coded.codes)
        return placed
    pairs = [(items[k][0], items[k][1]) for k in todo]
    alignments = align_word_pairs(pairs, method=METHOD, aligner=aligner)
    for k, alignment in zip(todo, alignments, strict=True):
        source, target, coded = items[k]
        if not target.strip():
            placed[k] = tuple(Code(c.id, c.kind, 0, 0) for c in coded.codes)
            continue
        placed[k] = _never_lost(place_codes(source, target, coded.codes, alignment), alignment)
    return placed


def _never_lost(placed: Sequence[Code], alignment: WordAlignment) -> tuple[Code, ...]:
    """A paired code placed empty (its words found no counterpart) stretched over the nearest
    target word inside its parent code that no other code holds (its own children aside); codes
    stay in document order."""
    out = list(placed)
    parents = _parents(out)
    spans = [(w.start, w.end) for w in alignment.tgt_words]
    for k, code in enumerate(out):
        if not code.paired or code.start != code.end:
            continue
        ancestors = set()
        up = parents[k]
        while up is not None:
            ancestors.add(up)
            up = parents[up]
        above = parents[k]
        parent = out[above] if above is not None else None
        low, high = (parent.start, parent.end) if parent is not None else (0, spans[-1][1] if spans else 0)
        taken = [(c.start, c.end) for j, c in enumerate(out) if j != k and j not in ancestors and c.paired and c.end > c.start]
        free = [(a, b) for a, b in spans if low <= a and b <= high and not any(a < y and x < b for x, y in taken)]
        if not free:
            continue
        a, b = min(free, key=lambda span: abs(span[0] - code.start) if span[0] >= code.start else code.start - span[1] + 0.5)
        out[k] = Code(code.id, code.kind, a, b)
    order = sorted(range(len(out)), key=lambda j: (out[j].start, -out[j].end, j))
    return tuple(out[j] for j in order)


def _parents(codes: Sequence[Code]) -> list[int | None]:
    """Each code's enclosing paired code (document order, ``align.codes``'s nesting rule)."""
    parents: list[int | None] = []
    stack: list[int] = []
    for k, code in enumerate(codes):
        while stack and not inside(codes[stack[-1]], code):
            stack.pop()
        parents.append(stack[-1] if stack else None)
        if code.paired and code.end > code.start:
            stack.append(k)
    return parents


def fragments(target: str, placed: Sequence[Code], coded: Coded) -> tuple[Fragment, ...]:
    """``target`` cut at its placed codes (document order), each stretch with the slot it takes."""
    slot_of = {code.id: slot for code, slot in zip(coded.codes, coded.slots, strict=True)}
    out: list[Fragment] = []
    at = 0
    stack: list[Code] = []

    def emit(upto: int) -> None:
        nonlocal at
        if upto > at:
            out.append(Fragment(target[at:upto], slot_of[stack[-1].id] if stack else coded.main))
            at = upto

    for code in placed:
        while stack and not inside(stack[-1], code):
            emit(stack[-1].end)
            stack.pop()
        emit(code.start)
        if not code.paired:
            out.append(Fragment("", slot_of[code.id], standalone=True))
        elif code.end > code.start:
            stack.append(code)
    while stack:
        emit(stack[-1].end)
        stack.pop()
    emit(len(target))
    return tuple(out)


def inline_fragments(
    source_text: str,
    sentences: Sequence[tuple[int, int]],
    targets: Sequence[str],
    styled_of: Callable[[int], Sequence[Styled]],
    aligner: WordAligner | None = None,
    placer: Placer | None = None,
) -> dict[int, tuple[Fragment, ...]]:
    """Sentence index -> the fragments of its target, for the sentences that have codes."""
    items: list[tuple[int, str, str, Coded]] = []
    for k, ((start, end), target) in enumerate(zip(sentences, targets, strict=True)):
        coded = sentence_codes(start, end, styled_of(k), source_text)
        source = source_text[start:end]
        coded = trim_codes(source, coded) if coded is not None else None
        if coded is not None:
            items.append((k, source, target, coded))
    if not items:
        return {}
    log.info("placing the inline codes of %d sentences", len(items))
    placed = place_sentences([(s, t, c) for _, s, t, c in items], aligner, placer)
    return {k: fragments(target, codes, coded) for (k, _, target, coded), codes in zip(items, placed, strict=True)}
