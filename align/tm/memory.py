"""The translation memory: one local SQLite file of translation units, and lookups in it.

The file is ``tm.sqlite3`` in the data folder (beside ``projects.sqlite3``; ``tm_path``). Its schema
is built by named, ordered migrations recorded in a ``migrations`` table, as the project store
does, so a newer workbench upgrades an old memory instead of losing it.

A unit is unique on (source language, target language, source, target), all in the TM's normal
form (``align.tm.text``): adding a unit that is already there updates its context, origin and
``updated_at`` instead of storing it twice, so importing the same file again changes nothing but
timestamps. One source may have several targets (several units); lookups rank the most recently
updated first among equal scores.

Lookups (``lookup``) combine an exact search on the indexed source (101% and 100%) with fuzzy
candidates from the word index (``align.tm.index``) scored by ``align.tm.match``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from align.errors import AlignError
from align.mt.langcodes import base_lang
from align.settings import Settings
from align.sqlitedb import apply_migrations, connect, now
from align.tm.index import BACKENDS, Postings, candidate_ids, count_terms, create_terms_table, fts5_available
from align.tm.match import EXACT_MATCH, MIN_FUZZY, Match, Unit, fuzzy_score, score
from align.tm.text import normalise

log = logging.getLogger(__name__)

TM_FILE = "tm.sqlite3"
#: Fuzzy candidates scored per lookup (``align.tm.index``).
CANDIDATES = 40
#: Units written per transaction when adding many, and at most this many characters of text
#: (source and target) held for one: memory stays bounded however long the units are.
BATCH = 5000
BATCH_CHARS = 1_000_000

_UNIT_COLUMNS = "id, src_lang, tgt_lang, source, target, prev_source, next_source, origin, project, file, created_at, updated_at"


class TMError(AlignError):
    """The translation memory cannot be opened, read or written."""


def tm_path(settings: Settings) -> Path:
    """The translation memory of a data folder (``settings.home``)."""
    return Path(settings.home) / TM_FILE


# ---- schema --------------------------------------------------------------------------------------
def _m001_units(db: sqlite3.Connection, index: str) -> None:
    db.execute(
        """CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            src_lang TEXT NOT NULL,
            tgt_lang TEXT NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            prev_source TEXT NOT NULL DEFAULT '',
            next_source TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT '',
            project TEXT NOT NULL DEFAULT '',
            file TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (src_lang, tgt_lang, source, target)
        )"""
    )  # the unique index also serves exact lookups: (src_lang, tgt_lang, source) is its prefix
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta (key, value) VALUES ('index', ?)", (index,))
    create_terms_table(db)
    BACKENDS[index]().create(db)


#: (name, function(db, index backend name)), applied in order, each once.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection, str], None]]] = [
    ("001_units", _m001_units),
]


def migrate(db: sqlite3.Connection, index: str) -> list[str]:
    """Apply the memory's migrations not yet recorded (``align.sqlitedb``); ``index`` is the word
    index a new file is built with."""

    def with_index(func: Callable[[sqlite3.Connection, str], None]) -> Callable[[sqlite3.Connection], None]:
        return lambda connection: func(connection, index)

    return apply_migrations(db, [(name, with_index(func)) for name, func in MIGRATIONS], "tm")


# ---- public types --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddResult:
    """What adding units did: new units, units that were there (updated), units left out (a side empty)."""

    added: int = 0
    updated: int = 0
    skipped: int = 0

    def __add__(self, other: AddResult) -> AddResult:
        return AddResult(self.added + other.added, self.updated + other.updated, self.skipped + other.skipped)


@dataclass(frozen=True)
class TMStats:
    """Units per language pair and per origin, and the file's size on disk (with its WAL)."""

    path: Path
    size_bytes: int
    units: int
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    origins: dict[str, int] = field(default_factory=dict)
    index: str = ""

    def format(self) -> str:
        lines = [f"{self.path}: {self.units} unit(s), {self.size_bytes / 1e6:.1f} MB (index: {self.index})"]
        for (src, tgt), count in sorted(self.pairs.items()):
            lines.append(f"  {src}->{tgt}\t{count}")
        if self.origins:
            lines.append("by origin:")
            lines.extend(f"  {origin or '(none)'}\t{count}" for origin, count in sorted(self.origins.items()))
        return "\n".join(lines)


# ---- the memory ----------------------------------------------------------------------------------
class TranslationMemory:
    """A connection to one TM file; safe to share between threads (it locks).

    ``index`` chooses the word index of a new file ("fts5", or "postings" where SQLite lacks
    FTS5; default: FTS5 when available); an existing file keeps the index it was built with.
    """

    def __init__(self, path: Path | str, *, index: str | None = None) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        wanted = index or ("fts5" if fts5_available() else "postings")
        if wanted not in BACKENDS:
            raise TMError(f"unknown TM index {wanted!r}; use one of {', '.join(BACKENDS)}")
        try:
            self._db = connect(self.path)
            migrate(self._db, wanted)
            (self.index,) = self._db.execute("SELECT value FROM meta WHERE key = 'index'").fetchone()
            self._postings: Postings = BACKENDS[self.index]()
            if self.index == "fts5" and not fts5_available():
                raise TMError(
                    f"{self.path} was built with SQLite FTS5, which this Python's sqlite3 lacks; "
                    "use a Python whose SQLite has FTS5 (python.org and Debian builds do)"
                )
            (self._total,) = self._db.execute("SELECT COUNT(*) FROM units").fetchone()
        except (sqlite3.Error, OSError) as err:
            raise TMError(f"cannot open the translation memory {self.path}: {err}") from err

    # -- plumbing --
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --
    def add(self, units: Iterable[Unit], *, batch: int = BATCH) -> AddResult:
        """Add units (normalised here, languages reduced to their base: ``de-DE`` -> ``de``); a unit
        already stored gets the new context, origin, project, file and ``updated_at``. Units with
        an empty side are skipped. Written in transactions of ``batch`` units, so a huge import
        holds no lock for long, memory stays bounded (``BATCH_CHARS``) and an error keeps what was
        written before it."""
        result = AddResult()
        chunk: list[Unit] = []
        chars = 0
        for unit in units:
            chunk.append(unit)
            chars += len(unit.source) + len(unit.target)
            if len(chunk) >= batch or chars >= BATCH_CHARS:
                result += self._add_chunk(chunk)
                chunk, chars = [], 0
        if chunk:
            result += self._add_chunk(chunk)
        return result

    def _add_chunk(self, units: Sequence[Unit]) -> AddResult:
        stamp = now()
        added: list[tuple[int, str]] = []
        updated = skipped = 0
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for unit in units:
                        source, target = normalise(unit.source), normalise(unit.target)
                        src, tgt = base_lang(unit.src_lang), base_lang(unit.tgt_lang)
                        if not (source and target and src and tgt):
                            skipped += 1
                            continue
                        context = (normalise(unit.prev_source), normalise(unit.next_source), unit.origin, unit.project, unit.file)
                        row = self._db.execute(
                            "SELECT id FROM units WHERE src_lang = ? AND tgt_lang = ? AND source = ? AND target = ?",
                            (src, tgt, source, target),
                        ).fetchone()
                        if row is not None:
                            self._db.execute(
                                "UPDATE units SET prev_source = ?, next_source = ?, origin = ?, project = ?, file = ?, "
                                "updated_at = ? WHERE id = ?",
                                (*context, stamp, row[0]),
                            )
                            updated += 1
                            continue
                        cur = self._db.execute(
                            "INSERT INTO units (src_lang, tgt_lang, source, target, prev_source, next_source, origin, "
                            "project, file, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (src, tgt, source, target, *context, unit.created_at or stamp, stamp),
                        )
                        assert cur.lastrowid is not None, "an INSERT sets lastrowid"
                        added.append((cur.lastrowid, source))
                    self._postings.add(self._db, added)
                    count_terms(self._db, (source for _, source in added))
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as err:
                raise TMError(f"cannot write the translation memory {self.path}: {err}") from err
            self._total += len(added)
        return AddResult(len(added), updated, skipped)

    # -- reading --
    def count(self, src_lang: str | None = None, tgt_lang: str | None = None) -> int:
        """Units in the memory, or of one language pair (any variant: ``de-DE`` counts as ``de``)."""
        if src_lang is None or tgt_lang is None:
            return self._total
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM units WHERE src_lang = ? AND tgt_lang = ?", (base_lang(src_lang), base_lang(tgt_lang))
            ).fetchone()
        return int(count)

    def lookup(
        self,
        source: str,
        src_lang: str,
        tgt_lang: str,
        *,
        previous: str = "",
        following: str = "",
        min_score: int = MIN_FUZZY,
        limit: int = 5,
    ) -> list[Match]:
        """The best matches for ``source`` (101%, 100%, then fuzzy down to ``min_score``), best
        first, the most recently updated first among equal scores. ``previous`` and ``following``
        are the sentences around ``source`` in its document ("" at its edges): the same ones as
        the unit's make a 101% match."""
        query, context = normalise(source), (normalise(previous), normalise(following))
        src, tgt = base_lang(src_lang), base_lang(tgt_lang)
        if not query:
            return []
        found: dict[int, Match] = {u.id: Match(u, score(query, u, *context), query) for u in self._same_source(query, src, tgt)}
        lo, hi = _length_bounds(len(query), min_score)
        with self._lock:
            ids = [i for i in candidate_ids(self._db, self._postings, query, self._total, CANDIDATES) if i not in found]
        for unit in self._by_ids(ids, src, tgt):
            if lo <= len(unit.source) <= hi:
                points = fuzzy_score(query, unit.source)
                if points >= min_score:
                    found[unit.id] = Match(unit, points, query)
        return _ranked(found.values())[:limit]

    def exact(self, source: str, src_lang: str, tgt_lang: str, *, previous: str = "", following: str = "") -> Match | None:
        """The best 101% or 100% match of ``source``, or None: what pre-translation inserts."""
        query = normalise(source)
        if not query:
            return None
        context = (normalise(previous), normalise(following))
        matches = [
            Match(u, score(query, u, *context), query) for u in self._same_source(query, base_lang(src_lang), base_lang(tgt_lang))
        ]
        ranked = _ranked(m for m in matches if m.score >= EXACT_MATCH)
        return ranked[0] if ranked else None

    def units(self, src_lang: str | None = None, tgt_lang: str | None = None, *, chunk: int = 2000) -> Iterator[Unit]:
        """Every unit (of one language pair when given), in the order they were added; read in
        chunks, so exporting a big memory holds neither the lock nor all units at once."""
        where, params = "", []
        if src_lang:
            where += " AND src_lang = ?"
            params.append(base_lang(src_lang))
        if tgt_lang:
            where += " AND tgt_lang = ?"
            params.append(base_lang(tgt_lang))
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {_UNIT_COLUMNS} FROM units WHERE id > ?{where} ORDER BY id LIMIT ?", (last, *params, chunk)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _unit(row)
            last = rows[-1][0]

    def stats(self) -> TMStats:
        with self._lock:
            pairs = {(s, t): n for s, t, n in self._db.execute("SELECT src_lang, tgt_lang, COUNT(*) FROM units GROUP BY 1, 2")}
            origins = dict(self._db.execute("SELECT origin, COUNT(*) FROM units GROUP BY 1").fetchall())
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return TMStats(self.path, size, self._total, pairs, origins, self.index)

    # -- internals --
    def _same_source(self, query: str, src: str, tgt: str) -> list[Unit]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_UNIT_COLUMNS} FROM units WHERE src_lang = ? AND tgt_lang = ? AND source = ?", (src, tgt, query)
            ).fetchall()
        return [_unit(r) for r in rows]

    def _by_ids(self, ids: Sequence[int], src: str, tgt: str) -> list[Unit]:
        """Units by id, of one language pair (``+`` keeps SQLite on the ids, off the language index)."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_UNIT_COLUMNS} FROM units WHERE id IN ({marks}) AND +src_lang = ? AND +tgt_lang = ?",
                (*ids, src, tgt),
            ).fetchall()
        return [_unit(r) for r in rows]


def _unit(row: Sequence[Any]) -> Unit:
    unit_id, src, tgt, source, target, prev, nxt, origin, project, file, created, updated = row
    return Unit(source, target, src, tgt, prev, nxt, origin, project, file, created, updated, unit_id)


def _ranked(matches: Iterable[Match]) -> list[Match]:
    """Best score first; among equal scores the most recently updated unit, then the newest."""
    return sorted(matches, key=lambda m: (-m.score, _desc(m.unit.updated_at), -m.unit.id))


def _desc(stamp: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in stamp)


def _length_bounds(length: int, min_score: int) -> tuple[float, float]:
    """Source lengths that can reach ``min_score``: the Indel ratio is at most 2 min / (a + b)."""
    share = max(min(min_score, 99), 1) / 100
    return length * share / (2 - share), length * (2 - share) / share


def open_tm(settings: Settings) -> TranslationMemory:
    """The translation memory of a data folder (created empty on first use)."""
    return TranslationMemory(tm_path(settings))


def has_units(settings: Settings, src_lang: str, tgt_lang: str) -> bool:
    """Whether the data folder's memory exists and holds units for the language pair (no file is
    created to find out)."""
    path = tm_path(settings)
    if not path.is_file():
        return False
    with TranslationMemory(path) as tm:
        return tm.count(src_lang, tgt_lang) > 0
