"""Where the workbench keeps its data, read by an explicit call and passed on.

Nothing here runs at import time: no folder is created and no environment variable is frozen
into a module global (the lesson of argostranslate's settings module).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "ALIGN_HOME"


@dataclass(frozen=True)
class Settings:
    """The data folder and what lives in it."""

    home: Path

    @property
    def packages_dir(self) -> Path:
        """Installed Argos-format packages, one folder each."""
        return self.home / "packages"

    @property
    def cache_dir(self) -> Path:
        """Caches that can be deleted at any time (embeddings)."""
        return self.home / "cache"

    @property
    def store_path(self) -> Path:
        """The SQLite database of review projects."""
        return self.home / "projects.sqlite3"


def load_settings(env: Mapping[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> Settings:
    """Resolve the data folder: an explicit ``home``, then ``$ALIGN_HOME``, then the XDG data dir."""
    env = os.environ if env is None else env
    if home is not None:
        return Settings(home=Path(home).expanduser())
    if env.get(ENV_HOME):
        return Settings(home=Path(env[ENV_HOME]).expanduser())
    xdg = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".local" / "share")
    return Settings(home=Path(xdg) / "align-workbench")
