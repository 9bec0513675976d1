"""Editor operations of the review table, as pure functions over ``AlignedDocument``.

Every function takes a document and returns a new one; nothing is changed in place, so the
store can diff the old and new rows and keep an undo history of small patches.

Semantics (the classic two-column aligner, as in OmegaT's aligner and LF Aligner):

* A row holds a *source cell* and a *target cell*. A cell is its text and the sentence ids it was
  built from; ids travel with their text, so the ids of all rows, read top to bottom, stay the
  original sentence order however rows are merged, split or shifted.
* **merge both** joins row ``i`` and row ``i+1`` into one row (texts joined with a space).
* **merge one side** (``side="source"`` or ``"target"``) works on that column only: cell ``i+1``
  is joined onto cell ``i``, and the cells below it *up to the next empty cell of that column* move
  up one row, leaving an empty cell at the end of that block. The other column stays. This is
  how a 2:1 alignment is fixed without disturbing pairs after the next gap.
* **shift target down** at row ``i``: an empty target cell appears at row ``i``; the targets from
  ``i`` down to the first empty target cell move down one row and *consume* that empty cell. With
  no empty target cell below, a new row with an empty source is appended.
* **shift target up** at row ``i`` (``i >= 1``): the target of row ``i`` moves into row ``i-1``
  (joined after its text when that cell is not empty); the targets below it, up to the next empty
  target cell, move up one row, and an empty target cell appears at the end of that block.
* Rows that a column operation leaves empty on both sides are removed; rows a user inserted empty
  stay until deleted.
* **split** cuts a row in two at a character position of each side (or at the first sentence
  boundary found by ``align.text.segment.segment``); text is never lost, whitespace at the cut is
  trimmed.
* Any row whose text or pairing changed becomes ``needs_review`` (its confidence is kept: it is
  the aligner's, and the status tells the translator the row was touched); **confirm** sets
  ``confirmed``.
* A row whose source or target text changed loses its quality estimate and reasons (they were
  about the old text: a stale "repeats 'the salad' 4 times" would mislead); a row whose text
  stayed keeps them, and status changes keep them too. A row whose target text changed gets the
  origin "edited" (it is no longer the machine's or the memory's). ``_touched`` is the one place
  for this.
* **rebase** carries an edit made on a stale copy (another tab saved first) onto the newest
  version, when both changed different rows and neither changed the row count; otherwise there
  is no safe merge and the page refuses the edit.
* **propagate** copies a row's target to the other rows with the same source (whitespace aside)
  that are not confirmed, as one edit (one undo step when the page saves it).

Merge, split, shift and insert keep all text: the concatenation of all source texts is unchanged
up to whitespace, and the same for target texts (hypothesis tests in tests/test_review.py).
Only ``delete_rows`` and text edits remove text, and the undo history keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from align.codes import Code, cut_coded, join_coded
from align.document import AlignedDocument, Origin, Pair, Status
from align.errors import AlignError

log = logging.getLogger(__name__)

Side = Literal["source", "target", "both"]


class EditError(AlignError):
    """An editor action does not apply to the chosen row (e.g. merging the last row with the next)."""


@dataclass(frozen=True)
class Cell:
    """One side of a row: its text, the sentence ids it came from and its inline codes."""

    text: str = ""
    ids: tuple[int, ...] = ()
    codes: tuple[Code, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.ids


EMPTY = Cell()


# ---- helpers --------------------------------------------------------------------------------
def _check_row(doc: AlignedDocument, row: int, what: str) -> None:
    if not 0 <= row < len(doc.pairs):
        raise EditError(f"{what}: row {row + 1} does not exist (the table has {len(doc.pairs)} rows)")


def _touched(pair: Pair, **changes: object) -> Pair:
    """``pair`` after an edit: needs review, no flags, no quality estimate if its text changed,
    and origin "edited" if its target (text or tags) did."""
    new = pair.replace(status=Status.NEEDS_REVIEW, flags=(), **changes)
    if (new.source, new.target) != (pair.source, pair.target):
        new = new.replace(quality=None, reasons=())
    if (new.target, new.tgt_codes) != (pair.target, pair.tgt_codes):
        new = new.replace(origin=Origin.edited())
    return new


def _join(a: str, b: str) -> str:
    a, b = a.strip(), b.strip()
    return f"{a} {b}" if a and b else a or b


def _join_cells(a: Cell, b: Cell) -> Cell:
    text, codes = join_coded((a.text, a.codes), (b.text, b.codes))
    return Cell(text, a.ids + b.ids, codes)


def _column(doc: AlignedDocument, side: str) -> list[Cell]:
    return [_column_cell(p, side) for p in doc.pairs]


def _column_cell(pair: Pair, side: str) -> Cell:
    if side == "source":
        return Cell(pair.source, pair.src_ids, pair.src_codes)
    return Cell(pair.target, pair.tgt_ids, pair.tgt_codes)


def _block_end(cells: Sequence[Cell], start: int) -> int:
    """Index of the last non-empty cell of the run that begins at ``start`` (``start - 1`` if none)."""
    end = start - 1
    while end + 1 < len(cells) and not cells[end + 1].empty:
        end += 1
    return end


def _pull_up(cells: list[Cell], into: int, take: int) -> list[Cell]:
    """Join cell ``take`` onto cell ``into`` and move the run below ``take`` up; a gap ends the run."""
    end = _block_end(cells, take + 1)
    merged = _join_cells(cells[into], cells[take]) if into != take else cells[take]
    return cells[:into] + [merged] + cells[into + 1 : take] + cells[take + 1 : end + 1] + [EMPTY] + cells[end + 1 :]


def _with_column(doc: AlignedDocument, side: str, cells: list[Cell]) -> AlignedDocument:
    """Rebuild the rows with a new column; rows whose pairing changed need review."""
    old = list(doc.pairs)
    while len(old) < len(cells):  # a shift can append a row with an empty source
        old.append(
            Pair(source="", target="", confidence=0.0, status=Status.NEEDS_REVIEW, paragraph=old[-1].paragraph if old else 0)
        )
    pairs = []
    for pair, cell in zip(old, cells, strict=True):
        current = (
            Cell(pair.source, pair.src_ids, pair.src_codes)
            if side == "source"
            else Cell(pair.target, pair.tgt_ids, pair.tgt_codes)
        )
        if current == cell:
            pairs.append(pair)
            continue
        changes: dict[str, object] = (
            {"source": cell.text, "src_ids": cell.ids, "src_codes": cell.codes}
            if side == "source"
            else {"target": cell.text, "tgt_ids": cell.ids, "tgt_codes": cell.codes}
        )
        new = _touched(pair, **changes)
        if new.source.strip() or new.target.strip() or new.src_ids or new.tgt_ids:
            pairs.append(new)  # a row emptied on both sides by the move is dropped
    return doc.replace(pairs=pairs)


# ---- merge and split ------------------------------------------------------------------------
def merge_next(doc: AlignedDocument, row: int, side: Side = "both") -> AlignedDocument:
    """Merge row ``row`` with the row below: both sides, or one column (see the module doc)."""
    _check_row(doc, row, "merge")
    if row + 1 >= len(doc.pairs):
        raise EditError(f"merge: row {row + 1} is the last row; there is no next row to merge with")
    if side == "both":
        a, b = doc.pairs[row], doc.pairs[row + 1]
        source, src_codes = join_coded((a.source, a.src_codes), (b.source, b.src_codes))
        target, tgt_codes = join_coded((a.target, a.tgt_codes), (b.target, b.tgt_codes))
        merged = _touched(
            a,
            source=source,
            target=target,
            src_codes=src_codes,
            tgt_codes=tgt_codes,
            src_ids=a.src_ids + b.src_ids,
            tgt_ids=a.tgt_ids + b.tgt_ids,
            confidence=min(a.confidence, b.confidence),
            note=_join(a.note, b.note),
        )
        return doc.replace(pairs=doc.pairs[:row] + (merged,) + doc.pairs[row + 2 :])
    if side not in ("source", "target"):
        raise EditError(f"merge: unknown side {side!r}; expected source, target or both")
    cells = _pull_up(_column(doc, side), into=row, take=row + 1)
    return _with_column(doc, side, cells)


def _split_ids(ids: tuple[int, ...], texts: Sequence[str], cut: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Give each sentence id to the part of the text that holds the middle of that sentence."""
    first: list[int] = []
    second: list[int] = []
    pos = 0
    for i in ids:
        length = len(texts[i]) if 0 <= i < len(texts) else 0
        (first if pos + length / 2 < cut and not second else second).append(i)
        pos += length + 1
    return tuple(first), tuple(second)


def sentence_boundaries(text: str, lang: str) -> list[int]:
    """Character positions between the sentences of ``text`` (``align.text.segment.segment``)."""
    from align.text.segment import segment

    points = []
    for sentence in segment(text, lang=lang)[1:]:
        start = sentence.start if sentence.start >= 0 else text.find(sentence.text)
        if 0 < start < len(text):
            points.append(start)
    return points


def split_row(doc: AlignedDocument, row: int, *, src_at: int | None = None, tgt_at: int | None = None) -> AlignedDocument:
    """Split a row in two at a character position of each side.

    A side without a position is cut at its first sentence boundary (``align.text.segment``); a side
    with no boundary stays whole in the upper row. ``src_at=len(source)`` keeps the whole source
    above (the cursor-at-the-end case), ``0`` moves it all below.
    """
    _check_row(doc, row, "split")
    pair = doc.pairs[row]
    if src_at is None:
        found = sentence_boundaries(pair.source, doc.src_lang)
        src_at = found[0] if found else len(pair.source)
    if tgt_at is None:
        found = sentence_boundaries(pair.target, doc.tgt_lang)
        tgt_at = found[0] if found else len(pair.target)
    if not (0 <= src_at <= len(pair.source) and 0 <= tgt_at <= len(pair.target)):
        raise EditError(f"split: position outside the text of row {row + 1}")
    src_texts = [s.text for s in doc.source_sentences]
    tgt_texts = [s.text for s in doc.target_sentences]
    src_a, src_b = _split_ids(pair.src_ids, src_texts, src_at)
    tgt_a, tgt_b = _split_ids(pair.tgt_ids, tgt_texts, tgt_at)
    (src_up, src_up_codes), (src_low, src_low_codes) = cut_coded(pair.source, pair.src_codes, src_at)
    (tgt_up, tgt_up_codes), (tgt_low, tgt_low_codes) = cut_coded(pair.target, pair.tgt_codes, tgt_at)
    upper = _touched(
        pair,
        source=src_up,
        target=tgt_up,
        src_codes=src_up_codes,
        tgt_codes=tgt_up_codes,
        src_ids=src_a,
        tgt_ids=tgt_a,
    )
    lower = _touched(
        pair,
        source=src_low,
        target=tgt_low,
        src_codes=src_low_codes,
        tgt_codes=tgt_low_codes,
        src_ids=src_b,
        tgt_ids=tgt_b,
        note="",
    )
    if not pair.source.strip() and not pair.target.strip():
        raise EditError(f"split: row {row + 1} is empty; there is nothing to split")
    return doc.replace(pairs=doc.pairs[:row] + (upper, lower) + doc.pairs[row + 1 :])


# ---- rows -----------------------------------------------------------------------------------
def insert_row(doc: AlignedDocument, row: int, source: str = "", target: str = "") -> AlignedDocument:
    """Insert a typed row before ``row`` (``row == len(pairs)`` appends)."""
    if not 0 <= row <= len(doc.pairs):
        raise EditError(f"insert: row {row + 1} is outside the table of {len(doc.pairs)} rows")
    neighbour = doc.pairs[min(row, len(doc.pairs) - 1)] if doc.pairs else None
    new = Pair(
        source=source,
        target=target,
        confidence=0.0,
        status=Status.NEEDS_REVIEW,
        paragraph=neighbour.paragraph if neighbour else 0,
    )
    return doc.replace(pairs=doc.pairs[:row] + (new,) + doc.pairs[row:])


def delete_rows(doc: AlignedDocument, rows: Iterable[int]) -> AlignedDocument:
    """Remove rows (their text goes; undo brings it back)."""
    drop = set(rows)
    for row in drop:
        _check_row(doc, row, "delete")
    return doc.replace(pairs=[p for i, p in enumerate(doc.pairs) if i not in drop])


def shift_target(doc: AlignedDocument, row: int, direction: int) -> AlignedDocument:
    """Move the target of ``row`` one row down (``+1``) or up (``-1``); see the module doc."""
    _check_row(doc, row, "shift")
    cells = _column(doc, "target")
    if direction > 0:
        gap = next((k for k in range(row, len(cells)) if cells[k].empty), None)
        if gap is None:
            cells = cells[:row] + [EMPTY] + cells[row:]
        else:
            cells = cells[:row] + [EMPTY] + cells[row:gap] + cells[gap + 1 :]
    elif direction < 0:
        if row == 0:
            raise EditError("shift up: row 1 is the first row; its target cannot move further up")
        cells = _pull_up(cells, into=row - 1, take=row)
    else:
        return doc
    return _with_column(doc, "target", cells)


# ---- text and status ------------------------------------------------------------------------
def edit_text(
    doc: AlignedDocument,
    row: int,
    *,
    source: str | None = None,
    target: str | None = None,
    src_codes: tuple[Code, ...] | None = None,
    tgt_codes: tuple[Code, ...] | None = None,
) -> AlignedDocument:
    """Replace the source and/or target text of a row, and its codes where given (the page reads
    them from the tagged text, ``align.codes.untagged``); a changed row needs review. Text changed
    without new codes keeps its old ones, which the check "tags" then flags where they no longer fit."""
    _check_row(doc, row, "edit")
    pair = doc.pairs[row]
    changes: dict[str, object] = {}
    if source is not None and source != pair.source:
        changes["source"] = source
    if target is not None and target != pair.target:
        changes["target"] = target
    if src_codes is not None and tuple(src_codes) != pair.src_codes:
        changes["src_codes"] = tuple(src_codes)
    if tgt_codes is not None and tuple(tgt_codes) != pair.tgt_codes:
        changes["tgt_codes"] = tuple(tgt_codes)
    if not changes:
        return doc
    new = _touched(pair, **changes)
    return doc.replace(pairs=doc.pairs[:row] + (new,) + doc.pairs[row + 1 :])


def propagate(doc: AlignedDocument, row: int) -> tuple[AlignedDocument, list[int]]:
    """Copy the target of ``row`` to its repeats: the other rows whose source is the same up to
    whitespace and that are not confirmed (a confirmed row is the translator's final word). Each
    changed row needs review and has the origin "edited", and the row's tags where its source has
    the same ones (none otherwise); returns the document and the changed
    rows (none: the same document). Saved as one edit, one Undo takes all of it back."""
    _check_row(doc, row, "propagate")
    pair = doc.pairs[row]
    key = " ".join(pair.source.split())
    if not key:
        return doc, []  # empty sources are gaps, not repeats
    pairs = list(doc.pairs)
    changed = []
    for i, other in enumerate(doc.pairs):
        if i == row or other.status is Status.CONFIRMED or " ".join(other.source.split()) != key or other.target == pair.target:
            continue
        codes = pair.tgt_codes if other.src_codes == pair.src_codes else ()  # other tags: the check flags them
        pairs[i] = _touched(other, target=pair.target, tgt_codes=codes)
        changed.append(i)
    return (doc.replace(pairs=pairs) if changed else doc), changed


def set_status(doc: AlignedDocument, rows: Iterable[int], status: Status | str) -> AlignedDocument:
    """Set the review status of rows (``automatic``, ``needs_review`` or ``confirmed``)."""
    status = Status.parse(status)
    pairs = list(doc.pairs)
    for row in set(rows):
        _check_row(doc, row, "status")
        pairs[row] = pairs[row].replace(status=status)
    return doc.replace(pairs=pairs)


def confirm(doc: AlignedDocument, rows: Iterable[int]) -> AlignedDocument:
    """Mark rows as confirmed by the translator."""
    return set_status(doc, rows, Status.CONFIRMED)


def rebase(base: AlignedDocument, mine: AlignedDocument, theirs: AlignedDocument) -> AlignedDocument | None:
    """``mine`` (an edit of ``base``) carried onto ``theirs`` (a newer version of ``base``, saved
    by another tab), or None when that is not safe: a row count changed on either side (positions
    no longer name the same rows), both changed the same row differently, or both changed what
    lies beside the rows (signature, sentence lists) differently."""
    if not len(base.pairs) == len(mine.pairs) == len(theirs.pairs):
        return None
    pairs = list(theirs.pairs)
    for row, (old, new, other) in enumerate(zip(base.pairs, mine.pairs, theirs.pairs, strict=True)):
        if new == old or new == other:
            continue
        if other != old:
            return None
        pairs[row] = new
    rest, mine_rest, their_rest = (doc.replace(pairs=()) for doc in (base, mine, theirs))
    if mine_rest not in (rest, their_rest) and their_rest != rest:
        return None
    return (theirs if mine_rest == rest else mine).replace(pairs=pairs)
