"""The segment editor beside the grid: the current row whole, its target editable ("Confirm and
next", Ctrl+Enter), moving through the view, applying a fix to repeats, and what is known about
the row: its notes, the translation memory's matches and the glossary's terms."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from align.document import AlignedDocument
from align.errors import AlignError
from align.exchange.project import LOCKED
from align.review.store import Store
from align.settings import Settings
from align.ui.panels.resources import memory, memory_has, shared_glossary
from align.ui.panels.session import Flags, save, shown_copy, state
from align.ui.panels.widgets import plain

if TYPE_CHECKING:
    from align.ui.segment import SegmentView, Suggestion
    from align.words import WordAligner
    from align.words.model import WordAlignment


def segment_editor(
    store: Store, settings: Settings, project_id: int, doc: AlignedDocument, flags: Flags, rows: list[int], estimated: bool
) -> None:
    """The current segment whole: source and target wrapped, the target editable, "Confirm and
    next" (Ctrl+Enter in the target), and what is known about the row."""
    from align.ui.segment import current_row, segment_view

    memo = state()
    if len(memo.selected) == 1:  # ticking one row in the grid opens it here
        (ticked,) = memo.selected
        if ticked in rows:
            memo.segment = ticked
    row = memo.segment = current_row(rows, memo.segment)
    if row is None:
        st.caption("No row in view.")
        return
    view = segment_view(doc, row, rows, flags[row], estimated)
    with st.container(border=True):
        st.markdown(f"**Segment {view.position} of {view.of}** · row {row + 1} · {plain(view.band)} · {plain(view.origin)}")
        st.caption(f"Source ({plain(doc.src_lang)})")
        segment_source(doc, row, view)
        read_only = LOCKED in doc.pairs[row].flags
        if read_only:
            st.caption(f"Target ({plain(doc.tgt_lang)}) · 🔒 locked in the file: read only")
            st.markdown(plain(view.target) or "_(empty)_")
        else:
            target_form(store, project_id, doc, row, rows, view)
        tag_notes(doc, row)
        navigation(store, project_id, doc, row, rows)
        if view.notes:
            st.caption("Quality" if estimated else "Flags")
            st.markdown("\n".join(f"- {plain(note)}" for note in view.notes))
        alignment = word_links(settings, doc, row, project_id)
        if not read_only:
            memory_matches(settings, doc, row, store, project_id)
        glossary_terms(settings, doc, row, project_id, alignment)


def segment_source(doc: AlignedDocument, row: int, view: SegmentView) -> None:
    """The source whole: plain text, or with its tags as numbered chips where it has codes."""
    from align.ui.tags import chips_html, has_tags

    pair = doc.pairs[row]
    if has_tags(pair):
        st.html(chips_html(pair.source, pair.src_codes))
    else:
        st.markdown(plain(view.source) or "_(empty)_")


def tag_notes(doc: AlignedDocument, row: int) -> None:
    """Under the target of a row with codes: its tags as chips, how to move them, and the source
    tags it lacks."""
    from align.review.checks import tag_problems
    from align.ui.tags import chips_html, has_tags, tag_names

    pair = doc.pairs[row]
    if not has_tags(pair):
        return
    if pair.target:
        st.html(chips_html(pair.target, pair.tgt_codes))
    st.caption(f"Tags: {plain(tag_names(pair.src_codes))}. Move a tag by moving it in the target; keep each <n> with its </n>.")
    problems = tag_problems(pair)
    if problems:
        st.warning("Tags: " + plain("; ".join(problems)))


def target_form(store: Store, project_id: int, doc: AlignedDocument, row: int, rows: list[int], view: SegmentView) -> None:
    """The editable target with "Confirm and next" and "Save"."""
    revision = shown_copy(store, project_id)[1]
    field = f"segment_target-{project_id}-{row}-{revision}"  # a fresh text area for each row and save
    args = (store, project_id, tuple(rows), field)
    with st.form(key=f"segment-{project_id}-{row}-{revision}", border=False):
        st.text_area(
            f"Target ({doc.tgt_lang})",
            value=view.target,
            key=field,
            height=140,
            help="Ctrl+Enter confirms the segment and opens the next unconfirmed one",
        )
        confirm, keep = st.columns([2, 1])
        with confirm:
            st.form_submit_button(
                "Confirm and next",
                key="segment_confirm",
                type="primary",
                on_click=segment_confirm,
                args=args,
                width="stretch",
            )
        with keep:
            st.form_submit_button("Save", key="segment_save", on_click=segment_save, args=args, width="stretch")


def navigation(store: Store, project_id: int, doc: AlignedDocument, row: int, rows: list[int]) -> None:
    """Previous and next row of the view; applying the target to the row's unconfirmed repeats."""
    from align.ui.segment import repeats

    left, right = st.columns(2)
    nav = (store, project_id, tuple(rows))
    left.button("◀ Previous", key="segment_prev", on_click=segment_move, args=(*nav, -1), width="stretch")
    right.button("Next ▶", key="segment_next", on_click=segment_move, args=(*nav, 1), width="stretch")
    same = repeats(doc, row)
    if same:
        st.button(
            f"Apply this target to {len(same)} repeat(s)",
            key="segment_propagate",
            on_click=segment_propagate,
            args=(store, project_id),
            help="rows " + ", ".join(str(i + 1) for i in same[:10]) + ": the same source, not confirmed yet",
            width="stretch",
        )


def memory_matches(settings: Settings, doc: AlignedDocument, row: int, store: Store, project_id: int) -> None:
    """The translation memory's matches for the segment, differing words in bold, each insertable."""
    from align.ui.segment import suggestions

    tm = memory(settings)
    if not memory_has(settings, doc.src_lang, doc.tgt_lang):
        return
    found = suggestions(doc, row, tm)
    st.caption("Translation memory" + ("" if found else ": no match from 75%"))
    for k, match in enumerate(found):
        marked = "".join(f"**{plain(text)}**" if differs else plain(text) for text, differs in match.marked)
        left, right = st.columns([5, 1])
        left.markdown(f"`{match.score}%` {marked}  \n→ {plain(match.target)}")
        right.button("Insert", key=f"tm_insert_{k}", on_click=segment_insert, args=(store, project_id, match))


def glossary_terms(
    settings: Settings, doc: AlignedDocument, row: int, project_id: int, alignment: WordAlignment | None = None
) -> None:
    """The glossary's terms in the segment's source (shared and project), and what the target does
    with them (where the word alignment says each was rendered, when there is one)."""
    from align.ui.segment import glossary_lines

    glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang, project_id)
    if not glossary:
        return
    lines = glossary_lines(doc, row, glossary, alignment)
    if not lines:
        return
    st.caption("Glossary")
    st.markdown(
        "\n".join(
            f"- {plain(line.source)} → {plain(' / '.join(line.targets))} ({plain(line.kind)})"
            + (f": ⚠ {plain(line.problem)}" if line.problem else " ✓")
            + (f" · rendered as '{plain(line.rendered)}'" if line.rendered and not line.problem else "")
            for line in lines
        )
    )


def segment_insert(store: Store, project_id: int, match: Suggestion) -> None:
    """Put a memory match's target into the segment (it needs review, its origin says TM nn%)."""
    from align.ui.segment import insert_suggestion

    memo = state()
    if memo.segment is not None:
        try:
            save(store, project_id, *insert_suggestion(shown_copy(store, project_id)[0], memo.segment, match))
        except AlignError as err:
            memo.flash = str(err)
        memo.fresh_editor()


def segment_propagate(store: Store, project_id: int) -> None:
    """Copy the segment's target to its unconfirmed repeats, as one undoable step."""
    from align.ui.segment import propagate_target

    memo = state()
    if memo.segment is None:
        return
    try:
        doc, changed = propagate_target(shown_copy(store, project_id)[0], memo.segment)
        if changed:
            save(store, project_id, doc, f"apply row {memo.segment + 1} to rows " + ", ".join(str(i + 1) for i in changed[:5]))
    except AlignError as err:
        memo.flash = str(err)
    memo.fresh_editor()


def segment_confirm(store: Store, project_id: int, rows: tuple[int, ...], field: str) -> None:
    """Confirm the segment with the typed target, then open the next unconfirmed one."""
    from align.ui.segment import confirm_with, next_to_review

    memo = state()
    row = memo.segment
    if row is None:
        return
    try:
        doc, label = confirm_with(shown_copy(store, project_id)[0], row, st.session_state.get(field, ""))
        if save(store, project_id, doc, label):
            memo.segment = next_to_review(doc, list(rows), row)
    except AlignError as err:
        memo.flash = str(err)
    memo.selected.clear()
    memo.fresh_editor()


def segment_save(store: Store, project_id: int, rows: tuple[int, ...], field: str) -> None:
    """Keep the typed target without confirming."""
    from align.ui.segment import save_target

    memo = state()
    if memo.segment is None:
        return
    try:
        result = save_target(shown_copy(store, project_id)[0], memo.segment, st.session_state.get(field, ""))
        if result is not None:
            save(store, project_id, *result)
    except AlignError as err:
        memo.flash = str(err)
    memo.fresh_editor()


def segment_move(store: Store, project_id: int, rows: tuple[int, ...], by: int) -> None:
    """Previous or next row of the view."""
    from align.ui.segment import step

    memo = state()
    if memo.segment is not None:
        memo.segment = step(list(rows), memo.segment, by)
    memo.selected.clear()
    memo.fresh_editor()


# ---- word links -------------------------------------------------------------------------------------
def word_links(settings: Settings, doc: AlignedDocument, row: int, project_id: int) -> WordAlignment | None:
    """The *Word links* toggle and, when on, source and target as words one can point at: the
    counterpart of the word under the mouse (or focused with Tab) lights up; so do the words that
    rendered a glossary term's chip. Returns the row's word alignment (None when off or empty).

    The toggle starts on once the word aligner is prepared in the data folder (the first use
    converts its encoder, a few seconds); until then it waits for the translator to ask."""
    from align.ui.segment import glossary_lines, term_marks, word_links_html

    pair = doc.pairs[row]
    if not pair.source.strip() or not pair.target.strip():
        return None
    help_text = "point at a word, or Tab to it, to see its counterpart (the first use prepares the word aligner)"
    if not st.toggle("Word links", value=word_aligner_ready(str(settings.cache_dir)), key="word_links", help=help_text):
        return None
    alignment = segment_alignment(settings, pair.source, pair.target)
    if alignment is None:
        return None
    glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang, project_id)
    terms = term_marks(glossary_lines(doc, row, glossary, alignment)) if glossary else []
    st.html(word_links_html(pair.source, pair.target, alignment, terms))
    return alignment


def word_aligner_ready(cache_dir: str) -> bool:
    """Whether the word aligner's encoder is converted in this data folder already (showing word
    links then costs a few milliseconds a segment)."""
    from align.words import WordAlignOptions
    from align.words.encoder import is_converted

    try:
        return is_converted(Path(cache_dir) / "models", WordAlignOptions().layer)
    except (AlignError, OSError):
        return False


def segment_alignment(settings: Settings, source: str, target: str) -> WordAlignment | None:
    """The word alignment of the segment's saved text (None when the aligner cannot be made: the
    panel says why and the rest of the editor works without it)."""
    try:
        return aligned_words(str(settings.cache_dir), source, target)
    except AlignError as err:
        st.caption(f"Word links unavailable: {plain(str(err))}")
        return None


@st.cache_resource(show_spinner=False)
def word_aligner(cache_dir: str) -> WordAligner:
    """One word aligner per data folder for the page's lifetime (its encoder loads on first use)."""
    from align.words import WordAligner

    return WordAligner(Path(cache_dir))


@st.cache_data(max_entries=256, show_spinner="Linking the words…")
def aligned_words(cache_dir: str, source: str, target: str) -> WordAlignment:
    """The word alignment of one segment's text, computed when the segment is shown (cached per
    text: moving back to a segment, or re-running the page, costs nothing)."""
    return word_aligner(cache_dir).align(source, target)
