"""The exports under the grid: the translated document in its source file's structure, and the
sentence pairs in every export format; each file is made from the saved state when clicked."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from align.document import AlignedDocument
from align.formats import REGISTRY as EXPORT_FORMATS
from align.review.store import Store
from align.settings import Settings
from align.ui.panels.widgets import choice, plain

POLICIES = {"mt": "machine translation", "source": "source text", "marker": "a marker"}  # what unconfirmed rows give


def exports(store: Store, settings: Settings, project_id: int, doc: AlignedDocument) -> None:
    """Download buttons; the file is made when clicked (from the saved state)."""
    from align.filenames import safe_file_name
    from align.formats import export_problem

    st.divider()
    translated_document(store, settings, project_id, doc.tgt_lang)
    left, *buttons = st.columns([2] + [1] * len(EXPORT_FORMATS))
    scope = choice(left, "Export", {"all": "all rows", "confirmed": "confirmed rows only"}, "export_scope")
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


def export_bytes(store: Store, project_id: int, fmt: str, confirmed_only: bool) -> bytes:
    """The export file, made from the saved state when its button is clicked."""
    from align.formats import to_bytes

    return to_bytes(store.load(project_id), fmt, confirmed_only=confirmed_only)


def written_kind(source: Path) -> str:
    """The kind the translated document of ``source`` is written in: its own where
    ``docout.kinds`` can write it back, else (a PDF) a new .docx. The kind comes from the file's
    first bytes: every rerun draws this row."""
    from align.docout.kinds import OUTPUT_KINDS
    from align.text.readers import source_kind

    with source.open("rb") as handle:
        kind = source_kind(source, handle.read(4096))
    return kind if kind in OUTPUT_KINDS.values() else OUTPUT_KINDS[".docx"]


def translated_document(store: Store, settings: Settings, project_id: int, tgt_lang: str) -> None:
    """The target text in the source file's own structure (docx, md, html, txt)."""
    from align.filenames import safe_file_name
    from align.review.sources import project_source

    source = project_source(settings, project_id)
    if source is None:
        return
    from align.ui.exchange import is_exchange_file

    if is_exchange_file(source):
        written_exchange_file(store, project_id, source)
        return
    kind = written_kind(source)
    left, middle, right = st.columns([2, 3, 1])
    left.markdown(f"**Translated document** ({plain(source.name)} → .{kind})")
    policy = choice(middle, "Unconfirmed rows give", POLICIES, "doc_unconfirmed")
    right.download_button(
        kind.upper(),
        data=functools.partial(translated_bytes, store, project_id, str(source), kind, policy, str(settings.cache_dir)),
        file_name=safe_file_name(f"{source.stem}.{tgt_lang}.{kind}", f"translated.{kind}"),
        key="export_document",
        on_click="ignore",
    )


def translated_bytes(store: Store, project_id: int, source: str, kind: str, policy: str, cache_dir: str) -> bytes:
    """The translated document, made from the saved state when its button is clicked; formatting
    inside sentences is placed with the page's one word aligner (its encoder converted once)."""
    from align.docout import render_translated
    from align.ui.panels.segment import word_aligner

    aligner = word_aligner(cache_dir)
    return render_translated(store.load(project_id), Path(source), kind, unconfirmed=policy, aligner=aligner)


def written_exchange_file(store: Store, project_id: int, source: Path) -> None:
    """The project's XLIFF or PO file written back: its own file with the saved targets."""
    from align.filenames import safe_file_name
    from align.ui.exchange import kind_name

    kind = kind_name(source)
    left, right = st.columns([5, 1])
    left.markdown(f"**Translated file** ({plain(source.name)}, {kind})")
    left.caption(
        "Confirmed rows are written as translated, the others with a target as drafts; locked segments, "
        "and everything outside the targets, stay as they were."
    )
    right.download_button(
        kind,
        data=functools.partial(exchange_bytes, store, project_id, str(source)),
        file_name=safe_file_name(source.name, f"translated{source.suffix}"),
        key="export_exchange",
        on_click="ignore",
    )


def exchange_bytes(store: Store, project_id: int, source: str) -> bytes:
    """The file written back, made from the saved state when its button is clicked."""
    from align.ui.exchange import written_file

    return written_file(store.load(project_id), Path(source))
