"""What our SQLite files share: how a connection is opened, and how schema migrations are applied.

The project store (``align.review.store``) and the translation memory (``align.tm``) are both
shared by the page's sessions and background jobs, so both open their file the same way: WAL (a
reader never waits for a writer), explicit transactions (``isolation_level=None``, BEGIN IMMEDIATE
where a write starts), and a busy timeout instead of an immediate "database is locked".
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

Migration = tuple[str, Callable[[sqlite3.Connection], None]]


def connect(path: Path, *, foreign_keys: bool = False) -> sqlite3.Connection:
    """Open (creating its folder) the database at ``path`` for use from several threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
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
