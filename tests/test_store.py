"""The project store: real SQLite files, persistence across reopen, small writes, undo/redo."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.document import AlignedDocument, Bead, Sentence, Signature
from align.errors import StoreError
from align.review import edits
from align.review.edits import EditError
from align.review.store import MAX_HISTORY, Store, migrate, open_store


def make_doc(n: int, name: str = "doc") -> AlignedDocument:
    """Rows 1, 4, 7... carry no quality estimate; the others one with a reason (round-tripped by every test)."""
    src = [Sentence(f"Satz {i}.", start=i * 8, end=i * 8 + 7) for i in range(n)]
    tgt = [Sentence(f"Sentence {i}.") for i in range(n)]
    doc = AlignedDocument.from_beads(
        "de",
        "en",
        src,
        tgt,
        [Bead((i,), (i,), 0.5 + (i % 5) / 10) for i in range(n)],
        name=name,
        signature=Signature(method="translate", model="fixture", settings={"beam": 2}),
    )
    return doc.replace(
        pairs=[p if i % 3 == 1 else p.replace(quality=i / (n + 1), reasons=(f"reason {i} | ü",)) for i, p in enumerate(doc.pairs)]
    )


@pytest.fixture
def store(settings):
    with open_store(settings) as s:
        yield s


def test_create_load_roundtrip_keeps_everything(store):
    doc = edits.confirm(make_doc(5), [1])
    first = doc.pairs[0].replace(
        flags=("numbers",),
        note="n",
        quality=0.1234567890123,
        reasons=("repeats 'the salad' 4 times", 'a | b, "c"; d', "Größe ≠ size"),
    )
    doc = doc.replace(pairs=[first] + list(doc.pairs[1:]))
    pid = store.create_project("Vertrag", doc)
    assert store.load(pid) == doc
    assert store.load(pid).pairs[1].quality is None
    [info] = store.list_projects()
    assert (info.id, info.name, info.rows, info.confirmed, info.src_lang) == (pid, "Vertrag", 5, 1, "de")


def test_edits_survive_reopening_the_database(settings):
    with open_store(settings) as s:
        pid = s.create_project("p", make_doc(3))
        s.apply(pid, edits.edit_text(s.load(pid), 1, target="Edited."), "edit")
        s.apply(pid, edits.merge_next(s.load(pid), 0), "merge")
    with open_store(settings) as s:  # a restarted app
        doc = s.load(pid)
        assert [p.target for p in doc.pairs] == ["Sentence 0. Edited.", "Sentence 2."]
        assert s.history(pid).undo_label == "merge"
        assert [p.target for p in s.undo(pid).pairs] == ["Sentence 0.", "Edited.", "Sentence 2."]


def test_one_cell_edit_writes_one_row_of_a_long_document(store):
    pid = store.create_project("long", make_doc(2000))
    doc = store.load(pid)
    before = store._db.total_changes
    store.apply(pid, edits.edit_text(doc, 1234, target="Changed."), "edit")
    # one pairs UPDATE, one history INSERT, one projects UPDATE - not 2,000 rows
    assert store._db.total_changes - before <= 4
    assert store.load(pid).pairs[1234].target == "Changed."


def test_insert_in_the_middle_does_not_renumber_rows_below(store):
    pid = store.create_project("long", make_doc(500))
    before = store._db.total_changes
    store.apply(pid, edits.insert_row(store.load(pid), 250), "insert")
    assert store._db.total_changes - before <= 4


def test_many_inserts_at_one_place_keep_the_order(store):
    pid = store.create_project("p", make_doc(3))
    for k in range(70):  # halves the gap every time: forces a renumbering
        store.apply(pid, edits.insert_row(store.load(pid), 1, source=f"neu {k}"), "insert")
    sources = [p.source for p in store.load(pid).pairs]
    assert sources[0] == "Satz 0." and sources[-2:] == ["Satz 1.", "Satz 2."]
    assert sources[1:-2] == [f"neu {k}" for k in reversed(range(70))]


def test_undo_redo_and_a_new_edit_clears_redo(store):
    doc = make_doc(4)
    pid = store.create_project("p", doc)
    d1 = edits.confirm(doc, [0])
    store.apply(pid, d1, "confirm")
    store.apply(pid, edits.delete_rows(d1, [3]), "delete")
    assert store.history(pid).undo_label == "delete"
    assert store.undo(pid) == d1
    assert store.undo(pid) == doc
    assert store.undo(pid) is None
    assert store.redo(pid) == d1
    assert store.history(pid).redo_label == "delete"
    store.apply(pid, edits.insert_row(d1, 0), "insert")
    state = store.history(pid)
    assert state.undo_label == "insert" and not state.can_redo


def test_an_edit_that_changes_nothing_records_no_step(store):
    doc = make_doc(3)
    pid = store.create_project("p", doc)
    store.apply(pid, doc, "nothing")
    assert not store.history(pid).can_undo


def test_history_keeps_the_last_steps_only(settings):
    with Store(settings.store_path, max_history=60) as s:
        doc = make_doc(2)
        pid = s.create_project("p", doc)
        for k in range(75):
            doc = edits.edit_text(doc, 0, target=f"t{k}")
            s.apply(pid, doc, f"edit {k}")
        undone = 0
        while s.undo(pid) is not None:
            undone += 1
        assert undone == 60
        assert s.load(pid).pairs[0].target == "t14"
    assert MAX_HISTORY >= 50


def test_rename_delete_and_cascade(store):
    a = store.create_project("a", make_doc(3))
    b = store.create_project("b", make_doc(2))
    store.apply(a, edits.confirm(store.load(a), [0]), "confirm")
    store.rename_project(a, "  Vertrag 2024 ")
    assert store.project_name(a) == "Vertrag 2024"
    with pytest.raises(StoreError, match="empty"):
        store.rename_project(a, " ")
    store.delete_project(a)
    assert [p.id for p in store.list_projects()] == [b]
    assert store._db.execute("SELECT COUNT(*) FROM pairs WHERE project_id = ?", (a,)).fetchone() == (0,)
    assert store._db.execute("SELECT COUNT(*) FROM history WHERE project_id = ?", (a,)).fetchone() == (0,)
    with pytest.raises(StoreError, match=f"project {a} does not exist"):
        store.load(a)


def test_migrations_are_recorded_and_not_repeated(settings):
    with open_store(settings):
        pass
    db = sqlite3.connect(settings.store_path)
    names = [r[0] for r in db.execute("SELECT name FROM migrations")]
    assert names == ["001_initial", "002_revision", "003_quality", "004_origin", "005_codes"]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.isolation_level = None
    assert migrate(db) == []
    db.close()


def test_unwritable_location_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the project database"):
        Store(blocker / "sub" / "projects.sqlite3")


# ---- undo/redo over random edit sequences ----------------------------------------------------
step = st.tuples(
    st.sampled_from(
        ["merge", "merge_src", "merge_tgt", "split", "insert", "delete", "shift_up", "shift_down", "confirm", "edit"]
    ),
    st.integers(0, 50),
)


def apply_step(doc: AlignedDocument, kind: str, row: int) -> AlignedDocument:
    row = row % max(len(doc.pairs), 1)
    ops = {
        "merge": lambda: edits.merge_next(doc, row),
        "merge_src": lambda: edits.merge_next(doc, row, "source"),
        "merge_tgt": lambda: edits.merge_next(doc, row, "target"),
        "split": lambda: edits.split_row(doc, row, src_at=len(doc.pairs[row].source) // 2, tgt_at=2),
        "insert": lambda: edits.insert_row(doc, row, source="x"),
        "delete": lambda: edits.delete_rows(doc, [row]),
        "shift_up": lambda: edits.shift_target(doc, row, -1),
        "shift_down": lambda: edits.shift_target(doc, row, +1),
        "confirm": lambda: edits.confirm(doc, [row]),
        "edit": lambda: edits.edit_text(doc, row, target=f"e{row}"),
    }
    try:
        return ops[kind]() if doc.pairs else doc
    except EditError:
        return doc


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=15))
def test_undo_all_then_redo_all_walks_the_same_states(tmp_path_factory, steps):
    with Store(tmp_path_factory.mktemp("db") / "p.sqlite3") as s:
        doc = make_doc(6)
        pid = s.create_project("p", doc)
        states = [doc]
        for kind, row in steps:
            new = apply_step(states[-1], kind, row)
            s.apply(pid, new, kind)
            assert s.load(pid) == new
            if new != states[-1]:
                states.append(new)
        for expected in reversed(states[:-1]):
            assert s.undo(pid) == expected
        assert s.undo(pid) is None
        for expected in states[1:]:
            assert s.redo(pid) == expected
        assert s.redo(pid) is None


def test_revision_changes_with_every_change_of_the_rows(store):
    doc = make_doc(3)
    pid = store.create_project("p", doc)
    seen = [store.revision(pid)]
    store.apply(pid, edits.confirm(doc, [0]), "confirm")
    seen.append(store.revision(pid))
    store.apply(pid, edits.confirm(doc, [0]), "same again")  # no change, same revision
    seen.append(store.revision(pid))
    store.undo(pid)
    seen.append(store.revision(pid))
    assert seen[0] < seen[1] == seen[2] < seen[3]


def test_an_old_database_is_upgraded_in_place(settings):
    from align.review.store import MIGRATIONS

    settings.store_path.parent.mkdir(parents=True)
    db = sqlite3.connect(settings.store_path, isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    MIGRATIONS[0][1](db)  # a database made by the first version: 001 only
    db.execute("INSERT INTO migrations VALUES ('001_initial', 'then')")
    db.execute(
        "INSERT INTO projects (name, src_lang, tgt_lang, created_at, updated_at) VALUES ('alt', 'de', 'en', 'then', 'then')"
    )
    db.close()
    with open_store(settings) as s:
        [info] = s.list_projects()
        assert info.name == "alt" and s.revision(info.id) == 0
        s.apply(info.id, make_doc(2), "first rows")
        assert s.revision(info.id) == 1


def test_a_database_from_before_quality_estimates_keeps_rows_and_undo(settings):
    """Rows and undo steps saved by the version before migration 003 load as not estimated,
    undo still works, and new estimates are saved."""
    import json

    from align.review.store import MIGRATIONS

    settings.store_path.parent.mkdir(parents=True)
    db = sqlite3.connect(settings.store_path, isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, func in MIGRATIONS[:2]:
        func(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.execute(
        "INSERT INTO projects (name, src_lang, tgt_lang, history_pos, created_at, updated_at) "
        "VALUES ('alt', 'de', 'en', 1, 'then', 'then')"
    )
    old_row = ["Größe", "size", "[0]", "[0]", 0.75, "automatic", 0, "[]", ""]
    new_row = ["Größe", "Size.", "[0]", "[0]", 0.75, "needs_review", 0, "[]", ""]
    db.execute(
        "INSERT INTO pairs (project_id, ord, source, target, src_ids, tgt_ids, confidence, status, paragraph, flags, note) "
        "VALUES (1, 1024.0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        assert (pair.target, pair.quality, pair.reasons) == ("Size.", None, ())
        (pair,) = s.undo(1).pairs  # a 9-field undo step of the old version
        assert (pair.target, pair.quality, pair.reasons) == ("size", None, ())
        estimated = s.load(1).replace(pairs=[pair.replace(quality=0.25, reasons=("ünïcode | joiner",))])
        s.apply(1, estimated, "estimate")
    with open_store(settings) as s:
        assert s.load(1) == estimated
        assert s.undo(1).pairs[0].quality is None


# ---- two tabs on one project: a stale copy never reverts newer edits -----------------------------------
def test_a_stale_copy_cannot_revert_a_newer_edit(settings):
    """Two tabs are two Store objects on one file. The second saves an edit made on the copy it
    loaded before the first tab saved: refused with nothing written, the first tab's text stays."""
    from align.review.store import StaleProject

    with open_store(settings) as one, open_store(settings) as two:
        pid = one.create_project("p", make_doc(3))
        mine, base = one.snapshot(pid)
        theirs, stale = two.snapshot(pid)
        assert base == stale
        saved = one.apply(pid, edits.edit_text(mine, 1, target="First tab."), "edit row 2", base=base)
        assert saved == two.revision(pid) > base
        with pytest.raises(StaleProject, match=r"changed in another tab or window.*reload"):
            two.apply(pid, edits.edit_text(theirs, 2, target="Second tab."), "edit row 3", base=stale)
        assert [p.target for p in two.load(pid).pairs] == ["Sentence 0.", "First tab.", "Sentence 2."]
        assert two.history(pid).undo_label == "edit row 2" and two.revision(pid) == saved


def test_every_write_checks_the_revision_it_started_from(settings):
    """Undo, redo, rename and delete from a stale revision are refused too; nothing changes."""
    from align.review.store import StaleProject

    with open_store(settings) as one, open_store(settings) as two:
        pid = one.create_project("p", make_doc(3))
        one.apply(pid, edits.confirm(one.load(pid), [0]), "confirm row 1")
        stale = two.revision(pid)
        one.apply(pid, edits.edit_text(one.load(pid), 1, target="First tab."), "edit row 2", base=stale)
        before = (one.load(pid), one.history(pid), one.revision(pid))
        writes = {
            "undo": lambda: two.undo(pid, base=stale),
            "redo": lambda: two.redo(pid, base=stale),
            "rename": lambda: two.rename_project(pid, "Neu", base=stale),
            "delete": lambda: two.delete_project(pid, base=stale),
        }
        for what, write in writes.items():
            with pytest.raises(StaleProject):
                write()
            assert (one.load(pid), one.history(pid), one.revision(pid)) == before, what
        assert one.project_name(pid) == "p"


def test_every_write_bumps_the_revision(store):
    """Rows, undo, redo, a new signature alone, a rename: each gives a new revision, and each
    accepts the revision the caller holds; a write without changes keeps it."""
    pid = store.create_project("p", make_doc(3))
    doc, seen = store.snapshot(pid)
    revisions = [seen]
    revisions.append(store.apply(pid, edits.confirm(doc, [0]), "confirm row 1", base=revisions[-1]))
    assert store.apply(pid, edits.confirm(doc, [0]), "again", base=revisions[-1]) == revisions[-1]
    assert store.undo(pid, base=revisions[-1]) == doc
    revisions.append(store.revision(pid))
    assert store.redo(pid, base=revisions[-1]) == edits.confirm(doc, [0])
    revisions.append(store.revision(pid))
    resigned = edits.confirm(doc, [0]).replace(signature=Signature(method="translate", model="other"))
    revisions.append(store.apply(pid, resigned, "re-translate", base=revisions[-1]))
    assert store.snapshot(pid) == (resigned, revisions[-1])
    store.rename_project(pid, "Neu", base=revisions[-1])
    revisions.append(store.revision(pid))
    store.delete_project(pid, base=revisions[-1])
    assert revisions == sorted(set(revisions)) and not store.list_projects()
