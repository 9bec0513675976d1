"""The segment editor beside the grid: one row at a time, whole sentences, the target editable.

The grid cuts every sentence to one line; a translator reading a long German sentence wants it
whole, with its English under it, and moves through the document with "Confirm and next". These
functions decide what the panel shows and where "next" goes; ``app.py`` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from align.document import AlignedDocument, Status
from align.review import edits
from align.ui.table import row_label, row_notes

ORIGIN_LABELS = {"mt": "machine translation", "edited": "edited", "tm101": "TM 101% (same context)", "tm100": "TM 100%"}


def origin_label(origin: str) -> str:
    """Where a target came from, in words: "TM 87%" for a fuzzy match inserted."""
    if origin in ORIGIN_LABELS:
        return ORIGIN_LABELS[origin]
    if origin.startswith("tm") and origin[2:].isdigit():
        return f"TM {origin[2:]}% (fuzzy match)"
    return "aligned or imported" if not origin else origin


@dataclass(frozen=True)
class SegmentView:
    """What the panel shows for one row."""

    row: int  # position in the document
    position: int  # 1-based place in the current view's order
    of: int  # rows in the current view
    source: str
    target: str
    status: Status
    band: str  # "62% check", "✓ 85%", ...
    notes: tuple[str, ...]  # the quality estimate's reasons, or the checks' flags
    origin: str


def current_row(rows: Sequence[int], wanted: int | None) -> int | None:
    """The row the panel shows: ``wanted`` while it is in view, else the first row in view."""
    if not rows:
        return None
    return wanted if wanted in rows else rows[0]


def segment_view(
    doc: AlignedDocument, row: int, rows: Sequence[int], flags: Sequence[str], estimated: bool = False
) -> SegmentView:
    """The panel's content for ``row`` of the view ``rows`` (in their display order)."""
    pair = doc.pairs[row]
    return SegmentView(
        row=row,
        position=rows.index(row) + 1 if row in rows else 0,
        of=len(rows),
        source=pair.source,
        target=pair.target,
        status=pair.status,
        band=row_label(pair, estimated),
        notes=row_notes(pair, flags),
        origin=origin_label(pair.origin),
    )


def step(rows: Sequence[int], row: int, by: int) -> int:
    """The row ``by`` places from ``row`` in the view's order (staying at either end)."""
    if row not in rows:
        return rows[0] if rows else row
    at = min(max(rows.index(row) + by, 0), len(rows) - 1)
    return rows[at]


def next_to_review(doc: AlignedDocument, rows: Sequence[int], row: int) -> int:
    """After confirming ``row``: the next unconfirmed row after it in the view (wrapping round),
    or ``row`` itself when every row in view is confirmed."""
    if row not in rows:
        return rows[0] if rows else row
    at = rows.index(row)
    for k in range(1, len(rows) + 1):
        candidate = rows[(at + k) % len(rows)]
        if doc.pairs[candidate].status is not Status.CONFIRMED:
            return candidate
    return row


def confirm_with(doc: AlignedDocument, row: int, target: str) -> tuple[AlignedDocument, str]:
    """The row with ``target`` typed in (when it changed) and confirmed; and the undo label."""
    new = doc
    changed = target != doc.pairs[row].target
    if changed:
        new = edits.edit_text(new, row, target=target)
    new = edits.confirm(new, [row])
    return new, f"{'edit and ' if changed else ''}confirm row {row + 1}"


def save_target(doc: AlignedDocument, row: int, target: str) -> tuple[AlignedDocument, str] | None:
    """The row with ``target`` typed in, unconfirmed; None when nothing changed."""
    if target == doc.pairs[row].target:
        return None
    return edits.edit_text(doc, row, target=target), f"edit row {row + 1}"
