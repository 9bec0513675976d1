"""Files that belong to a project, kept in the data folder beside the project database.

* its source: the translated document is written in the source's own structure (``align.docout``),
  so the page keeps the uploaded file, or the pasted text as .txt: ``sources/<id>/<file name>``;
* its glossary (CSV, TSV, XLSX or TBX), used with the shared one: ``glossaries/<id>/<file name>``.

Those file names come from user content (an upload's name, the project name for pasted text), and
so do the names the page offers for downloads: ``safe_file_name`` is the one rule that makes such
a name a file name on Linux, macOS and Windows alike (bounded, no Windows device name, no
character Windows refuses).
"""

from __future__ import annotations

import shutil
from pathlib import Path, PureWindowsPath

from align.errors import AlignError
from align.filenames import safe_file_name
from align.settings import Settings

SOURCES = "sources"
GLOSSARIES = "glossaries"


def _folder(settings: Settings, project_id: int, kind: str = SOURCES) -> Path:
    return Path(settings.home) / kind / str(int(project_id))


def keep_source(settings: Settings, project_id: int, name: str, data: bytes, kind: str = SOURCES) -> Path:
    """Store the project's source file (or, with ``kind=GLOSSARIES``, its glossary; only the base
    name is used, made safe by ``safe_file_name``); replaces an earlier one."""
    folder = _folder(settings, project_id, kind)
    safe = safe_file_name(PureWindowsPath(name).name, "source.txt")  # PureWindowsPath: / and \ both separate
    try:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        path = folder / safe
        path.write_bytes(data)
    except OSError as err:
        raise AlignError(f"cannot keep the file of project {project_id} in {folder}: {err}") from None
    return path


def project_source(settings: Settings, project_id: int, kind: str = SOURCES) -> Path | None:
    """The project's kept source file (or glossary), or None (a project made before sources were
    kept, or without a glossary of its own)."""
    folder = _folder(settings, project_id, kind)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return files[0] if files else None


def forget_source(settings: Settings, project_id: int, kinds: tuple[str, ...] = (SOURCES, GLOSSARIES)) -> None:
    """Remove a deleted project's files (or, with ``kinds``, only those)."""
    for kind in kinds:
        shutil.rmtree(_folder(settings, project_id, kind), ignore_errors=True)
