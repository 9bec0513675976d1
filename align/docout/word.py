"""DOCX output: the same document, paragraphs, styles and tables kept, runs refilled.

Each paragraph the reader read keeps its style, numbering and runs; a changed paragraph's runs
get their part of the new text. A sentence that lies inside one run keeps that run's formatting
(bold, italic, colour, a hyperlink). A sentence that spans runs with different formatting goes
whole into the first run of the sentence, with that run's formatting, and its other runs are
emptied (a run of a translated sentence cannot be matched to words of the source). Images, page
breaks, fields' codes and everything else in a run that is not text stay. Tabs and line breaks
inside a changed paragraph become spaces. Headers, footers, footnotes and text boxes are not
read, so they stay in the source language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from align.docout.compose import Filled
from align.text.readers import OpenedSource

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_TAGS = frozenset(f"{_W}{tag}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen", "ptab"))


def render_docx(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """The source document with its changed paragraphs' runs refilled, as .docx bytes."""
    text = opened.source.text
    for block in filled:
        if not block.changed:
            continue
        _, runs = opened.slots[block.block.slot]
        for piece, new in zip(block.block.pieces, block.pieces, strict=True):
            if new != text[piece.start : piece.end]:
                set_run_text(runs[piece.slot], new)
    return _save(opened.document)


def render_new_docx(filled: Sequence[Filled]) -> bytes:
    """A new document with a Normal paragraph per block (for sources that cannot be written, PDF)."""
    import docx

    document = docx.Document()
    for block in filled:
        document.add_paragraph(block.text)
    return _save(document)


def set_run_text(run: Any, text: str) -> None:
    """Replace a run's text (``w:t``, tabs, line breaks) with ``text``; its properties and other content stay.

    A page or column break (text "") is not text and stays, as do drawings and field characters.
    """
    old = [child for child in run if child.tag == f"{_W}t" or (child.tag in _TEXT_TAGS and str(child))]
    index = run.index(old[0]) if old else len(run)
    for child in old:
        run.remove(child)
    if text:
        from docx.oxml import OxmlElement

        element = OxmlElement("w:t")
        element.text = text
        element.set(_XML_SPACE, "preserve")
        run.insert(index, element)


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
