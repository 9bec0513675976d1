"""This browser session's page: its state (``align.ui.state``) and the document it shows.

Every edit is saved against the store revision the page shows; a write from a page that is
behind another tab is carried onto the newest version when it touches other rows
(``edits.rebase``), else refused with a message, never applied to text the user never saw.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from align.document import AlignedDocument
from align.review.store import Store
from align.ui.state import PageState, page_state

Flags = list[tuple[str, ...]]
STALE = "This project was changed in another tab or window; reloaded the newest version; your last edit was not saved: {}."


def state() -> PageState:
    """This session's page state (``align.ui.state``)."""
    return page_state(st.session_state)  # type: ignore[arg-type]  # a mapping of str -> Any


def open_project(project_id: int | str) -> None:
    """Switch to a project on the next run (widgets of this run are already drawn)."""
    state().next_project = project_id
    st.rerun()


def current(store: Store, project_id: int) -> tuple[AlignedDocument, Flags]:
    """The project's newest document and its row flags (what this run draws), kept in the page
    state by the store's revision: one indexed read per rerun, a reload only after a change."""
    memo = state()
    if memo.document is not None and memo.document[0] == (project_id, store.revision(project_id)):
        return memo.document[1], memo.document[2]
    return remember(project_id, *store.snapshot(project_id))


def remember(project_id: int, doc: AlignedDocument, revision: int) -> tuple[AlignedDocument, Flags]:
    """Keep ``doc`` (just saved or loaded, at store revision ``revision``) and its row flags as
    the session's current document."""
    from align.review.checks import check_pairs

    flags = check_pairs(doc.pairs, doc.src_lang, doc.tgt_lang)
    state().document = ((project_id, revision), doc, flags)
    return doc, flags


def shown_copy(store: Store, project_id: int) -> tuple[AlignedDocument, int]:
    """The document this session's page shows and the revision it was loaded at: what a click
    edits and the revision its write names. Never the newest saved state: a write from a page
    that is behind another tab must be noticed, not applied to text the user never saw."""
    memo = state()
    if memo.document is not None and memo.document[0][0] == project_id:
        return memo.document[1], memo.document[0][1]
    doc, revision = store.snapshot(project_id)
    remember(project_id, doc, revision)
    return doc, revision


def save(store: Store, project_id: int, doc: AlignedDocument, label: str) -> bool:
    """Save an edit of the shown document and keep it as the session's current one (no reload).
    When another tab saved first, an edit of other rows is carried onto the newest version
    (``edits.rebase``); anything else is refused (``refuse``). Returns whether it was saved."""
    from align.review.edits import rebase
    from align.review.store import StaleProject

    base, revision = shown_copy(store, project_id)
    try:
        remember(project_id, doc, store.apply(project_id, doc, label, base=revision))
        return True
    except StaleProject:
        newest, revision = store.snapshot(project_id)
    merged = rebase(base, doc, newest)
    if merged is not None:
        with contextlib.suppress(StaleProject):  # yet another write in between: refused below
            remember(project_id, merged, store.apply(project_id, merged, label, base=revision))
            return True
    refuse(store, project_id, label)
    return False


def refuse(store: Store, project_id: int, what: str) -> None:
    """A write from a page that is behind: show the newest version, and say what was not saved
    (``what``: the undo label, or the action in words)."""
    remember(project_id, *store.snapshot(project_id))
    state().flash = STALE.format(what)
