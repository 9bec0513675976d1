"""The new-project form (translate a German text, or align it with a translation) and, while
its task runs in the background, the task's progress; the finished task opens its project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from align.errors import AlignError, ModelNotInstalled
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET
from align.progress import Progress
from align.review.store import Store
from align.settings import Settings
from align.text.readers import SUPPORTED_TEXT_SUFFIXES
from align.ui.panels.resources import embedder, find_translator, get_tasks, memory, shared_glossary
from align.ui.panels.session import open_project, state
from align.ui.panels.widgets import choice, plain, too_large, uploaded_text

if TYPE_CHECKING:
    from align.mt.translate import Translator

SOURCE_TYPES = sorted(suffix.lstrip(".") for suffix in SUPPORTED_TEXT_SUFFIXES)
MODES = {
    "translate": "Translating a German text",
    "align": "Aligning it with an existing translation",
    "file": "Pre-translating an XLIFF or PO file",
}
# cleared once a task is done
FORM_KEYS = ("new_src_text", "new_tgt_text", "new_name", "new_src_file", "new_tgt_file", "new_exchange_file")
Work = Callable[[Progress], int]  # a background task: its progress -> the new project's id


@dataclass
class Form:
    """What the new-project form holds on this run."""

    mode: str
    name: str
    src_lang: str
    tgt_lang: str
    src_text: str
    src_file: UploadedFile | None
    tgt_text: str = ""
    tgt_file: UploadedFile | None = None


def new_project(store: Store, settings: Settings) -> None:
    """Paste or upload German text; translate it, or align it with a translation."""
    st.header("New project")
    form = draw_form()
    if form.mode == "file":
        from align.ui.panels.file_project import file_project

        file_project(store, settings, form)
        return
    translator = form_translator(form, settings) if form.mode == "translate" else None
    helper = mt_helper(form, settings) if form.mode == "align" else None
    label = "Translate" if form.mode == "translate" else "Align"
    if not st.button(label, key="new_start", type="primary"):
        return
    try:
        started = prepare(store, settings, form, translator, helper)
    except AlignError as err:
        st.error(str(err))
        return
    if started is None:
        return
    title, total, work = started
    task = get_tasks().start(f"{label.rstrip('e')}ing {title}", total, work)
    state().task = task.key
    st.rerun()


def draw_form() -> Form:
    """The mode, name, languages and texts (pasted or uploaded) of the new project."""
    mode = choice(st, "Start by", MODES, "new_mode")
    left, right = st.columns(2)
    name = left.text_input("Project name", key="new_name", placeholder="e.g. contract 2024")
    with right:
        a, b = st.columns(2)
        src_lang = a.text_input("Source language", value=DEFAULT_SOURCE, key="new_src_lang").strip() or DEFAULT_SOURCE
        tgt_lang = b.text_input("Target language", value=DEFAULT_TARGET, key="new_tgt_lang").strip() or DEFAULT_TARGET
    if mode == "file":
        return Form(mode, name, src_lang, tgt_lang, "", exchange_upload())
    src_col, tgt_col = st.columns(2) if mode == "align" else (st.container(), None)
    src_text = src_col.text_area("Source text", key="new_src_text", height=220, placeholder="Paste the text here…")
    src_file = src_col.file_uploader("…or upload a file", type=SOURCE_TYPES, key="new_src_file")
    form = Form(mode, name, src_lang, tgt_lang, src_text, src_file)
    if tgt_col is not None:
        form.tgt_text = tgt_col.text_area("Translation", key="new_tgt_text", height=220, placeholder="Paste the translation…")
        form.tgt_file = tgt_col.file_uploader("…or upload its file", type=SOURCE_TYPES, key="new_tgt_file")
    return form


def exchange_upload() -> UploadedFile | None:
    """The XLIFF or PO file of a new project (the languages above count where it names none)."""
    from align.ui.exchange import UPLOAD_TYPES

    return st.file_uploader(
        "XLIFF or PO file from a CAT tool (Trados, memoQ, OmegaT, Okapi, gettext…)",
        type=UPLOAD_TYPES,
        key="new_exchange_file",
        help="Its segments become the project's rows; the file's own languages win over the ones above.",
    )


def model_choice(src: str, tgt: str, settings: Settings) -> str | None:
    """The package the user picks when more than one translates the pair (a "Model" selectbox whose
    default is what translates without a choice); None when there is nothing to choose."""
    from align.ui.packages import package_label, pair_packages

    packages = pair_packages(src, tgt, settings)
    if len(packages) < 2:
        return None
    labels = {p.name: package_label(p) for p in packages}
    return st.selectbox("Model", list(labels), key="new_model", format_func=labels.__getitem__)


def form_translator(form: Form, settings: Settings) -> Translator:
    """The translator of the translate mode; without a package, what to do, and the page stops."""
    try:
        return find_translator(form.src_lang, form.tgt_lang, settings, model_choice(form.src_lang, form.tgt_lang, settings))
    except ModelNotInstalled as err:
        src_lang, tgt_lang = plain(form.src_lang), plain(form.tgt_lang)
        st.info(
            f"No {src_lang}→{tgt_lang} translation package is installed, so the text cannot be "
            "translated yet. Install one in the sidebar under *Translation models* (upload an "
            f"`.argosmodel` file), or run `python -m align models install {src_lang} {tgt_lang}`. "
            "You can also choose *Aligning it with an existing translation* above."
        )
        st.caption(plain(str(err)))
        st.stop()
    except AlignError as err:
        st.error(str(err))
        st.stop()


def mt_helper(form: Form, settings: Settings) -> Translator | None:
    """The installed package's translation as an extra alignment signal, when ticked."""
    use_mt = st.checkbox(
        "Also compare a machine translation of the source with the translation",
        key="new_use_mt",
        help="Translates the source with the installed package first: a little more accurate where sentences "
        "were merged, dropped or swapped, but translating takes far longer than aligning (minutes for a long "
        "document). The progress bar shows both steps.",
    )
    if not use_mt:
        return None
    try:
        return find_translator(form.src_lang, form.tgt_lang, settings, model_choice(form.src_lang, form.tgt_lang, settings))
    except AlignError as err:
        st.info(f"Aligning without machine translation: {plain(str(err))}")
        return None


def prepare(
    store: Store, settings: Settings, form: Form, translator: Translator | None, helper: Translator | None
) -> tuple[str, int, Work] | None:
    """The task's title, its sentence count and its work; None after a message (nothing to do)."""
    from align.text.segment import segment

    if too_large(form.src_file) or too_large(form.tgt_file):
        return None
    source = uploaded_text(form.src_file) if form.src_file is not None else form.src_text
    if not source.strip():
        st.warning("Paste a source text or upload a file first.")
        return None
    title = form.name.strip() or (
        Path(form.src_file.name).stem if form.src_file is not None else source.strip().split("\n")[0][:40]
    )
    total = len(segment(source, form.src_lang))
    if translator is not None:
        return title, total, translate_work(store, settings, form, source, title, translator)
    target = uploaded_text(form.tgt_file) if form.tgt_file is not None else form.tgt_text
    if not target.strip():
        st.warning("Paste or upload the translation to align with.")
        return None
    return title, total, align_work(store, settings, form, source, target, title, helper)


def translate_work(store: Store, settings: Settings, form: Form, source: str, title: str, translator: Translator) -> Work:
    """The background translation: the document, its project, and the source kept beside it (the
    translated document is written in its structure)."""
    from align.filenames import safe_file_name
    from align.pipeline import translate_text
    from align.review.sources import keep_source
    from align.tm import wants_memory

    model = embedder(settings)  # the estimate's vectors are cached on disk
    tm = memory(settings)
    glossary = shared_glossary(settings, form.src_lang, form.tgt_lang)
    pasted = (safe_file_name(f"{title}.txt", "source.txt"), source.encode())  # the name: no folder, any length
    kept = (form.src_file.name, form.src_file.getvalue()) if form.src_file is not None else pasted

    def work(progress: Progress) -> int:
        doc = translate_text(
            source,
            translator,
            src_lang=form.src_lang,
            tgt_lang=form.tgt_lang,
            progress=progress,
            name=title,
            embedder=model,
            glossary=glossary,
            tm=tm if wants_memory(settings, form.src_lang, form.tgt_lang, None) else None,  # as the command line
        )
        project = store.create_project(title, doc)
        keep_source(settings, project, *kept)
        return project

    return work


def align_work(
    store: Store, settings: Settings, form: Form, source: str, target: str, title: str, helper: Translator | None
) -> Work:
    """The background alignment of ``source`` with ``target`` into a new project."""
    from align.pipeline import align_texts

    model = embedder(settings)

    def work(progress: Progress) -> int:
        doc = align_texts(
            source,
            target,
            src_lang=form.src_lang,
            tgt_lang=form.tgt_lang,
            name=title,
            embedder=model,
            translator=helper,
            progress=progress,
        )
        return store.create_project(title, doc)

    return work


def task_panel() -> None:
    """While a translation or alignment runs in the background: its progress, then its project.

    The work goes on in its own thread, so clicks, reloads and closed tabs do not stop it; the
    progress bar is a fragment that redraws itself twice a second without rerunning the page.
    """
    memo = state()
    task = get_tasks().get(memo.task) if memo.task else None
    if task is None:
        memo.task = None
        return
    if task.state == "running":
        st.header("New project")
        task_progress(task.key)
        st.caption(
            "This goes on in the background: you may switch projects meanwhile; the new project "
            "appears in the list when it is ready."
        )
        st.stop()
    get_tasks().forget(task.key)
    memo.task = None
    if task.state == "failed":
        st.error(task.error)
        return
    for name in FORM_KEYS:
        st.session_state.pop(name, None)
    open_project(task.result)


@st.fragment(run_every=0.5)
def task_progress(key: str) -> None:
    """The running task's progress bar; once the task has ended, the whole page runs again (to
    open the new project or show the error)."""
    task = get_tasks().get(key)
    if task is None or task.state != "running":
        st.rerun(scope="app")
    else:
        st.progress(task.fraction, text=f"{task.label}: {min(task.done, task.total)} of {task.total} sentences")
