"""Limits on what a ZIP archive may inflate to, checked before anything is inflated.

Every ZIP a user or a stranger can hand the product (a Word document, an Excel workbook, an
``.argosmodel`` package) goes through :func:`check_zip` first. A ZIP's central directory declares
each member's compressed and uncompressed size; CPython's ``zipfile`` never inflates a member past
its declared size (it stops there and then fails the CRC check), so checking the declared sizes
bounds the memory and disk that reading the archive can take. A member that declares a huge size
from a few bytes (a "zip bomb") is refused by its compression ratio.

The limits are per kind of file, in one place, here. A document's limits bound memory (python-docx
and openpyxl hold the parsed XML in memory, roughly two to three times the XML's size); a package's
bound disk and refuse ratios that real model weights never reach (int8 and float32 weights hardly
compress).
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from align.errors import InputError

MiB = 1 << 20
#: What reading a damaged or hostile ZIP member can raise besides our own errors: a bad archive,
#: a truncated or corrupt deflate/LZMA stream, a compression method zipfile does not know, a member
#: flagged as encrypted (RuntimeError). Every ZIP reader catches these and says so in one line.
ZIP_READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
)
GiB = 1 << 30


@dataclass(frozen=True)
class ZipLimits:
    """What an archive of one kind may hold.

    ``max_ratio`` applies to members larger than ``ratio_from`` bytes once inflated: small members
    (a styles part, a vocabulary) may compress well without harm, but no real document part or
    model file needs hundreds of bytes out for every byte in.
    """

    what: str
    max_members: int
    max_member: int
    max_total: int
    max_ratio: float
    ratio_from: int = 1 * MiB


# Word documents and Excel workbooks: parsed whole in memory by python-docx / openpyxl.
OFFICE_LIMITS = ZipLimits("document", max_members=10_000, max_member=256 * MiB, max_total=512 * MiB, max_ratio=100.0)
# Translation packages: NLLB-200 1.3B in float32 is ~5.5 GB; weights barely compress.
PACKAGE_LIMITS = ZipLimits("package", max_members=10_000, max_member=16 * GiB, max_total=20 * GiB, max_ratio=20.0)


def _size(n: int) -> str:
    return f"{n / GiB:.1f} GB" if n >= GiB else f"{n / MiB:.1f} MB"


def check_zip(archive: zipfile.ZipFile, where: object, limits: ZipLimits, error: type[Exception] = InputError) -> int:
    """Refuse an archive whose members would inflate past ``limits``; return the total inflated size.

    Reads only the central directory. ``error`` is the AlignError subclass to raise (InputError for
    documents, PackageError for packages), with a one-line message naming ``where``.
    """
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise error(f"{where}: the {limits.what} holds {len(infos)} files (at most {limits.max_members} are accepted)")
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.max_member:
            raise error(
                f"{where}: {info.filename!r} would inflate to {_size(size)} "
                f"(at most {_size(limits.max_member)} per file of a {limits.what}); refusing it"
            )
        if size > limits.ratio_from and size > limits.max_ratio * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise error(
                f"{where}: {info.filename!r} would inflate {ratio:,.0f} times (to {_size(size)}); "
                f"no real {limits.what} compresses more than {limits.max_ratio:.0f} times, so it is refused as a zip bomb"
            )
        total += size
        if total > limits.max_total:
            raise error(f"{where}: the {limits.what} would inflate to more than {_size(limits.max_total)}; refusing it")
    return total


def check_zip_file(path: Path, limits: ZipLimits, error: type[Exception] = InputError) -> int:
    """:func:`check_zip` for an archive on disk; a damaged archive is ``error`` too."""
    try:
        with zipfile.ZipFile(path) as archive:
            return check_zip(archive, path, limits, error)
    except ZIP_READ_ERRORS + (ValueError,) as err:
        raise error(f"{path}: damaged ZIP archive ({err})") from None
