"""Plain-text output: the source's text with each block's text replaced.

Whatever lies between blocks (the blank lines) stays as it was; a plain-text source keeps its
line breaks between sentences. Any source can be written as plain text: its blocks (paragraphs,
headings, list items, cells) become paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence

from align.docout.compose import Filled
from align.text.readers import SourceText


def render_plain(source: SourceText, filled: Sequence[Filled], newline: str = "\n") -> bytes:
    """UTF-8 text with ``newline`` line ends."""
    parts: list[str] = []
    position = 0
    for block in filled:
        parts.append(source.text[position : block.block.start])
        parts.append(block.text)
        position = block.block.end
    parts.append(source.text[position:])
    text = "".join(parts)
    if newline != "\n":
        text = text.replace("\n", newline)
    return text.encode("utf-8")
