"""Inline codes (bold, a link, a footnote mark) carried from a source sentence to its translation.

A document's sentence arrives as plain text plus codes at character offsets: a **paired** code
around a span (``<b>``...``</b>``), a **standalone** code at a position (a footnote reference, a
line break, an image). The translation comes back plain. ``place_codes`` puts each code on the
target through a word alignment of the two plain texts:

* a paired code goes around the smallest target span covering the target words its source words
  are linked to. Links that scatter (one far-off stray link) are grouped into runs of nearby
  words and the run holding most links wins, so one bad link does not stretch bold over half the
  sentence. Two rules of phrase extraction in statistical MT keep the span consistent with the
  rest of the sentence: a run does not cross a target word that renders only source words outside
  the code, and a word at either end of the span that renders a word outside the code more surely
  than one inside is left out. Source words with no link at all: the code lands, empty, where a standalone code at
  its start would (it is never lost);
* a standalone code goes right after the target counterpart of the source word before it (the
  nearest word before it that has a counterpart), or before the counterpart of the word after it
  when nothing before it has one.

The result is always well formed: a code nested in another in the source stays inside it in the
target, codes side by side in the source do not overlap in the target (a word claimed by two is
given to the narrower one), and every code comes back exactly once.

Codes are given and returned in document order, with ``align.codes``'s rule for codes that share
an offset.

Pure functions of plain data: document writers (DOCX, HTML, XLIFF) call them with the alignment of
the sentence pair.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from align.codes import Code, inside
from align.words.model import Word, WordAlignment

if TYPE_CHECKING:
    from align.progress import Progress
    from align.words.aligner import WordAligner

log = logging.getLogger(__name__)

#: Target words more than this many words apart split a code's links into separate runs: the run
#: holding most linked words is the code's span (``devtools bench tags``: 1 and 3 do worse).
RUN_GAP = 2
#: Links scored below this (the aligner's 0..1 score) shape a code's span only when the phrase has
#: no surer link: a weak link on a function word ("Jahr" -> "in") would widen bold by a word.
STRONG = 0.4
#: A weakly linked target word beside a code's span joins it (``_grown``) when it has at least this
#: many characters (``devtools bench codes`` and ``bench tags``: 3, 4 and 5 all do better than no
#: growing on both halves of each).
GROW_LETTERS = 4
#: Unlinked target words a growing span may step over ("book of accounts").
GROW_GAP = 1
#: The aligner method tag placement is measured with: itermax links more words than argmax, and
#: ``STRONG`` drops its weak guesses (more exact spans than argmax: devtools/RESULTS.md, "Figures cited by the code").
METHOD = "itermax"


def place_codes(source: str, target: str, codes: Sequence[Code], alignment: WordAlignment) -> tuple[Code, ...]:
    """The ``codes`` of ``source`` (document order) placed on ``target``, in the target's document
    order, each with its id and kind and offsets in ``target``.

    ``alignment`` is the word alignment of the plain ``source`` and ``target`` (its words' spans
    index them). Raises ValueError for codes outside the source or paired codes that cross.
    """
    _check(source, codes)
    parents = _source_parents(codes)
    raw = [_raw_place(code, alignment) for code in codes]
    tree = _Node(-1, 0, len(alignment.tgt_words), point=False)
    nodes = [
        _Node(k, lo, hi, point=not code.paired or code.start == code.end)
        for k, (code, (lo, hi)) in enumerate(zip(codes, raw, strict=True))
    ]
    for k, parent in enumerate(parents):
        (tree if parent is None else nodes[parent]).children.append(nodes[k])
    _fit(tree)
    placed: list[Code] = []
    _walk(tree, (0, len(target)), codes, alignment.tgt_words, placed)
    return tuple(placed)


def place_rows_codes(
    rows: Sequence[tuple[str, str, Sequence[Code]]], aligner: WordAligner | None, progress: Progress | None = None
) -> list[tuple[Code, ...]]:
    """Each row's ``(source, target, source codes)`` codes placed on its target, in one batched word
    alignment (``METHOD``) of the rows that have codes. Codes ``place_codes`` refuses (a reader's
    codes that cross) go at the target's end: a tag is never lost."""
    from align.words.aligner import align_word_pairs

    with_codes = [k for k, (_, _, codes) in enumerate(rows) if codes]
    placed: list[tuple[Code, ...]] = [() for _ in rows]
    if not with_codes:
        return placed
    pairs = [(rows[k][0], rows[k][1]) for k in with_codes]
    alignments = align_word_pairs(pairs, method=METHOD, aligner=aligner, progress=progress)
    for k, alignment in zip(with_codes, alignments, strict=True):
        source, target, codes = rows[k]
        try:
            placed[k] = place_codes(source, target, codes, alignment)
        except ValueError as err:
            log.warning("row %d: codes not placed by the word alignment (%s); put at the end", k + 1, err)
            placed[k] = tuple(Code(c.id, c.kind, len(target), len(target)) for c in codes)
    return placed


# ---- internals -----------------------------------------------------------------------------------
@dataclass
class _Node:
    """A code while it is placed: its target range as word gaps ``[lo, hi)`` (a point at gap
    ``lo`` when ``point``; gap g is the place before target word g) and its children."""

    index: int
    lo: int
    hi: int
    point: bool
    children: list[_Node] = field(default_factory=list)


def _check(source: str, codes: Sequence[Code]) -> None:
    for code in codes:
        if not 0 <= code.start <= code.end <= len(source) or (not code.paired and code.start != code.end):
            raise ValueError(f"code {code.id!r} at {code.start}:{code.end} does not fit the source of {len(source)} characters")


def _source_parents(codes: Sequence[Code]) -> list[int | None]:
    """Each code's innermost enclosing paired code in the source (by the document-order rule)."""
    parents: list[int | None] = []
    stack: list[int] = []
    for k, code in enumerate(codes):
        while stack and not inside(codes[stack[-1]], code):
            if codes[stack[-1]].end > code.start:
                raise ValueError(f"codes {codes[stack[-1]].id!r} and {code.id!r} cross; paired codes must nest")
            stack.pop()
        if stack and codes[stack[-1]].end < code.end:
            raise ValueError(f"codes {codes[stack[-1]].id!r} and {code.id!r} cross; paired codes must nest")
        parents.append(stack[-1] if stack else None)
        if code.paired and code.start < code.end:
            stack.append(k)
    return parents


def _raw_place(code: Code, alignment: WordAlignment) -> tuple[int, int]:
    """The code's target range (gaps) before the structure is fitted: the run of linked target
    words for a paired code, the neighbour's gap for a standalone one (or an unlinked span)."""
    if code.paired and code.start < code.end:
        covered = [k for k, w in enumerate(alignment.src_words) if w.start < code.end and w.end > code.start]
        run = _best_run(covered, alignment)
        if run is not None:
            return run
    gap = _gap_after_word_before(code.start, alignment)
    return gap, gap


def _best_run(covered: Sequence[int], alignment: WordAlignment) -> tuple[int, int] | None:
    """The target words linked to ``covered`` (the ``STRONG`` links when there are any), split where
    they lie more than ``RUN_GAP`` words apart or around a word rendering only source words outside
    (``_foreign``); the run with most words (then most score) as gaps, ``_grown`` by the rest of a
    compound's rendering, ``_trimmed`` at its ends."""
    wanted = set(covered)
    links = sorted((link.tgt, link.score) for link in alignment.links if link.src in wanted)
    if not links:
        return None
    strong = [(t, s) for t, s in links if s >= STRONG]
    foreign = _foreign(wanted, alignment)
    chosen = strong or links
    runs: list[list[tuple[int, float]]] = [[chosen[0]]]
    for tgt, score in chosen[1:]:
        last = runs[-1][-1][0]
        if tgt - last > RUN_GAP or any(last < g < tgt for g in foreign):
            runs.append([])
        runs[-1].append((tgt, score))
    best = max(runs, key=lambda run: (len({t for t, _ in run}), sum(s for _, s in run)))
    if strong:
        best = _grown(best, [(t, s) for t, s in links if s < STRONG], wanted, alignment)
    return _trimmed(best, wanted, alignment)


def _grown(
    run: list[tuple[int, float]], weak: Sequence[tuple[int, float]], wanted: set[int], alignment: WordAlignment
) -> list[tuple[int, float]]:
    """``run`` with the code's weakly linked target words beside it that no source word outside the
    code links to and that have at least ``GROW_LETTERS`` characters, stepping over at most
    ``GROW_GAP`` unlinked words; repeated until none joins. A German compound's rendering is
    several English words, and the aligner links the second one weakly (Wahlbeteiligung -> voter
    turn-out); short words are mostly function words it guesses ("of", "to")."""
    linked = {link.tgt for link in alignment.links}
    outside = {link.tgt for link in alignment.links if link.src not in wanted}
    grown, lo, hi = list(run), run[0][0], run[-1][0]
    joined = True
    while joined:
        joined = False
        for tgt, score in weak:
            if lo <= tgt <= hi or tgt in outside or len(alignment.tgt_words[tgt].text) < GROW_LETTERS:
                continue
            between = range(tgt + 1, lo) if tgt < lo else range(hi + 1, tgt)
            if len(between) <= GROW_GAP and not any(g in linked for g in between):
                grown.append((tgt, score))
                lo, hi = min(lo, tgt), max(hi, tgt)
                joined = True
    return sorted(grown)


def _foreign(wanted: set[int], alignment: WordAlignment) -> set[int]:
    """Target words surely (``STRONG``) linked to a source word outside ``wanted`` and to none in
    it: a code's span crossing one would not be a consistent phrase pair (phrase extraction)."""
    inside = {link.tgt for link in alignment.links if link.src in wanted}
    return {link.tgt for link in alignment.links if link.src not in wanted and link.score >= STRONG} - inside


def _trimmed(run: Sequence[tuple[int, float]], wanted: set[int], alignment: WordAlignment) -> tuple[int, int]:
    """The run's gaps without the end words whose best link to a source word outside ``wanted`` is
    surer than their best link in the run: such a word renders its neighbour, not the code's text
    (the last word stays)."""
    own: dict[int, float] = {}
    for tgt, score in run:
        own[tgt] = max(own.get(tgt, 0.0), score)
    other: dict[int, float] = {}
    for link in alignment.links:
        if link.src not in wanted:
            other[link.tgt] = max(other.get(link.tgt, 0.0), link.score)
    lo, hi = run[0][0], run[-1][0] + 1
    while hi - lo > 1 and other.get(lo, 0.0) > own.get(lo, 0.0):
        lo += 1
    while hi - lo > 1 and other.get(hi - 1, 0.0) > own.get(hi - 1, 0.0):
        hi -= 1
    return lo, hi


def _gap_after_word_before(offset: int, alignment: WordAlignment) -> int:
    """The target gap after the counterpart of the nearest linked source word ending at or before
    ``offset``; else before the counterpart of the nearest linked word after it; else 0."""
    before = [k for k, w in enumerate(alignment.src_words) if w.end <= offset]
    for k in reversed(before):
        targets = alignment.targets_of(k)
        if targets:
            return max(targets) + 1
    for k in range(len(before), len(alignment.src_words)):
        targets = alignment.targets_of(k)
        if targets:
            return min(targets)
    return 0


def _fit(node: _Node) -> None:
    """Make ``node``'s children well formed inside it, then theirs: ranges clamped into the
    parent, side-by-side ranges made disjoint, points moved out of a sibling they fell into."""
    lo, hi = node.lo, node.hi
    for child in node.children:
        child.lo, child.hi = min(max(child.lo, lo), hi), min(max(child.hi, lo), hi)
        if not child.point and child.lo >= child.hi:
            child.point = True
        if child.point:
            child.hi = child.lo
    spans = sorted((c for c in node.children if not c.point), key=lambda c: (c.hi - c.lo, c.index))
    claimed: list[_Node] = []
    for child in spans:
        _claim(child, claimed)
        if not child.point:
            claimed.append(child)
    for child in node.children:
        if child.point:
            holder = next((c for c in claimed if c.lo < child.lo < c.hi), None)
            if holder is not None:
                child.lo = child.hi = holder.hi if child.lo - holder.lo >= holder.hi - child.lo else holder.lo
    for child in node.children:
        _fit(child)


def _claim(child: _Node, claimed: Sequence[_Node]) -> None:
    """Shrink ``child`` to its longest stretch of gaps no narrower sibling holds; a point at the
    end of what took its words when nothing is left."""
    free = [g for g in range(child.lo, child.hi) if not any(c.lo <= g < c.hi for c in claimed)]
    if not free:
        taker = next(c for c in claimed if c.lo <= child.lo < c.hi)
        child.lo = child.hi = taker.hi
        child.point = True
        return
    runs: list[list[int]] = [[free[0]]]
    for g in free[1:]:
        if g != runs[-1][-1] + 1:
            runs.append([])
        runs[-1].append(g)
    longest = max(runs, key=len)
    child.lo, child.hi = longest[0], longest[-1] + 1


def _walk(node: _Node, within: tuple[int, int], codes: Sequence[Code], words: Sequence[Word], placed: list[Code]) -> None:
    """Document order: a node, then its children by place (a point before a span at the same gap);
    character offsets kept within the parent's (a point at a span's first gap sits just inside)."""
    for child in sorted(node.children, key=lambda c: (c.lo, c.hi, c.index)):
        code = codes[child.index]
        if child.point:
            at = min(max(_gap_offset(child.lo, words, within[1]), within[0]), within[1])
            placed.append(replace(code, start=at, end=at))
        else:
            placed.append(replace(code, start=words[child.lo].start, end=words[child.hi - 1].end))
        _walk(child, (placed[-1].start, placed[-1].end), codes, words, placed)


def _gap_offset(gap: int, words: Sequence[Word], length: int) -> int:
    """Character offset of gap ``gap``: right after word ``gap - 1`` (before the first word for 0)."""
    if not words:
        return length if gap else 0
    return words[gap - 1].end if gap > 0 else words[0].start
