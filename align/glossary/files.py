"""Glossary files: reading one by its extension, and the shared glossary of the data folder.

The shared glossary is a file named ``glossary.tbx``, ``glossary.xlsx``, ``glossary.csv`` or
``glossary.tsv`` in the data folder (``$ALIGN_HOME``; ``Settings.home``): a house termbase every
translation uses unless told not to. Project and per-call glossaries come after it and override
its term pairs (``merge_glossaries``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from align.errors import InputError
from align.glossary.model import Glossary, OtherLanguages, merge_glossaries
from align.glossary.tabular import read_delimited, read_xlsx
from align.glossary.tbx import read_tbx
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET
from align.settings import Settings

log = logging.getLogger(__name__)

#: File suffix -> glossary format.
GLOSSARY_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".tbx": "tbx", ".xml": "tbx"}
SHARED_NAMES = ("glossary.tbx", "glossary.xlsx", "glossary.csv", "glossary.tsv")


def read_glossary(path: Path, src_lang: str = DEFAULT_SOURCE, tgt_lang: str = DEFAULT_TARGET) -> Glossary:
    """Read a CSV, TSV, XLSX or TBX glossary (format by extension) for the language pair.

    ``InputError`` when the file cannot be read or has another extension; ``FormatError``
    naming the file and line when its content is malformed."""
    from align.text.readers import read_bytes

    path = Path(path)
    fmt = GLOSSARY_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: cannot read a glossary from {path.suffix or 'a file without extension'}; "
            f"use one of {', '.join(sorted(GLOSSARY_SUFFIXES))}"
        )
    data = read_bytes(path)
    if fmt == "tbx":
        glossary = read_tbx(path, data, src_lang, tgt_lang)
    elif fmt == "xlsx":
        glossary = read_xlsx(path, data, src_lang, tgt_lang)
    else:
        glossary = read_delimited(path, data, src_lang, tgt_lang, "\t" if fmt == "tsv" else None)
    if not glossary:
        log.warning("%s: no glossary entries for %s->%s", path, src_lang, tgt_lang)
    log.info("read %d glossary entries from %s", len(glossary), path)
    return glossary


def shared_glossary_paths(settings: Settings) -> list[Path]:
    """The shared glossary files of the data folder that exist (usually none or one)."""
    return [settings.home / name for name in SHARED_NAMES if (settings.home / name).is_file()]


def load_glossaries(
    paths: Iterable[Path] = (),
    *,
    settings: Settings | None = None,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    shared: bool = True,
) -> Glossary | None:
    """The glossary a translation uses: the shared one (when ``shared`` and ``settings`` has one),
    then ``paths`` in order, merged; None when there is none. Every file is read before any
    model is loaded, so a bad glossary fails fast. A shared glossary whose columns or TBX
    languages are for other languages is left out with a warning (a de->en house glossary does
    not block de->fr); one with plain source/target columns applies to every pair."""
    glossaries: list[Glossary] = []
    for path in shared_glossary_paths(settings) if shared and settings is not None else []:
        try:
            glossaries.append(read_glossary(path, src_lang, tgt_lang))
        except OtherLanguages as err:  # a house termbase for other pairs must not block this one
            log.warning("shared glossary left out for %s->%s: %s", src_lang, tgt_lang, err)
    glossaries.extend(read_glossary(Path(p), src_lang, tgt_lang) for p in paths)
    return merge_glossaries(glossaries, name=" + ".join(g.name for g in glossaries))


def replace_shared_glossary(settings: Settings, name: str, data: bytes) -> Path:
    """Make ``data`` (a file called ``name``: CSV, TSV, XLSX or TBX by its extension) the data
    folder's shared glossary, in place of the one there in whatever format; returns its path.
    The file is written beside the old one and swapped in, so a failed write keeps the old one."""
    import os

    suffix = Path(name).suffix.lower()
    target = next((settings.home / n for n in SHARED_NAMES if n.endswith(suffix)), None) if suffix else None
    if target is None:
        kinds = ", ".join(n.rsplit(".", 1)[1] for n in SHARED_NAMES[:-1]) + f" or {SHARED_NAMES[-1].rsplit('.', 1)[1]}"
        raise InputError(f"{name}: a shared glossary is a {kinds} file; save it in one of those formats")
    settings.home.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    for old in shared_glossary_paths(settings):
        if old != target:
            old.unlink(missing_ok=True)
    os.replace(partial, target)
    log.info("shared glossary replaced by %s (%s)", name, target)
    return target
