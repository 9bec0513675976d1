"""HTML output: the same page, the text of each block replaced inside its own elements.

Tags, attributes, the head, scripts and styles stay; each text node of a changed block gets its
part of the new text (a sentence goes into the node where it starts: inside ``<b>`` when it
started in bold, the rest of it in other nodes is emptied). The title follows its block. The page
is written as UTF-8 and its ``<meta charset>`` says so. The reader folds whitespace, so a changed
``<pre>`` block comes back on one line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from align.docout.compose import Filled
from align.text.readers import OpenedSource


def render_html(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """The source page with its changed blocks' text nodes replaced, as UTF-8 bytes."""
    soup = opened.document
    text = opened.source.text
    if soup.title is not None and filled and filled[0].block.kind != "title":
        title = unicodedata.normalize("NFC", soup.title.get_text(" ", strip=True))
        first = filled[0]
        if first.changed and title == text[first.block.start : first.block.end]:
            _set_title(soup, first.text)  # the title was read once, as the first block's text
    for block in filled:
        if not block.changed:
            continue
        if block.block.kind == "title":
            _set_title(soup, block.text)
            continue
        for piece, new in zip(block.block.pieces, block.pieces, strict=True):
            if new == text[piece.start : piece.end]:
                continue
            node = opened.slots[piece.slot]
            node.replace_with(type(node)(_with_edges(str(node), new)))
    data: bytes = soup.encode("utf-8")
    return data


def _set_title(soup: Any, text: str) -> None:
    if soup.title is not None:
        soup.title.string = text


def _with_edges(old: str, new: str) -> str:
    """``new`` with ``old``'s leading and trailing whitespace where ``new`` has none (inline spacing)."""
    if not new:
        return " " if old[:1].isspace() or old[-1:].isspace() else ""
    lead = old[: len(old) - len(old.lstrip())] if not new[:1].isspace() else ""
    trail = old[len(old.rstrip()) :] if not new[-1:].isspace() else ""
    return lead + new + trail
