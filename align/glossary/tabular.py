"""Glossaries as tables: CSV, TSV and XLSX, the way translators keep them in spreadsheets.

Lenient about layout, strict about meaning:

* a header row names the columns, in any order and case: source (``source``, ``src``, ``term``,
  the source language's code or name: ``de``, ``de-DE``, ``German``, ``Deutsch``), target
  (``target``, ``tgt``, ``translation``, ``en``, ``English``), type (``type``, ``kind``,
  ``status``, ``category``) and note (``note``, ``comment``, ``definition``, ...); a header such as
  ``(DE)`` or ``Source term`` reads too. Without a header the first two columns are source and
  target, and every row is a term pair;
* several target terms share a cell separated by ``;`` or ``|``;
* the type column reads "term" (or empty, "preferred"), "do-not-translate" ("dnt", "keep") or
  "forbidden" ("deprecated", "avoid"); anything else is a ``FormatError`` naming file and line;
* CSV may use ``,`` ``;`` or tab (Excel writes ``;`` in German locales); blank rows and rows whose
  first cell starts with ``#`` are skipped; a term without a target term yet (a glossary being
  filled in) is skipped with a warning naming its line.

Files are read as the aligned-document formats read them (``align.formats``): text decoded line by
line where a UTF-8 file has a few Windows-1252 lines, long cells accepted, workbooks checked for
their inflated size and for DTDs before openpyxl opens them.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from align.errors import FormatError, InputError
from align.glossary.model import Entry, Glossary, Kind, OtherLanguages
from align.mt.langcodes import base_lang

log = logging.getLogger(__name__)

SOURCE, TARGET, KIND, NOTE = "source", "target", "type", "note"
_ROLE_NAMES = {
    SOURCE: {
        "source",
        "src",
        "source term",
        "source terms",
        "term",
        "source text",
        "from",
        "original",
        "quelle",
        "ausgangssprache",
    },
    TARGET: {
        "target",
        "tgt",
        "target term",
        "target terms",
        "translation",
        "translations",
        "to",
        "equivalent",
        "ziel",
        "übersetzung",
    },
    KIND: {"type", "kind", "status", "category", "entry type", "term type", "usage", "term status", "typ", "art", "kategorie"},
    NOTE: {
        "note",
        "notes",
        "comment",
        "comments",
        "remark",
        "remarks",
        "definition",
        "context",
        "description",
        "info",
        "anmerkung",
        "kommentar",
        "bemerkung",
    },
}
#: Names a header may give a language column, beside its code.
LANGUAGE_NAMES = {
    "de": {"german", "deutsch"},
    "en": {"english", "englisch"},
    "fr": {"french", "français", "francais", "französisch", "franzosisch"},
    "es": {"spanish", "español", "espanol", "spanisch"},
    "it": {"italian", "italiano", "italienisch"},
    "nl": {"dutch", "nederlands", "niederländisch"},
    "pt": {"portuguese", "português", "portugues", "portugiesisch"},
    "pl": {"polish", "polski", "polnisch"},
    "ru": {"russian", "русский", "russisch"},
    "zh": {"chinese", "中文", "chinesisch"},
    "ja": {"japanese", "日本語", "japanisch"},
}
_LANG_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$")
_TARGET_SPLIT = re.compile(r"\s*[;|]\s*")


def _header_name(cell: str) -> str:
    """``" Source (DE) "`` -> ``"source"``; ``"(DE)"`` -> ``"de"``."""
    text = " ".join(str(cell or "").replace("_", " ").split()).casefold()
    inner = re.fullmatch(r"\((.+)\)", text)
    if inner:
        return inner.group(1).strip()
    return re.sub(r"\s*\(.*\)$", "", text).strip() or text


def _is_language(name: str, lang: str) -> bool:
    code = base_lang(lang)
    return (bool(_LANG_CODE.match(name)) and base_lang(name) == code) or name in LANGUAGE_NAMES.get(code, set())


def _looks_like_language(name: str) -> bool:
    return (bool(_LANG_CODE.match(name)) and len(base_lang(name)) == 2) or any(name in n for n in LANGUAGE_NAMES.values())


def header_roles(cells: Sequence[str], src_lang: str, tgt_lang: str) -> dict[str, int] | None:
    """Column positions by role when ``cells`` is a header row naming a source and a target
    column, None when it is a row of terms.

    A row that is clearly a header but lacks the source or target column is a ``ValueError``
    saying which (a glossary for other languages): all its cells are column or language names
    and one of them is a column name ("type") or this pair's language ("en" beside "fr"). A
    first term pair that happens to be two language codes ("es", "it") still reads as terms.
    """
    roles: dict[str, int] = {}
    filled = names = named = matched = 0
    for position, cell in enumerate(cells):
        name = _header_name(cell)
        if not name:
            continue
        filled += 1
        role = next((r for r, spellings in _ROLE_NAMES.items() if name in spellings), None)
        named += role is not None
        if role is None and _is_language(name, src_lang):
            role, matched = SOURCE, matched + 1
        elif role is None and _is_language(name, tgt_lang):
            role, matched = TARGET, matched + 1
        if role is not None:
            roles.setdefault(role, position)
        names += role is not None or _looks_like_language(name)
    if SOURCE in roles and TARGET in roles:
        return roles
    if filled >= 2 and names == filled and (named or matched):
        missing = [f"{role} ({lang})" for role, lang in ((SOURCE, src_lang), (TARGET, tgt_lang)) if role not in roles]
        raise ValueError(f"the header names no {' and no '.join(missing)} column: {', '.join(str(c) for c in cells)}")
    return None


#: How many skipped rows the one warning of a file names.
SKIPPED_NAMED = 5


def split_targets(cell: str) -> tuple[str, ...]:
    """Target terms of one cell: ``"cycle bridge; bike bridge"`` -> two terms."""
    return tuple(t for t in (p.strip() for p in _TARGET_SPLIT.split(cell or "")) if t)


def entry_from_cells(where: str, source: str, target: str, kind_cell: str = "", note: str = "") -> Entry | None:
    """The entry one row describes; None for a term still without its target term (the caller
    says how many were skipped: one line for the file, not one per row)."""
    source = " ".join(str(source or "").split())
    targets = split_targets(str(target or ""))
    note = str(note or "").strip()
    try:
        kind = Kind.parse(kind_cell)
    except ValueError as err:
        raise FormatError(f"{where}: {err}") from None
    if kind is Kind.DO_NOT_TRANSLATE:
        term = source or (targets[0] if targets else "")
        if not term:
            raise FormatError(f"{where}: a do-not-translate entry needs its term in the source column")
        return Entry.keep(term, note=note, origin=where)
    if kind is Kind.FORBIDDEN:
        if not targets:
            raise FormatError(f"{where}: a forbidden entry needs the forbidden term in the target column")
        return Entry.forbidden(*targets, source=source, note=note, origin=where)
    if not source:
        raise FormatError(f"{where}: target term {target!r} has no source term")
    if not targets:
        return None
    return Entry.term(source, *targets, note=note, origin=where)


def entries_from_rows(rows: Iterable[tuple[str, Sequence[str]]], src_lang: str, tgt_lang: str) -> Iterator[Entry]:
    """Entries of a table given as (where, cells) rows: the first non-blank row may be a header."""
    roles: dict[str, int] | None = None
    first = True
    skipped = 0
    named: list[str] = []
    for where, cells in rows:
        cells = [str(c if c is not None else "") for c in cells]
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if first:
            first = False
            try:
                roles = header_roles(cells, src_lang, tgt_lang)
            except ValueError as err:
                raise OtherLanguages(f"{where}: {err}") from None
            if roles is not None:
                continue
        if roles is None:
            if len(cells) < 2:
                raise FormatError(f"{where}: expected two columns (source term, target term), found {len(cells)}")
            entry = entry_from_cells(where, cells[0], cells[1])
        else:
            cell = {role: (cells[i] if i < len(cells) else "") for role, i in roles.items()}
            entry = entry_from_cells(where, cell[SOURCE], cell[TARGET], cell.get(KIND, ""), cell.get(NOTE, ""))
        if entry is not None:
            yield entry
        else:
            skipped += 1
            named += [where] if len(named) < SKIPPED_NAMED else []
    if skipped:
        more = ", ..." if skipped > len(named) else ""
        log.warning("%d term(s) have no target term yet and were skipped: %s%s", skipped, "; ".join(named), more)


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_delimited(path: Path, data: bytes, src_lang: str, tgt_lang: str, delimiter: str | None = None) -> Glossary:
    """A CSV or TSV glossary (``delimiter`` None: tab, ``;`` or ``,``, whichever the first line has most)."""
    from align.formats.cells import decode_export
    from align.formats.delimited import csv_error, csv_reader

    text = decode_export(path, data)
    reader = csv_reader(io.StringIO(text, newline=""), delimiter or _delimiter(text))

    def rows() -> Iterator[tuple[str, list[str]]]:
        try:
            for row in reader:
                yield f"{path}, line {reader.line_num}", row
        except csv.Error as err:
            raise csv_error(path, reader.line_num, err, path.suffix.lstrip(".").upper() or "CSV") from err

    entries = tuple(entries_from_rows(rows(), src_lang, tgt_lang))
    return Glossary(entries, src_lang, tgt_lang, path.name)


def read_xlsx(path: Path, data: bytes, src_lang: str, tgt_lang: str) -> Glossary:
    """An XLSX glossary: the sheet named "glossary" or "terms" if there is one, else the first."""
    from align.formats.xlsx import open_workbook, sheet_rows

    book = open_workbook(path, data)
    try:
        named = [name for name in book.sheetnames if name.strip().casefold() in ("glossary", "terms", "termbase", "glossar")]
        if not book.worksheets:
            raise InputError(f"{path}: the workbook has no worksheet")
        sheet = book[named[0]] if named else book.worksheets[0]

        def rows() -> Iterator[tuple[str, list[str]]]:
            for number, row in enumerate(sheet_rows(path, sheet), start=1):
                yield f"{path}, sheet {sheet.title!r}, row {number}", [_cell_text(v) for v in row]

        entries = tuple(entries_from_rows(rows(), src_lang, tgt_lang))
    finally:
        book.close()
    return Glossary(entries, src_lang, tgt_lang, path.name)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def glossary_to_tsv(glossary: Glossary) -> bytes:
    """A glossary as a TSV file that ``read_delimited`` reads back (a project's glossary on disk):
    header ``source, target, type, note``; target terms joined with ``; ``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow((SOURCE, TARGET, KIND, NOTE))
    for e in glossary.entries:
        writer.writerow((e.source, "; ".join(e.targets), e.kind.value, e.note))
    return out.getvalue().encode("utf-8")
