"""Readers: real files of every supported kind written by the tests, good and broken."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.document import Pair, Status
from align.errors import FormatError, InputError
from align.formats import read_aligned
from align.text.readers import decode_text, read_text
from devtools.fuzz import pdf_from_objects

GERMAN = "Größe und Übermaß: „Anführungszeichen“ – 5 €.\nZweite Zeile.\n\nNeuer Absatz mit Straße."


# ---- plain text in many encodings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
        ("utf-32", b""),
    ],
)
def test_plain_text_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "text.txt"
    path.write_bytes(bom + GERMAN.replace("\n", "\r\n").encode(encoding))
    assert read_text(path) == GERMAN + "\n"


def test_latin1_text_is_read_as_western(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Schöne Grüße aus Köln, sagte der Bär.".encode("latin-1"))
    assert read_text(path) == "Schöne Grüße aus Köln, sagte der Bär.\n"


def test_cyrillic_legacy_encoding_goes_to_charset_normalizer(tmp_path: Path) -> None:
    text = "Это простой текст на русском языке, в кодировке Windows-1251. Он должен читаться правильно."
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    assert read_text(path) == text + "\n"


def test_old_mac_newlines_and_nfc(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    path.write_bytes("Zeile eins\rZeile zwei mit u\u0308\r\rAbsatz".encode("utf-8"))
    assert read_text(path) == "Zeile eins\nZeile zwei mit ü\n\nAbsatz\n"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b" \n\t\r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"Text\x00mit\x00NUL", "binary"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08text", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office"),
    ],
)
def test_unreadable_plain_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_text(path)
    assert str(path) in str(err.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_text(tmp_path)


def test_utf16_bom_with_broken_body(tmp_path: Path) -> None:
    path = tmp_path / "broken16.txt"
    path.write_bytes(b"\xff\xfeA\x00\x00\xd8")  # a lone high surrogate at the end
    with pytest.raises(InputError, match="byte-order mark"):
        read_text(path)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(whitelist_categories=("L", "N", "P", "Zs")), min_size=1, max_size=200))
def test_utf8_text_survives_decoding(tmp_path: Path, text: str) -> None:
    assert decode_text(tmp_path / "x.txt", text.encode("utf-8")) == text


# ---- Markdown --------------------------------------------------------------------------------------


def test_markdown_light_stripping(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "# Überschrift\n\nEin **fetter** und *kursiver* Satz mit [Link](https://example.org).\n"
        "Weiter im selben Absatz mit `Code`.\n\n- Punkt eins\n- Punkt zwei\n\n> Zitat hier.\n\n---\n\n"
        "| Spalte A | Spalte B |\n|---|---|\n| eins | zwei |\n\n```\nprint('x')\n```\n",
        encoding="utf-8",
    )
    assert read_text(path) == (
        "Überschrift\n\nEin fetter und kursiver Satz mit Link. Weiter im selben Absatz mit Code.\n\n"
        "Punkt eins\n\nPunkt zwei\n\nZitat hier.\n\nSpalte A\n\nSpalte B\n\neins\n\nzwei\n\nprint('x')\n"
    )


# ---- DOCX ------------------------------------------------------------------------------------------


def _write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Vertrag", level=1)
    document.add_paragraph("Erster Absatz. Er hat zwei Sätze.")
    document.add_paragraph("")
    para = document.add_paragraph("Zweiter ")
    para.add_run("Absatz").bold = True
    para.add_run(" mit Formatierung.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Zelle links"
    table.rows[0].cells[1].text = "Zelle rechts"
    document.add_paragraph("Nach der Tabelle.")
    document.save(str(path))


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = tmp_path / "vertrag.docx"
    _write_docx(path)
    assert read_text(path) == (
        "Vertrag\n\nErster Absatz. Er hat zwei Sätze.\n\nZweiter Absatz mit Formatierung.\n\n"
        "Zelle links\n\nZelle rechts\n\nNach der Tabelle.\n"
    )


def test_corrupt_docx(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.docx"
    _write_docx(truncated)
    truncated.write_bytes(truncated.read_bytes()[:600])
    with pytest.raises(InputError, match="truncated.docx"):
        read_text(truncated)

    not_zip = tmp_path / "text.docx"
    not_zip.write_bytes(b"this is not a zip file at all")
    with pytest.raises(InputError, match="not a valid .docx"):
        read_text(not_zip)

    other_zip = tmp_path / "archive.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="not a Word .docx"):
        read_text(other_zip)

    bad_xml = tmp_path / "badxml.docx"
    with zipfile.ZipFile(bad_xml, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(InputError, match="badxml.docx"):
        read_text(bad_xml)


# ---- HTML ------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="windows-1252"><title>Seite</title>
<style>p { color: red }</style><script>var x = "<p>nicht</p>";</script></head>
<body><nav><ul><li>Start</li><li>Über uns</li></ul></nav>
<h1>Grüße</h1>
<p>Erster   Satz<br>über zwei Zeilen. <b>Fett</b> und <a href="#">verlinkt</a>.</p>
<div>Block <span>mit Span</span></div><!-- Kommentar -->
<table><tr><td>Zelle</td></tr></table>
</body></html>"""


def test_html_blocks_become_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("cp1252"))
    assert read_text(path) == (
        "Seite\n\nStart\n\nÜber uns\n\nGrüße\n\nErster Satz über zwei Zeilen. Fett und verlinkt.\n\nBlock mit Span\n\nZelle\n"
    )


def test_html_without_text_and_binary_html(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><script>alert(1)</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no text"):
        read_text(empty)
    binary = tmp_path / "binary.html"
    binary.write_bytes(b"\x00\x01\x02<html>\x00\xff")
    with pytest.raises(InputError, match="binary"):
        read_text(binary)


# ---- PDF -------------------------------------------------------------------------------------------


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with Helvetica text lines (WinAnsi), xref offsets computed."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_from_objects(objects)


def test_pdf_lines_rejoined_into_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(
        _pdf(
            [
                "Dieser Vertrag regelt die Lieferung von Waren und die Be-",
                "zahlung der Rechnungen innerhalb von dreissig Tagen nach",
                "Erhalt der Ware.",
                "",
                "Zweiter Absatz in einer Zeile.",
            ]
        )
    )
    assert read_text(path) == (
        "Dieser Vertrag regelt die Lieferung von Waren und die Bezahlung der Rechnungen innerhalb von "
        "dreissig Tagen nach Erhalt der Ware.\n\nZweiter Absatz in einer Zeile.\n"
    )


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage")
    with pytest.raises(InputError, match="broken.pdf"):
        read_text(path)


def test_pdf_without_text(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([]))
    with pytest.raises(InputError, match="no text"):
        read_text(path)


# ---- read_aligned: plain imports and malformed files -------------------------------------------------


def test_plain_two_column_csv_and_tsv(tmp_path: Path) -> None:
    csv_path = tmp_path / "plain.csv"
    csv_path.write_text('Hallo Welt.;Hello world.\n"Ein; Semikolon";A; semicolon\n', encoding="cp1252")
    doc = read_aligned(csv_path, src_lang="de", tgt_lang="en")
    assert [(p.source, p.target) for p in doc.pairs] == [("Hallo Welt.", "Hello world."), ("Ein; Semikolon", "A")]
    tsv_path = tmp_path / "lf.txt"
    tsv_path.write_bytes("Größe\tsize\r\nZwei\ttwo\r\n".encode())
    doc = read_aligned(tsv_path)
    assert [(p.source, p.target, p.status) for p in doc.pairs] == [
        ("Größe", "size", Status.AUTOMATIC),
        ("Zwei", "two", Status.AUTOMATIC),
    ]
    assert doc.name == "lf"


def test_csv_with_our_header_in_another_column_order(tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    path.write_text("target,source,status\nHello,Hallo,Needs review\n", encoding="utf-8")
    (pair,) = read_aligned(path).pairs
    assert (pair.source, pair.target, pair.status) == ("Hallo", "Hello", Status.NEEDS_REVIEW)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad_status.csv", "source,target,status\na,b,ok\nc,d,maybe\n", r"bad_status.csv, line 2: unknown status 'ok'"),
        ("bad_conf.csv", "source,target,confidence\na,b,high\n", r"line 2: confidence 'high' is not a number"),
        (
            "bad_quality.csv",
            "source,target,quality\na,b,0.5\nc,d,87%\n",
            r"bad_quality.csv, line 3: quality '87%' is not a number",
        ),
        ("bad_quality.tsv", "a\tb\t1.0\tautomatic\t0\t\t\t\t\thigh\t\n", r"bad_quality.tsv, line 1: quality 'high'"),
        ("quality.jsonl", '{"source": "a", "target": "b", "quality": "0.5"}\n', r"line 1: quality '0.5' is not a number or null"),
        ("reasons.jsonl", '{"source": "a", "target": "b", "reasons": "x | y"}\n', r"line 1: reasons must be a list of strings"),
        ("short.csv", "source,target,note\na,b\n", r"line 2: 2 columns, but the header has 3"),
        ("one.tsv", "a\tb\nonly one\n", r"one.tsv, line 2: expected source TAB target"),
        ("ids.tsv", "a\tb\t1.0\tautomatic\t0\tx y\t\t\t\n", r"line 1: src_ids 'x y' must be numbers"),
        ("bad.jsonl", '{"type": "document"}\n{"source": "a", "target": \n', r"bad.jsonl, line 2: not valid JSON"),
        ("list.jsonl", "[1, 2]\n", r"line 1: expected a JSON object"),
        ("bad.tmx", "<tmx><header srclang='de'/><body><tu>\n<tuv>", r"bad.tmx, line 2: not well-formed XML"),
        ("root.tmx", "<xliff/>", r"root element is <xliff>"),
    ],
)
def test_malformed_exports_name_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_aligned(path)


def test_tmx_status_prop_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "props.tmx"
    path.write_text(
        "<tmx version='1.4'><header srclang='de'/><body>\n"
        "<tu><prop type='x-align-status'>weird</prop><tuv xml:lang='de'><seg>a</seg></tuv>"
        "<tuv xml:lang='en'><seg>b</seg></tuv></tu></body></tmx>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match=r"props.tmx, line 2: unknown status 'weird'"):
        read_aligned(path)


def test_tmx_quality_prop_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "quality.tmx"
    path.write_text(
        "<tmx version='1.4'><header srclang='de'/><body>\n"
        "<tu><prop type='x-align-quality'>n/a</prop><tuv xml:lang='de'><seg>a</seg></tuv>"
        "<tuv xml:lang='en'><seg>b</seg></tuv></tu></body></tmx>",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match=r"quality.tmx, line 2: quality 'n/a' is not a number"):
        read_aligned(path)


def test_xlsx_quality_cell_error_names_sheet_and_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "pairs"
    sheet.append(["source", "target", "quality"])
    sheet.append(["a", "b", 0.5])
    sheet.append(["c", "d", "hoch"])
    book.save(tmp_path / "quality.xlsx")
    with pytest.raises(FormatError, match=r"quality.xlsx, sheet 'pairs', row 3: quality 'hoch' is not a number"):
        read_aligned(tmp_path / "quality.xlsx")


# Files as the versions before quality estimates wrote them: no quality, no reasons.
OLD_HEADER = "paragraph,index,source,target,confidence,status,src_ids,tgt_ids,flags,note"


def _old_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "pairs"
    sheet.append(OLD_HEADER.split(","))
    sheet.append([1, 1, "Größe", "size", 0.75, "confirmed", "0", "0", "numbers", "n"])
    book.save(path)


OLD_FILES = {
    "old.csv": f"{OLD_HEADER}\r\n1,1,Größe,size,0.75,confirmed,0,0,numbers,n\r\n",
    "old.tsv": "Größe\tsize\t0.75\tconfirmed\t1\t0\t0\tnumbers\tn\n",
    "old.jsonl": '{"type": "document", "src_lang": "de", "tgt_lang": "en"}\n'
    '{"type": "pair", "paragraph": 1, "source": "Größe", "target": "size", "confidence": 0.75, '
    '"status": "confirmed", "src_ids": [0], "tgt_ids": [0], "flags": ["numbers"], "note": "n"}\n',
    "old.tmx": "<tmx version='1.4'><header srclang='de'/><body><tu><note>n</note>"
    "<prop type='x-align-status'>confirmed</prop><prop type='x-align-confidence'>0.75</prop>"
    "<prop type='x-align-paragraph'>1</prop><prop type='x-align-src-ids'>0</prop>"
    "<prop type='x-align-tgt-ids'>0</prop><prop type='x-align-flags'>numbers</prop>"
    "<tuv xml:lang='de'><seg>Größe</seg></tuv><tuv xml:lang='en'><seg>size</seg></tuv></tu></body></tmx>",
}


@pytest.mark.parametrize("name", [*OLD_FILES, "old.xlsx"])
def test_files_from_before_quality_estimates_still_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "old.xlsx":
        _old_xlsx(path)
    else:
        path.write_text(OLD_FILES[name], encoding="utf-8")
    (pair,) = read_aligned(path).pairs
    assert pair == Pair("Größe", "size", (0,), (0,), 0.75, Status.CONFIRMED, 1, ("numbers",), "n")
    assert (pair.quality, pair.reasons) == (None, ())


def test_foreign_tmx_with_inline_codes(tmp_path: Path) -> None:
    path = tmp_path / "foreign.tmx"
    path.write_text(
        "<?xml version='1.0'?><tmx version='1.4'><header srclang='DE-DE' segtype='sentence'/><body>"
        "<tu><tuv xml:lang='en-GB'><seg>The <bpt i='1'>&lt;b&gt;</bpt>bold<ept i='1'>&lt;/b&gt;</ept> word</seg></tuv>"
        "<tuv xml:lang='de-DE'><seg>Das <hi>fette</hi> Wort</seg></tuv></tu>"
        "<tu><tuv xml:lang='de-DE'><seg>nur Deutsch</seg></tuv></tu></body></tmx>",
        encoding="utf-8",
    )
    doc = read_aligned(path)
    assert (doc.src_lang, doc.tgt_lang) == ("DE-DE", "en-GB")
    assert [(p.source, p.target) for p in doc.pairs] == [("Das fette Wort", "The bold word")]


def test_unsupported_import_and_corrupt_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot import .docx"):
        read_aligned(tmp_path / "x.docx")
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="broken.xlsx"):
        read_aligned(path)
