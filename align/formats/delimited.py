"""CSV (RFC 4180, UTF-8 with BOM, a header row) and TSV (LF Aligner's layout: source TAB target,
then our columns, no header, no quoting). Both also read a plain two-column file without a header.
Neither carries the languages: the caller names them.

A document with inline codes is written in tagged text (``align.formats.cells``): the CSV header
names the columns ``source (tagged)`` and ``target (tagged)``; a TSV row, having no header, ends
with one more cell, ``tagged`` (``TSV_TAGGED``), and only a row of that width ending so is read
as tagged text, so LF Aligner's files and other tools' stay plain text.

Both are read as a stream of pairs (``csv_pairs``, ``tsv_pairs``) from lines of text, so the
memory can import a file of any size a few rows at a time (``stream_pairs``, ``FileLines``);
``read_csv``/``read_tsv`` collect them into a document. A CSV cell may be up to ``cells.MAX_CELL``
characters long (the ``csv`` module's default, 131,072, is less than a long paragraph).
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from align.document import AlignedDocument, Pair
from align.errors import FormatError, InputError
from align.formats.cells import (
    COLUMNS,
    MAX_CELL,
    SIDES,
    TAGGED,
    LineDecoder,
    Quote,
    decode_export,
    describe,
    has_codes,
    header_map,
    header_names,
    legacy_encoded,
    make_document,
    pair_from_fields,
    pair_row,
)

log = logging.getLogger(__name__)

#: The TSV columns after source and target. Files written before quality estimates end at
#: ``note``, before origins at ``reasons``; a row of any of these widths is read with its columns.
TSV_EXTRA = ("confidence", "status", "paragraph", "src_ids", "tgt_ids", "flags", "note", "quality", "reasons", "origin")
_TSV_WIDTHS = (2 + len(TSV_EXTRA), 2 + TSV_EXTRA.index("reasons") + 1, 2 + TSV_EXTRA.index("note") + 1)
#: The last cell of a TSV row whose source and target are tagged text (module doc).
TSV_TAGGED = "tagged"
#: Characters of a CSV's first lines that the delimiter is guessed from.
_SNIFF = 8192
_LIMIT_LOCK = threading.Lock()
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")
_TSV_BREAKS = re.compile(r"[\t\r\n]")


def write_csv(doc: AlignedDocument, quote: Quote) -> bytes:
    """UTF-8 with BOM (so Excel opens it as UTF-8), RFC 4180 quoting, CRLF rows."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    with_tags = has_codes(doc)
    writer.writerow(dict(zip(COLUMNS, header_names(with_tags), strict=True)))
    for index, pair in enumerate(doc.pairs, start=1):
        writer.writerow(pair_row(index, pair, quote, with_tags))
    return out.getvalue().encode("utf-8-sig")


def csv_reader(lines: Iterable[str], delimiter: str) -> Any:
    """A strict ``csv.reader`` that accepts cells up to ``MAX_CELL`` characters (and the apostrophe
    a writer may add in front). The limit is the ``csv`` module's, for the whole process: it is
    raised once and never lowered."""
    with _LIMIT_LOCK:
        if csv.field_size_limit() < MAX_CELL + 1:
            csv.field_size_limit(MAX_CELL + 1)
    return csv.reader(lines, delimiter=delimiter, strict=True)


def csv_error(path: Path, line: int, err: csv.Error, what: str = "CSV") -> FormatError:
    """The one-line ``FormatError`` for a ``csv.Error`` at ``line``."""
    message = str(err)
    if "field larger than field limit" in message:
        message = f"a cell longer than {MAX_CELL:,} characters: an unclosed quote?"
    return FormatError(f"{path}, line {line}: malformed {what} ({message})")


def _delimiter(head: str) -> str:
    """A CSV's delimiter: ``,`` after our header, else what ``csv.Sniffer`` finds (``,`` ``;`` tab)."""
    first = head.split("\n", 1)[0]
    if "source" in first.lower() and "," in first:
        return ","
    try:
        return csv.Sniffer().sniff(head[:_SNIFF], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def csv_pairs(path: Path, lines: Iterable[str], unquote: Quote) -> Iterator[tuple[int, Pair]]:
    """The pairs of a CSV given as lines (with their line ends), each with its line number."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if sum(map(len, head)) >= _SNIFF:
            break
    delimiter = _delimiter("".join(head))
    reader = csv_reader(itertools.chain(head, lines), delimiter)
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
            yield reader.line_num, pair_from_fields(where, fields, unquote)
    except csv.Error as err:
        raise csv_error(path, reader.line_num, err) from err


def read_csv(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    lines = io.StringIO(decode_export(path, data), newline="")
    return make_document(path, src_lang, tgt_lang, [pair for _, pair in csv_pairs(path, lines, unquote)])


def tsv_cell(text: str) -> str:
    """A TSV cell stays on its row: tabs and line breaks (CR, LF) become single spaces."""
    return _TSV_BREAKS.sub(" ", text)


def write_tsv(doc: AlignedDocument, quote: Quote) -> bytes:
    """LF Aligner's layout; a tab or line break inside a cell becomes a space, with a warning
    naming the rows (CSV keeps them)."""
    lines = []
    flattened = []
    with_tags = has_codes(doc)
    for index, pair in enumerate(doc.pairs, start=1):
        row = pair_row(index, pair, lambda cell: quote(tsv_cell(cell)), with_tags)
        if any(_TSV_BREAKS.search(text) for text in (pair.source, pair.target, pair.note, *pair.reasons)):
            flattened.append(index)
        mark = [TSV_TAGGED] if with_tags else []
        lines.append("\t".join([row["source"], row["target"]] + [row[name] for name in TSV_EXTRA] + mark))
    if flattened:
        log.warning(
            "%s: tabs and line breaks inside cells became spaces in %s of the TSV (it has no quoting); export CSV to keep them",
            doc.name or "document",
            describe("row", flattened),
        )
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def tsv_pairs(path: Path, lines: Iterable[str], unquote: Quote) -> Iterator[tuple[int, Pair]]:
    """The pairs of a TSV given as ``\\n``-separated lines, each with its line number."""
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\n").removesuffix("\r")
        if not line.strip("\r"):
            continue
        cells = line.split("\t")
        where = f"{path}, line {number}"
        if number == 1 and [c.strip().lower() for c in cells[:2]] == ["source", "target"]:
            continue
        if len(cells) < 2:
            raise FormatError(f"{where}: expected source TAB target, found no tab")
        fields = {"source": cells[0], "target": cells[1]}
        if len(cells) == 3 + len(TSV_EXTRA) and cells[-1].strip() == TSV_TAGGED:
            fields = {f"{side}{TAGGED}": cell for side, cell in zip(SIDES, cells[:2], strict=True)}
            fields.update(zip(TSV_EXTRA, cells[2:-1], strict=True))
        elif len(cells) in _TSV_WIDTHS:
            fields.update(zip(TSV_EXTRA, cells[2:], strict=False))
        yield number, pair_from_fields(where, fields, unquote)


def read_tsv(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    lines = decode_export(path, data).split("\n")
    return make_document(path, src_lang, tgt_lang, [pair for _, pair in tsv_pairs(path, lines, unquote)])


class FileLines:
    """The text lines of a file on disk, decoded as ``decode_export`` decodes the whole file, but
    read as they are iterated: UTF-8 files (a few lines in Windows-1252 included) stream in
    bounded memory; a file in a legacy encoding throughout is read whole, as before. ``universal``
    splits lines at CR, LF and CRLF, as ``csv`` needs them (TSV: at LF only). ``position`` and
    ``total`` are the bytes read and the file's size, for progress."""

    def __init__(self, path: Path, *, universal: bool) -> None:
        self.path = Path(path)
        self.universal = universal
        self.total = self.path.stat().st_size
        self.position = 0
        if not self.total:
            raise InputError(f"{self.path}: the file is empty")

    def __iter__(self) -> Iterator[str]:
        with open(self.path, "rb") as handle:
            if legacy_encoded(handle):
                handle.seek(0)
                yield from self._whole(handle.read())
                return
            handle.seek(0)
            decoder = LineDecoder(self.path)
            for number, raw in enumerate(handle, start=1):
                self.position += len(raw)
                line = decoder.decode(number, raw)
                if number == 1:
                    line = line.removeprefix("\ufeff")
                yield from (_cr_lines(line) if self.universal and "\r" in line[:-2] else (line,))
            decoder.warn()

    def _whole(self, data: bytes) -> Iterator[str]:
        self.position = self.total
        text = decode_export(self.path, data)
        yield from io.StringIO(text, newline="") if self.universal else text.split("\n")


def _cr_lines(line: str) -> list[str]:
    """A line split after each CR not followed by LF (old Mac line ends), as ``csv`` wants them."""
    return [part for part in _LONE_CR.split(line) if part]


def stream_pairs(path: Path, fmt: str, unquote: Quote) -> tuple[FileLines, Iterator[tuple[int, Pair]]]:
    """The pairs of a CSV or TSV file (``fmt``) read as they are iterated, with the file's lines
    (whose ``position`` tells how far the reading is)."""
    lines = FileLines(path, universal=fmt == "csv")
    return lines, (csv_pairs if fmt == "csv" else tsv_pairs)(path, lines, unquote)
