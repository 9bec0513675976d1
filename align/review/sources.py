"""The file a project was made from, kept in the data folder.

The translated document is written in its source's own structure (``align.docout``), so the page
keeps each project's source (the uploaded file, or the pasted text as .txt) beside the project
database: ``sources/<project id>/<file name>``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from align.errors import AlignError


def _folder(settings: Any, project_id: int) -> Path:
    return Path(settings.home) / "sources" / str(int(project_id))


def keep_source(settings: Any, project_id: int, name: str, data: bytes) -> Path:
    """Store the project's source file (only its base name is used); replaces an earlier one."""
    folder = _folder(settings, project_id)
    safe = Path(name).name or "source.txt"
    try:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        path = folder / safe
        path.write_bytes(data)
    except OSError as err:
        raise AlignError(f"cannot keep the source file of project {project_id} in {folder}: {err}") from None
    return path


def project_source(settings: Any, project_id: int) -> Path | None:
    """The project's kept source file, or None (a project made before sources were kept)."""
    folder = _folder(settings, project_id)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return files[0] if files else None


def forget_source(settings: Any, project_id: int) -> None:
    """Remove a deleted project's source file."""
    shutil.rmtree(_folder(settings, project_id), ignore_errors=True)
