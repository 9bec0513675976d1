"""XLSX: sheet "pairs" (frozen header row, wide wrapped text columns) and sheet "document" (the
languages, name and signature). Text cells are always stored as text, never as formulas.

Writing keeps every character or refuses before anything is written: a cell longer than Excel
holds (``EXCEL_CELL_LIMIT``; openpyxl would cut it silently) is an ``ExportError`` naming the row
and column. Control characters XML cannot hold are removed, with a warning naming the rows.

Reading (``open_workbook``, also the glossary's and the memory's way in) checks the archive
before openpyxl opens it: ``align.archive.check_zip`` with ``OFFICE_LIMITS`` bounds what it
inflates to, and a part that declares a DTD (entities: "billion laughs", external files) is
refused (``align.formats.xmlsafe``). Whatever openpyxl then fails on is an ``InputError`` too.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from align.archive import ZIP_READ_ERRORS
from align.document import AlignedDocument, Pair, Signature
from align.errors import FormatError, InputError
from align.formats.cells import (
    COLUMNS,
    ExportError,
    Quote,
    describe,
    has_codes,
    header_map,
    header_names,
    make_document,
    metadata,
    pair_from_fields,
    pair_row,
    xml_text,
)
from align.formats.xmlsafe import declares_dtd

log = logging.getLogger(__name__)

#: Characters an Excel cell holds; openpyxl cuts longer text silently.
EXCEL_CELL_LIMIT = 32_767
#: What openpyxl raises on a damaged or hostile workbook, while opening it or reading its rows.
_UNREADABLE: tuple[type[Exception], ...] = ZIP_READ_ERRORS + (
    ParseError,
    SyntaxError,  # lxml's XMLSyntaxError (openpyxl parses some parts with lxml)
    RecursionError,
    LookupError,  # a part declaring an encoding Python does not know
    KeyError,
    OSError,
    ValueError,
    TypeError,
)

PAIRS_SHEET = "pairs"
META_SHEET = "document"
_WIDTHS = {
    "paragraph": 10,
    "index": 7,
    "source": 60,
    "target": 60,
    "confidence": 11,
    "status": 13,
    "src_ids": 10,
    "tgt_ids": 10,
    "flags": 16,
    "note": 30,
    "quality": 9,
    "reasons": 40,
    "origin": 9,
}


_NUMBERS = ("paragraph", "index", "confidence", "quality")


def check_lengths(doc: AlignedDocument, quote: Quote) -> None:
    """``ExportError`` naming the row and column when a cell would be longer than Excel holds
    (openpyxl would cut it silently), checked before anything is written."""
    with_tags = has_codes(doc)
    cells = (
        (f"row {index}: the {name}", text)
        for index, pair in enumerate(doc.pairs, start=1)
        for name, text in pair_row(index, pair, quote, with_tags).items()
        if name not in _NUMBERS
    )
    meta = ((f"the document's {key}", _meta_text(value)) for key, value in metadata(doc).items())
    for what, text in itertools.chain(cells, meta):
        if len(text) > EXCEL_CELL_LIMIT:
            raise ExportError(
                f"{what} has {len(text):,} characters, more than an Excel cell holds "
                f"({EXCEL_CELL_LIMIT:,}); export this document as CSV, JSONL or TMX instead"
            )


def _meta_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _cell(text: str, row: int, cleaned: set[int]) -> str:
    """``text`` as a cell holds it: XML-invalid characters removed (``row`` noted in ``cleaned``)."""
    clean = xml_text(text)
    if clean != text:
        cleaned.add(row)
    return clean


def write_xlsx(doc: AlignedDocument, quote: Quote) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    check_lengths(doc, quote)
    cleaned: set[int] = set()
    book = Workbook()
    sheet = book.active
    sheet.title = PAIRS_SHEET
    with_tags = has_codes(doc)
    sheet.append(list(header_names(with_tags)))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, pair in enumerate(doc.pairs, start=1):
        row = pair_row(index, pair, quote, with_tags)
        values: list[object] = []
        for name in COLUMNS:
            if name in ("paragraph", "index"):
                values.append(int(row[name]))
            elif name == "confidence":
                values.append(float(pair.confidence))
            elif name == "quality":  # a number, so a spreadsheet can sort and filter by it
                values.append(None if pair.quality is None else float(pair.quality))
            else:
                values.append(_cell(row[name], index, cleaned))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even with neutralise_formulas=False
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    for number, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=number).column_letter].width = _WIDTHS[name]
    sheet.auto_filter.ref = sheet.dimensions

    meta = book.create_sheet(META_SHEET)
    for key, value in metadata(doc).items():
        meta.append([key, _cell(_meta_text(value), 0, cleaned)])
        meta.cell(row=meta.max_row, column=2).data_type = "s"
    if cleaned:
        rows = sorted(cleaned - {0})
        places = [describe("row", rows)] if rows else []
        log.warning(
            "%s: control characters XML cannot hold (NUL and the like) removed from %s of the XLSX",
            doc.name or "document",
            " and ".join(places + (["the document sheet"] if 0 in cleaned else [])),
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unreadable(path: Path, err: BaseException) -> InputError:
    """The one-line error for whatever a damaged workbook made zipfile, expat or openpyxl raise."""
    detail = next(iter(str(err).splitlines()), "")
    return InputError(
        f"{path}: not a readable .xlsx workbook ({type(err).__name__}: {detail}); re-save it in Excel or LibreOffice"
    )


def check_workbook(path: Path, data: bytes) -> None:
    """Refuse a workbook that would inflate past ``OFFICE_LIMITS`` or that has a part with a DTD
    (module doc), reading only the archive's directory and each part's prolog."""
    from align.archive import OFFICE_LIMITS, check_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive, path, OFFICE_LIMITS)
            for info in archive.infolist():
                with archive.open(info) as part:
                    if declares_dtd(part):
                        raise InputError(
                            f"{path}: its part {info.filename!r} declares a DTD (entities), which no spreadsheet "
                            "application writes; refusing it (re-save the workbook in Excel or LibreOffice)"
                        )
    except _UNREADABLE as err:
        raise _unreadable(path, err) from None


def open_workbook(path: Path, data: bytes) -> Any:
    """The workbook in ``data``, opened read-only by openpyxl once ``check_workbook`` passed;
    read its rows with ``sheet_rows``. ``InputError`` naming ``path`` for anything unreadable."""
    from openpyxl import load_workbook

    check_workbook(path, data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE as err:
        raise _unreadable(path, err) from None


def sheet_rows(path: Path, sheet: Any) -> Iterator[tuple[object, ...]]:
    """The rows of ``sheet`` as values; openpyxl parses a read-only sheet while it is iterated, so
    a damaged sheet fails here: an ``InputError`` naming ``path``."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _UNREADABLE as err:
            raise _unreadable(path, err) from None
        yield row


def read_xlsx(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    book = open_workbook(path, data)
    try:
        if not book.worksheets:
            raise InputError(f"{path}: the workbook has no worksheet")
        sheet = book[PAIRS_SHEET] if PAIRS_SHEET in book.sheetnames else book.worksheets[0]
        meta: dict[str, str] = {}
        if META_SHEET in book.sheetnames:
            for row in sheet_rows(path, book[META_SHEET]):
                if row and row[0]:
                    meta[str(row[0])] = _cell_text(row[1] if len(row) > 1 else "")
        pairs: list[Pair] = []
        header: dict[str, int] | None = None
        for number, row in enumerate(sheet_rows(path, sheet), start=1):
            cells = [_cell_text(v) for v in row]
            if not any(c.strip() for c in cells):
                continue
            where = f"{path}, sheet {sheet.title!r}, row {number}"
            if number == 1:
                header = header_map(cells)
                if header is not None:
                    continue
            if header is not None:
                fields = {name: (cells[i] if i < len(cells) else "") for name, i in header.items()}
            else:
                if len(cells) < 2:
                    raise FormatError(f"{where}: expected two columns (source, target)")
                fields = {"source": cells[0], "target": cells[1]}
            pairs.append(pair_from_fields(where, fields, unquote))
    finally:
        book.close()
    signature = None
    if meta.get("signature"):
        try:
            signature = Signature.from_dict(json.loads(meta["signature"]))
        except (ValueError, TypeError) as err:
            where = f"{path}, sheet {META_SHEET!r}"
            raise FormatError(f"{where}: the signature is not valid JSON or not one we write ({err})") from err
    return make_document(
        path,
        meta.get("src_lang") or src_lang,
        meta.get("tgt_lang") or tgt_lang,
        pairs,
        name=meta.get("name", ""),
        signature=signature,
    )
