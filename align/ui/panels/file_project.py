"""The new-project form's third way in: an XLIFF or PO file from a CAT tool. Its segments become
the project's rows (``align.ui.exchange``), pre-translated in the background like a translation
(the memory's 101% and 100% matches first, then the installed package, the source's tags placed
on each new target by the word aligner); the file is kept as the project's source, so the
project exports back into it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from align.errors import AlignError, ModelNotInstalled
from align.progress import Progress
from align.review.store import Store
from align.settings import Settings
from align.ui.panels.resources import find_translator, get_tasks, memory, shared_glossary
from align.ui.panels.session import state
from align.ui.panels.widgets import plain, too_large, uploaded_file

if TYPE_CHECKING:
    from align.document import AlignedDocument
    from align.mt.translate import Translator
    from align.ui.panels.new_project import Form, Work


def file_project(store: Store, settings: Settings, form: Form) -> None:
    """The "Pre-translate" button: read the uploaded file, then pre-translate it in the background."""
    if not st.button("Pre-translate", key="new_start", type="primary"):
        return
    upload = form.src_file
    if upload is None:
        st.warning("Upload an XLIFF or PO file first.")
        return
    if too_large(upload):
        return
    from align.ui.exchange import read_rows

    try:
        with uploaded_file(upload) as path:
            doc = read_rows(path, form.src_lang, form.tgt_lang)
    except AlignError as err:
        st.error(str(err))
        return
    translator, note = file_translator(doc, settings)
    title = form.name.strip() or Path(upload.name).stem
    work = pretranslate_work(store, settings, doc, title, (upload.name, upload.getvalue()), translator)
    task = get_tasks().start(f"Pre-translating {title}", max(len(open_rows(doc)), 1), work)
    memo = state()
    memo.task, memo.flash = task.key, note
    st.rerun()


def open_rows(doc: AlignedDocument) -> list[int]:
    """The rows pre-translation fills: unlocked, without a target."""
    from align.ui.exchange import locked

    closed = locked(doc)
    return [i for i, pair in enumerate(doc.pairs) if i not in closed and not pair.target.strip() and not pair.tgt_codes]


def file_translator(doc: AlignedDocument, settings: Settings) -> tuple[Translator | None, str | None]:
    """The installed package for the file's languages, or None and what that means (the memory
    alone pre-translates; the other rows stay empty for the translator)."""
    try:
        return find_translator(doc.src_lang, doc.tgt_lang, settings), None
    except ModelNotInstalled:
        pair = f"{plain(doc.src_lang)}→{plain(doc.tgt_lang)}"
        return None, (
            f"No {pair} translation package is installed: only the translation memory pre-translated this file; "
            "install a package in the sidebar and use Re-translate on the empty rows."
        )


def pretranslate_work(
    store: Store, settings: Settings, doc: AlignedDocument, title: str, kept: tuple[str, bytes], translator: Translator | None
) -> Work:
    """The background pre-translation of the file's rows into a new project that keeps the file."""
    from align.exchange.project import pretranslate_document
    from align.review.sources import keep_source
    from align.tm import wants_memory
    from align.words import WordAligner

    tm = memory(settings) if wants_memory(settings, doc.src_lang, doc.tgt_lang, None) else None
    glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang)

    def work(progress: Progress) -> int:
        done = pretranslate_document(
            doc,
            memory=tm,
            translator=translator,
            aligner=WordAligner(Path(settings.cache_dir)),
            glossary=glossary,
            progress=progress,
        )
        project = store.create_project(title, done)
        keep_source(settings, project, *kept)
        return project

    return work
