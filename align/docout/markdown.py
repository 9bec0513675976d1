"""Markdown output: the source file with each block's lines replaced, its block markup kept.

A heading keeps its ``#`` marks (or its ``===`` underline), a list item its bullet or number and
indentation, a quote its ``>``, a table row its pipes and every cell its own text. A block whose
text changed is written on one line as plain text: inline markup inside it (emphasis, links,
inline code) is not carried over; a block that did not change keeps its lines as they were.
Everything that is not a block (rules, link definitions, fences, blank lines, comments outside
blocks) stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from align.docout.compose import Filled
from align.text.readers import OpenedSource


def render_markdown(opened: OpenedSource, filled: Sequence[Filled]) -> bytes:
    """UTF-8 Markdown with the source file's line ends."""
    lines: list[str] = str(opened.document).split("\n")
    replaced: dict[int, tuple[int, list[str]]] = {}
    for block in filled:
        if block.changed:
            first, last = block.block.lines
            replaced[first] = (last, _block_lines(block, lines[first]))
    out: list[str] = []
    number = 0
    while number < len(lines):
        if number in replaced:
            last, new = replaced[number]
            out.extend(new)
            number = last + 1
        else:
            out.append(lines[number])
            number += 1
    return opened.newline.join(out).encode("utf-8")


def _block_lines(block: Filled, first_line: str) -> list[str]:
    if block.block.kind == "table_row":
        return [_table_row(block, first_line)]
    return [block.block.prefix + block.text]


def _table_row(block: Filled, line: str) -> str:
    """The row's line with the written cells' texts replaced (``|`` escaped), the others as they were."""
    prefix = block.block.prefix
    body = line[len(prefix) :] if line.startswith(prefix) else line
    inner = body.strip()
    indent = body[: len(body) - len(body.lstrip())]
    lead = "|" if inner.startswith("|") else ""
    trail = "|" if inner.endswith("|") and len(inner) > 1 else ""
    cells = inner.strip("|").split("|")
    for piece, text in zip(block.block.pieces, block.pieces, strict=True):
        if 0 <= piece.slot < len(cells):
            cells[piece.slot] = f" {text.replace('|', chr(92) + '|')} "
    return prefix + indent + lead + "|".join(cells) + trail
