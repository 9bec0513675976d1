"""Issue 24, item 6: XLIFF and PO jobs through the real command line. ``translate JOB.xlf -o
OUT.xlf`` pre-translates (memory, then the fixture model; tags placed by the word aligner),
``convert JOB.xlf rows.csv`` writes the rows with their tags, ``export-doc rows.csv JOB.xlf -o
OUT.xlf`` puts edited rows back with nothing else changed, and rows that do not fit the job are
one-line errors."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from align.cli import main
from align.codes import check_codes, markup
from align.exchange import read_job
from align.exchange.inline import local
from align.formats import FORMATS, read_aligned
from align.mt.packages import install_from_path
from align.settings import load_settings
from align.tm import TranslationMemory, Unit, tm_path

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "xliff-dev" / "files"
#: The bench's German XLIFF files (Okapi's tests: nested bold g, segments, an OnTram job with ph
#: and g), the source language the fixture model translates.
GERMAN = sorted(p for p in BENCH.glob("*.xlf") if b'source-language="de' in p.read_bytes()[:4000]) if BENCH.is_dir() else []
FAST = ["--quiet", "--threads", "2", "--beam-size", "1", "--no-glossary"]

PO = r"""# German messages.
msgid ""
msgstr ""
"Project-Id-Version: demo 1.0\n"
"Language: en\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: src/main.c:12
#, c-format
msgid "Das Haus %s ist groß."
msgstr ""

#, python-brace-format
msgid "Hallo {name}, willkommen."
msgstr "Hello {name}, welcome."

msgid "Eine Datei"
msgid_plural "%d Dateien"
msgstr[0] ""
msgstr[1] ""

#~ msgid "Alt"
#~ msgstr "Old"
"""


def run(home: Path, *argv: str) -> int:
    return main(["--home", str(home), *argv])


def without_targets(data: bytes) -> bytes:
    """Canonical XML without the segments' targets and their states (SDL's and memoQ's too)."""
    root = etree.fromstring(data)
    for element in list(root.iter()):
        parent = element.getparent()
        if local(element) == "target" and parent is not None and local(parent) in ("trans-unit", "segment"):
            parent.remove(element)
        elif local(element) == "segment":
            element.attrib.pop("state", None)
        elif local(element) == "trans-unit":
            element.attrib.pop("{MQXliff}status", None)
        elif local(element) == "seg" and str(element.tag).startswith("{http://sdl.com/"):
            element.attrib.pop("conf", None)
    return etree.canonicalize(root).encode()


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


@pytest.fixture
def home(tmp_path: Path, fixture_package_file: Path) -> Path:
    """A data folder of its own with the fixture package (a memory is added to it)."""
    settings = load_settings(home=tmp_path / "home")
    install_from_path(fixture_package_file, settings)
    return settings.home


# ---- translate ------------------------------------------------------------------------------------
@pytest.mark.skipif(not GERMAN, reason="bench/xliff-dev is not here")
def test_translate_gives_every_translatable_segment_a_target_with_its_tags(tmp_path: Path, installed_settings) -> None:
    for path in GERMAN:
        out = tmp_path / path.name
        assert run(installed_settings.home, "translate", str(path), "-o", str(out), "--no-tm", *FAST) == 0, path.name
        before, after = read_job(path), read_job(out)
        for old, new in zip(before.segments(), after.segments(), strict=True):
            if not old.translatable:
                assert (new.target, new.state) == (old.target, old.state)
                continue
            assert new.target and new.target.strip(), (path.name, old.id)
            if not old.target:  # an existing target is kept; an empty one is pre-translated
                assert sorted((c.id, c.kind) for c in new.target_codes) == sorted((c.id, c.kind) for c in old.codes)
                check_codes(new.target, new.target_codes)  # balanced, nested
        assert without_targets(out.read_bytes()) == without_targets(path.read_bytes()), path.name


@pytest.mark.skipif(not GERMAN, reason="bench/xliff-dev is not here")
def test_translate_fills_emptied_targets_with_every_source_tag_in_place(tmp_path: Path, installed_settings, capsys) -> None:
    """The bench's small German files come with their targets (the OnTram job has none: the test
    above translates it): emptied, every segment is translated."""
    for path in (p for p in GERMAN if "Balancing" in p.name):
        root = etree.fromstring(path.read_bytes())
        for target in list(root.iter("{*}target")):
            if local(target.getparent()) == "trans-unit":
                target.getparent().remove(target)
        empty = tmp_path / f"empty-{path.name}"
        empty.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        out = tmp_path / f"out-{path.name}"
        assert run(installed_settings.home, "translate", str(empty), "-o", str(out), "--no-tm", *FAST) == 0
        said = capsys.readouterr().out
        job = read_job(out)
        translatable = [s for s in job.segments() if s.translatable]
        assert f"{len(translatable)} segments pre-translated" in said
        for segment in translatable:
            assert segment.target and segment.target.strip()
            assert sorted((c.id, c.kind) for c in segment.target_codes) == sorted((c.id, c.kind) for c in segment.codes)
            check_codes(segment.target, segment.target_codes)
        states = {unit.find("{*}target").get("state") for unit in etree.fromstring(out.read_bytes()).iter("{*}trans-unit")}
        assert states == {"needs-review-translation"}  # pre-translations are drafts


SDL = sorted(BENCH.glob("*.sdlxliff")) if BENCH.is_dir() else []


@pytest.mark.skipif(not SDL, reason="bench/xliff-dev is not here")
def test_translate_writes_trados_drafts_with_their_tags(tmp_path: Path, installed_settings) -> None:
    """Trados files (English sources: the fixture model's words do not matter, the structure does)."""
    for path in SDL:
        out = tmp_path / path.name
        assert run(installed_settings.home, "translate", str(path), "-o", str(out), "--no-tm", "--src", "de", *FAST) == 0
        before, after = read_job(path), read_job(out)
        for old, new in zip(before.segments(), after.segments(), strict=True):
            if old.translatable and not old.target and old.source.strip():
                assert new.target and sorted(c.id for c in new.target_codes) == sorted(c.id for c in old.codes)
                assert new.state.name == "DRAFT"  # sdl:seg conf="Draft"
            else:
                assert (new.target, new.state) == (old.target, old.state)
        assert without_targets(out.read_bytes()) == without_targets(path.read_bytes()), path.name


def test_a_memory_match_is_taken_before_the_machine(tmp_path: Path, home: Path, capsys) -> None:
    job = tmp_path / "job.xlf"
    job.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file original="a" source-language="de" target-language="en" datatype="plaintext"><body>\n'
        '<trans-unit id="a"><source>Das Haus ist <g id="1">groß</g>.</source></trans-unit>\n'
        '<trans-unit id="b"><source>Der Baum ist grün.</source></trans-unit>\n'
        "</body></file></xliff>\n",
        encoding="utf-8",
    )
    with TranslationMemory(tm_path(load_settings(home=home))) as memory:
        memory.add([Unit("Das Haus ist groß.", "The house is big (memory).", "de", "en")])
    out = tmp_path / "out.xlf"
    assert run(home, "translate", str(job), "-o", str(out), *FAST) == 0
    assert "1 from the memory, 1 by the machine" in capsys.readouterr().out
    first, second = read_job(out).segments()
    assert markup(first.target or "", first.target_codes).replace("<1>", "").replace("</1>", "") == "The house is big (memory)."
    assert [c.id for c in first.target_codes] == ["1"]
    assert second.target and "memory" not in second.target


def test_translate_refuses_an_output_of_the_other_kind_before_the_model_loads(tmp_path: Path, settings, capsys) -> None:
    po = tmp_path / "de.po"
    po.write_text(PO, encoding="utf-8")
    assert run(settings.home, "translate", str(po), "-o", str(tmp_path / "out.xlf"), *FAST) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a PO job is written back as PO" in err


# ---- convert, edit, export-doc --------------------------------------------------------------------
@pytest.mark.skipif(not GERMAN, reason="bench/xliff-dev is not here")
def test_a_tag_moved_in_the_csv_lands_in_the_xliff_and_nothing_else_changes(tmp_path: Path, capsys) -> None:
    job = next(p for p in GERMAN if p.name.endswith("OnTramTest01.xlf"))
    rows = tmp_path / "rows.csv"
    assert main(["convert", str(job), str(rows)]) == 0
    table = read_rows(rows)
    assert list(table[0])[2:4] == ["source (tagged)", "target (tagged)"]
    row = next(r for r in table if r["source (tagged)"] == "<1>tropicana</1> - Das Reisebüro")
    assert row["note"].startswith("36100") and row["status"] == "automatic"
    row["target (tagged)"] = "tropicana - <1>The Travel Agency</1>"  # the tag moved to other words
    row["status"] = "confirmed"
    write_rows(rows, table)
    out = tmp_path / "out.xlf"
    assert main(["export-doc", str(rows), str(job), "-o", str(out)]) == 0
    assert "1 segments changed" in capsys.readouterr().out
    root = etree.fromstring(out.read_bytes())
    unit = next(u for u in root.iter("{*}trans-unit") if u.get("id") == "36100")
    target = unit.find("{*}target")
    assert etree.tostring(target, encoding=str, with_tail=False).split(">", 1)[1] == (
        'tropicana - <g id="0" ctype="bold">The Travel Agency</g></target>'
    )
    assert target.get("state") == "translated"
    original = etree.fromstring(job.read_bytes())
    for tree in (root, original):  # everything but that target is as it was
        tu = next(u for u in tree.iter("{*}trans-unit") if u.get("id") == "36100")
        tu.remove(tu.find("{*}target"))
    assert etree.canonicalize(root) == etree.canonicalize(original)


def test_po_through_translate_convert_and_export_doc(tmp_path: Path, installed_settings, capsys) -> None:
    po = tmp_path / "de.po"
    po.write_text(PO, encoding="utf-8")
    out = tmp_path / "out.po"
    assert run(installed_settings.home, "translate", str(po), "-o", str(out), "--no-tm", *FAST) == 0
    job = read_job(out)
    first, hello, one, many, old = job.segments()
    assert first.target and [c.id for c in first.target_codes] == ["1"] and "%s" in out.read_text(encoding="utf-8")
    assert hello.target == "Hello , welcome." and not old.translatable  # an existing target stays
    assert one.target and many.target and [c.id for c in many.target_codes] == ["1"]
    assert '#, c-format, fuzzy\nmsgid "Das Haus %s ist groß."' in out.read_text(encoding="utf-8")  # drafts
    rows = tmp_path / "rows.csv"
    assert main(["convert", str(out), str(rows)]) == 0
    table = read_rows(rows)
    assert [r["note"] for r in table] == ["entry 1", "entry 2", "entry 3 [0]", "entry 3 [1]", "entry 4"]
    table[0]["target (tagged)"] = "The house <1/> is big."
    table[0]["status"] = "confirmed"
    write_rows(rows, table)
    final = tmp_path / "final.po"
    assert main(["export-doc", str(rows), str(out), "-o", str(final)]) == 0
    text = final.read_text(encoding="utf-8")
    assert 'msgstr "The house %s is big."' in text
    assert (
        text.replace('msgstr "The house %s is big."', "").count("msgstr") == out.read_text(encoding="utf-8").count("msgstr") - 1
    )
    if shutil.which("msgfmt"):
        check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(final)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    capsys.readouterr()


XLF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
    '<file original="a" source-language="de" target-language="en" datatype="plaintext"><body>\n'
    '<trans-unit id="a"><source>Das ist <g id="1">fett</g>.</source><target>This is <g id="1">bold</g>.</target></trans-unit>\n'
    '<trans-unit id="b" translate="no"><source>ACME</source><target>ACME</target></trans-unit>\n'
    "</body></file></xliff>\n"
)


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda rows: rows[0].update({"source (tagged)": "Etwas <1>anderes</1>."}),
            r"row 1: its source is not that of segment a",
        ),
        (lambda rows: rows[1].update({"target (tagged)": "Acme Inc."}), r"row 2 \(segment b\): the segment is locked"),
        (lambda rows: rows[0].update({"target (tagged)": "This is <1>bold."}), r"line 2: the target's tags do not balance"),
        (
            lambda rows: rows[0].update({"target (tagged)": "This <2/>is <1>bold</1>."}),
            r"row 1 \(segment a\): tag <2/> is not in",
        ),
        (lambda rows: rows.append(dict(rows[0], src_ids="5", tgt_ids="5")), r"row 3: names segment 6, but job\.xlf has 2"),
    ],
    ids=["not-from-the-job", "locked", "unbalanced", "extra-tag", "extra-row"],
)
def test_rows_that_do_not_fit_the_job_are_one_line_errors(tmp_path: Path, capsys, edit, says: str) -> None:
    job = tmp_path / "job.xlf"
    job.write_text(XLF, encoding="utf-8")
    rows = tmp_path / "rows.csv"
    assert main(["convert", str(job), str(rows)]) == 0
    table = read_rows(rows)
    edit(table)
    write_rows(rows, table)
    capsys.readouterr()
    assert main(["export-doc", str(rows), str(job), "-o", str(tmp_path / "out.xlf")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(rows) in err
    assert re.search(says, err), err
    assert not (tmp_path / "out.xlf").exists()


def test_convert_writes_rows_in_every_pair_format_that_read_back_with_their_tags(tmp_path: Path) -> None:
    job = tmp_path / "job.xlf"
    job.write_text(XLF, encoding="utf-8")
    for fmt in FORMATS:
        rows = tmp_path / f"rows.{fmt}"
        assert main(["convert", str(job), str(rows)]) == 0
        doc = read_aligned(rows)
        assert markup(doc.pairs[0].target, doc.pairs[0].tgt_codes) == "This is <1>bold</1>.", fmt
        assert main(["export-doc", str(rows), str(job), "-o", str(tmp_path / f"back-{fmt}.xlf")]) == 0, fmt
        back = (tmp_path / f"back-{fmt}.xlf").read_bytes()
        assert etree.canonicalize(etree.fromstring(back)) == etree.canonicalize(etree.fromstring(job.read_bytes())), fmt


def test_help_names_the_job_files(capsys) -> None:
    for command, words in (
        ("translate", ["XLIFF 1.2 or 2.0", "PO", "pre-translated as a draft", "--fuzzy"]),
        ("convert", ["CAT tool's job", "<1>...</1>", "export-doc"]),
        ("export-doc", ["XLIFF or PO job", "locked segment", "states"]),
    ):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        for word in words:
            assert word in text, (command, word)


def test_translate_a_job_into_rows_then_put_them_back(tmp_path: Path, installed_settings, capsys) -> None:
    """Rows out for review in a spreadsheet (translate -o rows.xlsx), back into the job with export-doc."""
    job = tmp_path / "job.xlf"
    job.write_text(XLF.replace('<target>This is <g id="1">bold</g>.</target>', ""), encoding="utf-8")
    rows = tmp_path / "rows.xlsx"
    assert run(installed_settings.home, "translate", str(job), "-o", str(rows), "--no-tm", *FAST) == 0
    doc = read_aligned(rows)
    assert doc.pairs[0].target and [c.id for c in doc.pairs[0].tgt_codes] == ["1"] and str(doc.pairs[0].origin) == "mt"
    out = tmp_path / "out.xlf"
    assert main(["export-doc", str(rows), str(job), "-o", str(out)]) == 0
    assert "1 segments changed" in capsys.readouterr().out
    first, locked = read_job(out).segments()
    assert (first.target, first.target_codes) == (doc.pairs[0].target, doc.pairs[0].tgt_codes)
    assert first.state.name == "DRAFT" and locked.target == "ACME"
