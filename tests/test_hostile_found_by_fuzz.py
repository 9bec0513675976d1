"""Inputs the fuzz pass (devtools/fuzz.py) found after the readers were hardened: each must now be
the product's own one-line error naming the file (issue 20)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from align.errors import AlignError
from align.formats import read_aligned, write_document
from align.glossary import read_glossary
from align.mt.packages import install_from_path
from align.text.readers import read_text
from devtools.fuzz import pdf_from_objects


def _flag_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' bit in every local and central header: zipfile then refuses to read."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            out[at + offset] |= 1
            start = at + 4
    return bytes(out)


def _workbook(tmp_path: Path, small_doc) -> bytes:
    path = write_document(small_doc, tmp_path / "doc.xlsx", "xlsx")
    return path.read_bytes()


@pytest.fixture
def small_doc():
    from align.document import AlignedDocument, Bead, Sentence

    return AlignedDocument.from_beads(
        "de", "en", [Sentence("Guten Morgen.")], [Sentence("Good morning.")], [Bead((0,), (0,), 0.9)]
    )


def _without_sheets(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                dst.writestr(info, src.read(info))
    return out.getvalue()


def _one_line(err: BaseException, path: Path) -> None:
    assert str(path) in str(err) and "\n" not in str(err)


@pytest.mark.parametrize("case", ["encrypted flag", "no worksheet", "unknown encoding"])
def test_odd_workbooks_are_one_line_errors(tmp_path: Path, small_doc, case: str):
    data = _workbook(tmp_path, small_doc)
    if case == "encrypted flag":
        data = _flag_encrypted(data)
    elif case == "no worksheet":
        data = _without_sheets(data)
    else:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                part = src.read(info)
                if info.filename.startswith("xl/worksheets/"):  # a declaration naming no real encoding
                    part = b'<?xml version="1.0" encoding="bogus"?>' + re.sub(rb"^<\?xml[^>]*\?>", b"", part)
                dst.writestr(info, part)
        data = out.getvalue()
    path = tmp_path / "odd.xlsx"
    path.write_bytes(data)
    with pytest.raises(AlignError) as err:
        read_aligned(path)
    _one_line(err.value, path)
    with pytest.raises(AlignError) as err:
        read_glossary(path, "de", "en")
    _one_line(err.value, path)


def test_an_argosmodel_flagged_encrypted_is_a_package_error(tmp_path: Path, settings, fixture_package_file: Path):
    path = tmp_path / "enc.argosmodel"
    path.write_bytes(_flag_encrypted(fixture_package_file.read_bytes()))
    with pytest.raises(AlignError) as err:
        install_from_path(path, settings)
    _one_line(err.value, path)


def test_a_pdf_filter_pypdf_does_not_know_is_one_line(tmp_path: Path):
    stream = b"BT /F1 12 Tf 72 720 Td (Guten Morgen.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlaXeDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body = pdf_from_objects(objects)
    path = tmp_path / "filter.pdf"
    path.write_bytes(body)
    try:
        read_text(path)
    except AlignError as err:
        _one_line(err, path)
