"""Translating with the memory: 101%/100% rows skip the machine, only machine rows are estimated,
the command line's tm commands and --tm/--no-tm, and batch runs with the memory."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from align import cli
from align.batch import MANIFEST_NAME, BatchOptions, run_batch
from align.document import Sentence
from align.mt.packages import find_package, install_from_path
from align.mt.translate import TranslateOptions, Translator
from align.pipeline import translate_segmented
from align.settings import load_settings
from align.text.segment import segment
from align.tm import TranslationMemory, Unit, tm_path
from devtools.models import load_fixture_pairs

PAIRS = [(de, en) for de, en in load_fixture_pairs() if de.endswith(".") and len(segment(de, "de")) == 1]
#: A memory's translations differ from the fixture model's, so the output shows which one was used.
HUMAN = "[memory] "


class CountingTranslator(Translator):
    """The real fixture translator that also records what it was asked to translate."""

    calls: list[list[str]]

    def translate(self, sentences, progress=None, stats=None, **kwargs):
        self.calls.append(list(sentences))
        return super().translate(sentences, progress=progress, stats=stats, **kwargs)


@pytest.fixture(scope="module")
def translator(installed_settings) -> CountingTranslator:
    loaded = CountingTranslator.load(find_package("de", "en", installed_settings), TranslateOptions(threads=2, beam_size=1))
    assert isinstance(loaded, CountingTranslator)
    return loaded


@pytest.fixture
def home(tmp_path: Path, fixture_package_file: Path):
    """A data folder of its own with the fixture package (the session's shared one must not get a memory)."""
    settings = load_settings(home=tmp_path / "home")
    install_from_path(fixture_package_file, settings)
    return settings


def sentences(pairs) -> list[Sentence]:
    return [Sentence(de) for de, _ in pairs]


def remember(tm: TranslationMemory, pairs, rows) -> None:
    """Store rows of a document (with their neighbours) as human translations."""
    units = []
    for i in rows:
        previous = pairs[i - 1][0] if i > 0 else ""
        following = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        units.append(Unit(pairs[i][0], HUMAN + pairs[i][1], "de", "en", previous, following, origin="project"))
    tm.add(units)


def test_exact_matches_skip_the_machine(tmp_path, translator):
    doc_pairs = PAIRS[:6]
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        remember(tm, doc_pairs, [0, 1])  # rows 0 and 1 with this document's neighbours: 101%
        tm.add([Unit(doc_pairs[3][0], HUMAN + doc_pairs[3][1], "de", "en")])  # no context: 100%
        tm.add([Unit(doc_pairs[4][0][:-1] + " heute.", "fuzzy only", "de", "en")])  # a fuzzy match is not inserted
        translator.calls = []
        [doc] = translate_segmented([sentences(doc_pairs)], translator, tm=tm, estimate=False)
    assert translator.calls == [[doc_pairs[i][0] for i in (2, 4, 5)]]  # one call, without the memory's rows
    assert [p.origin for p in doc.pairs] == ["tm101", "tm101", "mt", "tm100", "mt", "mt"]
    assert [p.target for p in doc.pairs] == [HUMAN + en if i in (0, 1, 3) else en for i, (_, en) in enumerate(doc_pairs)]
    assert [t.text for t in doc.target_sentences] == [p.target for p in doc.pairs]
    assert doc.signature.settings.details["tm"].endswith("tm.sqlite3")


def test_all_rows_from_the_memory_means_no_translator_call(tmp_path, translator):
    doc_pairs = PAIRS[10:13]
    reports: list[tuple[int, int | None]] = []
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        remember(tm, doc_pairs, range(3))
        translator.calls = []
        [doc] = translate_segmented([sentences(doc_pairs)], translator, tm=tm, progress=lambda *r: reports.append(r))
    assert translator.calls == []
    assert {p.origin for p in doc.pairs} == {"tm101"} and all(p.quality is None for p in doc.pairs)
    assert reports and reports[-1][0] == reports[-1][1]  # the bar reaches its end


def test_only_machine_rows_are_estimated(tmp_path, translator, embedder):
    doc_pairs = PAIRS[20:30]
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        remember(tm, doc_pairs, [2, 5])
        [doc] = translate_segmented([sentences(doc_pairs)], translator, tm=tm, embedder=embedder)
    for i, pair in enumerate(doc.pairs):
        if i in (2, 5):
            assert (pair.origin, pair.quality, pair.reasons) == ("tm101", None, ())
        else:
            assert pair.origin == "mt" and pair.quality is not None
    assert doc.signature.settings.quality is not None


def test_without_a_memory_every_row_is_machine_translated(translator):
    translator.calls = []
    [doc] = translate_segmented([sentences(PAIRS[:2])], translator, estimate=False)
    assert [p.origin for p in doc.pairs] == ["mt", "mt"] and len(translator.calls) == 1
    assert "tm" not in doc.signature.settings.details


# ---- command line -----------------------------------------------------------------------------------
def run(home, *argv: str) -> int:
    return cli.main(["--home", str(home.home), *argv])


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_cli_tm_import_export_stats_and_translate(tmp_path, home, capsys):
    doc_pairs = PAIRS[30:34]
    memory = tmp_path / "memory.csv"
    with open(memory, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("source", "target"), *((de, HUMAN + en) for de, en in doc_pairs[:2])])

    assert run(home, "tm", "stats") == 0
    assert "no translation memory" in capsys.readouterr().out and not tm_path(home).exists()
    assert run(home, "tm", "import", str(memory), "--quiet") == 0
    assert "2 unit(s) added" in capsys.readouterr().out
    assert run(home, "tm", "import", str(memory), "--quiet") == 0
    assert "0 unit(s) added, 2 already there" in capsys.readouterr().out
    assert run(home, "tm", "stats") == 0
    out = capsys.readouterr().out
    assert "2 unit(s)" in out and "de->en\t2" in out and "csv\t2" in out
    assert run(home, "tm", "export", str(tmp_path / "out.tmx"), "--src", "de") == 0
    assert "wrote 2 unit(s)" in capsys.readouterr().out and HUMAN in (tmp_path / "out.tmx").read_text(encoding="utf-8")

    source = tmp_path / "in.txt"
    source.write_text(" ".join(de for de, _ in doc_pairs) + "\n", encoding="utf-8")
    assert run(home, "translate", str(source), "-o", str(tmp_path / "auto.csv"), "--quiet", "--no-estimate") == 0
    rows = read_csv(tmp_path / "auto.csv")  # on by default: the memory has de->en units
    assert [r["origin"] for r in rows] == ["tm101", "tm100", "mt", "mt"]
    assert rows[0]["target"] == HUMAN + doc_pairs[0][1] and rows[2]["target"] == doc_pairs[2][1]
    assert run(home, "translate", str(source), "-o", str(tmp_path / "off.csv"), "--quiet", "--no-estimate", "--no-tm") == 0
    assert {r["origin"] for r in read_csv(tmp_path / "off.csv")} == {"mt"}


def test_cli_tm_errors_are_one_line(tmp_path, home, capsys):
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body><tu>", encoding="utf-8")
    assert run(home, "tm", "import", str(bad), "--quiet") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}, line 1") and err.count("\n") == 1


def test_translate_with_tm_but_no_units_warns_and_translates(tmp_path, home, caplog):
    source = tmp_path / "in.txt"
    source.write_text(PAIRS[0][0] + "\n", encoding="utf-8")
    assert run(home, "translate", str(source), "-o", str(tmp_path / "o.csv"), "--quiet", "--no-estimate", "--tm") == 0
    assert "has no de->en units" in caplog.text
    assert [r["origin"] for r in read_csv(tmp_path / "o.csv")] == ["mt"]


def test_batch_uses_the_memory_and_keys_the_manifest_by_it(tmp_path, home):
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    doc_pairs = PAIRS[40:43]
    (in_dir / "a.txt").write_text(" ".join(de for de, _ in doc_pairs) + "\n", encoding="utf-8")
    options = BatchOptions(formats=("csv",), estimate=False, translate=TranslateOptions(threads=1, beam_size=1))

    run_batch(in_dir, tmp_path / "plain", options, home)  # no memory yet: machine only, no file made
    assert not tm_path(home).exists()
    with TranslationMemory(tm_path(home)) as tm:
        remember(tm, doc_pairs, [1])
    summary = run_batch(in_dir, tmp_path / "out", options, home)
    assert summary.ok
    rows = read_csv(tmp_path / "out" / "a.csv")
    assert [r["origin"] for r in rows] == ["mt", "tm101", "mt"] and rows[1]["target"] == HUMAN + doc_pairs[1][1]

    off = run_batch(in_dir, tmp_path / "out", BatchOptions(**{**options.__dict__, "tm": False}), home)
    assert [r.status for r in off.results] == ["done"]  # another options key: redone without the memory
    assert {r["origin"] for r in read_csv(tmp_path / "out" / "a.csv")} == {"mt"}
    again = run_batch(in_dir, tmp_path / "out", BatchOptions(**{**options.__dict__, "tm": False}), home)
    assert [r.status for r in again.results] == ["skipped"]
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["files"]["a.txt"]["status"] == "done"
