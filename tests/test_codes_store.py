"""The page's project store keeps each row's inline codes: saved, loaded, through undo and redo, and
a database from before codes opens, migrates and keeps its rows and undo steps."""

from __future__ import annotations

import json
import sqlite3

from align.codes import Code, CodeKind, untagged
from align.document import AlignedDocument, Pair
from align.review.store import MIGRATIONS, Store, open_store


def coded(source: str, target: str) -> Pair:
    (src, src_codes), (tgt, tgt_codes) = untagged(source), untagged(target)
    return Pair(src, tgt, src_codes=src_codes, tgt_codes=tgt_codes)


DOC = AlignedDocument(
    "de",
    "en",
    (
        coded("Ein <1>fettes</1> Wort<2/>.", "A <1>bold</1> word<2/>."),
        coded("Siehe <3><4>hier</4></3>.", "See <3><4>here</4></3>."),
        Pair("Ohne Codes.", "Without codes."),
    ),
    name="coded",
)


def test_codes_are_saved_loaded_and_kept_by_undo_and_redo(tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        pid = store.create_project("p", DOC)
        assert store.load(pid) == DOC
        moved = coded("Ein <1>fettes</1> Wort<2/>.", "<2/>A bold <1>word</1>.")
        edited = DOC.replace(pairs=[moved, *DOC.pairs[1:]])
        store.apply(pid, edited, "move a tag")
        assert store.load(pid).pairs[0].tgt_codes == (Code("2", CodeKind.STANDALONE, 0, 0), Code("1", CodeKind.PAIRED, 7, 11))
        assert store.undo(pid) == DOC
        assert store.redo(pid) == edited
    with Store(tmp_path / "p.sqlite3") as store:
        assert store.load(pid) == edited
        assert store.undo(pid) == DOC


def test_a_database_from_before_codes_migrates_and_keeps_rows_and_undo(settings):
    """A database at migration 004 with a row and a 12-field undo step: it opens, gains the code
    columns, its rows read without codes, its undo step still works, and codes are saved after."""
    settings.store_path.parent.mkdir(parents=True)
    db = sqlite3.connect(settings.store_path, isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, func in MIGRATIONS[:4]:
        func(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.execute(
        "INSERT INTO projects (name, src_lang, tgt_lang, history_pos, created_at, updated_at) "
        "VALUES ('alt', 'de', 'en', 1, 'then', 'then')"
    )
    old_row = ["Größe <b>", "size", "[0]", "[0]", 0.75, "automatic", 0, "[]", "", None, "[]", "mt"]
    new_row = ["Größe <b>", "Size.", "[0]", "[0]", 0.75, "needs_review", 0, "[]", "", None, "[]", "edited"]
    db.execute(
        "INSERT INTO pairs (project_id, ord, source, target, src_ids, tgt_ids, confidence, status, paragraph, flags, "
        "note, quality, reasons, origin) VALUES (1, 1024.0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_row,
    )
    db.execute(
        "INSERT INTO history (project_id, seq, label, start, old_rows, new_rows, created_at) "
        "VALUES (1, 1, 'edit', 0, ?, ?, 'then')",
        (json.dumps([old_row]), json.dumps([new_row])),
    )
    db.close()
    with open_store(settings) as s:
        (pair,) = s.load(1).pairs
        assert (pair.source, pair.target, pair.src_codes, pair.tgt_codes) == ("Größe <b>", "Size.", (), ())
        (pair,) = s.undo(1).pairs  # a 12-field undo step of the version before codes
        assert (pair.target, pair.origin, pair.src_codes) == ("size", "mt", ())
        with_codes = s.load(1).replace(pairs=[coded("Größe <1/>", "<1/>Size.")])
        s.apply(1, with_codes, "tags")
    with open_store(settings) as s:
        assert s.load(1) == with_codes
    db = sqlite3.connect(settings.store_path)
    assert [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY name")][-1] == "005_codes"
    db.close()
