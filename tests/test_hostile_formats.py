"""Hostile and extreme files through the exchange formats, the memory and the glossary readers:
each is read whole and right, or refused with one line naming the file, through the real
command line (``convert``, ``tm import``, ``translate --glossary``) and the readers it uses."""

from __future__ import annotations

import json
import logging
import os
import stat
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from align.cli import main
from align.document import AlignedDocument, Pair, Status
from align.errors import AlignError, FormatError, InputError
from align.formats import FORMATS, atomic_write_bytes, export_problem, read_aligned, to_bytes, write_document
from align.glossary import read_glossary
from align.tm import TranslationMemory, export_tmx, import_file

DTD = Path(__file__).resolve().parents[1] / "align" / "resources" / "tmx14.dtd"
#: 200,000 characters of German, umlauts included: past csv's field limit and Excel's cell limit.
BIG = ("Größe über Maß, „Tür“ – ä ö ü ß. " * 7000)[:200_000]


def doc_of(*pairs: tuple[str, str]) -> AlignedDocument:
    return AlignedDocument(
        src_lang="de",
        tgt_lang="en",
        pairs=tuple(Pair(s, t, (i,), (i,), 1.0, Status.CONFIRMED, 0) for i, (s, t) in enumerate(pairs)),
        name="hostile",
    )


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command line, expect exit 1 and one line on stderr (no traceback); return it."""
    assert main(list(argv)) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


def tm_units(home: Path) -> list[tuple[str, str]]:
    with TranslationMemory(home / "tm.sqlite3") as tm:
        return [(u.source, u.target) for u in tm.units()]


# ---- item 7: a 200,000-character cell out and back ------------------------------------------------
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "xlsx"])
def test_a_200000_character_cell_goes_out_and_back(tmp_path: Path, fmt: str) -> None:
    write_document(doc_of((BIG, "Size."), ("Kurz.", BIG)), tmp_path / f"big.{fmt}")
    assert main(["convert", str(tmp_path / f"big.{fmt}"), str(tmp_path / "back.jsonl")]) == 0
    back = read_aligned(tmp_path / "back.jsonl")
    assert [(p.source, p.target) for p in back.pairs] == [(BIG, "Size."), ("Kurz.", BIG)]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "tmx"])
def test_tm_import_keeps_a_200000_character_cell(tmp_path: Path, fmt: str) -> None:
    write_document(doc_of((BIG, "Size.")), tmp_path / f"big.{fmt}")
    assert main(["--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(tmp_path / f"big.{fmt}")]) == 0
    assert tm_units(tmp_path / "home") == [(BIG.strip(), "Size.")]


def test_xlsx_refuses_a_cell_excel_cannot_hold_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_document(doc_of(("Kurz.", "Short."), ("Lang.", BIG)), tmp_path / "big.jsonl")
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"the old export")
    err = one_line_error(capsys, "convert", str(tmp_path / "big.jsonl"), str(out))
    assert str(out) in err and "row 2" in err and "target" in err and "32,767" in err and "200,000" in err
    assert out.read_bytes() == b"the old export"  # nothing written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    with pytest.raises(AlignError, match="32,767"):
        to_bytes(doc_of((BIG, "x")), "xlsx")
    problem = export_problem(read_aligned(tmp_path / "big.jsonl"), "xlsx")  # what a page shows instead
    assert problem is not None and "row 2: the target" in problem
    assert export_problem(read_aligned(tmp_path / "big.jsonl"), "csv") is None
    cell = "ä" * 32_767  # exactly Excel's limit still goes through, whole
    assert read_aligned(write_document(doc_of((cell, "x")), tmp_path / "full.xlsx")).pairs[0].source == cell


def test_a_cell_longer_than_any_reader_takes_is_refused_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from align.formats.cells import MAX_CELL

    huge = tmp_path / "huge.jsonl"
    huge.write_text(json.dumps({"type": "pair", "source": "a" * (MAX_CELL + 1), "target": "b"}) + "\n", encoding="utf-8")
    for fmt in ("csv", "tsv", "jsonl", "tmx", "xlsx"):
        err = one_line_error(capsys, "convert", str(huge), str(tmp_path / f"out.{fmt}"))
        assert "row 1" in err and f"{MAX_CELL + 1:,}" in err, err
        assert not (tmp_path / f"out.{fmt}").exists()


@pytest.mark.parametrize(("field", "value"), [("quality", "NaN"), ("confidence", "Infinity"), ("quality", "-Infinity")])
def test_a_jsonl_number_that_is_not_finite_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: str
) -> None:
    """Python's json reads NaN and Infinity; a NaN quality sorted and filtered the page's rows at random."""
    path = tmp_path / "nan.jsonl"
    path.write_text(f'{{"type": "pair", "source": "Satz.", "target": "Sentence.", "{field}": {value}}}\n', encoding="utf-8")
    err = one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    assert "nan.jsonl" in err and field in err and "finite" in err, err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_csv_quality_that_is_not_finite_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = tmp_path / "nan.csv"
    path.write_text(f"source,target,quality\nSatz.,Sentence.,{value}\n", encoding="utf-8")
    err = one_line_error(capsys, "convert", str(path), str(tmp_path / "out.jsonl"))
    assert "nan.csv" in err and "quality" in err and "finite" in err, err


def test_a_tmx_segment_past_the_xml_readers_limit_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.tmx"
    path.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="de"/><body><tu><tuv xml:lang="de"><seg>'
        + "a" * 12_000_000
        + '</seg></tuv><tuv xml:lang="en"><seg>b</seg></tuv></tu></body></tmx>'
    )
    assert "10 MB" in one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    assert "10 MB" in one_line_error(capsys, "--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path))


# ---- item 3 (xlsx): inflated size and DTDs, checked before openpyxl opens a workbook ------------------
def small_xlsx(path: Path) -> Path:
    """A plain two-column workbook, as a translator keeps a glossary or a memory in Excel."""
    from openpyxl import Workbook

    book = Workbook()
    for row in (("source", "target"), ("Haus", "house"), ("Tür", "door")):
        book.active.append(row)
    book.save(path)
    return path


def rewrite_member(path: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """The workbook at ``path`` with member ``name`` changed (the rest copied as it is)."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info.filename)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            new.writestr(info.filename, change(data) if info.filename == name else data)
    return path


SHEET = "xl/worksheets/sheet1.xml"
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ha">'
    + b"".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def hostile_xlsx(path: Path, kind: str) -> Path:
    small_xlsx(path)
    if kind == "inflated":  # 40 MB of blanks between rows: 40 MB out of ~40 KB in
        return rewrite_member(path, SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 40_000_000))
    prolog, entity = (LAUGHS, b"&l9;") if kind == "laughs" else (XXE, b"&xxe;")
    return rewrite_member(path, SHEET, lambda xml: prolog + xml.replace(b"<t>Haus</t>", b"<t>" + entity + b"</t>"))


def read_through(reader: str, path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one-line error of reading ``path`` by ``convert``, ``tm import`` or ``translate --glossary``."""
    if reader == "convert":
        return one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    if reader == "tm":
        return one_line_error(capsys, "--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path))
    text = tmp_path / "in.txt"
    text.write_text("Das Haus.\n", encoding="utf-8")
    home = str(tmp_path / "home")
    return one_line_error(capsys, "--home", home, "translate", str(text), "-o", str(tmp_path / "o.csv"), "--glossary", str(path))


@pytest.mark.parametrize("reader", ["convert", "tm", "glossary"])
@pytest.mark.parametrize("kind", ["inflated", "laughs", "xxe"])
def test_hostile_xlsx_is_one_line_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, reader: str) -> None:
    path = hostile_xlsx(tmp_path / "hostile.xlsx", kind)
    err = read_through(reader, path, tmp_path, capsys)
    assert str(path) in err
    assert ("inflate" in err) if kind == "inflated" else ("DTD" in err and SHEET in err)
    if reader == "tm":
        assert tm_units(tmp_path / "home") == []


def test_hostile_xlsx_errors_are_input_errors(tmp_path: Path) -> None:
    for kind in ("inflated", "laughs", "xxe"):
        path = hostile_xlsx(tmp_path / f"{kind}.xlsx", kind)
        with pytest.raises(InputError):
            read_aligned(path)
        with pytest.raises(InputError):
            read_glossary(path)
        with TranslationMemory(tmp_path / "tm.sqlite3") as tm, pytest.raises(InputError):
            import_file(tm, path)


def test_a_plain_workbook_still_reads_in_all_three_places(tmp_path: Path) -> None:
    path = small_xlsx(tmp_path / "ok.xlsx")
    assert [(p.source, p.target) for p in read_aligned(path).pairs] == [("Haus", "house"), ("Tür", "door")]
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        assert import_file(tm, path).added == 2
    assert len(read_glossary(path)) == 2


# ---- entities in TMX and TBX: internal ones expanded (bounded), nothing silently dropped -----------
ENTITY_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx [ <!ENTITY co "ACME"> ]>
<tmx version="1.4"><header srclang="de" datatype="plaintext" segtype="sentence" adminlang="en"
 creationtool="t" creationtoolversion="1" o-tmf="t"/><body>
<tu><tuv xml:lang="de"><seg>Die &co; GmbH haftet.</seg></tuv><tuv xml:lang="en"><seg>&co; Ltd is liable.</seg></tuv></tu>
</body></tmx>
"""


def test_a_benign_internal_entity_in_tmx_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "entity.tmx"
    path.write_text(ENTITY_TMX, encoding="utf-8")
    assert main(["convert", str(path), str(tmp_path / "back.jsonl")]) == 0
    expected = [("Die ACME GmbH haftet.", "ACME Ltd is liable.")]
    assert [(p.source, p.target) for p in read_aligned(tmp_path / "back.jsonl").pairs] == expected
    assert main(["--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path)]) == 0
    assert tm_units(tmp_path / "home") == expected


def test_a_benign_internal_entity_in_tbx_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "entity.tbx"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE martif [ <!ENTITY br "Brücke"> ]><martif><text><body>'
        '<termEntry><langSet xml:lang="de"><tig><term>Fahrrad&br;</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>cycle bridge</term></tig></langSet></termEntry></body></text></martif>',
        encoding="utf-8",
    )
    [entry] = read_glossary(path).entries
    assert (entry.source, entry.targets) == ("FahrradBrücke", ("cycle bridge",))


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        (LAUGHS.decode().split("[", 1)[1].removesuffix("]>"), "amplification"),
        ('<!ENTITY co SYSTEM "file:///etc/hostname">', "&co; is not defined"),
    ],
    ids=["billion-laughs", "external"],
)
def test_dangerous_entities_in_tmx_and_tbx_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entities: str, message: str
) -> None:
    name = "l9" if "l9" in entities else "co"
    path = tmp_path / "bad.tmx"
    path.write_text(ENTITY_TMX.replace('<!ENTITY co "ACME">', entities).replace("&co;", f"&{name};"), encoding="utf-8")
    assert message in one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    assert message in one_line_error(capsys, "--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path))
    assert tm_units(tmp_path / "home") == []
    tbx = tmp_path / "bad.tbx"
    tbx.write_text(
        f'<?xml version="1.0"?><!DOCTYPE martif [ {entities} ]><martif><text><body><termEntry>'
        f'<langSet xml:lang="de"><tig><term>&{name};</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>x</term></tig></langSet></termEntry></body></text></martif>',
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match=message):
        read_glossary(tbx)


# ---- deep nesting: one-line errors, never RecursionError ------------------------------------------
def test_deeply_nested_json_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"type": "pair", "source": "a", "target": "b"}\n{"source": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    assert "line 2" in one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    assert "line 2" in one_line_error(capsys, "--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path))


@pytest.mark.parametrize("depth", [1500, 100_000])
def test_deeply_nested_tmx_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int) -> None:
    seg = "<hi>" * depth + "x" + "</hi>" * depth
    path = tmp_path / "deep.tmx"
    path.write_text(
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="de"/><body><tu><tuv xml:lang="de"><seg>{seg}</seg>'
        '</tuv><tuv xml:lang="en"><seg>y</seg></tuv></tu></body></tmx>'
    )
    assert "depth" in one_line_error(capsys, "convert", str(path), str(tmp_path / "out.csv"))
    assert "depth" in one_line_error(capsys, "--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path))


def test_deeply_nested_tbx_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.tbx"
    notes = "<note>" * 5000 + "x" + "</note>" * 5000
    path.write_text(
        '<?xml version="1.0"?><martif><text><body><termEntry><langSet xml:lang="de"><tig><term>Haus</term></tig>'
        f'</langSet><langSet xml:lang="en"><tig><term>house</term>{notes}</tig></langSet></termEntry></body></text></martif>'
    )
    with pytest.raises(FormatError, match="depth"):
        read_glossary(path)


# ---- control characters XML cannot hold ---------------------------------------------------------
def test_control_characters_in_csv_cells_are_removed_from_the_memory_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes("source,target\nDas Haus.,The house.\nDie T\x00ür\x07.,The d\x00oor.\nDas Dach.,The roof.\n".encode())
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        with caplog.at_level(logging.WARNING):
            assert import_file(tm, path).added == 3
        assert [(u.source, u.target) for u in tm.units()][1] == ("Die Tür.", "The door.")
        assert any("line 3" in r.getMessage() and "control" in r.getMessage() for r in caplog.records)
        export_tmx(tm, tmp_path / "out.tmx")
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(etree.parse(str(tmp_path / "out.tmx"))), dtd.error_log.filter_from_errors()


def test_writers_say_when_they_drop_characters_xml_cannot_hold(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = doc_of(("Das Haus.", "The house."), ("Die T\x00ür.", "The door."))
    for fmt in ("tmx", "xlsx"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            back = read_aligned(write_document(doc, tmp_path / f"out.{fmt}"))
        assert back.pairs[1].source == "Die Tür."
        assert any("row 2" in r.getMessage() and "control" in r.getMessage() for r in caplog.records), fmt


def test_tsv_says_when_tabs_and_line_breaks_become_spaces(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    doc = doc_of(("Das Haus.", "The house."), ("Zeile eins\nZeile\tzwei", "Line one"))
    with caplog.at_level(logging.WARNING):
        back = read_aligned(write_document(doc, tmp_path / "out.tsv"))
    assert back.pairs[1].source == "Zeile eins Zeile zwei"  # LF Aligner's layout has no quoting
    assert any("row 2" in r.getMessage() and "CSV" in r.getMessage() for r in caplog.records)


# ---- a UTF-8 file with one row in another encoding ---------------------------------------------
MIXED = "source,target\nDie Größe.,The size.\n".encode() + "Die Tür.,The door.\n".encode("cp1252") + "Fuß.,Foot.\n".encode()


def test_a_utf8_csv_with_one_latin1_row_decodes_each_row(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    expected = [("Die Größe.", "The size."), ("Die Tür.", "The door."), ("Fuß.", "Foot.")]
    with caplog.at_level(logging.WARNING):
        assert [(p.source, p.target) for p in read_aligned(path).pairs] == expected
    assert any("line 3" in r.getMessage() and "cp1252" in r.getMessage() for r in caplog.records)
    assert main(["--home", str(tmp_path / "home"), "tm", "import", "--quiet", str(path)]) == 0
    assert tm_units(tmp_path / "home") == expected
    glossary = tmp_path / "mixed-glossary.csv"
    glossary.write_bytes(MIXED)
    assert [(e.source, e.targets[0]) for e in read_glossary(glossary).entries] == expected


def test_a_wholly_cp1252_csv_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("source;target\nDie Größe.;The size.\nDie Tür.;The door.\n".encode("cp1252"))
    assert [p.source for p in read_aligned(path).pairs] == ["Die Größe.", "Die Tür."]


# ---- tm import streams a CSV --------------------------------------------------------------------
def test_tm_import_of_a_csv_streams_it(tmp_path: Path) -> None:
    """Python's own allocations while importing an 8 MB CSV stay far below the file's size (it
    was read whole, decoded whole and held as a document: about seven times the file)."""
    path = tmp_path / "big.csv"
    row = '"{}","{}"\r\n'.format("Vertragsbedingungen" * 50 + " gelten.", "Contractconditions" * 50 + " apply.")
    rows = 8_000_000 // len(row)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("source,target\r\n" + row * rows)
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        tracemalloc.start()
        try:
            result = import_file(tm, path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (result.added, result.updated) == (1, rows - 1)
    assert peak < path.stat().st_size / 3, f"peak {peak / 1e6:.1f} MB for a {path.stat().st_size / 1e6:.1f} MB file"


# ---- output files follow the umask --------------------------------------------------------------
@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path, umask) -> None:
    doc = doc_of(("Haus", "house"))
    umask(0o022)
    assert mode(write_document(doc, tmp_path / "a.csv")) == 0o644
    with TranslationMemory(tmp_path / "tm.sqlite3") as tm:
        export_tmx(tm, tmp_path / "tm.tmx")
    assert mode(tmp_path / "tm.tmx") == 0o644
    umask(0o027)
    atomic_write_bytes(tmp_path / "b.bin", b"x")
    assert mode(tmp_path / "b.bin") == 0o640
    os.chmod(tmp_path / "a.csv", 0o600)  # a file the translator made private stays private
    umask(0o000)
    assert mode(write_document(doc, tmp_path / "a.csv")) == 0o600
