"""A CAT tool's job in and back out: XLIFF 1.2 (Trados SDLXLIFF and memoQ included), XLIFF 2.0
and PO read into a plain model (``model``: units of segments, source and target as plain text
plus inline codes, state, notes, locked or not), targets set, and the file written back with only
targets and their states changed.

    from align.exchange import read_job, write_job
    job = read_job(Path("job.xlf"))
    for segment in job.segments(): ...            # set_target(segment, text, codes, State.DRAFT)
    Path("out.xlf").write_bytes(write_job(job))

**Why lxml directly for XLIFF.** translate-toolkit reads and writes XLIFF 1.2 and PO, but it
rewrites what it does not change. Measured once (translate-toolkit 3.20.4, ``xlifffile``: each
unit's target set to its source, the store serialised): of the 110 XLIFF 1.2 files in
``bench/xliff-dev``, 0 came back equal to the input outside targets and states as canonical XML
(it re-indents the file and adds ``xml:space="preserve"`` and ``approved="yes"`` to every unit),
and that store refuses the 51 XLIFF 2.0 files (2.0 is another module with another model).
Changing the parsed tree with lxml leaves every other node as it was: all 160 well-formed files
equal after a pseudo-translation (``tests/test_exchange_roundtrip.py``). **Why translate-toolkit for PO**: its PO store writes an
entry it did not change byte for byte as read, line wrapping included; polib re-wraps every long
line its own way (the same text, a diff on every wrapped entry). It is pure Python here (its
one compiled dependency, for wrapping, has wheels for Windows, macOS and Linux).

Files from anyone: XML goes through the safe parser (``align.formats.xmlsafe``: no DTD or
network, entity bombs and nesting past 256 refused), and a file over ``MAX_BYTES`` is refused
before it is read. Anything that is not well-formed, not XLIFF 1.2/2.0 or not PO is a one-line
``FormatError`` naming the file.
"""

from __future__ import annotations

from pathlib import Path

from align.errors import FormatError, InputError
from align.exchange.model import Job, Kind, Native, Segment, State, Unit, set_target

__all__ = [
    "MAX_BYTES",
    "MAX_PO_BYTES",
    "PO_SUFFIXES",
    "SUFFIXES",
    "XLIFF_SUFFIXES",
    "Job",
    "Kind",
    "Native",
    "Segment",
    "State",
    "Unit",
    "is_job_file",
    "read_job",
    "set_target",
    "write_job",
    "write_job_file",
]

#: The largest job file read (a large SDLXLIFF of a manual is tens of MB; the tree takes ~10x).
MAX_BYTES = 256 * 1024 * 1024
#: The largest PO file read: translate-toolkit's PO store and the model take about 100 times the
#: file's size in memory and some 3 to 6 seconds a MB (measured on a 2 MB file of 35,000 entries:
#: 214 MB, 13 s on a busy machine), and the largest catalogues of real projects are a few MB.
MAX_PO_BYTES = 16 * 1024 * 1024
#: File name endings of XLIFF job files (the content decides XLIFF 1.2 from 2.0; a tool's own
#: ending such as .sdlxliff is a 1.2 file) and of PO files.
XLIFF_SUFFIXES = (".xlf", ".xliff", ".sdlxliff", ".mqxliff")
PO_SUFFIXES = (".po", ".pot")
#: File name endings of the job files read.
SUFFIXES = XLIFF_SUFFIXES + PO_SUFFIXES
_BOMS = (b"\xef\xbb\xbf",)


def is_job_file(path: Path) -> bool:
    """Whether ``path``'s name says it is a job file (XLIFF or PO)."""
    return path.name.lower().endswith(SUFFIXES)


def read_job(path: Path) -> Job:
    """The job in an XLIFF or PO file. ``InputError`` for a file that cannot be read, is empty or
    too large; ``FormatError`` for one that is not well-formed XLIFF 1.2/2.0 or PO."""
    data = _read(path)
    if _looks_like_xml(data):
        from align.exchange.xliff import read_xliff

        return read_xliff(path, data)
    if path.name.lower().endswith(PO_SUFFIXES) or b"msgid" in data[:65536].replace(b"\x00", b""):
        from align.exchange.po import read_po

        if len(data) > MAX_PO_BYTES:
            raise InputError(
                f"{path}: {len(data) / (1 << 20):.1f} MB is more than the {MAX_PO_BYTES >> 20} MB a PO file may have; "
                "split the catalogue (msgcat, msggrep)"
            )
        return read_po(path, data)
    raise FormatError(f"{path}: neither XLIFF nor PO (no XML and no msgid); give an XLIFF 1.2 or 2.0 file or a PO file")


def write_job(job: Job) -> bytes:
    """The job's file with the new targets and states, everything else as it was read."""
    if job.kind is Kind.PO:
        from align.exchange.po import write_po

        return write_po(job)
    from align.exchange.xliff import write_xliff

    return write_xliff(job)


def write_job_file(job: Job, path: Path) -> Path:
    """Write the job's file to ``path`` (complete or not at all: ``align.formats.atomic_write_bytes``)."""
    from align.formats import atomic_write_bytes

    atomic_write_bytes(path, write_job(job))
    return path


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file")
        if size > MAX_BYTES:
            raise InputError(
                f"{path}: {size / (1 << 20):.0f} MB is more than the {MAX_BYTES >> 20} MB a job file may have; split the job"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read the file ({err.strerror or err})") from err
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    return data


def _looks_like_xml(data: bytes) -> bool:
    """Whether the file starts with ``<`` (after a byte order mark and white space), in UTF-8 or a
    wide encoding (a UTF-16 PO file starts with a mark too)."""
    from align.exchange.po import wide_encoding

    encoding, bom = wide_encoding(data)
    if encoding:
        head = data[len(bom) : len(bom) + 4096]
        return head.decode(encoding, errors="ignore").lstrip().startswith("<")
    return data.removeprefix(_BOMS[0]).lstrip().startswith(b"<")
