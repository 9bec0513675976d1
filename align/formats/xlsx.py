"""XLSX: sheet "pairs" (frozen header row, wide wrapped text columns) and sheet "document" (the
languages, name and signature). XML-invalid control characters are removed; text cells are
always stored as text, never as formulas."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from align.document import AlignedDocument, Pair, Signature
from align.errors import FormatError, InputError
from align.formats.cells import COLUMNS, Quote, header_map, make_document, metadata, pair_from_fields, pair_row, xml_text

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


def write_xlsx(doc: AlignedDocument, quote: Quote) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = PAIRS_SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, pair in enumerate(doc.pairs, start=1):
        row = pair_row(index, pair, quote)
        values: list[object] = []
        for name in COLUMNS:
            if name in ("paragraph", "index"):
                values.append(int(row[name]))
            elif name == "confidence":
                values.append(float(pair.confidence))
            elif name == "quality":  # a number, so a spreadsheet can sort and filter by it
                values.append(None if pair.quality is None else float(pair.quality))
            else:
                values.append(xml_text(row[name]))
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
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        meta.append([key, xml_text(text)])
        meta.cell(row=meta.max_row, column=2).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(f"{path}: not a readable .xlsx workbook ({err})") from err
    try:
        sheet = book[PAIRS_SHEET] if PAIRS_SHEET in book.sheetnames else book.worksheets[0]
        meta: dict[str, str] = {}
        if META_SHEET in book.sheetnames:
            for row in book[META_SHEET].iter_rows(values_only=True):
                if row and row[0]:
                    meta[str(row[0])] = _cell_text(row[1] if len(row) > 1 else "")
        pairs: list[Pair] = []
        header: dict[str, int] | None = None
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
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
            raise FormatError(f"{path}, sheet {META_SHEET!r}: the signature is not valid JSON ({err})") from err
    return make_document(
        path,
        meta.get("src_lang") or src_lang,
        meta.get("tgt_lang") or tgt_lang,
        pairs,
        name=meta.get("name", ""),
        signature=signature,
    )
