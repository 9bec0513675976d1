"""CSV (RFC 4180, UTF-8 with BOM, a header row) and TSV (LF Aligner's layout: source TAB target,
then our columns, no header, no quoting). Both also read a plain two-column file without a header.
Neither carries the languages: the caller names them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from align.document import AlignedDocument, Pair
from align.errors import FormatError
from align.formats.cells import COLUMNS, Quote, decode_export, header_map, make_document, pair_from_fields, pair_row

#: The TSV columns after source and target. Files written before quality estimates end at
#: ``note``, before origins at ``reasons``; a row of any of these widths is read with its columns.
TSV_EXTRA = ("confidence", "status", "paragraph", "src_ids", "tgt_ids", "flags", "note", "quality", "reasons", "origin")
_TSV_WIDTHS = (2 + len(TSV_EXTRA), 2 + TSV_EXTRA.index("reasons") + 1, 2 + TSV_EXTRA.index("note") + 1)


def write_csv(doc: AlignedDocument, quote: Quote) -> bytes:
    """UTF-8 with BOM (so Excel opens it as UTF-8), RFC 4180 quoting, CRLF rows."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for index, pair in enumerate(doc.pairs, start=1):
        writer.writerow(pair_row(index, pair, quote))
    return out.getvalue().encode("utf-8-sig")


def read_csv(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    text = decode_export(path, data)
    first = text.split("\n", 1)[0]
    if "source" in first.lower() and "," in first:
        delimiter = ","
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    pairs: list[Pair] = []
    header: dict[str, int] | None = None
    width = 0
    try:
        for number, row in enumerate(reader):
            where = f"{path}, line {reader.line_num}"
            if not row:
                continue
            if number == 0:
                header = header_map(row)
                if header is not None:
                    width = len(row)
                    continue
            if header is not None:
                if len(row) != width:
                    raise FormatError(f"{where}: {len(row)} columns, but the header has {width}")
                fields = {name: row[i] for name, i in header.items()}
            else:
                if len(row) < 2:
                    raise FormatError(f"{where}: expected two columns (source{delimiter}target), found one")
                fields = {"source": row[0], "target": row[1]}
            pairs.append(pair_from_fields(where, fields, unquote))
    except csv.Error as err:
        raise FormatError(f"{path}, line {reader.line_num}: malformed CSV ({err})") from err
    return make_document(path, src_lang, tgt_lang, pairs)


def tsv_cell(text: str) -> str:
    """A TSV cell stays on its row: tabs and line breaks (CR, LF) become single spaces."""
    return re.sub(r"[\t\r\n]", " ", text)


def write_tsv(doc: AlignedDocument, quote: Quote) -> bytes:
    lines = []
    for index, pair in enumerate(doc.pairs, start=1):
        row = pair_row(index, pair, lambda cell: quote(tsv_cell(cell)))
        lines.append("\t".join([row["source"], row["target"]] + [row[name] for name in TSV_EXTRA]))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def read_tsv(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    pairs: list[Pair] = []
    for number, line in enumerate(decode_export(path, data).split("\n"), start=1):
        line = line[:-1] if line.endswith("\r") else line
        if not line.strip("\r"):
            continue
        cells = line.split("\t")
        where = f"{path}, line {number}"
        if number == 1 and [c.strip().lower() for c in cells[:2]] == ["source", "target"]:
            continue
        if len(cells) < 2:
            raise FormatError(f"{where}: expected source TAB target, found no tab")
        fields = {"source": cells[0], "target": cells[1]}
        if len(cells) in _TSV_WIDTHS:
            fields.update(zip(TSV_EXTRA, cells[2:], strict=False))
        pairs.append(pair_from_fields(where, fields, unquote))
    return make_document(path, src_lang, tgt_lang, pairs)
