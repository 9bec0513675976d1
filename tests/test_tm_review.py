"""The memory in the review workflow: confirmed rows go into it, an edit applied to its repeats
(undone in one step), "edited" origins, and every format and the store keeping a row's origin."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from align.document import AlignedDocument, Bead, Sentence, Status
from align.formats import read_aligned, write_document
from align.review import edits
from align.review.store import MIGRATIONS, Store, open_store
from align.tm import TranslationMemory, tm_path

SOURCES = ["Bitte wenden.", "Der Zug fährt ab.", "Bitte wenden.", "Bitte  wenden.", "Ende.", "Bitte wenden."]
TARGETS = ["Please turn.", "The train departs.", "Please turn over.", "Turn please.", "End.", "Please turn."]


def make_doc() -> AlignedDocument:
    beads = [Bead((i,), (i,)) for i in range(len(SOURCES))]
    doc = AlignedDocument.from_beads(
        "de", "en", [Sentence(s) for s in SOURCES], [Sentence(t) for t in TARGETS], beads, name="brief.txt"
    )
    origins = ["mt", "mt", "tm100", "mt", "", "mt"]
    return doc.replace(pairs=[p.replace(origin=o, quality=0.5) for p, o in zip(doc.pairs, origins, strict=True)])


def test_propagate_copies_a_target_to_unconfirmed_repeats_and_undo_takes_it_back(settings):
    doc = edits.confirm(make_doc(), [5])  # a confirmed repeat stays as the translator left it
    doc = edits.edit_text(doc, 0, target="Please turn the page.")
    assert (doc.pairs[0].origin, doc.pairs[0].status, doc.pairs[0].quality) == ("edited", Status.NEEDS_REVIEW, None)

    new, changed = edits.propagate(doc, 0)
    assert changed == [2, 3]  # "Bitte  wenden." is the same up to whitespace; row 5 is confirmed
    for row in (2, 3):
        pair = new.pairs[row]
        assert (pair.target, pair.origin, pair.status, pair.quality) == (
            "Please turn the page.",
            "edited",
            Status.NEEDS_REVIEW,
            None,
        )
    assert new.pairs[5] == doc.pairs[5] and new.pairs[1] == doc.pairs[1]
    assert edits.propagate(new, 0) == (new, [])  # nothing left to change

    with open_store(settings) as store:
        project = store.create_project("Brief", doc)
        store.apply(project, new, "apply the edit to 2 repeats")
        assert store.load(project) == new
        assert store.undo(project) == doc  # one step for all repeats
        assert store.redo(project) == new


def test_propagate_ignores_empty_sources_and_checks_the_row():
    doc = edits.insert_row(make_doc(), 0, source="", target="x")
    doc = edits.insert_row(doc, 0, source="", target="y")
    assert edits.propagate(doc, 0) == (doc, [])
    with pytest.raises(edits.EditError, match="row 99 does not exist"):
        edits.propagate(doc, 98)


def test_only_a_changed_target_makes_a_row_edited():
    doc = make_doc()
    assert edits.edit_text(doc, 1, source="Der Zug fährt gleich ab.").pairs[1].origin == "mt"
    assert edits.confirm(doc, [1]).pairs[1].origin == "mt"
    merged = edits.merge_next(doc, 0)
    assert merged.pairs[0].origin == "edited"


def test_confirmed_rows_go_into_the_memory(settings):
    with open_store(settings) as store:
        project = store.create_project("Brief an Kunden", edits.confirm(make_doc(), [4]))  # an imported, confirmed row
        with TranslationMemory(tm_path(settings)) as tm:
            assert [(u.source, u.project, u.origin) for u in tm.units()] == [("Ende.", "Brief an Kunden", "project")]
        doc = store.load(project)
        store.apply(project, edits.confirm(doc, [1, 2]), "confirm 2 rows")
        store.apply(project, edits.confirm(store.load(project), [1]), "confirm again")  # no change, nothing added
        with TranslationMemory(tm_path(settings)) as tm:
            units = {u.source: u for u in tm.units()}
            assert set(units) == {"Ende.", "Der Zug fährt ab.", "Bitte wenden."}
            train = units["Der Zug fährt ab."]
            assert (train.target, train.prev_source, train.next_source, train.file) == (
                "The train departs.",
                "Bitte wenden.",
                "Bitte wenden.",
                "brief.txt",
            )
            match = tm.lookup("Der Zug fährt ab.", "de", "en", previous="Bitte wenden.", following="Bitte wenden.")[0]
            assert match.score == 101
        store.undo(project)  # undo keeps the memory as it is (as CAT tools do)
        with TranslationMemory(tm_path(settings)) as tm:
            assert tm.count() == 3


def test_a_store_without_a_hook_writes_no_memory(tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        store.create_project("x", edits.confirm(make_doc(), [0]))
    assert not (tmp_path / "tm.sqlite3").exists()


def test_a_memory_that_cannot_be_written_does_not_fail_the_edit(settings, caplog):
    tm_path(settings).parent.mkdir(parents=True, exist_ok=True)
    tm_path(settings).mkdir()  # a folder where the memory's file should be
    with open_store(settings) as store:
        project = store.create_project("Brief", make_doc())
        store.apply(project, edits.confirm(store.load(project), [0]), "confirm row 1")
        assert store.load(project).pairs[0].status is Status.CONFIRMED
    assert "not added to the translation memory" in caplog.text


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "jsonl", "tmx"])
def test_every_format_keeps_the_origin(tmp_path, fmt):
    doc = make_doc()
    back = read_aligned(write_document(doc, tmp_path / f"doc.{fmt}"))
    assert [p.origin for p in back.pairs] == [p.origin for p in doc.pairs]


def test_files_from_before_origins_read_as_no_origin(tmp_path):
    old_tsv = tmp_path / "old.tsv"  # 11 columns: written before the origin column
    old_tsv.write_text("Bitte wenden.\tPlease turn.\t1.0\tconfirmed\t0\t0\t0\t\t\t0.5\t\n", encoding="utf-8")
    [pair] = read_aligned(old_tsv).pairs
    assert (pair.origin, pair.status, pair.quality) == ("", Status.CONFIRMED, 0.5)
    old_jsonl = tmp_path / "old.jsonl"
    old_jsonl.write_text(json.dumps({"type": "pair", "source": "a", "target": "b"}) + "\n", encoding="utf-8")
    assert read_aligned(old_jsonl).pairs[0].origin == ""


def test_a_database_from_before_origins_keeps_rows_and_undo(settings):
    """Rows and 11-field undo steps saved before migration 004 load with no origin; new origins are saved."""
    settings.store_path.parent.mkdir(parents=True)
    db = sqlite3.connect(settings.store_path, isolation_level=None)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, func in MIGRATIONS[:3]:
        func(db)
        db.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    db.execute(
        "INSERT INTO projects (name, src_lang, tgt_lang, history_pos, created_at, updated_at) "
        "VALUES ('alt', 'de', 'en', 1, 't', 't')"
    )
    old_row = ["Ende.", "End", "[0]", "[0]", 1.0, "automatic", 0, "[]", "", None, "[]"]
    new_row = ["Ende.", "End.", "[0]", "[0]", 1.0, "needs_review", 0, "[]", "", None, "[]"]
    db.execute(
        "INSERT INTO pairs (project_id, ord, source, target, src_ids, tgt_ids, confidence, status, paragraph, flags, note, "
        "quality, reasons) VALUES (1, 1024.0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_row,
    )
    db.execute(
        "INSERT INTO history (project_id, seq, label, start, old_rows, new_rows, created_at) VALUES (1, 1, 'edit', 0, ?, ?, 't')",
        (json.dumps([old_row]), json.dumps([new_row])),
    )
    db.close()
    with open_store(settings) as store:
        assert store.load(1).pairs[0].origin == ""
        assert store.undo(1).pairs[0].target == "End"
        edited = edits.edit_text(store.load(1), 0, target="The end.")
        store.apply(1, edited, "edit")
    with open_store(settings) as store:
        assert store.load(1).pairs[0].origin == "edited"


def test_store_round_trips_origins(tmp_path: Path):
    doc = make_doc()
    with Store(tmp_path / "p.sqlite3") as store:
        project = store.create_project("x", doc)
        assert [p.origin for p in store.load(project).pairs] == [p.origin for p in doc.pairs]
