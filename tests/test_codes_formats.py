"""Inline codes through every aligned-document format (CSV, TSV, XLSX, JSONL, TMX) and back; a
document without codes is written and read exactly as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from align.codes import Code, CodeKind, untagged
from align.document import AlignedDocument, Pair
from align.errors import FormatError
from align.formats import FORMATS, ExportError, read_aligned, to_bytes, write_document
from align.formats.cells import COLUMNS

DTD = Path(__file__).resolve().parents[1] / "align" / "resources" / "tmx14.dtd"


def coded(source: str, target: str) -> Pair:
    """A pair from tagged text (``untagged`` is tested on its own)."""
    (src, src_codes), (tgt, tgt_codes) = untagged(source), untagged(target)
    return Pair(src, tgt, src_codes=src_codes, tgt_codes=tgt_codes)


CODED = AlignedDocument(
    "de",
    "en",
    (
        coded("Ein <1>fettes</1> Wort und <2/>Bild.", "A <1>bold</1> word and <2/>image."),
        coded("Siehe <3><4>hier</4> und <5></5></3>dort.", "See <3><5></5><4>here</4> and</3> there."),
        coded("<7/>Nur am Anfang", "Only at the start<7/>"),
        Pair("Text mit \\<1> und <b>HTML</b>, a < b", "Text with \\<1> and <b>HTML</b>, a < b"),
        Pair("=1+2 ist Summe", "=1+2 is a sum"),  # neutralised in spreadsheets
    ),
    name="coded",
)
PLAIN = AlignedDocument(
    "de", "en", (Pair("Ein <b>Wort</b> und <1>", "A <b>word</b> and <1>"), Pair("a < b", "a < b")), name="plain"
)


def sides(doc: AlignedDocument) -> list[tuple[str, str, tuple[Code, ...], tuple[Code, ...]]]:
    return [(p.source, p.target, p.src_codes, p.tgt_codes) for p in doc.pairs]


@pytest.mark.parametrize("fmt", FORMATS)
def test_codes_go_out_and_come_back_in_every_format(tmp_path, fmt):
    path = write_document(CODED, tmp_path / f"doc.{fmt}")
    assert sides(read_aligned(path)) == sides(CODED)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_document_without_codes_reads_back_without_codes(tmp_path, fmt):
    path = write_document(PLAIN, tmp_path / f"doc.{fmt}")
    assert sides(read_aligned(path)) == sides(PLAIN)
    assert b"tagged" not in to_bytes(PLAIN, fmt) if fmt != "xlsx" else True


def test_a_plain_csv_keeps_its_header_and_a_plain_tsv_its_columns():
    csv_lines = to_bytes(PLAIN, "csv").decode("utf-8-sig").split("\r\n")
    assert csv_lines[0] == ",".join(COLUMNS)
    assert csv_lines[1].startswith("0,1,Ein <b>Wort</b> und <1>,A <b>word</b> and <1>,")
    tsv_rows = to_bytes(PLAIN, "tsv").decode("utf-8").splitlines()
    assert [len(row.split("\t")) for row in tsv_rows] == [12, 12]
    assert tsv_rows[0].startswith("Ein <b>Wort</b> und <1>\tA <b>word</b> and <1>\t")


def test_a_coded_csv_names_its_tagged_columns_and_holds_tagged_text():
    lines = to_bytes(CODED, "csv").decode("utf-8-sig").split("\r\n")
    assert lines[0].split(",")[2:4] == ["source (tagged)", "target (tagged)"]
    assert lines[1].startswith("0,1,Ein <1>fettes</1> Wort und <2/>Bild.,A <1>bold</1> word and <2/>image.,")
    assert "Text mit \\\\\\<1> und <b>HTML</b>" in lines[4]  # a literal "\<1>" escaped, <b> as it is


def test_a_coded_tsv_marks_each_row_tagged():
    rows = to_bytes(CODED, "tsv").decode("utf-8").splitlines()
    assert all(row.split("\t")[-1] == "tagged" for row in rows)
    # an empty code where <3> ends is outside it (align.codes's order rule): the same offsets
    assert rows[1].split("\t")[:2] == ["Siehe <3><4>hier</4> und </3><5></5>dort.", "See <3><5></5><4>here</4> and</3> there."]


def test_a_csv_from_elsewhere_with_tags_in_its_text_grows_no_codes(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("source,target\n<b>Fett</b> <1/>,<1>bold</1> <2/>\n", encoding="utf-8")
    (pair,) = read_aligned(path).pairs
    assert (pair.source, pair.target, pair.src_codes, pair.tgt_codes) == ("<b>Fett</b> <1/>", "<1>bold</1> <2/>", (), ())
    tsv = tmp_path / "other.tsv"
    tsv.write_text("<1>Fett</1>\t<1>bold</1>\n", encoding="utf-8")
    assert sides(read_aligned(tsv)) == [("<1>Fett</1>", "<1>bold</1>", (), ())]


def test_a_tagged_cell_with_broken_tags_is_a_format_error_naming_the_line(tmp_path):
    path = write_document(CODED, tmp_path / "doc.csv")
    text = path.read_text(encoding="utf-8-sig").replace("A <1>bold</1> word", "A <1>bold word", 1)
    path.write_text(text, encoding="utf-8-sig")
    with pytest.raises(FormatError, match=r"line 2: .*target.*<1> is never closed") as err:
        read_aligned(path)
    assert "\n" not in str(err.value)


def test_codes_that_tags_cannot_name_are_an_export_error_before_anything_is_written(tmp_path):
    doc = AlignedDocument("de", "en", (Pair("Fett", "Bold", src_codes=(Code("b", CodeKind.PAIRED, 0, 4),)),))
    with pytest.raises(ExportError, match="row 1"):
        write_document(doc, tmp_path / "doc.csv")
    assert not (tmp_path / "doc.csv").exists()
    assert sides(read_aligned(write_document(doc, tmp_path / "doc.jsonl"))) == sides(doc)


def test_jsonl_writes_codes_only_for_rows_that_have_them():
    records = [json.loads(line) for line in to_bytes(CODED, "jsonl").decode("utf-8").splitlines()]
    pairs = [r for r in records if r["type"] == "pair"]
    assert pairs[0]["src_codes"] == [
        {"id": "1", "kind": "paired", "start": 4, "end": 10},
        {"id": "2", "kind": "standalone", "start": 20, "end": 20},
    ]
    assert "src_codes" not in pairs[3] and "tgt_codes" not in pairs[3]
    assert b"_codes" not in to_bytes(PLAIN, "jsonl")


def test_jsonl_codes_that_do_not_fit_the_text_are_a_format_error(tmp_path):
    lines = to_bytes(CODED, "jsonl").decode("utf-8").splitlines()
    lines = [line.replace('"start": 4, "end": 10', '"start": 4, "end": 99') for line in lines]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FormatError, match="line .*outside the text"):
        read_aligned(path)


def test_tmx_writes_bpt_ept_and_ph_valid_against_the_dtd(tmp_path):
    path = write_document(CODED, tmp_path / "doc.tmx")
    tree = etree.parse(str(path))
    assert etree.DTD(str(DTD)).validate(tree)
    seg = tree.find("body/tu/tuv/seg")
    assert etree.tostring(seg, encoding="unicode", with_tail=False) == (
        '<seg>Ein <bpt i="1" x="1"/>fettes<ept i="1"/> Wort und <ph x="2"/>Bild.</seg>'
    )


def test_tmx_from_another_tool_reads_its_inline_codes_under_matching_numbers(tmp_path):
    path = tmp_path / "other.tmx"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="de" creationtool="x" creationtoolversion="1" segtype="sentence"
 o-tmf="x" adminlang="en" datatype="html"/><body>
<tu><tuv xml:lang="de"><seg>Ein <bpt i="1" x="a">&lt;b&gt;</bpt>fettes<ept i="1">&lt;/b&gt;</ept><!--
--> Wort<ph>&lt;br/&gt;</ph>.</seg></tuv>
<tuv xml:lang="en"><seg>A <bpt i="1" x="a">&lt;b&gt;</bpt>bold<ept i="1">&lt;/b&gt;</ept><!--
--> word<ph>&lt;br/&gt;</ph>.</seg></tuv></tu>
<tu><tuv xml:lang="de"><seg>Offen <bpt i="4">&lt;i&gt;</bpt>halb <it pos="end">&lt;/u&gt;</it></seg></tuv>
<tuv xml:lang="en"><seg>Open <bpt i="4">&lt;i&gt;</bpt>half</seg></tuv></tu>
</body></tmx>""",
        encoding="utf-8",
    )
    first, second = read_aligned(path).pairs
    assert (first.source, first.target) == ("Ein fettes Wort.", "A bold word.")
    assert first.src_codes == (Code("1", CodeKind.PAIRED, 4, 10), Code("2", CodeKind.STANDALONE, 15, 15))
    assert first.tgt_codes == (Code("1", CodeKind.PAIRED, 2, 6), Code("2", CodeKind.STANDALONE, 11, 11))
    assert (second.source, second.target) == ("Offen halb ", "Open half")
    assert [(c.id, c.kind) for c in second.src_codes] == [("1", CodeKind.STANDALONE), ("2", CodeKind.STANDALONE)]
    assert [(c.id, c.kind) for c in second.tgt_codes] == [("1", CodeKind.STANDALONE)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_codes_that_do_not_fit_their_text_are_an_export_error_in_every_format(tmp_path, fmt):
    stale = Pair("Fett", "Bold", src_codes=(Code("1", CodeKind.PAIRED, 0, 4),), tgt_codes=(Code("1", CodeKind.PAIRED, 0, 9),))
    with pytest.raises(ExportError, match="row 1: the target's codes do not fit its text"):
        write_document(AlignedDocument("de", "en", (stale,)), tmp_path / f"doc.{fmt}")


def test_the_codes_of_real_xliff_files_survive_every_format(tmp_path, shared_dir):
    """Real CAT-tool files (Okapi's test files in bench/xliff-dev): every row's text and codes come
    back from each format as they went out (TSV turns tabs and line breaks into spaces)."""
    from align.exchange import read_job
    from align.exchange.project import job_document

    files = sorted((shared_dir / "bench" / "xliff-dev" / "files").rglob("*.xlf"))
    docs = [job_document(read_job(path)) for path in files[:40]]
    docs = [doc for doc in docs if any(p.src_codes or p.tgt_codes for p in doc.pairs)]
    assert len(docs) >= 5
    for doc in docs:
        for fmt in FORMATS:
            back = read_aligned(write_document(doc, tmp_path / f"doc.{fmt}"))
            want = [p for p in doc.pairs if fmt != "tmx" or (p.source.strip() and p.target.strip())]
            if fmt == "tsv":
                want = [p.replace(source=_flat(p.source), target=_flat(p.target)) for p in want]
            assert sides(back) == sides(doc.replace(pairs=want)), (doc.name, fmt)


def _flat(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
