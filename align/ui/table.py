"""The review table of the page, without Streamlit: filters, pages, the editor's frame, cell edits.

``app.py`` shows what these functions build; keeping them here lets them be tested as plain
functions and keeps the page a thin layer. User text is only ever put into data frame cells
(rendered as text by the grid), never into HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from align.document import AlignedDocument, Status
from align.review import edits
from align.review.checks import LABELS

HIGH = 0.8  # confidence bands like Trados/memoQ match colours: green from here,
LOW = 0.5  # yellow from here, red below
ROWS_PER_PAGE = 100

STATUS_LABELS = {
    Status.AUTOMATIC: "automatic",
    Status.NEEDS_REVIEW: "needs review",
    Status.CONFIRMED: "confirmed",
}
_STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}

BAND_COLOURS = {  # cell backgrounds of the band column (pale, dark text stays readable)
    "confirmed": "#cfe2ff",
    "high": "#d1f2d9",
    "medium": "#fff3c4",
    "low": "#f8d0d0",
}

COLUMNS = ("sel", "row", "source", "target", "band", "status", "flags")
EDITABLE = ("sel", "source", "target", "status")


@dataclass(frozen=True)
class ViewFilter:
    """What the table shows: the toggles and the search box of the page."""

    low_confidence: bool = False  # rows below the green band only
    unconfirmed: bool = False
    flagged: bool = False
    search: str = ""


def band(confidence: float, status: Status) -> str:
    """The colour band of a row: confirmed rows are marked apart from the confidence bands."""
    if status is Status.CONFIRMED:
        return "confirmed"
    if confidence >= HIGH:
        return "high"
    if confidence >= LOW:
        return "medium"
    return "low"


def band_label(confidence: float, status: Status) -> str:
    """A band in words and the confidence in percent (readable without colour)."""
    name = band(confidence, status)
    if name == "confirmed":
        return f"✓ {round(confidence * 100):d}%"
    return f"{round(confidence * 100):d}% {name}"


def visible_rows(doc: AlignedDocument, flags: Sequence[tuple[str, ...]], view: ViewFilter) -> list[int]:
    """Indices of the rows that pass the filters, in document order."""
    needle = view.search.strip().casefold()
    rows = []
    for i, pair in enumerate(doc.pairs):
        if view.low_confidence and (pair.confidence >= HIGH or pair.status is Status.CONFIRMED):
            continue
        if view.unconfirmed and pair.status is Status.CONFIRMED:
            continue
        if view.flagged and not flags[i]:
            continue
        if needle and needle not in pair.source.casefold() and needle not in pair.target.casefold():
            continue
        rows.append(i)
    return rows


def page_count(n_rows: int, per_page: int = ROWS_PER_PAGE) -> int:
    return max(1, -(-n_rows // per_page))


def page_slice(rows: Sequence[int], page: int, per_page: int = ROWS_PER_PAGE) -> list[int]:
    """The rows of page ``page`` (1-based; clamped to the last page)."""
    page = min(max(page, 1), page_count(len(rows), per_page))
    return list(rows[(page - 1) * per_page : page * per_page])


def editor_frame(doc: AlignedDocument, rows: Sequence[int], flags: Sequence[tuple[str, ...]], selected: set[int]):
    """The data frame the editor shows: one line per row of ``rows``, indexed by position."""
    import pandas as pd

    pairs = doc.pairs
    return pd.DataFrame(
        {
            "sel": [i in selected for i in rows],
            "row": [i + 1 for i in rows],
            "source": [pairs[i].source for i in rows],
            "target": [pairs[i].target for i in rows],
            "band": [band_label(pairs[i].confidence, pairs[i].status) for i in rows],
            "status": [STATUS_LABELS[pairs[i].status] for i in rows],
            "flags": [", ".join(LABELS.get(f, f) for f in flags[i]) for i in rows],
        },
        columns=list(COLUMNS),
    )


def style_frame(frame, doc: AlignedDocument, rows: Sequence[int]):
    """A pandas Styler colouring the (read-only) band column by confidence band."""
    colours = [BAND_COLOURS[band(doc.pairs[i].confidence, doc.pairs[i].status)] for i in rows]

    def paint(column):
        return [f"background-color: {c}; color: #111" for c in colours]

    return frame.style.apply(paint, subset=["band"])


@dataclass(frozen=True)
class CellEdits:
    """What the editor's ``edited_rows`` asked for, in document terms."""

    doc: AlignedDocument
    changed_rows: tuple[int, ...]
    select: tuple[int, ...]
    unselect: tuple[int, ...]


def apply_cell_edits(doc: AlignedDocument, rows: Sequence[int], edited_rows: Mapping[Any, Mapping[str, Any]]) -> CellEdits:
    """Turn the editor's ``edited_rows`` (positions in the shown frame) into a new document.

    Text edits go through ``edits.edit_text`` (the row then needs review), a status picked in the
    status column through ``edits.set_status``; ticks in the ``sel`` column only select.
    """
    changed = []
    select: list[int] = []
    unselect: list[int] = []
    for position, changes in edited_rows.items():
        position = int(position)
        if not 0 <= position < len(rows):
            continue
        row = rows[position]
        if "sel" in changes:
            (select if changes["sel"] else unselect).append(row)
        text = {side: changes[side] for side in ("source", "target") if side in changes}
        if text:
            text = {side: "" if value is None else str(value) for side, value in text.items()}
            new = edits.edit_text(doc, row, **text)
            if new is not doc:
                doc = new
                changed.append(row)
        if changes.get("status") in _STATUS_BY_LABEL:
            status = _STATUS_BY_LABEL[changes["status"]]
            if doc.pairs[row].status is not status:
                doc = edits.set_status(doc, [row], status)
                changed.append(row)
    return CellEdits(doc, tuple(sorted(set(changed))), tuple(select), tuple(unselect))
