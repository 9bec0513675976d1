"""The review table of the page, without Streamlit: filters, order, pages, the editor's frame,
cell edits.

``app.py`` shows what these functions build; keeping them here lets them be tested as plain
functions and keeps the page a thin layer. User text is only ever put into data frame cells
(rendered as text by the grid), never into HTML.

The band column shows what says most about a row:

* a machine-translated row with a quality estimate (``Pair.quality``): the estimate and its band
  (good / check / poor, ``align.quality.report.quality_band``), e.g. "62% check"; the aligner's
  confidence of such a row is 1-1 by construction and says nothing;
* a row of a document without an estimate (an aligned one): the aligner's confidence band;
* a machine translation without an estimate (a pre-translated XLIFF or PO file): "MT", not its
  confidence (1.0 by construction);
* a row of an estimated document that lost its estimate (its text was edited, or it was inserted
  or merged since): "edited", not the meaningless confidence;
* a confirmed row: a tick, whatever its score.

The flags column shows a row's reasons where it has an estimate (they cover the checks' number,
empty-target, untranslated and length flags, in more detail), the checks' flags otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from align.document import AlignedDocument, Origin, OriginKind, Pair, Status
from align.exchange.project import LOCKED
from align.quality.report import quality_band
from align.review import edits
from align.review.checks import LABELS
from align.ui.tags import edit_source, edit_target, shown_source, shown_target

HIGH = 0.8  # confidence bands like Trados/memoQ match colours: green from here,
LOW = 0.5  # yellow from here, red below
ROWS_PER_PAGE = 100

STATUS_LABELS = {
    Status.AUTOMATIC: "automatic",
    Status.NEEDS_REVIEW: "needs review",
    Status.CONFIRMED: "confirmed",
}
_STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}

_GREEN, _YELLOW, _RED = "#d1f2d9", "#fff3c4", "#f8d0d0"
BAND_COLOURS = {  # cell backgrounds of the band column (pale, dark text stays readable)
    "confirmed": "#cfe2ff",
    "high": _GREEN,  # aligner confidence
    "medium": _YELLOW,
    "low": _RED,
    "good": _GREEN,  # quality estimate
    "check": _YELLOW,
    "poor": _RED,
    "edited": "#e9ecef",  # an estimated document's row without an estimate (changed since)
    "memory": "#e2d9f3",  # a target from the translation memory (its match % instead of an estimate)
    "machine": "#dfe7ef",  # a machine translation without an estimate (a pre-translated XLIFF or PO file)
}
GREEN_BANDS = frozenset({"high", "good"})
LOW_BANDS = frozenset({"medium", "low", "check", "poor"})  # what "low only" shows

DOCUMENT_ORDER = "document"
WORST_FIRST = "worst"
ORDERS = {DOCUMENT_ORDER: "document order", WORST_FIRST: "worst first"}

LOCKED_NOTE = "🔒 locked in the file"
COLUMNS = ("sel", "row", "source", "target", "band", "status", "flags")
EDITABLE = ("sel", "source", "target", "status")
NOTE_SEPARATOR = "; "  # between a row's reasons (a reason may hold commas: "2.700 vs 270, 3")


@dataclass(frozen=True)
class ViewFilter:
    """What the table shows: the toggles and the search box of the page."""

    low_confidence: bool = False  # unconfirmed rows below the green band only (quality or confidence)
    unconfirmed: bool = False
    flagged: bool = False  # rows with reasons (estimated rows) or flags (the others)
    search: str = ""
    below: float | None = None  # rows whose quality estimate is below this only (None: no such filter)
    order: str = DOCUMENT_ORDER  # or WORST_FIRST: lowest quality first, rows without an estimate last


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


def has_estimate(doc: AlignedDocument) -> bool:
    """Whether the document's rows were quality-estimated (a machine translation, as the page and
    ``align translate`` make them, or a file that carries estimates)."""
    return doc.signature.settings.quality is not None or any(p.quality is not None for p in doc.pairs)


def row_band(pair: Pair, estimated: bool = False) -> str:
    """The colour band of a row (``estimated``: its document has a quality estimate)."""
    if pair.status is Status.CONFIRMED:
        return "confirmed"
    if pair.quality is not None:
        return quality_band(pair.quality)
    if _memory_match(pair.origin):
        return "memory"
    if estimated:
        return "edited"
    if pair.origin.kind is OriginKind.MACHINE:
        return "machine"  # its confidence is 1.0 by construction: it says nothing
    return band(pair.confidence, pair.status)


def _memory_match(origin: Origin) -> str:
    """ "101%" for a translation-memory target of a 101% match, "" for any other origin."""
    return f"{origin.match}%" if origin.kind is OriginKind.MEMORY else ""


def _percent(score: float) -> str:
    # rounded down, so the number never contradicts the band ("89% check", not "90% check")
    return f"{math.floor(score * 100 + 1e-9):d}%"


def row_label(pair: Pair, estimated: bool = False) -> str:
    """A row's band in words with its score in percent, readable without colour: "62% check",
    "85% high" (confidence), "edited", "✓ 62%" (confirmed)."""
    name = row_band(pair, estimated)
    if name == "machine" or (
        name == "confirmed" and pair.quality is None and pair.origin.kind is OriginKind.MACHINE and not estimated
    ):
        return f"{'✓ ' if name == 'confirmed' else ''}MT"
    if name == "memory" or (name == "confirmed" and pair.quality is None and _memory_match(pair.origin)):
        return f"{'✓ ' if name == 'confirmed' else ''}TM {_memory_match(pair.origin)}"
    if pair.quality is not None:
        score = _percent(pair.quality)
    elif estimated:
        score = ""
    else:
        return band_label(pair.confidence, pair.status)
    if name == "confirmed":
        return f"✓ {score}".rstrip()
    return f"{score} {name}".lstrip()


def row_notes(pair: Pair, flags: Sequence[str]) -> tuple[str, ...]:
    """What the flags column says about a row: the estimate's reasons when it has one (they say
    what the checks' flags say, and more precisely), the checks' flags in words otherwise; a row
    whose segment its XLIFF or PO file locks says so first."""
    lock = (LOCKED_NOTE,) if LOCKED in pair.flags else ()
    if pair.quality is not None:
        return lock + pair.reasons
    return lock + tuple(LABELS.get(f, f) for f in flags)


def flagged_count(doc: AlignedDocument, flags: Sequence[tuple[str, ...]]) -> int:
    """Rows with something in the flags column."""
    return sum(bool(row_notes(p, f)) for p, f in zip(doc.pairs, flags, strict=True))


def worst_first(doc: AlignedDocument, rows: Sequence[int]) -> list[int]:
    """``rows`` by quality estimate, lowest first; rows without an estimate after them; ties and
    the unestimated rows in document order (a stable sort)."""
    pairs = doc.pairs

    def key(i: int) -> tuple[bool, float]:
        quality = pairs[i].quality
        return (quality is None, 0.0 if quality is None else quality)

    return sorted(rows, key=key)


def visible_rows(doc: AlignedDocument, flags: Sequence[tuple[str, ...]], view: ViewFilter) -> list[int]:
    """Indices of the rows that pass the filters, in document order or worst first."""
    needle = view.search.strip().casefold()
    estimated = has_estimate(doc)
    rows = []
    for i, pair in enumerate(doc.pairs):
        if view.low_confidence and row_band(pair, estimated) not in LOW_BANDS:
            continue
        if view.unconfirmed and pair.status is Status.CONFIRMED:
            continue
        if view.flagged and not row_notes(pair, flags[i]):
            continue
        if view.below is not None and (pair.quality is None or pair.quality >= view.below):
            continue
        if needle and needle not in pair.source.casefold() and needle not in pair.target.casefold():
            continue
        rows.append(i)
    if view.order == WORST_FIRST:
        rows = worst_first(doc, rows)
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
    estimated = has_estimate(doc)
    return pd.DataFrame(
        {
            "sel": [i in selected for i in rows],
            "row": [i + 1 for i in rows],
            "source": [shown_source(pairs[i]) for i in rows],
            "target": [shown_target(pairs[i]) for i in rows],
            "band": [row_label(pairs[i], estimated) for i in rows],
            "status": [STATUS_LABELS[pairs[i].status] for i in rows],
            "flags": [NOTE_SEPARATOR.join(row_notes(pairs[i], flags[i])) for i in rows],
        },
        columns=list(COLUMNS),
    )


def style_frame(frame, doc: AlignedDocument, rows: Sequence[int]):
    """A pandas Styler colouring the (read-only) band column by the row's band."""
    estimated = has_estimate(doc)
    colours = [BAND_COLOURS[row_band(doc.pairs[i], estimated)] for i in rows]

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


def apply_cell_edits(
    doc: AlignedDocument,
    rows: Sequence[int],
    edited_rows: Mapping[Any, Mapping[str, Any]],
    *,
    fixed: bool = False,
    locked: frozenset[int] = frozenset(),
) -> CellEdits:
    """Turn the editor's ``edited_rows`` (positions in the shown frame) into a new document.

    In a project made from an XLIFF or PO file (``fixed``) the source is the file's and stays as
    it is, and a row in ``locked`` (locked in that file) takes no edit: both refused with an
    ``EditError`` (a tick still selects).

    Text edits go through ``align.ui.tags`` (tags read back and checked in a row with codes; the
    row then needs review), a status picked in the
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
        _check_editable(doc, row, changes, fixed, locked)
        for side, edit in (("source", edit_source), ("target", edit_target)):
            if side in changes:
                new = edit(doc, row, "" if changes[side] is None else str(changes[side]))
                if new is not doc:
                    doc = new
                    changed.append(row)
        if changes.get("status") in _STATUS_BY_LABEL:
            status = _STATUS_BY_LABEL[changes["status"]]
            if doc.pairs[row].status is not status:
                doc = edits.set_status(doc, [row], status)
                changed.append(row)
    return CellEdits(doc, tuple(sorted(set(changed))), tuple(select), tuple(unselect))


def _check_editable(doc: AlignedDocument, row: int, changes: Mapping[str, Any], fixed: bool, locked: frozenset[int]) -> None:
    """Refuse a change of a locked row, or of the source of a file's row (``apply_cell_edits``)."""
    pair = doc.pairs[row]
    asked = {name for name in ("source", "target", "status") if name in changes}
    if "status" in asked and changes["status"] == STATUS_LABELS.get(pair.status):
        asked.discard("status")
    for side, shown in (("source", shown_source), ("target", shown_target)):
        if side in asked and (changes[side] or "") == shown(pair):
            asked.discard(side)
    if asked and row in locked:
        raise edits.EditError(f"row {row + 1} is locked in the XLIFF or PO file and cannot be changed")
    if fixed and "source" in asked:
        raise edits.EditError(f"row {row + 1}: the source of an XLIFF or PO project is the file's and cannot be edited")
