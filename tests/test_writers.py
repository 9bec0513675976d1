"""Writers: every format on real files, read back by our reader and by other tools (lxml DTD, translate-toolkit)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.document import AlignedDocument, Pair, Sentence, Signature, Status
from align.errors import AlignError
from align.formats import FORMATS, atomic_write_bytes, read_aligned, to_bytes, write_document
from align.formats.cells import COLUMNS, XML_INVALID, join_reasons, neutralise, split_reasons, unneutralise
from align.formats.delimited import tsv_cell

DTD = Path(__file__).resolve().parents[1] / "align" / "resources" / "tmx14.dtd"

#: Reasons with the cell joiner, the escape character, a formula start, quotes, commas, semicolons
#: and non-ASCII: every one must come back exactly.
REASONS = (
    "=repeats 'the salad' 4 times",
    "numbers differ: 2.700 vs 270",
    'a | b, "quoted"; semi',
    "Größe ≠ „size“ \\ back\\slash |",
)

PAIRS = (
    Pair("Der Vertrag gilt ab 1. Mai.", "The contract applies from 1 May.", (0,), (0,), 0.93, Status.CONFIRMED, 0),
    Pair(
        "- Erstens: Preis 3,50 €.",
        "- First: price EUR 3.50.",
        (1,),
        (1,),
        0.5,
        Status.NEEDS_REVIEW,
        1,
        ("numbers",),
        "check",
        quality=0.1234567890123,
        reasons=REASONS,
    ),
    Pair("=SUMME(A1:A3)", "=SUM(A1:A3)", (2, 3), (2,), 0.25, Status.AUTOMATIC, 1, quality=1.0),
    Pair("Nur links.", "", (4,), (), 0.1, Status.AUTOMATIC, 2),
    Pair("", "Only right.", (), (3,), 0.1, Status.AUTOMATIC, 2),
    Pair(
        'Zeile eins\nZeile <zwei> & "drei"',
        "Line one\nline <two> & 'three'",
        (5,),
        (4,),
        1.0,
        Status.CONFIRMED,
        3,
        ("length", "untranslated"),
        "'+ quoted note",
    ),
    Pair("Null.", "Zero.", (6,), (5,), 0.25, Status.AUTOMATIC, 1, quality=0.0, reasons=("untranslated: 'Null'",)),
)


def make_doc(pairs=PAIRS) -> AlignedDocument:
    return AlignedDocument(
        src_lang="de",
        tgt_lang="en",
        pairs=tuple(pairs),
        source_sentences=(Sentence("Der Vertrag gilt ab 1. Mai.", 0, 27, 0),),
        name="vertrag",
        signature=Signature(version="0.1.0", method="translate", model="translate-de_en-1.0", settings={"beam": 2}),
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(tmp_path: Path, fmt: str) -> None:
    doc = make_doc()
    path = write_document(doc, tmp_path / f"out.{fmt}")
    back = read_aligned(path)
    expected = list(doc.pairs)
    if fmt == "tmx":  # a translation memory holds two-sided pairs only
        expected = [p for p in expected if p.source and p.target]
    if fmt == "tsv":
        expected = [p.replace(source=tsv_cell(p.source), target=tsv_cell(p.target)) for p in expected]
    assert list(back.pairs) == expected
    assert (back.src_lang, back.tgt_lang) == ("de", "en")
    if fmt in ("xlsx", "jsonl", "tmx"):
        assert back.name == "vertrag"
        assert back.signature == doc.signature
    if fmt == "jsonl":
        assert back.source_sentences == doc.source_sentences


def test_csv_layout_bom_header_and_ids(tmp_path: Path) -> None:
    path = write_document(make_doc(), tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    third = dict(zip(COLUMNS, rows[3], strict=True))
    assert third["source"] == "'=SUMME(A1:A3)"
    assert third["src_ids"] == "2 3"
    assert third["index"] == "3"
    assert dict(zip(COLUMNS, rows[2], strict=True))["source"] == "'- Erstens: Preis 3,50 €."
    assert dict(zip(COLUMNS, rows[6], strict=True))["source"] == 'Zeile eins\nZeile <zwei> & "drei"'


def test_keep_formulas_writes_cells_as_typed(tmp_path: Path) -> None:
    path = write_document(make_doc(), tmp_path / "out.csv", neutralise_formulas=False)
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    assert rows[3][2] == "=SUMME(A1:A3)"
    assert read_aligned(path, neutralised=False).pairs == make_doc().pairs


def test_xlsx_frozen_header_wrapped_and_text_cells(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_document(make_doc(), tmp_path / "out.xlsx", neutralise_formulas=False)
    book = load_workbook(path)
    sheet = book["pairs"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.column_dimensions["C"].width >= 50
    formula_cell = sheet.cell(row=4, column=3)
    assert formula_cell.value == "=SUMME(A1:A3)" and formula_cell.data_type == "s"
    assert formula_cell.alignment.wrap_text
    assert book["document"]["A1"].value == "format"


def test_tsv_is_lf_aligner_layout(tmp_path: Path) -> None:
    path = write_document(make_doc(), tmp_path / "out.tsv")
    lines = path.read_text("utf-8").split("\n")
    assert lines[0].split("\t")[:2] == ["Der Vertrag gilt ab 1. Mai.", "The contract applies from 1 May."]
    assert lines[5].split("\t")[0] == 'Zeile eins Zeile <zwei> & "drei"'
    assert len(lines) == len(PAIRS) + 1 and lines[-1] == ""


def test_quality_and_reasons_cells_in_csv_tsv_and_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    # one apostrophe (the cell starts with "="), backslashes doubled, a "|" in a reason escaped
    joined = (
        "'=repeats 'the salad' 4 times | numbers differ: 2.700 vs 270 | "
        'a \\| b, "quoted"; semi | Größe ≠ „size“ \\\\ back\\\\slash \\|'
    )
    csv_rows = list(
        csv.DictReader(io.StringIO(write_document(make_doc(), tmp_path / "q.csv").read_text("utf-8-sig"), newline=""))
    )
    assert (csv_rows[0]["quality"], csv_rows[0]["reasons"]) == ("", "")  # not estimated
    assert (csv_rows[1]["quality"], csv_rows[1]["reasons"]) == ("0.1234567890123", joined)
    assert (csv_rows[2]["quality"], csv_rows[6]["quality"]) == ("1.0", "0.0")
    tsv_rows = [line.split("\t") for line in write_document(make_doc(), tmp_path / "q.tsv").read_text("utf-8").splitlines()]
    assert tsv_rows[1][-3:-1] == ["0.1234567890123", joined]  # the origin column comes last
    assert tsv_rows[0][-3:-1] == ["", ""]
    sheet = load_workbook(write_document(make_doc(), tmp_path / "q.xlsx"))["pairs"]
    quality, reasons = list(COLUMNS).index("quality") + 1, list(COLUMNS).index("reasons") + 1
    assert sheet.cell(row=3, column=quality).value == 0.1234567890123  # a number a spreadsheet can sort by
    assert sheet.cell(row=2, column=quality).value is None
    assert sheet.cell(row=3, column=reasons).value == joined


def test_quality_and_reasons_in_jsonl_and_tmx(tmp_path: Path) -> None:
    from lxml import etree

    lines = write_document(make_doc(), tmp_path / "q.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines if json.loads(line)["type"] == "pair"]
    assert (records[0]["quality"], records[0]["reasons"]) == (None, [])
    assert (records[1]["quality"], records[1]["reasons"]) == (0.1234567890123, list(REASONS))
    tus = etree.parse(str(write_document(make_doc(), tmp_path / "q.tmx"))).findall("body/tu")
    assert tus[0].find("prop[@type='x-align-quality']") is None  # not estimated: no prop
    assert tus[1].find("prop[@type='x-align-quality']").text == "0.1234567890123"
    assert [p.text for p in tus[1].findall("prop[@type='x-align-quality-reason']")] == list(REASONS)
    assert tus[2].find("prop[@type='x-align-quality']").text == "1.0" and not tus[2].findall(
        "prop[@type='x-align-quality-reason']"
    )


def test_tmx_validates_against_the_dtd(tmp_path: Path) -> None:
    from lxml import etree

    doc = make_doc(PAIRS + (Pair("Steuer\x07zeichen\x00 und \ufffe", "control\x1bchars", (6,), (5,)),))
    path = write_document(doc, tmp_path / "out.tmx")
    tree = etree.parse(str(path))
    dtd = etree.DTD(str(DTD))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    header = tree.find("header")
    for attr in ("creationtool", "creationtoolversion", "o-tmf", "adminlang", "datatype"):
        assert header.get(attr)
    assert header.get("segtype") == "sentence" and header.get("srclang") == "de"
    tus = tree.findall("body/tu")
    assert len(tus) == 6  # two one-sided pairs left out
    langs = [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tus[0].findall("tuv")]
    assert langs == ["de", "en"]
    assert tus[-1].find("tuv/seg").text == "Steuerzeichen und "


def test_tmx_logs_one_sided_pairs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="align.formats.tmx"):
        write_document(make_doc(), tmp_path / "out.tmx")
    assert "2 one-sided pair(s) left out" in caplog.text


def test_translate_toolkit_reads_our_tmx(tmp_path: Path) -> None:
    from translate.storage import tmx

    path = write_document(make_doc(), tmp_path / "out.tmx")
    store = tmx.tmxfile.parsefile(str(path))
    units = [u for u in store.units if not u.isheader()]
    expected = [p for p in PAIRS if p.source and p.target]
    assert [(u.source, u.target) for u in units] == [(p.source, p.target) for p in expected]


def test_confirmed_only(tmp_path: Path) -> None:
    back = read_aligned(write_document(make_doc(), tmp_path / "out.jsonl", confirmed_only=True))
    assert [p.status for p in back.pairs] == [Status.CONFIRMED, Status.CONFIRMED]


def test_to_bytes_matches_file(tmp_path: Path) -> None:
    doc = make_doc()
    for fmt in ("csv", "tsv", "jsonl", "tmx"):
        assert write_document(doc, tmp_path / f"x.{fmt}").read_bytes() == to_bytes(doc, fmt)


def test_format_from_explicit_argument_and_unknown_format(tmp_path: Path) -> None:
    path = write_document(make_doc(), tmp_path / "export.dat", fmt="jsonl")
    assert json.loads(path.read_text("utf-8").split("\n")[0])["type"] == "document"
    with pytest.raises(AlignError, match="unknown output format 'docx'"):
        write_document(make_doc(), tmp_path / "x.docx")


def test_atomic_write_keeps_old_file_when_rendering_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    atomic_write_bytes(target, b"old")

    class Boom:
        def __len__(self) -> int:
            return 3

    with pytest.raises(TypeError):
        atomic_write_bytes(target, Boom())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]  # no temporary file left behind


# ---- neutralisation and round-trip properties ------------------------------------------------------

cells = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(cells)
def test_neutralise_is_undone_exactly(cell: str) -> None:
    written = neutralise(cell)
    assert unneutralise(written) == cell
    assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")


@given(st.text(alphabet="'=+-@a \t", max_size=8))
def test_unneutralise_leaves_unmarked_cells(cell: str) -> None:
    if neutralise(cell) == cell:  # nothing added: nothing may be removed either
        assert unneutralise(cell) == cell or cell.startswith("'")


@given(st.lists(st.text(alphabet="ab |\\", max_size=6), max_size=5).filter(lambda rs: rs != [""]))
def test_reasons_cell_is_split_back_exactly(reasons: list[str]) -> None:
    assert split_reasons(join_reasons(reasons)) == tuple(reasons)


def test_hand_typed_reasons_cell() -> None:
    assert split_reasons("a|b |  c") == ("a", "b", " c")
    assert split_reasons("trailing \\") == ("trailing \\",)  # a lone backslash stays itself
    assert split_reasons("") == ()


flag = st.text(st.characters(whitelist_categories=("Ll",)), min_size=1, max_size=8)
# Any text, often with the joiner's and the escape's characters; a lone empty reason would read
# back as none (documented in align.formats.cells), so a reason keeps a character XML allows.
reason = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from("| \\"), min_size=1, max_size=20).filter(
    lambda r: XML_INVALID.sub("", r) != ""
)
pairs_strategy = st.lists(
    st.builds(
        Pair,
        source=cells,
        target=cells,
        src_ids=st.tuples(st.integers(0, 500)) | st.just(()),
        tgt_ids=st.lists(st.integers(0, 500), max_size=3).map(tuple),
        confidence=st.floats(0, 1),
        status=st.sampled_from(list(Status)),
        paragraph=st.integers(0, 1000),
        flags=st.lists(flag, max_size=3).map(tuple),
        note=cells,
        quality=st.none() | st.floats(0, 1),
        reasons=st.lists(reason, max_size=4).map(tuple),
    ),
    max_size=6,
)


def _xml_clean(pair: Pair) -> Pair:
    return pair.replace(
        source=XML_INVALID.sub("", pair.source),
        target=XML_INVALID.sub("", pair.target),
        note=XML_INVALID.sub("", pair.note),
        reasons=tuple(XML_INVALID.sub("", r) for r in pair.reasons),
    )


@pytest.mark.parametrize("fmt", FORMATS)
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=pairs_strategy)
def test_round_trip_property(tmp_path: Path, fmt: str, pairs: list[Pair]) -> None:
    doc = make_doc(pairs)
    path = tmp_path / f"prop.{fmt}"
    if fmt == "tsv" and not pairs:
        return  # an empty TSV is an empty file, which the reader refuses as empty input
    write_document(doc, path)
    back = list(read_aligned(path).pairs)
    expected = list(pairs)
    if fmt == "tsv":
        expected = [
            p.replace(
                source=tsv_cell(p.source),
                target=tsv_cell(p.target),
                note=tsv_cell(p.note),
                reasons=tuple(tsv_cell(r) for r in p.reasons),
            )
            for p in expected
        ]
    if fmt in ("xlsx", "tmx"):
        expected = [_xml_clean(p) for p in expected]
    if fmt == "tmx":
        expected = [p for p in expected if p.source.strip() and p.target.strip()]
    if fmt == "xlsx":  # Excel keeps 15-16 significant digits of a number
        assert [b.confidence for b in back] == pytest.approx([p.confidence for p in expected], rel=1e-14, abs=1e-300)
        assert [b.quality is None for b in back] == [p.quality is None for p in expected]
        assert [b.quality or 0.0 for b in back] == pytest.approx([p.quality or 0.0 for p in expected], rel=1e-14, abs=1e-300)
        back = [b.replace(confidence=p.confidence, quality=p.quality) for b, p in zip(back, expected, strict=True)]
    assert back == expected


def test_convert_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from align.cli import main

    source = tmp_path / "plain.csv"
    source.write_text("Bonjour.,Hello.\n-Oui,=Yes\n", encoding="utf-8")
    assert main(["convert", str(source), str(tmp_path / "out.tmx"), "--src", "fr"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'out.tmx'}"
    back = read_aligned(tmp_path / "out.tmx")
    assert (back.src_lang, back.tgt_lang) == ("fr", "en")
    assert [(p.source, p.target) for p in back.pairs] == [("Bonjour.", "Hello."), ("-Oui", "=Yes")]
    assert main(["convert", str(source), str(tmp_path / "out.docx")]) == 1
    assert "unknown output format 'docx'" in capsys.readouterr().err
