"""What every aligned-document format shares: the pair's fields as text, formula neutralisation
for spreadsheets, XML-safe text, and building a document from what a file held.

Spreadsheet cells that start with ``= + - @``, a tab or a carriage return get a leading apostrophe
(OWASP's CSV-injection advice); cells already starting with apostrophes before such a character
get one more, so a reader removes exactly the one apostrophe a writer added and nothing the
translator typed.

Text files from other tools are UTF-8, or wholly in one legacy encoding, or (pasted together) UTF-8
with a few lines in Windows-1252/Latin-1: ``decode_export`` decodes those lines on their own and
names them in a warning, so the rest of the file is never turned into mojibake.

A pair's quality reasons share one cell, joined with `` | ``; inside a reason a backslash and a
``|`` get a backslash in front, so any reason reads back exactly (only a lone empty reason reads
back as no reason).

A document with inline codes (``Pair.src_codes``/``tgt_codes``) is written with its source and
target cells in tagged text (``align.codes.tagged``: "<1>bold</1> and <2/>"), the form
translators edit, and those columns are named ``source (tagged)`` and ``target (tagged)``
(``TAGGED``): the header says how to read the cells, where a translator sees it, and a file from
elsewhere whose text holds ``<b>`` or ``<1>`` (its header says ``source``) is read as the text it
is, never as codes. A document without codes is written as it always was. TSV has no header: its
rows carry a last cell ``tagged`` instead (``align.formats.delimited``).
"""

from __future__ import annotations

import codecs
import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from align.codes import Code, check_codes, tagged, untagged
from align.document import AlignedDocument, Origin, Pair, RunSettings, Signature, Status
from align.errors import AlignError, FormatError

log = logging.getLogger(__name__)

#: The CSV/XLSX header, in order. ``index`` is the 1-based row number.
COLUMNS = (
    "paragraph",
    "index",
    "source",
    "target",
    "confidence",
    "status",
    "src_ids",
    "tgt_ids",
    "flags",
    "note",
    "quality",
    "reasons",
    "origin",
)
#: Appended to the source and target column names when their cells hold tagged text (module doc).
TAGGED = " (tagged)"
#: The sides whose cells may hold tagged text.
SIDES = ("source", "target")
#: The most characters one cell (a source, a target, a note) may hold in any format we write and
#: read: 10 times a 200,000-character cell, and still under the 10 MB that libxml2 reads as one
#: XML text node (a character is at most 4 bytes of UTF-8). XLSX holds less (Excel's limit).
MAX_CELL = 2_000_000
#: Joins the reasons of a pair in one cell; files from before quality estimates lack the column.
REASON_JOINER = " | "
#: Tool version and languages in the first record or sheet of the formats that carry them.
METADATA_FORMAT = "align-jsonl"
METADATA_VERSION = 1

_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_UNQUOTE = re.compile(r"^'(?='*[=+\-@\t\r])")
# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Quote = Callable[[str], str]
#: Byte-order marks of encodings other than UTF-8: such a file is decoded whole, never by line.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: How many line or row numbers a warning lists before "and N more".
LISTED = 10


class ExportError(AlignError):
    """A document cannot be written in the format asked for without losing text (nothing is written)."""


def check_cells(doc: AlignedDocument) -> None:
    """``ExportError`` naming the row and field when a pair's text is longer than ``MAX_CELL``:
    no reader of ours would take the file back."""
    for index, pair in enumerate(doc.pairs, start=1):
        for field, text in (("source", pair.source), ("target", pair.target), ("note", pair.note)):
            if len(text) > MAX_CELL:
                raise ExportError(
                    f"row {index}: the {field} has {len(text):,} characters; a cell holds at most {MAX_CELL:,} "
                    "(split the row, or leave it out of the export)"
                )


def has_codes(doc: AlignedDocument) -> bool:
    """Whether any row has inline codes: then spreadsheet formats write tagged text (module doc)."""
    return any(p.src_codes or p.tgt_codes for p in doc.pairs)


def header_names(with_tags: bool) -> tuple[str, ...]:
    """The header row of ``COLUMNS``; ``with_tags``: source and target named as tagged."""
    return tuple(f"{name}{TAGGED}" if with_tags and name in SIDES else name for name in COLUMNS)


def side_text(text: str, codes: Sequence[Code], with_tags: bool) -> str:
    """A side's cell before quoting: tagged text when ``with_tags``, else the plain text."""
    return tagged(text, codes) if with_tags else text


def check_codes_fit(doc: AlignedDocument) -> None:
    """``ExportError`` naming the row when a side's codes do not fit its text (past its end,
    crossing: an edit of the text left them): no format writes such codes, none reads them back."""
    for index, pair in enumerate(doc.pairs, start=1):
        for field, text, codes in (("source", pair.source, pair.src_codes), ("target", pair.target, pair.tgt_codes)):
            if not codes:
                continue
            try:
                check_codes(text, codes)
            except ValueError as err:
                raise ExportError(f"row {index}: the {field}'s codes do not fit its text ({err}); place the tags again") from None


def check_tags(doc: AlignedDocument) -> None:
    """``ExportError`` naming the row when a document with codes cannot be written as tagged text
    (a code's id is not a number) or a tagged cell would be longer than ``MAX_CELL``; nothing to
    check in a document without codes."""
    if not has_codes(doc):
        return
    for index, pair in enumerate(doc.pairs, start=1):
        for field, text, codes in (("source", pair.source, pair.src_codes), ("target", pair.target, pair.tgt_codes)):
            try:
                cell = tagged(text, codes)
            except ValueError as err:
                raise ExportError(f"row {index}: the {field}'s codes cannot be written as tags ({err}); export JSONL") from None
            if len(cell) > MAX_CELL:
                raise ExportError(
                    f"row {index}: the {field} with its tags has {len(cell):,} characters; a cell holds at most "
                    f"{MAX_CELL:,} (split the row, or export JSONL)"
                )


def describe(noun: str, numbers: Sequence[int]) -> str:
    """``"line 3"``, ``"lines 3, 7"``, ``"rows 1, 2, ... and 5 more"``: places for a message."""
    shown = ", ".join(str(n) for n in numbers[:LISTED])
    more = f" and {len(numbers) - LISTED} more" if len(numbers) > LISTED else ""
    return f"{noun}{'s' if len(numbers) > 1 else ''} {shown}{more}"


def neutralise(cell: str) -> str:
    """Prefix an apostrophe when a spreadsheet could read the cell as a formula (reversible)."""
    return "'" + cell if _NEEDS_QUOTE.match(cell) else cell


def unneutralise(cell: str) -> str:
    """Undo ``neutralise``: drop one apostrophe before ``'*[=+-@\\t\\r]``, nothing else."""
    return _UNQUOTE.sub("", cell, count=1)


def keep(cell: str) -> str:
    return cell


def format_ids(ids: Sequence[int]) -> str:
    return " ".join(str(i) for i in ids)


def format_confidence(value: float) -> str:
    """Shortest text that reads back as the same float."""
    return repr(float(value))


def format_quality(value: float | None) -> str:
    """Empty for "not estimated", else the shortest text that reads back as the same float."""
    return "" if value is None else format_confidence(value)


def join_reasons(reasons: Sequence[str]) -> str:
    """One cell for all reasons: ``\\`` and ``|`` escaped, then joined with ``REASON_JOINER``."""
    return REASON_JOINER.join(r.replace("\\", "\\\\").replace("|", "\\|") for r in reasons)


def split_reasons(cell: str) -> tuple[str, ...]:
    """Undo ``join_reasons``. An unescaped ``|`` separates reasons and one space on each side of
    it belongs to the joiner, so a hand-typed ``a|b`` reads as two reasons too."""
    if not cell:
        return ()
    reasons: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and i + 1 < len(cell):
            current.append(cell[i + 1])
            i += 2
            continue
        if char == "|":
            if current and current[-1] == " ":
                current.pop()
            reasons.append("".join(current))
            current = []
            i += 2 if cell[i + 1 : i + 2] == " " else 1
            continue
        current.append(char)
        i += 1
    reasons.append("".join(current))
    return tuple(reasons)


def xml_text(text: str) -> str:
    """Text an XML file can hold: characters XML 1.0 forbids are removed."""
    return XML_INVALID.sub("", text)


def xml_lang(code: str) -> str:
    """A language code as an XML/BCP 47 tag (``pt_BR`` -> ``pt-BR``)."""
    return code.replace("_", "-")


def pair_row(index: int, pair: Pair, quote: Quote, with_tags: bool = False) -> dict[str, str]:
    """The pair's fields as the text cells of ``COLUMNS``; ``quote`` applies to free text;
    ``with_tags``: source and target as tagged text (module doc)."""
    return {
        "paragraph": str(pair.paragraph),
        "index": str(index),
        "source": quote(side_text(pair.source, pair.src_codes, with_tags)),
        "target": quote(side_text(pair.target, pair.tgt_codes, with_tags)),
        "confidence": format_confidence(pair.confidence),
        "status": pair.status.value,
        "src_ids": format_ids(pair.src_ids),
        "tgt_ids": format_ids(pair.tgt_ids),
        "flags": quote(" ".join(pair.flags)),
        "note": quote(pair.note),
        "quality": format_quality(pair.quality),
        "reasons": quote(join_reasons(pair.reasons)),
        "origin": quote(str(pair.origin)),
    }


def finite_number(where: str, name: str, value: object) -> float:
    """A confidence or quality as read from any format: a finite number, or a one-line error.
    (Python reads "nan", "inf", JSON's NaN and Infinity as floats; a NaN sorts and filters rows at random.)"""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        raise FormatError(f"{where}: {name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise FormatError(f"{where}: {name} {value!r} is not a finite number")
    return number


def pair_from_fields(where: str, fields: dict[str, str], unquote: Quote) -> Pair:
    """Build a Pair from text cells; ``where`` ("file, row 3") prefixes every error.

    A missing field takes the Pair's default, so files written before a column existed (quality
    and reasons came late, origin later) still read. A side given as ``source (tagged)`` /
    ``target (tagged)`` is read as tagged text into its text and codes (module doc)."""
    try:
        paragraph = int(fields.get("paragraph") or 0)
    except ValueError:
        raise FormatError(f"{where}: paragraph {fields.get('paragraph')!r} is not a whole number") from None
    raw_conf = (fields.get("confidence") or "").strip()
    confidence = finite_number(where, "confidence", raw_conf) if raw_conf else 1.0
    raw_quality = (fields.get("quality") or "").strip()
    quality = finite_number(where, "quality", raw_quality) if raw_quality else None
    try:
        status = Status.parse(fields.get("status"))
    except ValueError as err:
        raise FormatError(f"{where}: {err}") from None
    ids = {}
    for key in ("src_ids", "tgt_ids"):
        try:
            ids[key] = tuple(int(v) for v in (fields.get(key) or "").replace(",", " ").split())
        except ValueError:
            raise FormatError(f"{where}: {key} {fields.get(key)!r} must be numbers separated by spaces") from None
    (source, src_codes), (target, tgt_codes) = (_side(where, name, fields, unquote) for name in SIDES)
    return Pair(
        source=source,
        target=target,
        src_codes=src_codes,
        tgt_codes=tgt_codes,
        src_ids=ids["src_ids"],
        tgt_ids=ids["tgt_ids"],
        confidence=confidence,
        status=status,
        paragraph=paragraph,
        flags=tuple(unquote(fields.get("flags") or "").split()),
        note=unquote(fields.get("note") or ""),
        quality=quality,
        reasons=split_reasons(unquote(fields.get("reasons") or "")),
        origin=Origin.parse(unquote(fields.get("origin") or "").strip()),
    )


def _side(where: str, name: str, fields: dict[str, str], unquote: Quote) -> tuple[str, tuple[Code, ...]]:
    """A side's text and codes from its cell: tagged text under ``name (tagged)``, else plain text."""
    marked = fields.get(f"{name}{TAGGED}")
    if marked is None:
        return unquote(fields.get(name) or ""), ()
    try:
        return untagged(unquote(marked))
    except ValueError as err:
        raise FormatError(f"{where}: the {name}'s tags do not balance ({err}); fix them in that cell") from None


def header_map(cells: list[str]) -> dict[str, int] | None:
    """Column positions by name when ``cells`` is a header row (it names source and target, each
    plain or tagged: ``source (tagged)``)."""
    names = [str(c or "").strip().lower() for c in cells]
    if all(side in names or f"{side}{TAGGED}" in names for side in SIDES):
        return {name: i for i, name in enumerate(names) if name}
    return None


def make_document(path: Path, src_lang: str, tgt_lang: str, pairs: list[Pair], **extra: object) -> AlignedDocument:
    """The document a file held; without a signature of its own it is marked as imported."""
    signature = extra.pop("signature", None) or Signature(method="import", settings=RunSettings(details={"file": path.name}))
    return AlignedDocument(
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        pairs=tuple(pairs),
        name=str(extra.pop("name", "") or path.stem),
        signature=signature,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def decode_export(path: Path, data: bytes) -> str:
    """Our exports are UTF-8 (CSV with a BOM); another tool's may be in any text encoding, or in
    UTF-8 with a few lines in Windows-1252 (module doc)."""
    from align.text.readers import decode_text

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    if not legacy_encoded(lines):
        decoder = LineDecoder(path)
        text = "\n".join(decoder.decode(number, line) for number, line in enumerate(lines, start=1))
        decoder.warn()
        return text.removeprefix("\ufeff")
    return decode_text(path, data, newlines=False)


def legacy_encoded(lines: Iterable[bytes]) -> bool:
    """True when a file given as ``\\n``-split lines must be decoded whole (``decode_text`` finds
    its encoding): it has a UTF-16/32 byte-order mark, or a line that is not UTF-8 and no line
    with letters beyond ASCII that is. Otherwise its lines are UTF-8, but for a few that
    ``LineDecoder`` reads as Windows-1252. Stops at the first UTF-8 line beyond ASCII."""
    invalid = False
    for number, line in enumerate(lines):
        if number == 0 and line.startswith(_WIDE_BOMS):
            return True
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            invalid = True
            continue
        return False
    return invalid


class LineDecoder:
    """Decodes the lines of a mostly-UTF-8 file one by one: UTF-8, else Windows-1252 (Latin-1 for
    the five bytes it leaves undefined); ``warn`` names the lines that were not UTF-8."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fallback: list[int] = []

    def decode(self, number: int, line: bytes) -> str:
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            self.fallback.append(number)
        try:
            return line.decode("cp1252")
        except UnicodeDecodeError:
            return line.decode("latin-1")

    def warn(self) -> None:
        if self.fallback:
            log.warning(
                "%s: %s not UTF-8 like the rest of the file; read as Windows-1252 (cp1252): check %s",
                self.path,
                describe("line", self.fallback) + (" is" if len(self.fallback) == 1 else " are"),
                "it" if len(self.fallback) == 1 else "them",
            )


def metadata(doc: AlignedDocument) -> dict[str, object]:
    """The document's languages, name and signature, with the tool's version."""
    from align import __version__

    return {
        "format": METADATA_FORMAT,
        "version": METADATA_VERSION,
        "tool_version": __version__,
        "src_lang": doc.src_lang,
        "tgt_lang": doc.tgt_lang,
        "name": doc.name,
        "signature": doc.signature.as_dict(),
    }
