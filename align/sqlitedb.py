"""What our SQLite files share: how a connection is opened, and how schema migrations are applied.

The project store (``align.review.store``) and the translation memory (``align.tm``) are both
shared by the page's sessions and background tasks, so both open their file the same way: WAL (a
reader never waits for a writer), explicit transactions (``isolation_level=None``, BEGIN IMMEDIATE
where a write starts), and a busy timeout instead of an immediate "database is locked".

WAL needs every process on one host sharing memory, so it does not work on a network file system
(https://www.sqlite.org/wal.html): a file on a network drive (a mapped drive or ``\\\\server\\share``
on Windows, NFS, SMB, sshfs or WSL's Windows drives on Linux and macOS) gets the rollback journal
instead, and a warning. SQLite's locking on network file systems is unreliable in any mode: the
data folder belongs on a local disk, used by one machine (README, "Data folder").
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

log = logging.getLogger(__name__)

Migration = tuple[str, Callable[[sqlite3.Connection], None]]

JOURNAL_MODES = ("WAL", "DELETE")  # WAL where it works, else the rollback journal
#: File system types (Linux /proc/self/mounts, macOS ``mount``) whose files live on another host.
#: drvfs: WSL's view of the Windows drives (/mnt/c), served by the Windows host (WSL 2 mounts it
#: as 9p with ``aname=drvfs``; 9p without it is local, e.g. gVisor's root file system).
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "afpfs", "webdav", "davfs", "ncpfs", "afs", "drvfs"}
    | {"ceph", "glusterfs", "lustre", "gpfs", "fuse.sshfs", "fuse.rclone", "fuse.glusterfs", "fuse.davfs2"}
)
_DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive
_MACOS_MOUNT = re.compile(r"^(?P<source>.+?) on (?P<point>.+) \((?P<type>[^,)]+)[^)]*\)$")
_OCTAL = re.compile(r"\\([0-7]{3})")  # /proc/self/mounts writes a space as \040


def connect(path: Path, *, foreign_keys: bool = False, journal: str | None = None) -> sqlite3.Connection:
    """Open (creating its folder) the database at ``path`` for use from several threads, in the
    ``journal`` mode (one of JOURNAL_MODES; default: ``journal_mode(path)``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = journal or journal_mode(path)
    if journal not in JOURNAL_MODES:
        raise ValueError(f"journal mode {journal!r}: use one of {', '.join(JOURNAL_MODES)}")
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    db.execute(f"PRAGMA journal_mode={journal}")
    if foreign_keys:
        db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


def now() -> str:
    """The current UTC time as ISO 8601 seconds (what the files record)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def apply_migrations(db: sqlite3.Connection, migrations: Sequence[Migration], what: str) -> list[str]:
    """Apply the migrations not yet recorded in the ``migrations`` table, in order, each in its
    own transaction; returns the names applied. ``what`` names the file in the log."""
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    applied = []
    for name, func in migrations:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            func(db)
            db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, now()))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        log.info("%s: applied migration %s", what, name)
        applied.append(name)
    return applied


def journal_mode(path: Path) -> str:
    """WAL, or DELETE (with a warning, once per file) where ``path`` is on a network drive."""
    where = network_drive(path)
    if where is None:
        return "WAL"
    _warn_network(str(path), where)
    return "DELETE"


@functools.cache
def _warn_network(path: str, where: str) -> None:
    log.warning(
        "%s is on a network drive (%s): SQLite's WAL mode does not work there, using a rollback journal; "
        "keep the data folder on a local disk (set ALIGN_HOME) for speed and safety",
        path,
        where,
    )


def network_drive(path: Path) -> str | None:
    """What makes ``path`` a network path (a file system type, 'UNC path', 'network drive'), or
    None where it is local or the system does not say."""
    try:
        resolved = path.resolve()
    except OSError:
        return None
    if os.name == "nt":
        return _windows_network(str(resolved))
    return network_mount(PurePosixPath(resolved), parse_mount_table(_mount_table_text()))


def _windows_network(path: str) -> str | None:
    if windows_unc(path):
        return "UNC path"
    drive = PureWindowsPath(path.removeprefix("\\\\?\\")).drive
    return "network drive" if drive and _drive_type(drive + "\\") == _DRIVE_REMOTE else None


def _drive_type(root: str) -> int:
    """Windows' GetDriveTypeW for a drive's root (``C:\\``); 0 (unknown) on other systems."""
    if sys.platform != "win32":
        return 0
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))


def windows_unc(path: str) -> bool:
    """Whether ``path`` is a Windows network path: ``\\\\server\\share\\...``, also as
    ``//server/share`` or ``\\\\?\\UNC\\server\\share``."""
    if path.startswith("\\\\?\\"):
        return path[4:].upper().startswith("UNC\\")
    return PureWindowsPath(path).drive.startswith(("\\\\", "//"))


def _mount_table_text() -> str:
    """The mount table: Linux's /proc/self/mounts, else ``mount``'s output (macOS, BSD); empty
    where neither can be read (then nothing counts as a network drive)."""
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    try:
        done = subprocess.run(["mount"], capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def parse_mount_table(text: str) -> list[tuple[PurePosixPath, str]]:
    """(mount point, file system type) of each line of /proc/self/mounts or of macOS's ``mount``."""
    table = []
    for line in text.splitlines():
        found = _MACOS_MOUNT.match(line)
        if found:
            table.append((PurePosixPath(found["point"]), found["type"].strip()))
            continue
        fields = line.split()
        if len(fields) >= 3:
            kind = "drvfs" if fields[2] == "9p" and "drvfs" in "".join(fields[3:4]) else fields[2]
            table.append((PurePosixPath(_OCTAL.sub(lambda m: chr(int(m[1], 8)), fields[1])), kind))
    return table


def network_mount(path: PurePath, table: Sequence[tuple[PurePosixPath, str]]) -> str | None:
    """The file system type of the innermost mount holding ``path`` when it is a network one (of
    two mounts on one point, the later: it hides the earlier)."""
    holding = [(len(point.parts), n, kind) for n, (point, kind) in enumerate(table) if path.is_relative_to(point)]
    if not holding:
        return None
    kind = max(holding)[2]
    return kind if kind in NETWORK_FILESYSTEMS else None
