"""Hostile and odd source documents: each gives its text, or one line naming the file, never a
traceback, a memory blow-up or text silently lost.

The files are built here: a DOCX zip bomb (written in a streaming way, so the test itself stays
small), DTD entities, comments and tracked changes inside Word paragraphs, merged and malformed
table cells, deeply nested HTML, HTML whose declared encoding contradicts its bytes, PDFs past
pypdf's limits. They go through the readers (``align.text.readers``, what the page calls on an
upload), the writers (``align.docout``) and the real command line.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from test_docout import expected_text, translated

from align.cli import main
from align.docout import write_translated
from align.errors import InputError
from align.text.readers import read_text
from devtools.fuzz import pdf_from_objects

REPO = Path(__file__).resolve().parents[1]
MiB = 1 << 20

# ---- building the files ----------------------------------------------------------------------------

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def _template() -> bytes:
    """A real, small .docx: python-docx's default document."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def make_docx(path: Path, body: str, doctype: str = "") -> Path:
    """A real .docx whose ``word/document.xml`` has ``body`` (and a DOCTYPE before the root, if given)."""
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
    xml += f"<w:document {NAMESPACES}><w:body>{body}</w:body></w:document>"
    with zipfile.ZipFile(io.BytesIO(_template())) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, xml.encode("utf-8") if info.filename == "word/document.xml" else source.read(info))
    return path


def para(*inner: str) -> str:
    return "<w:p>" + "".join(inner) + "</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def make_zip_bomb(path: Path, inflated: int) -> Path:
    """A .docx whose document.xml inflates to ``inflated`` bytes of blanks from about a 200th of that.

    Written in 1 MiB chunks through ``ZipFile.open(..., "w")``: building it takes no memory.
    """
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NAMESPACES}><w:body>'.encode()
    tail = b"<w:p><w:r><w:t>Hallo Welt.</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * MiB
    with (
        zipfile.ZipFile(io.BytesIO(_template())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, source.read(info))
        with out.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            left = inflated - len(head) - len(tail)
            while left > 0:
                member.write(chunk[: min(left, MiB)])
                left -= MiB
            member.write(tail)
    return path


def make_pdf(content: bytes, *, stream_filter: str = "/FlateDecode", form: bytes = b"") -> bytes:
    """A one-page PDF (xref offsets computed) whose content stream is ``content`` under ``stream_filter``;
    with ``form``, the page also draws a form XObject of those instructions (deflated)."""
    stream = zlib.compress(content, 9) if stream_filter == "/FlateDecode" else content
    xobject = b"/XObject << /X1 6 0 R >> " if form else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> " + xobject + b">> >>",
        b"<< /Filter %s /Length %d >>\nstream\n" % (stream_filter.encode(), len(stream)) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if form:
        packed = zlib.compress(form, 9)
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + b"\nendstream"
        )
    return pdf_from_objects(objects)


TEXT_OPS = b"BT /F1 12 Tf 72 720 Td (Hallo Welt. Das ist gut.) Tj ET\n"


def one_line_error(err: pytest.ExceptionInfo[InputError], name: str) -> str:
    """The error's message after the file's name, checked to be one line that names the file.

    (The test's temporary folder, named after the test, is in the path: it must not match.)
    """
    message = str(err.value)
    assert "\n" not in message and f"{name}: " in message, message
    return message.split(f"{name}: ", 1)[1]


# ---- DOCX: zip bomb --------------------------------------------------------------------------------

# Peak resident memory of ``python -m align`` (in kB): run in a child of a small wrapper, so that
# RUSAGE_CHILDREN holds that one run and nothing the test session ran before.
_PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stderr.write(done.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def _cli_peak(*args: str) -> tuple[int, str, int]:
    """``python -m align ARGS``: exit code, stderr and peak memory in MB."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "align", *args], capture_output=True, text=True, cwd=REPO
    )
    return done.returncode, done.stderr, int(done.stdout.split()[-1]) // 1024


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path, installed_settings) -> None:
    """200 MiB of document.xml from about 1 MB: refused from the ZIP's directory, in little memory.

    Before the check, python-docx inflated and parsed it: over 2 bytes of memory per inflated byte.
    """
    bomb = make_zip_bomb(tmp_path / "bombe.docx", 200 * MiB)
    assert bomb.stat().st_size < 2 * MiB
    with pytest.raises(InputError) as err:
        read_text(bomb)  # what the page calls on an upload
    assert "zip bomb" in one_line_error(err, "bombe.docx")
    for args in (
        ["segment", str(bomb)],
        [
            "--home",
            str(installed_settings.home),
            "translate",
            str(bomb),
            "-o",
            str(tmp_path / "out.csv"),
            "--no-estimate",
            "--quiet",
        ],
    ):
        code, stderr, peak_mb = _cli_peak(*args)
        assert code == 1 and stderr.strip().count("\n") == 0 and "bombe.docx: " in stderr and "zip bomb" in stderr, stderr
        assert peak_mb < 180, f"{args[-1]}: {peak_mb} MB at peak"
    assert not (tmp_path / "out.csv").exists()


# ---- DOCX: XML that lxml keeps as nodes -------------------------------------------------------------


def test_docx_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    path = make_docx(tmp_path / "lachen.docx", para(run("Hallo &lol9; Welt.")), f"<!DOCTYPE w:document [{entities}]>")
    started = time.monotonic()
    with pytest.raises(InputError) as err:
        read_text(path)
    one_line_error(err, "lachen.docx")
    assert time.monotonic() - started < 10


def test_docx_internal_entity_keeps_the_rest_of_the_run_in_reading_and_writing(tmp_path: Path) -> None:
    """lxml (resolve_entities=False) kept ``&co;`` as a node: the run's text after it was lost, and
    python-docx saved the reference without its declaration (a document nothing can open)."""
    path = make_docx(
        tmp_path / "entity.docx",
        para(run("Die &co; liefert heute. Der Rest"), run(" bleibt hier.")) + para(run("Zweiter Absatz &co;.")),
        '<!DOCTYPE w:document [<!ENTITY co "Firma GmbH">]>',
    )
    assert read_text(path) == "Die Firma GmbH liefert heute. Der Rest bleibt hier.\n\nZweiter Absatz Firma GmbH.\n"
    out = write_translated(translated(path), path, tmp_path / "out.docx")
    assert read_text(out) == expected_text(path)


def test_docx_external_entity_is_not_read_and_the_text_after_it_stays(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIMNIS", encoding="utf-8")
    path = make_docx(
        tmp_path / "xxe.docx",
        para(run("Hallo &xxe; Welt. Das ist gut.")),
        f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
    )
    with caplog.at_level(logging.WARNING, logger="align"):
        text = read_text(path)
    assert "GEHEIMNIS" not in text and "Welt. Das ist gut." in text
    assert any("xxe" in r.getMessage() and "xxe.docx" in r.getMessage() for r in caplog.records)


def test_docx_comment_and_processing_instruction_inside_text_keep_the_rest(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "comment.docx",
        para('<w:r><w:t xml:space="preserve">Vor <!-- Notiz --> nach. Weiter <?pi x?> so.</w:t></w:r>'),
    )
    assert read_text(path) == "Vor  nach. Weiter  so.\n"
    out = write_translated(translated(path), path, tmp_path / "out.docx")
    assert read_text(out) == expected_text(path)


def test_docx_text_inside_tracked_insertions_content_controls_fields_and_tags_is_read_and_written(tmp_path: Path) -> None:
    """Runs inside w:ins, w:sdt, w:fldSimple, w:smartTag, w:customXml, w:dir/w:bdo are the paragraph's
    text (python-docx's Paragraph.text leaves them out); deleted runs (w:del) are not."""
    path = make_docx(
        tmp_path / "inline.docx",
        para(
            run("Das ist "),
            '<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">' + run("neu eingefügt") + "</w:ins>",
            '<w:del w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>gelöscht</w:delText></w:r></w:del>',
            run(" und alt."),
        )
        + para(
            run("Vertrag mit "), "<w:sdt><w:sdtPr/><w:sdtContent>" + run("Kunde AG") + "</w:sdtContent></w:sdt>", run(" gilt.")
        )
        + para(run("Seite "), '<w:fldSimple w:instr="PAGE">' + run("3") + "</w:fldSimple>", run(" von vielen."))
        + para(run("In "), '<w:smartTag w:uri="u" w:element="place">' + run("Berlin") + "</w:smartTag>", run(" regnet es."))
        + para(run("Vor "), '<w:customXml w:element="x">' + run("drin") + "</w:customXml>", run(" nach."))
        + para(run("Links "), '<w:dir w:val="rtl"><w:bdo w:val="rtl">' + run("rechts") + "</w:bdo></w:dir>", run(" fertig.")),
    )
    assert read_text(path) == (
        "Das ist neu eingefügt und alt.\n\nVertrag mit Kunde AG gilt.\n\nSeite 3 von vielen.\n\n"
        "In Berlin regnet es.\n\nVor drin nach.\n\nLinks rechts fertig.\n"
    )
    out = write_translated(translated(path), path, tmp_path / "out.docx")
    assert read_text(out) == expected_text(path)


@pytest.mark.parametrize(
    "xml",
    [
        f"<w:document {NAMESPACES}><w:p><w:r><w:t>Kein Body.</w:t></w:r></w:p></w:document>",
        "<fremd><w:p xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/></fremd>",
    ],
    ids=["document-without-body", "other-root"],
)
def test_docx_main_part_without_a_body_is_one_line(tmp_path: Path, xml: str) -> None:
    """python-docx gives the root element as it is: ``.body`` was None or missing (found by devtools fuzz)."""
    path = make_docx(tmp_path / "koerperlos.docx", "")
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    with pytest.raises(InputError) as err:
        read_text(path)
    assert "no text" in one_line_error(err, "koerperlos.docx")


# ---- DOCX: tables ----------------------------------------------------------------------------------


def table(*rows: str) -> str:
    return '<w:tbl><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid>' + "".join(rows) + "</w:tbl>"


def cell(text: str, properties: str = "") -> str:
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>" + (para(run(text)) if text else "<w:p/>") + "</w:tc>"


def test_docx_vertically_merged_cell_is_read_once(tmp_path: Path) -> None:
    """python-docx's row.cells gives the merged cell again in every row it spans: it was read twice."""
    path = make_docx(
        tmp_path / "merged.docx",
        table(
            "<w:tr>" + cell("Oben links.", '<w:vMerge w:val="restart"/>') + cell("Oben rechts.") + "</w:tr>",
            "<w:tr>" + cell("", "<w:vMerge/>") + cell("Unten rechts.") + "</w:tr>",
        ),
    )
    assert read_text(path) == "Oben links.\n\nOben rechts.\n\nUnten rechts.\n"
    out = write_translated(translated(path), path, tmp_path / "out.docx")
    assert read_text(out) == expected_text(path)


@pytest.mark.parametrize(
    "properties",
    ['<w:gridSpan w:val="x"/>', '<w:gridSpan w:val="0"/>', '<w:gridSpan w:val="-3"/>', "<w:vMerge/>"],
    ids=["span-not-a-number", "span-zero", "span-negative", "continues-a-merge-above-the-first-row"],
)
def test_docx_malformed_table_cells_keep_their_text(tmp_path: Path, properties: str) -> None:
    """Spans python-docx's table model raised on (ValueError) or skipped the cell for."""
    path = make_docx(
        tmp_path / "cells.docx",
        table("<w:tr>" + cell("Erste Zelle.", properties) + cell("Zweite Zelle.") + "</w:tr>") + para(run("Danach.")),
    )
    assert read_text(path) == "Erste Zelle.\n\nZweite Zelle.\n\nDanach.\n"


# ---- HTML ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["span", "div"])
def test_html_nested_thousands_deep_is_read_and_written(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "tief.html"
    depth = 5000
    path.write_text(
        f"<html><body>{f'<{tag}>' * depth}Hallo Welt. Das ist tief.{f'</{tag}>' * depth}<p>Danach.</p></body></html>",
        encoding="utf-8",
    )
    assert read_text(path) == "Hallo Welt. Das ist tief.\n\nDanach.\n"
    out = write_translated(translated(path), path, tmp_path / "out.html")
    assert read_text(out) == expected_text(path)


def test_html_of_unclosed_tables_and_stray_end_tags_is_refused_in_one_line(tmp_path: Path) -> None:
    """Found by devtools fuzz: parsing time grew with elements x depth (a 232 KB page took 20 s, a
    3.4 MB one hours). Refused before BeautifulSoup builds anything."""
    path = tmp_path / "kaputt.html"
    path.write_text("<html><body>Satz. " + "<table><tr. <b></b><br/></p>\n" * 8000, encoding="utf-8")
    with pytest.raises(InputError, match=r"kaputt\.html: the HTML nests 16,003 elements deep") as caught:
        read_text(path)
    assert "\n" not in str(caught.value)


def test_html_paragraph_of_thousands_of_decomposed_text_nodes_is_read_in_linear_time(tmp_path: Path) -> None:
    """Each node's span was moved through NFC by normalising the paragraph's whole prefix: quadratic
    (20,000 nodes took about half a minute). The same holds for a Word paragraph's runs."""
    path = tmp_path / "zerlegt.html"
    path.write_text("<html><body><p>" + "<b>u\u0308</b>" * 20_000 + "</p></body></html>", encoding="utf-8")
    started = time.monotonic()
    assert read_text(path) == "ü" * 20_000 + "\n"
    assert time.monotonic() - started < 8


GERMAN = "Die Prüfung der Größe ist gemäß Vorschrift nötig. Übermäßig „gut“ für 5 €!"


def _page(head: str, body: str = GERMAN) -> str:
    return f"<html><head>{head}<title>Prüfung</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    "data, warned",
    [
        (_page('<meta charset="iso-8859-1">').encode("utf-8"), True),
        (_page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">').encode("utf-8"), True),
        (('<?xml version="1.0" encoding="iso-8859-1"?>' + _page("")).encode("utf-8"), True),
        (_page('<meta charset="utf-8">').encode("cp1252"), True),
        (_page('<meta charset="iso-8859-1">').encode("cp1252"), False),  # browsers read latin-1 as windows-1252
        (_page("").encode("cp1252"), False),
        (_page('<meta charset="utf-16">').encode("utf-8"), False),  # browsers read a meta utf-16 as UTF-8
        (_page('<meta charset="base64">').encode("cp1252"), False),  # Python codecs that are no charset
        (_page('<meta charset="punycode">').encode("cp1252"), False),
        (_page('<meta charset="unicode_escape">').encode("utf-8"), False),
    ],
    ids=[
        "utf8-says-latin1",
        "utf8-says-1252",
        "utf8-xml-says-latin1",
        "1252-says-utf8",
        "1252-says-latin1",
        "1252-silent",
        "utf8-says-utf16",
        "1252-says-base64",
        "1252-says-punycode",
        "utf8-says-unicode-escape",
    ],
)
def test_html_declared_encoding_that_contradicts_the_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, data: bytes, warned: bool
) -> None:
    """The text is what the author typed (no "PrÃ¼fung"); a declaration the bytes contradict is a warning."""
    path = tmp_path / "seite.html"
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="align"):
        assert read_text(path) == f"Prüfung\n\n{GERMAN}\n"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "seite.html" in r.getMessage()]
    assert bool(warnings) == warned, warnings
    out = write_translated(translated(path), path, tmp_path / "out.html")
    assert read_text(out) == expected_text(path)
    assert b'charset="utf-8"' in out.read_bytes() or b"charset=utf-8" in out.read_bytes() or b"charset" not in data


# ---- Markdown -------------------------------------------------------------------------------------

N = 20_000
HOSTILE_MARKDOWN = {
    "underscores": "_a " * N,  # emphasis: (.+?)\1 rescanned the line from every "_" (over a minute)
    "double-underscores": "__a " * N,
    "brackets": "[" * N + "]" * N,  # link text [^\]]* rescanned from every "["
    "images": "![" * N,
    "open-links": "[a](" * N,  # the URL part (...) never closed
    "comments": "<!--" * N,  # a lazy <!--.*?--> from every unclosed "<!--"
    "table-rule-spaces": " " * N + "|" + " " * N + "x",  # \s*\|?\s* tried every split of the blanks
    "heading-spaces": "# a" + " " * N + "b",
    "nested-list": "".join("  " * k + "- x\n" for k in range(2_000)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_markdown_lines_made_to_backtrack_are_read_in_linear_time(tmp_path: Path, name: str) -> None:
    """Each took seconds to minutes in the Markdown patterns (found by devtools fuzz: the nested list)."""
    path = tmp_path / f"{name}.md"
    path.write_text(f"Ein Satz.\n\n{HOSTILE_MARKDOWN[name]}\n\nNoch einer.\n", encoding="utf-8")
    started = time.monotonic()
    text = read_text(path)
    assert time.monotonic() - started < 2
    assert text.startswith("Ein Satz.\n\n") and text.endswith("Noch einer.\n")


@pytest.mark.parametrize(
    "markdown, text",
    [
        ("**fett * mit Stern**", "fett * mit Stern"),
        ("[Wiki](https://de.wikipedia.org/wiki/A_(B)) danach", "Wiki danach"),
        ("## C#", "C#"),
        ("## Titel ##", "Titel"),
    ],
)
def test_markdown_inline_markup_after_the_linear_patterns(tmp_path: Path, markdown: str, text: str) -> None:
    path = tmp_path / "inline.md"
    path.write_text(markdown + "\n", encoding="utf-8")
    assert read_text(path) == text + "\n"


# ---- PDF -------------------------------------------------------------------------------------------

HOSTILE_PDFS = {
    # a content stream that inflates past pypdf's limit (75 MB): LimitReachedError
    "inflates.pdf": lambda: make_pdf(TEXT_OPS + b" " * 80_000_000),
    # arrays nested 100,000 deep in the content stream: RecursionError inside pypdf
    "nested.pdf": lambda: make_pdf(TEXT_OPS + b"[" * 100_000 + b"]" * 100_000),
    # a stream filter that needs a program that is not there: DependencyError
    "jbig2.pdf": lambda: make_pdf(TEXT_OPS, stream_filter="/JBIG2Decode"),
    # objects that are not what they should be
    "garbage.pdf": lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    # 16 kB that inflate to 16 MB of drawing instructions: pypdf took minutes to parse them all
    "instructions.pdf": lambda: make_pdf(TEXT_OPS * (16 * MiB // len(TEXT_OPS))),
    # the same, drawn through a form XObject
    "form.pdf": lambda: make_pdf(TEXT_OPS + b"/X1 Do\n", form=TEXT_OPS * (16 * MiB // len(TEXT_OPS))),
    # a cross-reference offset past any file: OverflowError inside pypdf (found by devtools fuzz)
    "startxref.pdf": lambda: re.sub(rb"startxref\n\d+", b"startxref\n" + b"9" * 30, make_pdf(TEXT_OPS)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PDFS))
def test_hostile_pdf_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE_PDFS[name]())
    started = time.monotonic()
    with pytest.raises(InputError) as err:
        read_text(path)
    one_line_error(err, name)
    assert time.monotonic() - started < 10


def test_pdf_with_a_user_password_says_so(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf(TEXT_OPS))
    assert read_text(plain) == "Hallo Welt. Das ist gut.\n"
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password="geheim", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(str(locked))
    with pytest.raises(InputError) as err:
        read_text(locked)
    assert "password" in one_line_error(err, "locked.pdf")


# ---- the command line ------------------------------------------------------------------------------


def _hostile_files(folder: Path) -> list[Path]:
    """One file of each case above (but the zip bomb, which has its own test)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    files = [
        make_docx(folder / "lachen.docx", para(run("Hallo &lol9; Welt.")), f"<!DOCTYPE w:document [{entities}]>"),
        make_docx(folder / "entity.docx", para(run("Die &co; liefert heute.")), '<!DOCTYPE w:document [<!ENTITY co "Firma">]>'),
        make_docx(folder / "cells.docx", table("<w:tr>" + cell("Erste Zelle.", '<w:gridSpan w:val="x"/>') + "</w:tr>")),
        make_docx(folder / "tief.docx", "<w:sdt><w:sdtContent>" * 300 + para(run("Tief.")) + "</w:sdtContent></w:sdt>" * 300),
    ]
    deep = folder / "tief.html"
    deep.write_text("<html><body>" + "<span>" * 5000 + "Hallo Welt." + "</span>" * 5000 + "</body></html>", encoding="utf-8")
    wrong = folder / "falsch.html"
    wrong.write_bytes(_page('<meta charset="iso-8859-1">').encode("utf-8"))
    markdown = folder / "unterstriche.md"
    markdown.write_text("Ein Satz.\n\n" + HOSTILE_MARKDOWN["underscores"] + "\n", encoding="utf-8")
    files += [deep, wrong, markdown]
    for name, build in sorted(HOSTILE_PDFS.items()):
        (folder / name).write_bytes(build())
        files.append(folder / name)
    return files


@pytest.mark.slow
def test_hostile_documents_through_the_command_line(
    tmp_path: Path, installed_settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """``segment`` and ``translate`` on each: text out, or exit 1 with one "error:" line naming the file."""
    home = str(installed_settings.home)
    for path in _hostile_files(tmp_path):
        for args in (
            ["segment", str(path)],
            ["--home", home, "translate", str(path), "-o", str(tmp_path / "out.csv"), "--no-estimate", "--quiet"],
        ):
            code = main(args)
            err = capsys.readouterr().err
            errors = [line for line in err.splitlines() if not re.match(r"(WARNING|INFO) ", line)]
            assert code in (0, 1), (args, code, err)
            if code == 1:
                assert len(errors) == 1 and errors[0].startswith("error: ") and path.name in errors[0], (args, err)
            else:
                assert not errors, (args, err)
