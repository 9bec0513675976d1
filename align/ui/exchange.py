"""The page's side of a CAT tool's file (XLIFF 1.2 and 2.0, SDLXLIFF, memoQ, PO): a project made
from one, and the file written back with the project's targets.

A project made from such a file keeps the file as its source (``align.review.sources``); its rows
are the file's segments (``align.exchange.project``): they keep their place (no merge, split,
insert or delete: each row is written back into its own segment), their source is the file's,
and a segment the file locks is a read-only row. The file is written back from the kept file and
the saved rows: only targets and their states change.

The one module of the page that speaks of the file as translators do, a *job* (the word
``align.exchange`` uses for it); the rest of the page says "file".
"""

from __future__ import annotations

from pathlib import Path

from align.document import AlignedDocument
from align.exchange import SUFFIXES, is_job_file, read_job, write_job
from align.exchange.project import apply_document, job_document, locked_rows

#: The file types the new-project form takes (without the dot).
UPLOAD_TYPES = sorted(suffix.lstrip(".") for suffix in SUFFIXES)


def is_exchange_file(path: Path | None) -> bool:
    """Whether ``path`` (a project's kept source) is an XLIFF or PO file: its project's rows are
    that file's segments."""
    return path is not None and is_job_file(path)


def kind_name(path: Path) -> str:
    """ "PO" or "XLIFF", as the download button says, from the kept file's name."""
    return "PO" if path.suffix.lower() in (".po", ".pot") else "XLIFF"


def read_rows(path: Path, src_lang: str, tgt_lang: str) -> AlignedDocument:
    """One row per segment of the file at ``path``, in the file's languages where it names them
    (their base: "de-DE" is "de", what the packages and the memory are kept under), else
    ``src_lang``/``tgt_lang``. ``InputError``/``FormatError`` name the file."""
    from align.mt.langcodes import base_lang

    job = read_job(path)
    return job_document(
        job,
        src_lang=base_lang(job.source_lang) if job.source_lang else src_lang,
        tgt_lang=base_lang(job.target_lang) if job.target_lang else tgt_lang,
    )


def locked(doc: AlignedDocument) -> frozenset[int]:
    """The rows whose segments the file locks (read-only on the page)."""
    return locked_rows(doc)


def written_file(doc: AlignedDocument, kept: Path) -> bytes:
    """The kept file with the rows' targets, codes and statuses (confirmed: translated; the
    others: drafts), everything else as it was read."""
    job = read_job(kept)
    apply_document(job, doc, where=f"project {doc.name or kept.name}")
    return write_job(job)
