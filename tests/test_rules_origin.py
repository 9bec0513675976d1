"""``Pair.origin`` is a typed value (``align.document.Origin``): where a row's target came from,
parsed once from its stored code ("mt", "tm87", "edited", "") and written back as that same code
by SQLite, JSONL and every export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from align.document import AlignedDocument, Bead, Origin, OriginKind, Pair, Sentence, Status
from align.formats import read_aligned, write_document
from align.review.store import open_store
from align.ui.segment import origin_label
from align.ui.table import row_label

#: Every kind of code a row can carry, and codes this version does not know (kept as written).
CODES = ["", "mt", "edited", "tm101", "tm100", "tm87", "tm75", "tmx", "tm087", "human", "TM90"]


def test_parse_and_str_give_back_every_code():
    for code in CODES:
        origin = Origin.parse(code)
        assert str(origin) == code and Origin.parse(origin) is origin
    assert Origin.parse("tm87") == Origin.memory(87) and Origin.memory(87).match == 87
    assert (Origin.parse("mt").kind, Origin.parse("").kind, Origin.parse("edited").kind) == (
        OriginKind.MACHINE,
        OriginKind.ALIGNED,
        OriginKind.EDITED,
    )
    assert Origin.parse("tm087").kind is OriginKind.OTHER and Origin.parse("tm087").match is None
    assert Origin.parse("mt") == "mt" and Origin.memory(100) != "tm101"  # compares with its stored code, as Status does


def test_a_pair_given_a_code_holds_an_origin():
    assert Pair("a", "b", origin="tm85").origin == Origin.memory(85)  # type: ignore[arg-type]
    assert Pair("a", "b").origin == Origin() and Pair("a", "b").replace(origin=Origin.machine()).origin.kind is OriginKind.MACHINE


def test_the_page_labels_come_from_the_type():
    assert origin_label(Origin.memory(87)) == "TM 87% (fuzzy match)"
    assert origin_label(Origin.memory(101)) == "TM 101% (same context)"
    assert origin_label(Origin.machine()) == "machine translation"
    assert origin_label(Origin()) == "aligned or imported"
    assert origin_label(Origin.parse("human")) == "human"
    assert row_label(Pair("a", "b", origin=Origin.memory(92))) == "TM 92%"
    assert row_label(Pair("a", "b", status=Status.CONFIRMED, origin=Origin.memory(100))) == "✓ TM 100%"


def _doc() -> AlignedDocument:
    n = len(CODES)
    doc = AlignedDocument.from_beads(
        "de",
        "en",
        [Sentence(f"Satz {i}.") for i in range(n)],
        [Sentence(f"Sentence {i}.") for i in range(n)],
        [Bead((i,), (i,)) for i in range(n)],
        name="origins",
    )
    return doc.replace(pairs=[p.replace(origin=Origin.parse(c)) for p, c in zip(doc.pairs, CODES, strict=True)])


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "jsonl", "tmx"])
def test_every_origin_goes_through_every_format_unchanged(tmp_path: Path, fmt: str):
    doc = _doc()
    back = read_aligned(write_document(doc, tmp_path / f"doc.{fmt}"))
    assert [p.origin for p in back.pairs] == [p.origin for p in doc.pairs]
    assert all(isinstance(p.origin, Origin) for p in back.pairs)
    if fmt == "jsonl":  # the stored form is the code itself
        lines = (tmp_path / "doc.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["origin"] for line in lines if '"type": "pair"' in line] == CODES


def test_the_store_keeps_the_code_in_its_column(settings):
    with open_store(settings) as store:
        project = store.create_project("Herkunft", _doc())
        assert [p.origin for p in store.load(project).pairs] == [Origin.parse(c) for c in CODES]
    with sqlite3.connect(settings.store_path) as db:
        stored = [row[0] for row in db.execute("SELECT origin FROM pairs ORDER BY ord")]
    assert stored == CODES
