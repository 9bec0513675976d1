"""The review page: start a project (translate German text, or align it with a translation),
review and edit the sentence pairs, export them.

    streamlit run app.py

A composition of panels: each part of the page is drawn by a module of ``align.ui.panels``
(resources, sidebar, new project, editor with its segment panel and exports), and every decision
lives in ``align`` (``review``: store, edits, checks; ``ui``: the table, the toolbar's actions,
background tasks, packages, the page state). Every edit is saved in the project database at once,
so a reload, a closed tab or a restarted app shows the last state. User text is shown only as
data-frame cells and plain text, never as HTML.
"""

from __future__ import annotations

import streamlit as st

from align.errors import AlignError
from align.settings import load_settings
from align.ui.panels.editor import editor
from align.ui.panels.new_project import new_project, task_panel
from align.ui.panels.resources import open_store
from align.ui.panels.sidebar import sidebar


def main() -> None:
    """Draw the page: the sidebar, then the new-project form (or its running task) or the editor
    of the open project. An error of the library is one line on the page, never a traceback."""
    st.set_page_config(page_title="Align workbench", page_icon="🔤", layout="wide")
    settings = load_settings()
    try:
        store = open_store(settings)
    except AlignError as err:
        st.error(str(err))
        st.stop()
    try:  # every part of the page, the sidebar's rename and delete too
        project_id = sidebar(store, settings)
        if project_id is None:
            task_panel()
            new_project(store, settings)
        else:
            editor(store, settings, project_id)
    except AlignError as err:
        st.error(str(err))


main()
