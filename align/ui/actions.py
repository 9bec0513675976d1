"""The page's row actions (toolbar buttons) as one dispatch over ``align.review.edits``.

An action works on the ticked rows: single-row actions (merge, split, insert, shift) on the first
ticked row, the others (delete, confirm, re-translate) on all of them. The result says what to
call the undo step and which rows stay ticked: only the moved row after a shift (so the target
can be moved again); every other action clears the ticks, so a later Confirm or Delete never
catches a row ticked for an earlier action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from align.document import AlignedDocument
from align.review import edits
from align.review.edits import EditError

# key -> button label; the keys are the Streamlit button keys (``act_<key>``)
ACTIONS: dict[str, str] = {
    "confirm": "Confirm",
    "retranslate": "Re-translate",
    "delete": "Delete",
    "insert": "Insert above",
    "merge": "Merge ↓",
    "merge_source": "Merge source ↓",
    "merge_target": "Merge target ↓",
    "split": "Split",
    "shift_up": "Target ↑",
    "shift_down": "Target ↓",
}

HELP: dict[str, str] = {
    "merge": "Join the first ticked row with the row below it (both sides).",
    "merge_source": "Join the source cell with the one below; the source column below moves up to the next gap.",
    "merge_target": "Join the target cell with the one below; the target column below moves up to the next gap.",
    "split": "Cut the first ticked row in two at its first sentence boundary (each side).",
    "insert": "Insert an empty row above the first ticked row.",
    "delete": "Delete the ticked rows (Undo brings them back).",
    "shift_up": "Move the target of the first ticked row up one row; the targets below follow to the next gap.",
    "shift_down": "Move the target of the first ticked row down one row, into the next empty target cell.",
    "retranslate": "Translate the source of the ticked rows again with the installed package.",
    "confirm": "Mark the ticked rows as confirmed.",
}


@dataclass(frozen=True)
class ActionResult:
    doc: AlignedDocument
    label: str
    selected: frozenset[int]


def apply_action(
    doc: AlignedDocument,
    action: str,
    selected: Sequence[int],
    *,
    translate: Callable[[list[str]], list[str]] | None = None,
    split_at: tuple[int | None, int | None] = (None, None),
) -> ActionResult:
    """Run toolbar action ``action`` on the ticked rows; EditError says what is missing."""
    rows = sorted(i for i in set(selected) if 0 <= i < len(doc.pairs))
    if action not in ACTIONS:
        raise EditError(f"unknown action {action!r}")
    if not rows and not (action == "insert" and not doc.pairs):
        raise EditError(f"{ACTIONS[action]}: tick a row in the ✓ column first")
    first = rows[0] if rows else 0
    shown = first + 1
    if action == "merge":
        return ActionResult(edits.merge_next(doc, first), f"merge rows {shown}+{shown + 1}", frozenset())
    if action in ("merge_source", "merge_target"):
        side: Literal["source", "target"] = "source" if action == "merge_source" else "target"
        return ActionResult(edits.merge_next(doc, first, side), f"merge {side} of row {shown} with next", frozenset())
    if action == "split":
        src_at, tgt_at = split_at
        return ActionResult(edits.split_row(doc, first, src_at=src_at, tgt_at=tgt_at), f"split row {shown}", frozenset())
    if action == "insert":
        return ActionResult(edits.insert_row(doc, first), f"insert row {shown}", frozenset())
    if action == "delete":
        return ActionResult(edits.delete_rows(doc, rows), f"delete {_rows(rows)}", frozenset())
    if action in ("shift_up", "shift_down"):
        step = -1 if action == "shift_up" else 1
        new = edits.shift_target(doc, first, step)
        return ActionResult(new, f"shift target of row {shown} {'up' if step < 0 else 'down'}", frozenset({first + step}))
    if action == "confirm":
        return ActionResult(edits.confirm(doc, rows), f"confirm {_rows(rows)}", frozenset())
    # retranslate
    if translate is None:
        raise EditError("Re-translate: no translation package is installed for this language pair")
    sources = [doc.pairs[i].source for i in rows]
    targets = translate(sources)
    new = doc
    for row, target in zip(rows, targets, strict=True):
        new = edits.edit_text(new, row, target=target)
    return ActionResult(new, f"re-translate {_rows(rows)}", frozenset())


def _rows(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0] + 1}"
    return f"{len(rows)} rows"
