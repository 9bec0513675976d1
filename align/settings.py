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
APP_FOLDER = "align-workbench"  # the data folder's name under the system's data folder


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


def load_settings(
    env: Mapping[str, str] | None = None, home: str | os.PathLike[str] | None = None, *, os_name: str = os.name
) -> Settings:
    """Resolve the data folder: an explicit ``home``, then ``$ALIGN_HOME``, then the system's own
    place for an application's data (``default_home``). ``os_name`` is ``os.name`` (tests pass
    ``"nt"`` to get Windows' answer on any system)."""
    env = os.environ if env is None else env
    if home is not None:
        return Settings(home=Path(home).expanduser())
    if env.get(ENV_HOME):
        return Settings(home=Path(env[ENV_HOME]).expanduser())
    return Settings(home=default_home(env, os_name))


def default_home(env: Mapping[str, str], os_name: str) -> Path:
    """The data folder when none is named. Linux and macOS: the XDG data folder
    (``~/.local/share/align-workbench``). Windows: ``%LOCALAPPDATA%\\align-workbench``, local rather
    than roaming because models are hundreds of MB; a folder an earlier version made under
    ``~/.local/share`` is used while the new one does not exist, so no project is left behind."""
    if os_name != "nt":
        return xdg_data_home(env, user_home(env, os_name)) / APP_FOLDER
    local = Path(env.get("LOCALAPPDATA") or user_home(env, os_name) / "AppData" / "Local") / APP_FOLDER
    # what earlier versions chose on Windows: $HOME when set, else what Path.home() gives there
    earlier_home = Path(env["HOME"]) if env.get("HOME") else user_home(env, os_name)
    earlier = xdg_data_home(env, earlier_home) / APP_FOLDER
    return earlier if earlier.is_dir() and not local.exists() else local


def user_home(env: Mapping[str, str], os_name: str) -> Path:
    """The user's home folder as ``Path.home()`` finds it, read from ``env``: on Windows
    %USERPROFILE% (Git Bash and MSYS set a HOME that Windows programs do not use), else $HOME."""
    keys = ("USERPROFILE", "HOME") if os_name == "nt" else ("HOME",)
    found = next((env[key] for key in keys if env.get(key)), None)
    return Path(found) if found else Path.home()


def xdg_data_home(env: Mapping[str, str], home: Path) -> Path:
    """$XDG_DATA_HOME, else ``~/.local/share`` (the XDG default)."""
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
