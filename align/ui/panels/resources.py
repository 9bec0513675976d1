"""The page's cached resources: loaded once per app process and shared by its sessions (each
locks what needs locking), or read again only when their files change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from align.review.store import Store
from align.settings import Settings

if TYPE_CHECKING:
    from align.embed import Embedder
    from align.glossary import Glossary
    from align.mt.translate import Translator
    from align.tm import TranslationMemory
    from align.tm.memory import TMStats
    from align.ui.tasks import Tasks


@st.cache_resource
def get_store(path: str, tm_file: str) -> Store:
    """One database connection per data folder, shared by all sessions (the store locks); rows
    confirmed in it go into the data folder's translation memory."""
    from align.tm import confirmed_sink

    return Store(Path(path), on_confirmed=confirmed_sink(Path(tm_file)))


def open_store(settings: Settings) -> Store:
    """The data folder's store (``get_store``)."""
    from align.tm import tm_path

    return get_store(str(settings.store_path), str(tm_path(settings)))


@st.cache_resource
def get_tm(path: str) -> TranslationMemory:
    """The data folder's translation memory, shared by all sessions (it locks)."""
    from align.tm import TranslationMemory

    return TranslationMemory(Path(path))


def memory(settings: Settings) -> TranslationMemory:
    """The data folder's translation memory (``get_tm``)."""
    from align.tm import tm_path

    return get_tm(str(tm_path(settings)))


@st.cache_resource
def get_glossary(paths: tuple[str, ...], stamps: tuple[float, ...], src: str, tgt: str) -> Glossary | None:
    """The shared glossary for a language pair, read again when its file changes (``stamps``)."""
    from align.glossary import load_glossaries

    return load_glossaries([Path(p) for p in paths], src_lang=src, tgt_lang=tgt, shared=False)


@st.cache_data(max_entries=4, show_spinner=False)
def memory_stats(path: str, stamp: tuple[int, ...]) -> TMStats:
    """The memory's size per language pair; counting a large memory takes a while, so a rerun
    reads it again only when the file changed (``stamp``: the database's and its WAL's size and time)."""
    return get_tm(path).stats()


def memory_size(settings: Settings) -> TMStats:
    """``memory_stats`` of the data folder's translation memory, as it is now."""
    from align.tm import tm_path

    path = tm_path(settings)
    stamp: list[int] = []
    for part in (path, path.with_name(path.name + "-wal")):
        info = part.stat() if part.exists() else None
        stamp += [info.st_size, info.st_mtime_ns] if info else [0, 0]
    return memory_stats(str(path), tuple(stamp))


def memory_has(settings: Settings, src: str, tgt: str) -> bool:
    """Whether the memory holds units for the pair, from the cached ``memory_size`` (every rerun
    of the segment panel asks; languages as the memory stores them: de-DE is de)."""
    from align.mt.langcodes import base_lang

    return bool(memory_size(settings).pairs.get((base_lang(src), base_lang(tgt))))


def shared_glossary(settings: Settings, src: str, tgt: str, project_id: int | None = None) -> Glossary | None:
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
def get_translator(package_path: str, version: str) -> Translator:
    """A loaded Argos package (CTranslate2 + SentencePiece), kept while the app runs."""
    from align.mt.packages import read_package
    from align.mt.translate import TranslateOptions, Translator

    return Translator.load(read_package(Path(package_path)), TranslateOptions())


def find_translator(src: str, tgt: str, settings: Settings, model: str | None = None) -> Translator:
    """The translator for a language pair: the package named ``model``, else find_package's fixed
    default; ModelNotInstalled says how to get one."""
    from align.mt.packages import find_package

    package = find_package(src, tgt, settings, model=model)
    return get_translator(str(package.path), package.version)


@st.cache_resource
def get_tasks() -> Tasks:
    """Background translations and alignments of this app process."""
    from align.ui.tasks import Tasks

    return Tasks()


@st.cache_resource(show_spinner="Loading the sentence embedding model…")
def get_embedder(cache_dir: str) -> Embedder:
    """The aligner's sentence embedder with its on-disk cache (re-aligning is cheap)."""
    from align.embed import Embedder

    return Embedder(cache_dir=Path(cache_dir))


#: session key of the sentence embedder the page aligns and estimates with ("" = e5-small, the default)
EMBEDDER_KEY = "embedder_name"


def embedder(settings: Settings) -> Embedder:
    """The data folder's embedder: the sidebar's choice of imported encoder (``EMBEDDER_KEY``), else
    e5-small (``get_embedder``)."""
    name = st.session_state.get(EMBEDDER_KEY, "")
    return get_imported_embedder(str(settings.home), name) if name else get_embedder(str(settings.cache_dir))


@st.cache_resource(show_spinner="Loading the sentence encoder…")
def get_imported_embedder(home: str, name: str) -> Embedder:
    """An encoder imported with ``models import-embedder``, kept while the app runs."""
    from align.embed.encoders import embedder_named

    return embedder_named(Settings(home=Path(home)), name)
