"""Which translated document can be written from which source, by the output's suffix.

A document is written in its own format (DOCX to DOCX, Markdown to Markdown, HTML to HTML, plain
text to plain text); any source can also be written as plain text (a paragraph per block). A PDF
cannot be written back: its translation goes into a new .docx (a paragraph per paragraph) or .txt.
"""

from __future__ import annotations

from pathlib import Path

from align.errors import AlignError
from align.text.readers import DOCX_SUFFIXES, HTML_SUFFIXES, MARKDOWN_SUFFIXES, PDF_SUFFIXES, source_kind

#: Output suffix -> the kind written.
OUTPUT_KINDS: dict[str, str] = {
    **{s: "md" for s in MARKDOWN_SUFFIXES},
    **{s: "html" for s in HTML_SUFFIXES},
    **{s: "docx" for s in DOCX_SUFFIXES},
    ".txt": "txt",
    ".text": "txt",
}
#: Suffixes that name a translated document and never an aligned-pairs file (``translate -o``);
#: ``.txt`` is not among them: it has always meant the TSV pair table there.
DOCUMENT_SUFFIXES = frozenset(s for s, kind in OUTPUT_KINDS.items() if kind != "txt")
_NAMES = {"txt": ".txt", "md": ".md", "html": ".html", "docx": ".docx", "pdf": ".pdf"}


class OutputKindError(AlignError):
    """The output's suffix names a format this source cannot be written in."""


def is_document_output(path: Path) -> bool:
    """Does ``path``'s suffix name a translated document (.docx, .md, .html, ...) rather than pairs?"""
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def translate_writes_document(source_path: Path, out_path: Path) -> bool:
    """For ``translate -o``: is ``out_path`` the translated document (True) or a pair table (False)?

    A document suffix that does not fit the source is an unknown output format there, with the
    choices for this source (pair formats, and the document suffix that fits, if any).
    """
    from align.formats import FORMATS, UnknownFormat

    if not is_document_output(out_path):
        return False
    try:
        output_kind(source_path, out_path)
    except OutputKindError:
        source = source_kind(source_path, _head(source_path))
        fits = {"pdf": ".docx", "txt": ""}.get(source, _NAMES[source])
        document = f", or {fits} for the translated document" if fits else " (export-doc writes the translated .txt from them)"
        suffix = Path(out_path).suffix.lower().lstrip(".")
        raise UnknownFormat(
            f"{out_path}: unknown output format {suffix!r} for {source_path} ({source}); use one of "
            f"{', '.join(FORMATS)} for sentence pairs{document}"
        ) from None
    return True


def _head(path: Path) -> bytes:
    from align.text.readers import read_bytes

    return read_bytes(Path(path))[:8]


def output_kind(source_path: Path, out_path: Path) -> str:
    """The kind to write ``out_path`` as (``docx``, ``md``, ``html``, ``txt``) for ``source_path``.

    Raises ``OutputKindError`` naming the allowed suffixes when the two do not go together, and
    ``InputError`` when the source cannot be read.
    """
    source_path, out_path = Path(source_path), Path(out_path)
    source = source_kind(source_path, _head(source_path))
    allowed = {source, "txt"} if source != "pdf" else {"docx", "txt"}
    suffix = out_path.suffix.lower()
    wanted = OUTPUT_KINDS.get(suffix)
    if wanted in allowed:
        return wanted
    choices = " or ".join(_NAMES[kind] for kind in sorted(allowed, key=lambda k: k == "txt"))
    if suffix in PDF_SUFFIXES:
        raise OutputKindError(f"{out_path}: a PDF cannot be written; write the translation as {choices}")
    if wanted is None:
        what = f"{suffix!r} is not a document format" if suffix else "it has no extension"
        raise OutputKindError(f"{out_path}: {what}; for {source_path} ({source}) write {choices}")
    raise OutputKindError(f"{out_path}: a {source} source ({source_path}) cannot be written as {suffix}; write {choices}")
