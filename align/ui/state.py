"""What the review page remembers between reruns of one browser session, besides the values of
its widgets (those stay under their widget keys): one typed object instead of loose keys."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from align.document import AlignedDocument

SESSION_KEY = "page_state"


@dataclass
class PageState:
    """The page's own state in ``st.session_state[SESSION_KEY]``.

    ``open_project``: the project the editor shows; a switch clears the ticks and the editor.
    ``next_project``: the project selector's value on the next run (a widget cannot be set after
    it is drawn). ``selected``: ticked rows, as positions in the document. ``editor_rev``: part of
    the editor's key; a new value gives a fresh editor once its edits are saved. ``editor_key``:
    the editor's current key; ``editor_rows``: the document positions of its rows, in its order
    (what its edits refer to). ``task``: the background task this session started. ``flash``: a
    message for the next run (an action's error, raised in a callback). ``document``: the open
    project's document and row flags at a store revision, so a rerun does not reload it; it is what
    the page shows, so an edit names that revision and a stale one is refused (``app.save``).
    ``segment``: the row the segment editor shows (a position in the document).
    """

    open_project: int | None = None
    next_project: int | str | None = None
    selected: set[int] = field(default_factory=set)
    editor_rev: int = 0
    editor_key: str = ""
    editor_rows: tuple[int, ...] = ()
    task: str | None = None
    flash: str | None = None
    document: tuple[tuple[int, int], AlignedDocument, list[tuple[str, ...]]] | None = None
    segment: int | None = None

    def fresh_editor(self) -> None:
        """Give the next run a new editor widget (its pending edits are saved or dropped)."""
        self.editor_rev += 1


def page_state(session: MutableMapping[str, Any]) -> PageState:
    """The session's PageState, created on its first run."""
    state = session.get(SESSION_KEY)
    if not isinstance(state, PageState):
        state = session[SESSION_KEY] = PageState()
    return state
