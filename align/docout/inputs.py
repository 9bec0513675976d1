"""Where ``export-doc`` gets its aligned document: a file this tool exported, or a page project.

An existing file is read with ``align.formats.read_aligned`` (CSV, TSV, XLSX, JSONL, TMX). Any
other argument names a project of the page by its number or its name, in the data folder's
project database; the database is only opened when it exists.
"""

from __future__ import annotations

from pathlib import Path

from align.document import AlignedDocument
from align.errors import InputError
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET
from align.settings import Settings


def load_aligned(
    name: str, settings: Settings, *, src_lang: str = DEFAULT_SOURCE, tgt_lang: str = DEFAULT_TARGET
) -> AlignedDocument:
    """The aligned document in file ``name``, else in the page project called (or numbered) ``name``."""
    from align.formats import read_aligned

    path = Path(name)
    if path.exists():
        return read_aligned(path, src_lang=src_lang, tgt_lang=tgt_lang)
    store_path = Path(settings.store_path)
    if not store_path.is_file():
        raise InputError(f"{name}: file not found (and there are no projects in {store_path.parent})")
    from align.review.store import open_store

    with open_store(settings) as store:
        projects = store.list_projects()
        found = [p for p in projects if str(p.id) == name.strip()] or [p for p in projects if p.name == name]
        if not found:
            raise InputError(f"{name}: no such file, nor a project of that name or number in {store_path}")
        if len(found) > 1:
            numbers = ", ".join(str(p.id) for p in found)
            raise InputError(f"{name}: {len(found)} projects have this name (numbers {numbers}); give the number")
        return store.load(found[0].id)
