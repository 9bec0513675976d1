"""Write an AlignedDocument as CSV, TSV, XLSX, JSONL or TMX, atomically.

Every format is rendered to bytes first (``to_bytes``, which the page's download buttons use) and
``write_document`` puts those bytes in a temporary file beside the target and ``os.replace``s it,
so a crash or a kill never leaves a half-written export.

Spreadsheet cells that start with ``= + - @``, a tab or a carriage return get a leading apostrophe
(OWASP's CSV-injection advice) unless ``neutralise_formulas=False``; cells already starting with
apostrophes before such a character get one more, so ``align.readers`` can remove exactly the one
apostrophe added here and nothing the translator typed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from align.document import AlignedDocument, Pair, Status
from align.errors import AlignError

log = logging.getLogger(__name__)

FORMATS = ("csv", "tsv", "xlsx", "jsonl", "tmx")
#: The CSV/XLSX header, in order. ``index`` is the 1-based row number.
COLUMNS = ("paragraph", "index", "source", "target", "confidence", "status", "src_ids", "tgt_ids", "flags", "note")
#: The TSV columns after source and target (LF Aligner's layout: no header row).
TSV_EXTRA = ("confidence", "status", "paragraph", "src_ids", "tgt_ids", "flags", "note")
JSONL_FORMAT = "align-jsonl"
JSONL_VERSION = 1
XLSX_PAIRS_SHEET = "pairs"
XLSX_META_SHEET = "document"
TMX_PROP_PREFIX = "x-align-"

FORMULA_TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class UnknownFormat(AlignError):
    """The output format is not one we write."""


# ---- public API --------------------------------------------------------------------------------


def format_from_path(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt``, else by the file extension; ``UnknownFormat`` otherwise."""
    name = (fmt or Path(path).suffix.lstrip(".")).lower().strip()
    if name == "txt":
        name = "tsv"
    if name not in FORMATS:
        raise UnknownFormat(f"{path}: unknown output format {name or '(no extension)'!r}; use one of {', '.join(FORMATS)}")
    return name


def write_document(
    doc: AlignedDocument,
    path: Path,
    fmt: str | None = None,
    *,
    confirmed_only: bool = False,
    neutralise_formulas: bool = True,
) -> Path:
    """Write ``doc`` to ``path`` atomically in ``fmt`` (default: from the extension); return the path."""
    path = Path(path)
    name = format_from_path(path, fmt)
    data = to_bytes(doc, name, confirmed_only=confirmed_only, neutralise_formulas=neutralise_formulas)
    atomic_write_bytes(path, data)
    log.info("wrote %s (%s, %d bytes)", path, name, len(data))
    return path


def to_bytes(doc: AlignedDocument, fmt: str, *, confirmed_only: bool = False, neutralise_formulas: bool = True) -> bytes:
    """Render ``doc`` in ``fmt`` (csv, tsv, xlsx, jsonl, tmx) as the bytes of a file."""
    name = format_from_path(Path(f"document.{fmt}"), fmt)
    if confirmed_only:
        doc = doc.replace(pairs=[p for p in doc.pairs if p.status is Status.CONFIRMED])
    quote = neutralise if neutralise_formulas else _keep
    renderers: dict[str, Callable[[AlignedDocument, Callable[[str], str]], bytes]] = {
        "csv": _csv_bytes,
        "tsv": _tsv_bytes,
        "xlsx": _xlsx_bytes,
        "jsonl": lambda d, _q: _jsonl_bytes(d),
        "tmx": lambda d, _q: _tmx_bytes(d),
    }
    return renderers[name](doc, quote)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in ``path``'s folder, fsync it, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def neutralise(cell: str) -> str:
    """Prefix an apostrophe when a spreadsheet could read the cell as a formula (reversible)."""
    return "'" + cell if _NEEDS_QUOTE.match(cell) else cell


def two_sided(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs with both a source and a target text (what a translation memory can hold).

    Characters XML cannot hold do not count: a target of only control characters is empty in TMX.
    """
    return [p for p in pairs if xml_text(p.source).strip() and xml_text(p.target).strip()]


def format_ids(ids: Sequence[int]) -> str:
    return " ".join(str(i) for i in ids)


def format_confidence(value: float) -> str:
    """Shortest text that reads back as the same float."""
    return repr(float(value))


def tsv_cell(text: str) -> str:
    """A TSV cell stays on its row: tabs and line breaks (CR, LF) become single spaces."""
    return re.sub(r"[\t\r\n]", " ", text)


def xml_text(text: str) -> str:
    """Text an XML file can hold: characters XML 1.0 forbids are removed."""
    return XML_INVALID.sub("", text)


def xml_lang(code: str) -> str:
    """A language code as an XML/BCP 47 tag (``pt_BR`` -> ``pt-BR``)."""
    return code.replace("_", "-")


# ---- CSV and TSV ---------------------------------------------------------------------------------


def _keep(cell: str) -> str:
    return cell


def _row(index: int, pair: Pair, quote: Callable[[str], str]) -> dict[str, str]:
    return {
        "paragraph": str(pair.paragraph),
        "index": str(index),
        "source": quote(pair.source),
        "target": quote(pair.target),
        "confidence": format_confidence(pair.confidence),
        "status": pair.status.value,
        "src_ids": format_ids(pair.src_ids),
        "tgt_ids": format_ids(pair.tgt_ids),
        "flags": quote(" ".join(pair.flags)),
        "note": quote(pair.note),
    }


def _csv_bytes(doc: AlignedDocument, quote: Callable[[str], str]) -> bytes:
    """UTF-8 with BOM (so Excel opens it as UTF-8), RFC 4180 quoting, CRLF rows."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for index, pair in enumerate(doc.pairs, start=1):
        writer.writerow(_row(index, pair, quote))
    return out.getvalue().encode("utf-8-sig")


def _tsv_bytes(doc: AlignedDocument, quote: Callable[[str], str]) -> bytes:
    """LF Aligner's layout: ``source TAB target`` then our extra columns, no header, no quoting."""
    lines = []
    for index, pair in enumerate(doc.pairs, start=1):
        row = _row(index, pair, lambda cell: quote(tsv_cell(cell)))
        lines.append("\t".join([row["source"], row["target"]] + [row[name] for name in TSV_EXTRA]))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


# ---- XLSX ----------------------------------------------------------------------------------------


def _xlsx_bytes(doc: AlignedDocument, quote: Callable[[str], str]) -> bytes:
    """Sheet "pairs" (frozen header, wide wrapped text columns) and sheet "document" (metadata)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = XLSX_PAIRS_SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, pair in enumerate(doc.pairs, start=1):
        row = _row(index, pair, quote)
        values: list[object] = []
        for name in COLUMNS:
            if name in ("paragraph", "index"):
                values.append(int(row[name]))
            elif name == "confidence":
                values.append(float(pair.confidence))
            else:
                values.append(xml_text(row[name]))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even with neutralise_formulas=False
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    widths = {
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
    }
    for number, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=number).column_letter].width = widths[name]
    sheet.auto_filter.ref = sheet.dimensions

    meta = book.create_sheet(XLSX_META_SHEET)
    for key, value in _metadata(doc).items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        meta.append([key, xml_text(text)])
        meta.cell(row=meta.max_row, column=2).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- JSONL ---------------------------------------------------------------------------------------


def _metadata(doc: AlignedDocument) -> dict[str, object]:
    from align import __version__

    return {
        "format": JSONL_FORMAT,
        "version": JSONL_VERSION,
        "tool_version": __version__,
        "src_lang": doc.src_lang,
        "tgt_lang": doc.tgt_lang,
        "name": doc.name,
        "signature": doc.signature.as_dict(),
    }


def _jsonl_bytes(doc: AlignedDocument) -> bytes:
    """Line 1: document metadata and signature; then one line per sentence and per pair (lossless)."""
    lines = [json.dumps({"type": "document", **_metadata(doc)}, ensure_ascii=False, default=str)]
    for side, sentences in (("source_sentence", doc.source_sentences), ("target_sentence", doc.target_sentences)):
        for s in sentences:
            lines.append(
                json.dumps(
                    {"type": side, "text": s.text, "start": s.start, "end": s.end, "paragraph": s.paragraph},
                    ensure_ascii=False,
                )
            )
    for index, pair in enumerate(doc.pairs, start=1):
        lines.append(
            json.dumps(
                {
                    "type": "pair",
                    "index": index,
                    "paragraph": pair.paragraph,
                    "source": pair.source,
                    "target": pair.target,
                    "confidence": pair.confidence,
                    "status": pair.status.value,
                    "src_ids": list(pair.src_ids),
                    "tgt_ids": list(pair.tgt_ids),
                    "flags": list(pair.flags),
                    "note": pair.note,
                },
                ensure_ascii=False,
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- TMX -----------------------------------------------------------------------------------------


def _tmx_bytes(doc: AlignedDocument) -> bytes:
    """TMX 1.4b: one ``tu`` per two-sided pair, status/confidence/ids/flags in ``x-align-*`` props."""
    from lxml import etree

    from align import __version__

    xml_ns = "{http://www.w3.org/XML/1998/namespace}lang"
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(
        root,
        "header",
        creationtool="align-workbench",
        creationtoolversion=__version__,
        segtype="sentence",
        **{"o-tmf": "align-workbench", "adminlang": "en", "srclang": xml_lang(doc.src_lang), "datatype": "plaintext"},
    )
    for key, value in (
        ("name", doc.name),
        ("tgtlang", xml_lang(doc.tgt_lang)),
        ("signature", json.dumps(doc.signature.as_dict(), ensure_ascii=False, default=str)),
    ):
        if value:
            etree.SubElement(header, "prop", type=TMX_PROP_PREFIX + key).text = xml_text(value)
    body = etree.SubElement(root, "body")
    skipped = 0
    for index, pair in enumerate(doc.pairs, start=1):
        source, target = xml_text(pair.source), xml_text(pair.target)
        if not (source.strip() and target.strip()):
            skipped += 1
            continue
        tu = etree.SubElement(body, "tu", tuid=str(index))
        if pair.note:
            etree.SubElement(tu, "note").text = xml_text(pair.note)
        props = {
            "status": pair.status.value,
            "confidence": format_confidence(pair.confidence),
            "paragraph": str(pair.paragraph),
            "src-ids": format_ids(pair.src_ids),
            "tgt-ids": format_ids(pair.tgt_ids),
            "flags": " ".join(pair.flags),
        }
        for key, value in props.items():
            if value:
                etree.SubElement(tu, "prop", type=TMX_PROP_PREFIX + key).text = xml_text(value)
        for lang, text in ((doc.src_lang, source), (doc.tgt_lang, target)):
            tuv = etree.SubElement(tu, "tuv", {xml_ns: xml_lang(lang)})
            etree.SubElement(tuv, "seg").text = text
    if skipped:
        log.warning(
            "%s: %d one-sided pair(s) left out of the TMX (a translation memory needs both sides)",
            doc.name or "document",
            skipped,
        )
    tree = etree.ElementTree(root)
    return etree.tostring(
        tree, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    )
