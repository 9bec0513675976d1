"""Aligned documents out and back in: one module per format, each with its writer and reader.

Every format renders a document to bytes (``to_bytes``, which the page's download buttons use);
``write_document`` puts those bytes in a temporary file beside the target and renames it, so a
crash or a kill never leaves a half-written export; the file gets the mode a new file gets (the
umask decides), or keeps the mode of the file it replaces. A format that cannot hold the document
whole (an Excel cell holds 32,767 characters) refuses it with an ``ExportError`` before anything
is written. ``read_aligned`` reads every format back into
the same pairs, statuses and text, so a translator can continue where they stopped.

Adding a format: a module with ``write_X(doc, quote) -> bytes`` and ``read_X(path, data, src_lang,
tgt_lang, unquote) -> AlignedDocument``, and one ``Format`` entry in ``REGISTRY``; the command
line's ``--format`` choices and the import suffixes follow from it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from align.document import AlignedDocument, Status
from align.errors import AlignError, InputError
from align.formats import delimited, jsonl, tmx, xlsx
from align.formats.cells import ExportError as ExportError
from align.formats.cells import Quote, check_cells, check_codes_fit, check_tags, keep, neutralise, unneutralise
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET

log = logging.getLogger(__name__)


class UnknownFormat(AlignError):
    """The output format is not one we write."""


@dataclass(frozen=True)
class Format:
    """One aligned-document format: its name, the file suffixes read as it, MIME type (for
    downloads), writer and reader."""

    name: str
    suffixes: tuple[str, ...]
    mime: str
    write: Callable[[AlignedDocument, Quote], bytes]
    read: Callable[[Path, bytes, str, str, Quote], AlignedDocument]
    #: Writes inline codes as tagged text in its cells (``align.formats.cells``), so a code's id
    #: must be a number there.
    tagged: bool = False


REGISTRY: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", (".csv",), "text/csv", delimited.write_csv, delimited.read_csv, tagged=True),
        Format(
            "tsv", (".tsv", ".tab", ".txt"), "text/tab-separated-values", delimited.write_tsv, delimited.read_tsv, tagged=True
        ),
        Format(
            "xlsx",
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx.write_xlsx,
            xlsx.read_xlsx,
            tagged=True,
        ),
        Format("jsonl", (".jsonl", ".ndjson"), "application/jsonl", jsonl.write_jsonl, jsonl.read_jsonl),
        Format("tmx", (".tmx",), "application/x-tmx+xml", tmx.write_tmx, tmx.read_tmx),
    )
}
FORMATS = tuple(REGISTRY)
#: File suffix -> format, for reading.
ALIGNED_SUFFIXES = {suffix: f.name for f in REGISTRY.values() for suffix in f.suffixes}


def format_from_path(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt``, else by the file extension; ``UnknownFormat`` otherwise."""
    name = (fmt or Path(path).suffix.lstrip(".")).lower().strip()
    name = ALIGNED_SUFFIXES.get(f".{name}", name)
    if name not in REGISTRY:
        raise UnknownFormat(f"{path}: unknown output format {name or '(no extension)'!r}; use one of {', '.join(FORMATS)}")
    return name


def to_bytes(doc: AlignedDocument, fmt: str, *, confirmed_only: bool = False, neutralise_formulas: bool = True) -> bytes:
    """Render ``doc`` in ``fmt`` (csv, tsv, xlsx, jsonl, tmx) as the bytes of a file, its inline
    codes included (CSV, TSV, XLSX: as tagged text, ``align.formats.cells``).

    In spreadsheet formats (CSV, TSV, XLSX) a cell that a spreadsheet would run as a formula gets
    a leading apostrophe unless ``neutralise_formulas`` is False (``cells.neutralise``). A text
    longer than a cell holds (``cells.MAX_CELL``; XLSX: Excel's limit) is an ``ExportError``.
    """
    name = format_from_path(Path(f"document.{fmt}"), fmt)
    doc = _in_scope(doc, confirmed_only)
    _check(doc, name)
    return REGISTRY[name].write(doc, neutralise if neutralise_formulas else keep)


def _check(doc: AlignedDocument, name: str) -> None:
    """``ExportError`` when format ``name`` cannot hold ``doc`` whole: a cell too long, codes that
    do not fit their text or that it cannot write as tags."""
    check_cells(doc)
    check_codes_fit(doc)
    if REGISTRY[name].tagged:
        check_tags(doc)


def _in_scope(doc: AlignedDocument, confirmed_only: bool) -> AlignedDocument:
    return doc.replace(pairs=[p for p in doc.pairs if p.status is Status.CONFIRMED]) if confirmed_only else doc


def export_problem(
    doc: AlignedDocument, fmt: str, *, confirmed_only: bool = False, neutralise_formulas: bool = True
) -> str | None:
    """Why ``to_bytes`` would refuse ``doc`` in ``fmt`` (a cell too long for it), or None: cheap
    (nothing is rendered), so a page can say so on its download button instead of failing."""
    name = format_from_path(Path(f"document.{fmt}"), fmt)
    doc = _in_scope(doc, confirmed_only)
    try:
        _check(doc, name)
        if name == "xlsx":
            xlsx.check_lengths(doc, neutralise if neutralise_formulas else keep)
    except ExportError as err:
        return str(err)
    return None


def write_document(
    doc: AlignedDocument,
    path: Path,
    fmt: str | None = None,
    *,
    confirmed_only: bool = False,
    neutralise_formulas: bool = True,
) -> Path:
    """Write ``doc`` to ``path`` atomically in ``fmt`` (default: from the extension); return the path.
    ``ExportError`` naming ``path`` when the format cannot hold the document (nothing is written)."""
    path = Path(path)
    name = format_from_path(path, fmt)
    try:
        data = to_bytes(doc, name, confirmed_only=confirmed_only, neutralise_formulas=neutralise_formulas)
    except ExportError as err:
        raise ExportError(f"{path}: {err}") from None
    atomic_write_bytes(path, data)
    log.info("wrote %s (%s, %d bytes)", path, name, len(data))
    return path


def read_aligned(
    path: Path, *, src_lang: str = DEFAULT_SOURCE, tgt_lang: str = DEFAULT_TARGET, neutralised: bool = True
) -> AlignedDocument:
    """Read a CSV, TSV, XLSX, JSONL or TMX file written by ``write_document`` back into a document.

    Also reads a plain two-column CSV/TSV/XLSX (source, target) without a header. ``src_lang`` and
    ``tgt_lang`` apply where the format does not carry the languages (CSV, TSV). ``neutralised``
    says the file was written with formula neutralisation (the default), so one apostrophe added in
    front of ``= + - @``/tab/CR is removed again. Raises ``InputError`` when the file cannot be read
    and ``FormatError`` (with the line or row) when its content is malformed.
    """
    from align.text.readers import read_bytes

    path = Path(path)
    name = ALIGNED_SUFFIXES.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"{path}: cannot import {path.suffix or 'a file without extension'}; use one of {', '.join(sorted(ALIGNED_SUFFIXES))}"
        )
    return REGISTRY[name].read(path, read_bytes(path), src_lang, tgt_lang, unneutralise if neutralised else keep)


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only once it is complete: written to a temporary file
    in the same folder, fsynced, then renamed over ``path``; on any error the temporary file is
    removed and ``path`` stays as it was (an interrupted export never leaves half a file). The
    file has the mode ``open`` would give a new one (0666 less the umask) or, replacing a file,
    that file's mode (a translator's private file stays private)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            _keep_mode(path, handle.fileno())
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _replace(tmp: Path, path: Path, waits: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8)) -> None:
    """``os.replace``; on Windows tried again for a moment (a virus scanner or the search indexer
    holds a new file briefly), and a file another program keeps open (Excel locks its workbook) is
    an ExportError the user can act on, not "[WinError 32] ... .out.xlsx.1a2b.tmp -> out.xlsx"."""
    for wait in (*waits, None) if os.name == "nt" else (None,):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if wait is None:
                raise ExportError(
                    f"{path}: cannot replace it: it is open in another program (Excel?) or read-only; close it and try again"
                ) from None
            time.sleep(wait)


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``, created exclusively with mode 0666 so the
    kernel applies the umask (``tempfile.mkstemp`` makes 0600, and reading the umask is racy)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary file name beside {path.name}")


def _keep_mode(path: Path, fd: int) -> None:
    """Give the temporary file ``fd`` the mode of the file at ``path`` it is to replace, if any."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``atomic_open``)."""
    with atomic_open(path) as handle:
        handle.write(data)
