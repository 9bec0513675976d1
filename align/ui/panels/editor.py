"""The open project: its header, the toolbar (undo, redo and the row actions), the project
glossary, the filters and the table's page, the grid beside the segment editor, and the exports.

Buttons and the grid save in callbacks, which run before the page is drawn again; the grid's
edits name the rows they were made on (``PageState.editor_rows``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from align.document import AlignedDocument
from align.errors import AlignError
from align.review.store import Store
from align.settings import Settings
from align.ui.panels.exports import exports
from align.ui.panels.resources import embedder, find_translator, shared_glossary
from align.ui.panels.segment import segment_editor
from align.ui.panels.session import Flags, current, refuse, remember, save, shown_copy, state
from align.ui.panels.widgets import choice, plain, too_large, uploaded_glossary
from align.ui.table import ViewFilter

if TYPE_CHECKING:
    from align.ui.actions import Context

TABLE_PAGE = "page"  # the widget key of the table's page number (its number input)
# editor column widths in pixels: the whole table fits a 1,600 px wide window without scrolling,
# beside the segment editor (which shows the sentences whole) or, with it switched off, alone
COLUMN_WIDTHS = {"sel": 36, "row": 40, "source": 170, "target": 170, "band": 72, "status": 100, "flags": 100}
WIDE_COLUMN_WIDTHS = {"sel": 40, "row": 50, "source": 330, "target": 330, "band": 80, "status": 110, "flags": 180}


@dataclass
class View:
    """The rows this run shows: all that pass the filters in their order, and the table's page of them."""

    rows: list[int]
    shown: list[int]


def editor(store: Store, settings: Settings, project_id: int) -> None:
    """The review table with its toolbar, filters, pages and exports."""
    from align.ui.table import has_estimate

    enter_project(project_id)
    save_pending(store, settings, project_id)
    doc, flags = current(store, project_id)
    estimated = has_estimate(doc)
    header(store, project_id, doc, flags, estimated)
    toolbar(store, settings, project_id)
    project_glossary(settings, project_id)
    if not file_rows(settings, project_id, doc)[0]:  # a file's rows are its segments: never split
        split_panel(store, settings, project_id)
    view = filtered_view(doc, flags, estimated)
    grid(store, settings, project_id, doc, flags, view, estimated)
    exports(store, settings, project_id, doc)


def file_rows(settings: Settings, project_id: int, doc: AlignedDocument) -> tuple[bool, frozenset[int]]:
    """Whether the project's rows are the segments of its XLIFF or PO file (they keep their place
    and their source), and which of them the file locks (read-only)."""
    from align.review.sources import project_source
    from align.ui.exchange import is_exchange_file, locked

    if not is_exchange_file(project_source(settings, project_id)):
        return False, frozenset()
    return True, locked(doc)


def enter_project(project_id: int) -> None:
    """A project switch: fresh selection and editor, the table's first page."""
    memo = state()
    if memo.open_project != project_id:
        memo.open_project = project_id
        memo.selected = set()
        memo.fresh_editor()
        st.session_state[TABLE_PAGE] = 1


def save_pending(store: Store, settings: Settings, project_id: int) -> None:
    """Edits that arrived without the callback: saved against the rows they were made on, before
    the page catches up with another tab's changes."""
    memo = state()
    pending = f"editor-{project_id}-{memo.editor_rev}"
    if pending == memo.editor_key and (st.session_state.get(pending) or {}).get("edited_rows"):
        save_cell_edits(store, settings, project_id, pending, memo.editor_rows)


def header(store: Store, project_id: int, doc: AlignedDocument, flags: Flags, estimated: bool) -> None:
    """The project's name, counts and method; the estimate's summary; a callback's message."""
    from align.document import Status
    from align.quality.report import summary
    from align.ui.table import flagged_count

    confirmed = sum(p.status is Status.CONFIRMED for p in doc.pairs)
    st.subheader(plain(store.project_name(project_id)))
    model = f" · {doc.signature.method} with {doc.signature.model}" if doc.signature.model else ""
    st.caption(
        f"{len(doc.pairs)} rows · {confirmed} confirmed · {flagged_count(doc, flags)} flagged"
        f" · {plain(doc.src_lang)}→{plain(doc.tgt_lang)}{plain(model)}"
    )
    if estimated:  # the estimate's bands and the signals it left out, as plain text
        st.caption("  \n".join(plain(line) for line in summary(doc).splitlines()))
    memo = state()
    flash, memo.flash = memo.flash, None
    if flash:
        st.warning(flash)


def toolbar(store: Store, settings: Settings, project_id: int) -> None:
    """Undo/redo and the row actions (callbacks: they run before the page is drawn)."""
    from align.ui.actions import ACTIONS

    history = store.history(project_id)
    args = (store, settings, project_id)
    first, second = st.columns(6), st.columns(6)
    steps = (("undo", "↶ Undo", history.can_undo, history.undo_label), ("redo", "↷ Redo", history.can_redo, history.redo_label))
    for col, (step, label, possible, what) in zip(first[:2], steps, strict=True):
        col.button(
            label,
            key=step,
            disabled=not possible,
            help=f"{step.title()}: {what}",
            on_click=run_action,
            args=(*args, step),
            width="stretch",
        )
    for col, action in zip(first[2:] + second, ACTIONS.values(), strict=True):
        col.button(
            action.label,
            key=f"act_{action.key}",
            help=action.help,
            on_click=run_action,
            args=(*args, action.key),
            width="stretch",
        )


def split_panel(store: Store, settings: Settings, project_id: int) -> None:
    """Splitting the ticked row at character positions."""
    with st.expander("Split at a character position"):
        a, b, c = st.columns([2, 2, 1])
        a.number_input("Source: characters in the upper row", min_value=0, step=1, key="split_src_at")
        b.number_input("Target: characters in the upper row", min_value=0, step=1, key="split_tgt_at")
        c.button("Split here", key="act_split_at", on_click=run_action, args=(store, settings, project_id, "split_at"))


def filtered_view(doc: AlignedDocument, flags: Flags, estimated: bool) -> View:
    """The filters, the order and the table's page: the rows they leave and the page's share."""
    from align.ui.table import ROWS_PER_PAGE, page_count, page_slice, visible_rows

    f1, f2, f3, f4, f5 = st.columns([1.2, 1.2, 1, 2.6, 1])
    low = f1.checkbox(
        "Low quality only" if estimated else "Low confidence only",
        key="f_low",
        help="unconfirmed rows below the green band",
    )
    unconfirmed = f2.checkbox("Unconfirmed only", key="f_unconfirmed")
    flagged = f3.checkbox("Flagged only", key="f_flagged")
    search = f4.text_input("Search", key="f_search", placeholder="text in source or target", label_visibility="collapsed")
    st.toggle("Segment editor", value=True, key="segment_on", help="the current row whole, beside the grid")
    view = quality_order(ViewFilter(low_confidence=low, unconfirmed=unconfirmed, flagged=flagged, search=search), estimated)
    rows = visible_rows(doc, flags, view)
    pages = page_count(len(rows))
    if st.session_state.get(TABLE_PAGE, 1) > pages:
        st.session_state[TABLE_PAGE] = pages
    number = f5.number_input(
        f"Page (of {pages})", min_value=1, max_value=pages, step=1, key=TABLE_PAGE, label_visibility="collapsed"
    )
    selected = state().selected
    if selected:
        st.caption("Ticked: rows " + ", ".join(str(i + 1) for i in sorted(selected)[:20]) + (" …" if len(selected) > 20 else ""))
    if len(rows) > ROWS_PER_PAGE:
        st.caption(f"Page {number} of {pages}: rows {len(rows)} match")
    return View(rows, page_slice(rows, int(number)))


def quality_order(view: ViewFilter, estimated: bool) -> ViewFilter:
    """With a quality estimate: the review order and the threshold, added to ``view``."""
    from dataclasses import replace

    from align.ui.table import ORDERS

    if not estimated:
        return view
    q1, q2, q3 = st.columns([2.4, 1.2, 3.6], vertical_alignment="center")
    order = choice(q1, "Order", ORDERS, "f_order", on_change=first_page)
    help_below = "only rows whose quality estimate is below the threshold"
    limited = q2.checkbox("Quality below", key="f_below_on", on_change=first_page, help=help_below)
    threshold = q3.slider(
        "Threshold",
        min_value=5,
        max_value=100,
        value=50,
        step=5,
        format="%d%%",
        key="f_below",
        on_change=first_page,
        disabled=not limited,
        label_visibility="collapsed",
    )
    return replace(view, order=order, below=threshold / 100 if limited else None)


def first_page() -> None:
    """A new order or filter starts at the table's first page (its worst rows)."""
    st.session_state[TABLE_PAGE] = 1


def grid(
    store: Store, settings: Settings, project_id: int, doc: AlignedDocument, flags: Flags, view: View, estimated: bool
) -> None:
    """The editable table of the page's rows, with the segment editor beside it when it is on."""
    from align.ui.table import COLUMNS, EDITABLE, editor_frame, style_frame

    fixed = file_rows(settings, project_id, doc)[0]
    editable = [column for column in EDITABLE if not (fixed and column == "source")]  # a file's source is the file's

    memo = state()
    key = memo.editor_key = f"editor-{project_id}-{memo.editor_rev}"
    memo.editor_rows = tuple(view.shown)
    frame = editor_frame(doc, view.shown, flags, memo.selected)
    if st.session_state.get("segment_on", True):
        table, panel = st.columns([5, 3])
        with panel:
            segment_editor(store, settings, project_id, doc, flags, view.rows, estimated)
        widths = COLUMN_WIDTHS
    else:
        table, widths = st.container(), WIDE_COLUMN_WIDTHS
    table.data_editor(
        style_frame(frame, doc, view.shown),
        key=key,
        on_change=save_cell_edits,
        args=(store, settings, project_id, key, tuple(view.shown)),
        hide_index=True,
        num_rows="fixed",
        disabled=[column for column in COLUMNS if column not in editable],
        width="stretch",
        column_config=column_config(doc, widths, estimated),
    )


def column_config(doc: AlignedDocument, widths: dict[str, int], estimated: bool) -> dict[str, Any]:
    """The grid's columns: headers, widths, help and the status choices."""
    from align.ui.table import STATUS_LABELS

    band_help = (
        "estimated chance that the translation needs no fix; green: good (≥ 90 %), yellow: check "
        "(≥ 50 %), red: poor; blue: confirmed; grey: edited since the estimate"
        if estimated
        else "green: high (≥ 80 %), yellow: medium (≥ 50 %), red: low; blue: confirmed"
    )
    return {
        "sel": st.column_config.CheckboxColumn("✓", width=widths["sel"], help="tick rows for the toolbar actions"),
        "row": st.column_config.NumberColumn("#", width=widths["row"], format="%d"),
        "source": st.column_config.TextColumn(f"Source ({doc.src_lang})", width=widths["source"]),
        "target": st.column_config.TextColumn(f"Target ({doc.tgt_lang})", width=widths["target"]),
        "band": st.column_config.TextColumn("Quality" if estimated else "Confidence", width=widths["band"], help=band_help),
        "status": st.column_config.SelectboxColumn(
            "Status",
            options=list(STATUS_LABELS.values()),
            required=True,
            width=widths["status"],
        ),
        "flags": st.column_config.TextColumn(
            "Reasons" if estimated else "Flags",
            width=widths["flags"],
            help="why the estimate doubts the row (the checks' flags for edited rows)" if estimated else None,
        ),
    }


def project_glossary(settings: Settings, project_id: int) -> None:
    """This project's own glossary (CSV, TSV, XLSX, TBX), used with the shared one."""
    from align.review.sources import GLOSSARIES, forget_source, keep_source, project_source

    own = project_source(settings, project_id, GLOSSARIES)
    with st.expander(f"Project glossary: {plain(own.name)}" if own else "Project glossary"):
        kinds = ["csv", "tsv", "xlsx", "tbx"]
        upload = st.file_uploader("Glossary (CSV, TSV, XLSX, TBX)", type=kinds, key="project_glossary_file")
        left, right = st.columns(2)
        if upload is not None and not too_large(upload) and left.button("Use for this project", key="project_glossary_use"):
            glossary = uploaded_glossary(upload)
            if glossary is not None:
                keep_source(settings, project_id, upload.name, upload.getvalue(), GLOSSARIES)
                st.success(f"Project glossary: {len(glossary)} entries from {upload.name}.")
                own = project_source(settings, project_id, GLOSSARIES)
        if own is not None and right.button("Remove the project glossary", key="project_glossary_remove"):
            forget_source(settings, project_id, (GLOSSARIES,))
            st.rerun()


def run_action(store: Store, settings: Settings, project_id: int, action: str) -> None:
    """A toolbar button's callback: apply the action to the shown document and save the result."""
    from dataclasses import replace

    from align.ui.actions import apply_action

    memo = state()
    try:
        if action in ("undo", "redo"):
            undo_redo(store, project_id, back=action == "undo")
            memo.selected.clear()
        else:
            doc, _ = shown_copy(store, project_id)
            rows = sorted(memo.selected)
            action, context = action_context(settings, project_id, doc, action, rows)
            fixed, closed = file_rows(settings, project_id, doc)
            context = replace(context, fixed=fixed, locked=closed)
            result = apply_action(doc, action, rows, context)
            memo.selected = set(result.selected) if save(store, project_id, result.doc, result.label) else set()
        memo.fresh_editor()
    except AlignError as err:
        memo.flash = str(err)


def action_context(
    settings: Settings, project_id: int, doc: AlignedDocument, action: str, rows: list[int]
) -> tuple[str, Context]:
    """What an action needs besides the rows: the document's translator and estimator for
    Re-translate, the typed positions for the Split of the "at a character position" panel."""
    from align.ui.actions import Context, estimator
    from align.ui.packages import document_model
    from align.ui.panels.segment import word_aligner
    from align.words.tags import place_rows_codes

    if action == "retranslate":
        translator = find_translator(doc.src_lang, doc.tgt_lang, settings, document_model(doc, settings))
        model = embedder(settings) if doc.signature.settings.quality is not None else None
        glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang, project_id)
        translate = functools.partial(translator.translate, glossary=glossary) if glossary else translator.translate
        place = functools.partial(place_rows_codes, aligner=word_aligner(str(settings.cache_dir)))
        return action, Context(translate=translate, estimate=estimator(model, translator), place=place)
    if action == "split_at":
        if not rows:
            return "split", Context()
        pair, widgets = doc.pairs[rows[0]], st.session_state
        src_at = min(int(widgets.get("split_src_at", 0)), len(pair.source))
        return "split", Context(split_at=(src_at, min(int(widgets.get("split_tgt_at", 0)), len(pair.target))))
    return action, Context()


def undo_redo(store: Store, project_id: int, *, back: bool) -> None:
    """Undo or redo the step this page shows; refused when another tab changed the project since
    (its step would be taken back, one the user never saw)."""
    from align.review.store import StaleProject

    try:
        stepped = store.step(project_id, back=back, base=shown_copy(store, project_id)[1])
    except StaleProject:
        refuse(store, project_id, "undo" if back else "redo")
        return
    if stepped is not None:
        remember(project_id, *stepped)


def save_cell_edits(store: Store, settings: Settings, project_id: int, key: str, shown: tuple[int, ...]) -> None:
    """The grid's callback: save typed text and picked statuses, remember ticks."""
    from align.ui.table import apply_cell_edits

    memo = state()
    edits = (st.session_state.get(key) or {}).get("edited_rows") or {}
    if not edits:
        return
    try:
        doc = shown_copy(store, project_id)[0]
        fixed, closed = file_rows(settings, project_id, doc)
        result = apply_cell_edits(doc, shown, edits, fixed=fixed, locked=closed)
        memo.selected.difference_update(result.unselect)
        memo.selected.update(result.select)
        if result.changed_rows:
            label = "edit " + ", ".join(f"row {i + 1}" for i in result.changed_rows[:3])
            save(store, project_id, result.doc, label)
    except AlignError as err:
        memo.flash = str(err)
    memo.fresh_editor()  # its old edits are saved now
