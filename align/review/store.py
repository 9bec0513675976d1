"""Review projects in a local SQLite database: every edit saved at once, with its undo history.

One database file (``settings.store_path``) holds all projects. The schema is built by named,
ordered migrations recorded in a ``migrations`` table (the sqlite-utils way), so a newer version
of the workbench upgrades an old database instead of losing a translator's work.

Writes are small: :meth:`Store.apply` diffs the stored rows against the new document (common
prefix and suffix) and writes only the rows in between, so a one-cell edit is one ``UPDATE``
however long the document. Rows are ordered by a real-valued ``ord`` so that inserting a row
does not renumber the rows below it.

The undo history is a list of patches ``(start, old rows, new rows)`` per project, also in the
database: a reload, a closed tab or a restarted app finds the same document and can still undo.

Two tabs or windows on one project must never undo each other's work: every project has a
``revision`` that every write bumps (edit, undo, redo, rename), and every write from the page
names the revision its copy was loaded at (``base``, optimistic concurrency): when another tab
wrote in between, the write is refused with :class:`StaleProject` and nothing changes, so a stale
copy never brings old text back. The check is one indexed read inside the write's transaction.

Rows that become confirmed are handed to ``on_confirmed`` once saved (``open_store`` adds them to
the data folder's translation memory, ``align.tm``): every way of confirming a row (the page's
Confirm, any edit of the document) passes through :meth:`Store.apply`, and a new project's
already confirmed rows (an imported file) through :meth:`Store.create_project`. Undo does not take
a unit out of the memory again, as in CAT tools.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.codes import Code, code_records, codes_from_records
from align.document import AlignedDocument, Origin, Pair, Sentence, Signature, Status
from align.errors import StoreError
from align.settings import Settings
from align.sqlitedb import apply_migrations, connect, now

log = logging.getLogger(__name__)

MAX_HISTORY = 100  # undo steps kept per project (at least 50 are promised)
#: Called after an edit with the saved document, the rows it confirmed and the project's name.
ConfirmedHook = Callable[[AlignedDocument, Sequence[int], str], None]
ORD_STEP = 1024.0
MIN_ORD_GAP = 1e-6


# ---- schema --------------------------------------------------------------------------------
def _script(db: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one (``executescript`` would commit the migration's transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            src_lang TEXT NOT NULL,
            tgt_lang TEXT NOT NULL,
            doc_name TEXT NOT NULL DEFAULT '',
            signature TEXT NOT NULL DEFAULT '{}',
            source_sentences TEXT NOT NULL DEFAULT '[]',
            target_sentences TEXT NOT NULL DEFAULT '[]',
            history_pos INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE pairs (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            ord REAL NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            src_ids TEXT NOT NULL,
            tgt_ids TEXT NOT NULL,
            confidence REAL NOT NULL,
            status TEXT NOT NULL,
            paragraph INTEGER NOT NULL,
            flags TEXT NOT NULL,
            note TEXT NOT NULL
        );
        CREATE INDEX pairs_by_project ON pairs(project_id, ord);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            label TEXT NOT NULL,
            start INTEGER NOT NULL,
            old_rows TEXT NOT NULL,
            new_rows TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (project_id, seq)
        );
        """,
    )


def _m002_revision(db: sqlite3.Connection) -> None:
    # a counter bumped by every write of a project: the page caches the document by it, and a
    # write names the revision it started from (a stale tab's write is refused)
    db.execute("ALTER TABLE projects ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")


def _m003_quality(db: sqlite3.Connection) -> None:
    # a row's quality estimate (NULL: not estimated) and its reasons; rows saved before read as
    # not estimated. Undo steps saved before hold 9-field rows, which ``_row_pair`` still reads.
    db.execute("ALTER TABLE pairs ADD COLUMN quality REAL")
    db.execute("ALTER TABLE pairs ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]'")


def _m004_origin(db: sqlite3.Connection) -> None:
    # where a row's target came from (mt, tm101, tm100, edited; '' for aligned or imported rows
    # and rows saved before). Undo steps saved before hold 9- or 11-field rows; ``_row_pair`` reads them.
    db.execute("ALTER TABLE pairs ADD COLUMN origin TEXT NOT NULL DEFAULT ''")


def _m005_codes(db: sqlite3.Connection) -> None:
    # a row's inline codes on each side (``align.codes.code_records``, '[]' for none, as rows
    # saved before read). Undo steps saved before hold 9-, 11- or 12-field rows; ``_row_pair`` reads them.
    db.execute("ALTER TABLE pairs ADD COLUMN src_codes TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE pairs ADD COLUMN tgt_codes TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_revision", _m002_revision),
    ("003_quality", _m003_quality),
    ("004_origin", _m004_origin),
    ("005_codes", _m005_codes),
]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the project store's migrations not yet recorded (``align.sqlitedb``)."""
    return apply_migrations(db, MIGRATIONS, "store")


# ---- rows <-> JSON -------------------------------------------------------------------------
def _pair_row(pair: Pair) -> tuple[Any, ...]:
    return (
        pair.source,
        pair.target,
        json.dumps(list(pair.src_ids)),
        json.dumps(list(pair.tgt_ids)),
        float(pair.confidence),
        Status.parse(pair.status).value,
        int(pair.paragraph),
        json.dumps(list(pair.flags)),
        pair.note,
        None if pair.quality is None else float(pair.quality),
        json.dumps(list(pair.reasons), ensure_ascii=False),
        str(pair.origin),
        _codes_json(pair.src_codes),
        _codes_json(pair.tgt_codes),
    )


def _codes_json(codes: Sequence[Code]) -> str:
    return json.dumps(code_records(codes), ensure_ascii=False) if codes else "[]"


def _codes(data: str) -> tuple[Code, ...]:
    """Stored codes as they were saved (a project always opens; whether they fit the text is
    for the checks and writers to say); '[]' (no codes, most rows) without the JSON parser."""
    return codes_from_records(json.loads(data), None) if data != "[]" else ()


_STATUS = {s.value: s for s in Status}


def _ids(data: str) -> tuple[int, ...]:
    """``[1, 2]`` -> (1, 2), without the JSON parser (loading 2,000 rows is on every edit's path)."""
    inner = data.strip()[1:-1]
    return tuple(int(x) for x in inner.split(",")) if inner.strip() else ()


def _row_pair(row: Sequence[Any]) -> Pair:
    """A stored row; the 9 fields of an undo step saved before migration 003 lack quality and
    reasons, the 11 fields of one saved before migration 004 the origin, the 12 fields of one
    saved before migration 005 the codes."""
    source, target, src_ids, tgt_ids, confidence, status, paragraph, flags, note = row[:9]
    quality, reasons = row[9:11] if len(row) > 9 else (None, "[]")
    origin = row[11] if len(row) > 11 else ""
    src_codes, tgt_codes = row[12:14] if len(row) > 12 else ("[]", "[]")
    return Pair(
        source=source,
        target=target,
        src_ids=_ids(src_ids),
        tgt_ids=_ids(tgt_ids),
        confidence=confidence,
        status=_STATUS.get(status) or Status.parse(status),
        paragraph=paragraph,
        flags=tuple(json.loads(flags)) if flags != "[]" else (),
        note=note,
        quality=None if quality is None else float(quality),
        reasons=tuple(json.loads(reasons)) if reasons != "[]" else (),
        origin=Origin.parse(origin),
        src_codes=_codes(src_codes),
        tgt_codes=_codes(tgt_codes),
    )


def _pair_json(pair: Pair) -> list[Any]:
    return list(_pair_row(pair))


def _sentences_json(sentences: Sequence[Sentence]) -> str:
    return json.dumps([[s.text, s.start, s.end, s.paragraph] for s in sentences], ensure_ascii=False)


def _sentences(data: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(text, start, end, paragraph) for text, start, end, paragraph in json.loads(data))


_PAIR_COLUMNS = (
    "source, target, src_ids, tgt_ids, confidence, status, paragraph, flags, note, quality, reasons, origin, src_codes, tgt_codes"
)
_PAIR_VALUES = ", ".join("?" * len(_PAIR_COLUMNS.split(",")))


# ---- public types ---------------------------------------------------------------------------
class StaleProject(StoreError):
    """A write started from an older revision of the project than the stored one: another tab or
    window saved in between. Nothing was written; reload the project and edit again."""


@dataclass(frozen=True)
class ProjectInfo:
    """A line of the project list."""

    id: int
    name: str
    src_lang: str
    tgt_lang: str
    rows: int
    confirmed: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class HistoryState:
    """What undo and redo would do now (labels of the next undo and redo step)."""

    undo_label: str | None
    redo_label: str | None
    steps: int

    @property
    def can_undo(self) -> bool:
        return self.undo_label is not None

    @property
    def can_redo(self) -> bool:
        return self.redo_label is not None


class Store:
    """A connection to the project database; safe to share between the page's threads."""

    def __init__(self, path: Path | str, *, max_history: int = MAX_HISTORY, on_confirmed: ConfirmedHook | None = None) -> None:
        self.path = Path(path)
        self.max_history = max_history
        self.on_confirmed = on_confirmed
        self._lock = threading.RLock()
        try:
            self._db = connect(self.path, foreign_keys=True)  # transactions opened explicitly (BEGIN IMMEDIATE)
            migrate(self._db)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"cannot open the project database {self.path}: {err}") from err

    # -- plumbing --
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self) -> _Transaction:
        return _Transaction(self)

    def _project_row(self, project_id: int, base: int | None = None) -> sqlite3.Row | tuple:
        """The project's row (name, src_lang, tgt_lang, doc_name, signature, source_sentences,
        target_sentences, history_pos, revision); StaleProject when ``base`` is not its revision."""
        row = self._db.execute(
            "SELECT name, src_lang, tgt_lang, doc_name, signature, source_sentences, target_sentences, history_pos, "
            "revision FROM projects WHERE id = ?",
            (project_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"project {project_id} does not exist in {self.path} (deleted in another tab?)")
        if base is not None and row[8] != base:
            raise StaleProject(
                f"project {project_id} in {self.path} was changed in another tab or window (revision {row[8]}, "
                f"this copy is of revision {base}); reload it and make the change again"
            )
        return row

    def _bump(self, project_id: int, **columns: object) -> None:
        """Record a write: the next revision, the time, and ``columns``' new values."""
        sets = "".join(f"{name} = ?, " for name in columns)
        self._db.execute(
            f"UPDATE projects SET {sets}revision = revision + 1, updated_at = ? WHERE id = ?",
            (*columns.values(), now(), project_id),
        )

    def _row_ids(self, project_id: int) -> list[tuple[int, float]]:
        return list(self._db.execute("SELECT id, ord FROM pairs WHERE project_id = ? ORDER BY ord", (project_id,)))

    def _load_pairs(self, project_id: int) -> tuple[Pair, ...]:
        rows = self._db.execute(f"SELECT {_PAIR_COLUMNS} FROM pairs WHERE project_id = ? ORDER BY ord", (project_id,))
        return tuple(_row_pair(r) for r in rows)

    def _replace_slice(self, project_id: int, start: int, old_count: int, new: Sequence[Pair]) -> None:
        """Replace ``old_count`` stored rows from position ``start`` with ``new``; few writes."""
        ids = self._row_ids(project_id)
        if start + old_count > len(ids):
            raise StoreError(f"project {project_id}: the stored rows do not match the undo history")
        olds = ids[start : start + old_count]
        common = min(len(olds), len(new))
        for (row_id, _), pair in zip(olds[:common], new[:common], strict=True):
            self._db.execute(
                f"UPDATE pairs SET ({_PAIR_COLUMNS}) = ({_PAIR_VALUES}) WHERE id = ?",
                (*_pair_row(pair), row_id),
            )
        if len(olds) > common:
            self._db.executemany("DELETE FROM pairs WHERE id = ?", [(row_id,) for row_id, _ in olds[common:]])
        extra = list(new[common:])
        if extra:
            at = start + common  # insert before the row now at position `at`
            lo = ids[at - 1][1] if at > 0 else (ids[0][1] - ORD_STEP * (len(extra) + 1) if ids else 0.0)
            hi = ids[start + old_count][1] if start + old_count < len(ids) else lo + ORD_STEP * (len(extra) + 1)
            if (hi - lo) / (len(extra) + 1) < MIN_ORD_GAP:
                self._renumber(project_id)
                ids = self._row_ids(project_id)
                return self._insert_rows(project_id, ids, at, extra)
            self._insert_between(project_id, lo, hi, extra)

    def _insert_rows(self, project_id: int, ids: list[tuple[int, float]], at: int, extra: list[Pair]) -> None:
        lo = ids[at - 1][1] if at > 0 else -ORD_STEP * (len(extra) + 1)
        hi = ids[at][1] if at < len(ids) else lo + ORD_STEP * (len(extra) + 1)
        self._insert_between(project_id, lo, hi, extra)

    def _insert_between(self, project_id: int, lo: float, hi: float, extra: Sequence[Pair]) -> None:
        step = (hi - lo) / (len(extra) + 1)
        self._db.executemany(
            f"INSERT INTO pairs (project_id, ord, {_PAIR_COLUMNS}) VALUES (?, ?, {_PAIR_VALUES})",
            [(project_id, lo + step * (k + 1), *_pair_row(p)) for k, p in enumerate(extra)],
        )

    def _renumber(self, project_id: int) -> None:
        log.info("store: renumbering the rows of project %s", project_id)
        ids = self._row_ids(project_id)
        self._db.executemany("UPDATE pairs SET ord = ? WHERE id = ?", [(k * ORD_STEP, i) for k, (i, _) in enumerate(ids)])

    # -- projects --
    def create_project(self, name: str, doc: AlignedDocument) -> int:
        """Save a new project holding ``doc``; returns its id. No undo step (it is the start)."""
        with self._tx():
            cur = self._db.execute(
                "INSERT INTO projects (name, src_lang, tgt_lang, doc_name, signature, source_sentences, "
                "target_sentences, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name.strip() or doc.name or "untitled",
                    doc.src_lang,
                    doc.tgt_lang,
                    doc.name,
                    json.dumps(doc.signature.as_dict(), ensure_ascii=False, default=str),
                    _sentences_json(doc.source_sentences),
                    _sentences_json(doc.target_sentences),
                    now(),
                    now(),
                ),
            )
            project_id = cur.lastrowid
            assert project_id is not None, "an INSERT sets lastrowid"
            self._insert_between(project_id, 0.0, ORD_STEP * (len(doc.pairs) + 1), doc.pairs)
        log.info("store: created project %s (%s rows)", project_id, len(doc.pairs))
        confirmed = newly_confirmed((), doc.pairs, 0)
        if confirmed and self.on_confirmed is not None:
            self.on_confirmed(doc, confirmed, name.strip() or doc.name or "untitled")
        return project_id

    def list_projects(self) -> list[ProjectInfo]:
        """All projects, most recently changed first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT p.id, p.name, p.src_lang, p.tgt_lang, "
                "(SELECT COUNT(*) FROM pairs WHERE project_id = p.id), "
                "(SELECT COUNT(*) FROM pairs WHERE project_id = p.id AND status = 'confirmed'), "
                "p.created_at, p.updated_at FROM projects p ORDER BY p.updated_at DESC, p.id DESC"
            ).fetchall()
        return [ProjectInfo(*row) for row in rows]

    def load(self, project_id: int) -> AlignedDocument:
        """The project's document as last saved."""
        return self.snapshot(project_id)[0]

    def snapshot(self, project_id: int) -> tuple[AlignedDocument, int]:
        """The project's document and its revision, read together (one read transaction): the
        revision a later write names as its ``base``."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                row = self._project_row(project_id)
                return self._document(row, self._load_pairs(project_id)), int(row[8])
            finally:
                self._db.execute("COMMIT")

    @staticmethod
    def _document(row: Sequence[Any], pairs: tuple[Pair, ...]) -> AlignedDocument:
        _, src_lang, tgt_lang, doc_name, signature, src_sents, tgt_sents = row[:7]
        return AlignedDocument(
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            pairs=pairs,
            source_sentences=_sentences(src_sents),
            target_sentences=_sentences(tgt_sents),
            name=doc_name,
            signature=Signature.from_dict(json.loads(signature)),
        )

    def revision(self, project_id: int) -> int:
        """A number that changes with every write of the project (edit, undo, redo, rename)."""
        with self._lock:
            row = self._db.execute("SELECT revision FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise StoreError(f"project {project_id} does not exist in {self.path} (deleted in another tab?)")
        return int(row[0])

    def project_name(self, project_id: int) -> str:
        with self._lock:
            return self._project_row(project_id)[0]

    def rename_project(self, project_id: int, name: str, *, base: int | None = None) -> None:
        """Rename the project; StaleProject when it changed since revision ``base`` (None: unchecked)."""
        if not name.strip():
            raise StoreError("a project needs a name; the new name is empty")
        with self._tx():
            self._project_row(project_id, base)
            self._bump(project_id, name=name.strip())

    def delete_project(self, project_id: int, *, base: int | None = None) -> None:
        """Delete a project with its rows and history (foreign keys cascade); StaleProject when it
        changed since revision ``base`` (a tab must not delete work it never showed)."""
        with self._tx():
            self._project_row(project_id, base)
            self._db.execute("DELETE FROM projects WHERE id = ?", (project_id,))

    # -- edits and history --
    def apply(self, project_id: int, doc: AlignedDocument, label: str, *, base: int | None = None) -> int:
        """Save ``doc`` as the project's new state, as one undo step named ``label``; returns the
        project's revision afterwards (the ``base`` of the caller's next write).

        ``base``: the revision the caller's copy was loaded at; when the project changed since
        (another tab saved), StaleProject and nothing is written, so a stale copy cannot revert
        newer edits. None (scripts, tests): unchecked. Only rows that differ from the stored ones
        are written; an edit that changes nothing records nothing. The signature and sentence
        lists are updated when the document brings new ones (a re-translation), outside the undo
        history.
        """
        with self._lock:  # held until the hook ran: the memory hears of confirmed rows in saved order
            with self._tx():
                row = self._project_row(project_id, base)
                start, old_slice, new_slice = _changed(self._load_pairs(project_id), tuple(doc.pairs))
                meta = _meta_changes(row, doc)
                if not old_slice and not new_slice:
                    if meta:
                        self._bump(project_id, **meta)
                    return int(row[8]) + bool(meta)
                self._replace_slice(project_id, start, len(old_slice), new_slice)
                self._record_step(project_id, row[7], label, start, old_slice, new_slice)
                self._bump(project_id, history_pos=row[7] + 1, **meta)
            log.debug("store: %s: rows %s..%s -> %s rows", label, start, start + len(old_slice), len(new_slice))
            confirmed = newly_confirmed(old_slice, new_slice, start)
            if confirmed and self.on_confirmed is not None:
                self.on_confirmed(doc, confirmed, row[0])
        return int(row[8]) + 1

    def _record_step(self, project_id: int, pos: int, label: str, start: int, old: Sequence[Pair], new: Sequence[Pair]) -> None:
        """The undo step after position ``pos``: drops the redo steps and the steps over max_history."""
        self._db.execute("DELETE FROM history WHERE project_id = ? AND seq > ?", (project_id, pos))
        self._db.execute(
            "INSERT INTO history (project_id, seq, label, start, old_rows, new_rows, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                project_id,
                pos + 1,
                label,
                start,
                json.dumps([_pair_json(p) for p in old], ensure_ascii=False),
                json.dumps([_pair_json(p) for p in new], ensure_ascii=False),
                now(),
            ),
        )
        self._db.execute("DELETE FROM history WHERE project_id = ? AND seq <= ?", (project_id, pos + 1 - self.max_history))

    def history(self, project_id: int) -> HistoryState:
        """Labels of the step undo would revert and the step redo would repeat."""
        with self._lock:
            pos = self._project_row(project_id)[7]
            labels = dict(self._db.execute("SELECT seq, label FROM history WHERE project_id = ?", (project_id,)))
        return HistoryState(undo_label=labels.get(pos), redo_label=labels.get(pos + 1), steps=len(labels))

    def undo(self, project_id: int, *, base: int | None = None) -> AlignedDocument | None:
        """Revert the last edit; returns the document, or None when there is nothing to undo.
        StaleProject when the project changed since revision ``base`` (the step to undo would
        be one the caller never showed)."""
        stepped = self.step(project_id, back=True, base=base)
        return None if stepped is None else stepped[0]

    def redo(self, project_id: int, *, base: int | None = None) -> AlignedDocument | None:
        """Repeat the last undone edit; returns the document, or None when there is nothing to
        redo. StaleProject as for undo."""
        stepped = self.step(project_id, back=False, base=base)
        return None if stepped is None else stepped[0]

    def step(self, project_id: int, *, back: bool, base: int | None = None) -> tuple[AlignedDocument, int] | None:
        """Undo (``back``) or redo, returning the document with its revision (what the page keeps
        as its copy, without reading it again); None when there is no step to take."""
        with self._tx():
            row = self._project_row(project_id, base)
            pos = row[7]
            seq = pos if back else pos + 1
            entry = self._db.execute(
                "SELECT start, old_rows, new_rows FROM history WHERE project_id = ? AND seq = ?", (project_id, seq)
            ).fetchone()
            if entry is None:
                return None
            start, old_rows, new_rows = entry
            old = [_row_pair(r) for r in json.loads(old_rows)]
            new = [_row_pair(r) for r in json.loads(new_rows)]
            if back:
                self._replace_slice(project_id, start, len(new), old)
            else:
                self._replace_slice(project_id, start, len(old), new)
            self._bump(project_id, history_pos=pos - 1 if back else pos + 1)
            return self._document(row, self._load_pairs(project_id)), int(row[8]) + 1


def _changed(old: tuple[Pair, ...], new: tuple[Pair, ...]) -> tuple[int, tuple[Pair, ...], tuple[Pair, ...]]:
    """Where ``new`` differs from ``old``: the first differing position and both middle slices
    (common prefix and suffix left out), so a one-cell edit writes one row."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return start, old[start : len(old) - end], new[start : len(new) - end]


def _meta_changes(row: Sequence[Any], doc: AlignedDocument) -> dict[str, str]:
    """The project columns besides the rows that ``doc`` changes (signature, sentence lists)."""
    changes = {}
    signature = json.dumps(doc.signature.as_dict(), ensure_ascii=False, default=str)
    if signature != row[4]:
        changes["signature"] = signature
    src, tgt = _sentences_json(doc.source_sentences), _sentences_json(doc.target_sentences)
    if (src, tgt) != (row[5], row[6]):
        changes.update(source_sentences=src, target_sentences=tgt)
    return changes


def newly_confirmed(old: Sequence[Pair], new: Sequence[Pair], start: int) -> list[int]:
    """Document positions of the rows of ``new`` (an edit's changed rows, from row ``start``) that
    are confirmed and were not confirmed with the same text before the edit."""
    before = {(p.source, p.target) for p in old if p.status is Status.CONFIRMED}
    return [start + k for k, p in enumerate(new) if p.status is Status.CONFIRMED and (p.source, p.target) not in before]


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) under the store's lock."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> None:
        self.store._lock.acquire()
        try:
            self.store._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            self.store._lock.release()
            raise StoreError(f"cannot write the project database {self.store.path}: {err}") from err

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                try:
                    self.store._db.execute("COMMIT")
                except sqlite3.Error as err:
                    self.store._db.execute("ROLLBACK")
                    raise StoreError(f"cannot write the project database {self.store.path}: {err}") from err
            else:
                self.store._db.execute("ROLLBACK")
        finally:
            self.store._lock.release()


def open_store(settings: Settings) -> Store:
    """The project database of a data folder (``settings.store_path``); rows confirmed in it go into
    the data folder's translation memory (``align.tm``)."""
    from align.tm import confirmed_sink, tm_path

    return Store(settings.store_path, on_confirmed=confirmed_sink(tm_path(settings)))
