"""The page's row actions (toolbar buttons) as one dispatch over ``align.review.edits``.

An action works on the ticked rows: single-row actions (merge, split, insert, shift) on the first
ticked row, the others (delete, confirm, re-translate) on all of them. The result says what to
call the undo step and which rows stay ticked: only the moved row after a shift (so the target
can be moved again); every other action clears the ticks, so a later Confirm or Delete never
catches a row ticked for an earlier action.

Re-translating a row of a quality-estimated document also estimates its new target again, against
the norms stored with the document's estimate (``estimator``), so it is judged like its neighbours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from align.codes import Code
from align.document import AlignedDocument, Origin, Pair
from align.review import edits
from align.review.edits import EditError

if TYPE_CHECKING:
    from align.embed import Embedder
    from align.mt.translate import Translator

#: Re-estimates rows (document positions) of a document: ``estimate(doc, rows) -> doc`` (not
#: ``align.quality.Estimate``, one row's estimate).
Estimator = Callable[[AlignedDocument, list[int]], AlignedDocument]
#: Places each row's source codes on its new target: ``place([(source, target, codes), ...])``
#: -> the target's codes per row (``align.words.tags.place_rows_codes`` with a word aligner).
Placer = Callable[[Sequence[tuple[str, str, tuple[Code, ...]]]], list[tuple[Code, ...]]]


@dataclass(frozen=True)
class ActionResult:
    doc: AlignedDocument
    label: str  # the undo step's name
    selected: frozenset[int]  # the rows ticked afterwards


@dataclass(frozen=True)
class Context:
    """What some actions need besides the document: the translator's call and the quality
    estimate of rows (re-translate; None: the new targets are not estimated), the character
    positions of a split (None: at the first sentence boundary), and for a project made from an
    XLIFF or PO file, that its rows stay its segments and which of them are locked."""

    translate: Callable[[list[str]], list[str]] | None = None
    split_at: tuple[int | None, int | None] = (None, None)
    estimate: Estimator | None = None
    place: Placer | None = None  # re-translate: the source's codes on each new target (None: none placed)
    fixed: bool = False  # the rows are the segments of an XLIFF or PO file: no action adds, removes or moves one
    locked: frozenset[int] = frozenset()  # rows locked in that file: every action leaves them alone


@dataclass(frozen=True)
class Action:
    """A toolbar button: its key (the button's Streamlit key is ``act_<key>``), label, help text,
    and what it does to the ticked rows (``rows``: sorted, at least one)."""

    key: str
    label: str
    help: str
    run: Callable[[AlignedDocument, list[int], Context], ActionResult]


def _merge(side: Literal["source", "target", "both"]) -> Callable[[AlignedDocument, list[int], Context], ActionResult]:
    def run(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
        row = rows[0] + 1
        what = f"merge rows {row}+{row + 1}" if side == "both" else f"merge {side} of row {row} with next"
        return ActionResult(edits.merge_next(doc, rows[0], side), what, frozenset())

    return run


def _shift(step: int) -> Callable[[AlignedDocument, list[int], Context], ActionResult]:
    def run(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
        new = edits.shift_target(doc, rows[0], step)
        what = f"shift target of row {rows[0] + 1} {'up' if step < 0 else 'down'}"
        return ActionResult(new, what, frozenset({rows[0] + step}))  # the moved target can move again

    return run


def _split(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
    src_at, tgt_at = context.split_at
    return ActionResult(edits.split_row(doc, rows[0], src_at=src_at, tgt_at=tgt_at), f"split row {rows[0] + 1}", frozenset())


def _insert(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
    return ActionResult(edits.insert_row(doc, rows[0]), f"insert row {rows[0] + 1}", frozenset())


def _delete(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
    return ActionResult(edits.delete_rows(doc, rows), f"delete {_rows(rows)}", frozenset())


def _confirm(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
    return ActionResult(edits.confirm(doc, rows), f"confirm {_rows(rows)}", frozenset())


def _retranslate(doc: AlignedDocument, rows: list[int], context: Context) -> ActionResult:
    if context.translate is None:
        raise EditError("Re-translate: no translation package is installed for this language pair")
    targets = context.translate([doc.pairs[i].source for i in rows])
    new = doc
    for row, target in zip(rows, targets, strict=True):
        new = edits.edit_text(new, row, target=target)
    pairs = list(new.pairs)
    codes = _placed(context, [pairs[row] for row in rows])
    for row, placed in zip(rows, codes, strict=True):  # the machine's again, not the translator's edit
        pairs[row] = pairs[row].replace(origin=Origin.machine(), tgt_codes=placed)
    new = new.replace(pairs=pairs)
    if context.estimate is not None:
        new = context.estimate(new, rows)
    return ActionResult(new, f"re-translate {_rows(rows)}", frozenset())


def _placed(context: Context, pairs: Sequence[Pair]) -> list[tuple[Code, ...]]:
    """The codes of re-translated rows: their source's placed by ``context.place``; none where the
    source has none, or nothing places them (the review checks then flag the row's tags)."""
    coded = [k for k, pair in enumerate(pairs) if pair.src_codes]
    placed: list[tuple[Code, ...]] = [() for _ in pairs]
    if coded and context.place is not None:
        found = context.place([(pairs[k].source, pairs[k].target, pairs[k].src_codes) for k in coded])
        for k, codes in zip(coded, found, strict=True):
            placed[k] = codes
    return placed


def estimator(embedder: Embedder | None, translator: Translator | None) -> Estimator:
    """Re-estimation of rows for re-translate: judged against the norms stored with the document's
    estimate (``align.quality.with_estimates``), with the signals that estimate used (a signal it
    left out stays out, so the row's score means what its neighbours' scores mean). A document
    without an estimate (an aligned one) is left as it is: a few rows have no norms of their own."""

    def estimate(doc: AlignedDocument, rows: list[int]) -> AlignedDocument:
        stored = doc.signature.settings.quality
        if stored is None or not rows:
            return doc
        from align.quality import with_estimates

        left_out = stored.left_out
        return with_estimates(
            doc,
            embedder=None if "similarity" in left_out else embedder,
            translator=None if "model" in left_out else translator,
            rows=rows,
        )

    return estimate


#: The toolbar, in button order.
ACTIONS: dict[str, Action] = {
    action.key: action
    for action in (
        Action("confirm", "Confirm", "Mark the ticked rows as confirmed.", _confirm),
        Action(
            "retranslate",
            "Re-translate",
            "Translate the source of the ticked rows again with the installed package.",
            _retranslate,
        ),
        Action("delete", "Delete", "Delete the ticked rows (Undo brings them back).", _delete),
        Action("insert", "Insert above", "Insert an empty row above the first ticked row.", _insert),
        Action("merge", "Merge ↓", "Join the first ticked row with the row below it (both sides).", _merge("both")),
        Action(
            "merge_source",
            "Merge source ↓",
            "Join the source cell with the one below; the source column below moves up to the next gap.",
            _merge("source"),
        ),
        Action(
            "merge_target",
            "Merge target ↓",
            "Join the target cell with the one below; the target column below moves up to the next gap.",
            _merge("target"),
        ),
        Action("split", "Split", "Cut the first ticked row in two at its first sentence boundary (each side).", _split),
        Action(
            "shift_up",
            "Target ↑",
            "Move the target of the first ticked row up one row; the targets below follow to the next gap.",
            _shift(-1),
        ),
        Action(
            "shift_down",
            "Target ↓",
            "Move the target of the first ticked row down one row, into the next empty target cell.",
            _shift(1),
        ),
    )
}


def apply_action(doc: AlignedDocument, action: str, selected: Sequence[int], context: Context = Context()) -> ActionResult:
    """Run toolbar action ``action`` on the ticked rows; EditError says what is missing."""
    if action not in ACTIONS:
        raise EditError(f"unknown action {action!r}")
    rows = sorted(i for i in set(selected) if 0 <= i < len(doc.pairs))
    if not rows and action == "insert" and not doc.pairs:
        rows = [0]  # an empty document: insert its first row
    if not rows:
        raise EditError(f"{ACTIONS[action].label}: tick a row in the ✓ column first")
    rows = _open_rows(action, rows, context)
    return ACTIONS[action].run(doc, rows, context)


#: The actions that add, remove or move rows (or text between rows).
RESHAPING = frozenset({"merge", "merge_source", "merge_target", "split", "insert", "delete", "shift_up", "shift_down"})


def _open_rows(action: str, rows: list[int], context: Context) -> list[int]:
    """The ticked rows an action may change: a file's rows are its segments (written back one for
    one), so they are never reshaped; its locked rows are skipped, and an action on locked rows
    alone says so."""
    label = ACTIONS[action].label
    if context.fixed and action in RESHAPING:
        raise EditError(f"{label}: the rows of this project are the segments of its XLIFF or PO file; they keep their place")
    left = [row for row in rows if row not in context.locked]
    if not left:
        verb = "is" if len(rows) == 1 else "are"
        raise EditError(f"{label}: {_rows(rows)} {verb} locked in the XLIFF or PO file and cannot be changed")
    return left


def _rows(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0] + 1}"
    return f"{len(rows)} rows"
