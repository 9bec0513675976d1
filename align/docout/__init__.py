"""The translated document: a document's target text written back in its source's own structure.

``write_translated`` reads the source file again with its block map (``align.text.readers``),
finds where each row's source sentences were (``placement``), composes each block's new text
and its pieces' (``compose``) and hands them to the writer of the output's format (``plain``,
``markdown``, ``html``, ``word``); the file is written atomically. ``kinds`` says which output
goes with which source. Nothing is imported or parsed until a function is called.
"""

from __future__ import annotations

import logging
from pathlib import Path

from align.docout.kinds import DOCUMENT_SUFFIXES, OutputKindError, is_document_output, output_kind, translate_writes_document
from align.docout.policy import Unconfirmed
from align.document import AlignedDocument

__all__ = [
    "DOCUMENT_SUFFIXES",
    "OutputKindError",
    "Unconfirmed",
    "is_document_output",
    "output_kind",
    "render_translated",
    "translate_writes_document",
    "write_translated",
]

log = logging.getLogger(__name__)


def write_translated(doc: AlignedDocument, source_path: Path, out_path: Path, *, unconfirmed: str = "mt") -> Path:
    """Write ``doc``'s target text in the structure of ``source_path`` to ``out_path``; return it.

    The format follows ``out_path``'s suffix, which must fit the source (``kinds``). ``doc``'s
    rows must come from ``source_path`` (its sentences, as ``translate`` segmented them).
    ``unconfirmed`` (``source``, ``mt`` or ``marker``, see :class:`Unconfirmed`) says what goes in
    for rows that are not confirmed or have no target. Raises ``AlignError`` subclasses naming
    the file for a mismatched document, an unreadable source or a format that does not fit.
    """
    from align.formats import atomic_write_bytes

    out_path = Path(out_path)
    data = render_translated(doc, source_path, output_kind(source_path, out_path), unconfirmed=unconfirmed)
    atomic_write_bytes(out_path, data)
    log.info("wrote %s (%d bytes)", out_path, len(data))
    return out_path


def render_translated(doc: AlignedDocument, source_path: Path, kind: str, *, unconfirmed: str = "mt", aligned: str = "") -> bytes:
    """The bytes of the translated document of kind ``docx``, ``md``, ``html`` or ``txt`` (for
    download buttons; ``write_translated`` checks the kind against the source with ``output_kind``).

    ``docx`` from a source of another kind is a new document with a paragraph per block; ``md``
    and ``html`` need a source of that kind. ``aligned`` names where ``doc`` came from, for error
    messages (default: its name).
    """
    from align.docout.compose import fill_blocks
    from align.docout.placement import check_rows, place_rows, source_sentences
    from align.docout.policy import joiner_for
    from align.text.readers import open_source

    policy = Unconfirmed.parse(unconfirmed)
    opened = open_source(Path(source_path))
    source = opened.source
    where = aligned or doc.name or "the aligned document"
    sentences = source_sentences(doc, source.text, where=where)
    check_rows(doc, sentences, aligned=where, source=str(source_path))
    joiner = joiner_for(doc.tgt_lang)
    filled = fill_blocks(source, sentences, place_rows(doc, sentences, policy, joiner), joiner)
    if kind == "txt":
        from align.docout.plain import render_plain

        return render_plain(source, filled, opened.newline if source.kind in ("txt", "md") else "\n")
    if kind == "docx" and source.kind != "docx":
        from align.docout.word import render_new_docx

        return render_new_docx(filled)
    if kind != source.kind:
        raise OutputKindError(f"{source_path}: a {source.kind} source cannot be written as {kind}")
    if kind == "docx":
        from align.docout.word import render_docx

        return render_docx(opened, filled)
    if kind == "html":
        from align.docout.html import render_html

        return render_html(opened, filled)
    from align.docout.markdown import render_markdown

    return render_markdown(opened, filled)
