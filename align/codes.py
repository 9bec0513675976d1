"""Inline codes of a text: bold, a link, a footnote mark, a tag of a CAT tool's segment.

A sentence is plain text plus codes at character offsets: a **paired** code around a span
(``<b>``...``</b>``), a **standalone** code at a position (a footnote reference, a line break, an
image). Everything that handles text (segmentation, translation, alignment, checks) sees the plain
text; readers and writers of formatted files, the word aligner's tag placement and the page carry
the codes beside it.

**Order and nesting** of codes that share an offset cannot be told from offsets alone, so codes
are kept in document order (the order of their opening tags), read with one rule: a code that
starts where an open paired code ends is outside it (``</b><x/>``), one that starts where it
starts, after it in the order, is inside (``<b><x/>``). ``markup`` writes codes into a text by
that rule as ``<id>``...``</id>`` and ``<id/>``; ``codes_from_markup`` reads them back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class CodeKind(StrEnum):
    """A code around a span of text, or at one position."""

    PAIRED = "paired"
    STANDALONE = "standalone"


@dataclass(frozen=True)
class Code:
    """An inline code of a sentence: ``[start, end)`` character offsets in its plain text
    (``start == end`` for a standalone code, or a paired code around nothing)."""

    id: str
    kind: CodeKind
    start: int
    end: int

    @property
    def paired(self) -> bool:
        return self.kind is CodeKind.PAIRED


def inside(outer: Code, code: Code) -> bool:
    """Whether ``code``, coming after the open paired ``outer`` in document order, is inside it."""
    return outer.start <= code.start and code.end <= outer.end and code.start < outer.end


def markup(text: str, codes: Sequence[Code]) -> str:
    """``text`` with ``codes`` (document order) written in as ``<id>``...``</id>`` and ``<id/>``."""
    out: list[str] = []
    at = 0
    stack: list[Code] = []
    for code in codes:
        while stack and not inside(stack[-1], code):
            closing = stack.pop()
            out += [text[at : closing.end], f"</{closing.id}>"]
            at = closing.end
        out.append(text[at : code.start])
        at = code.start
        if not code.paired:
            out.append(f"<{code.id}/>")
        elif code.start == code.end:
            out.append(f"<{code.id}></{code.id}>")
        else:
            out.append(f"<{code.id}>")
            stack.append(code)
    while stack:
        closing = stack.pop()
        out += [text[at : closing.end], f"</{closing.id}>"]
        at = closing.end
    return "".join([*out, text[at:]])


_TAG = re.compile(r"<(/?)([\w.-]+)(/?)>")


def codes_from_markup(marked: str) -> tuple[str, tuple[Code, ...]]:
    """The plain text and the codes (document order) of a text written as ``markup`` writes it.
    Raises ValueError for a closing tag that does not match the open one."""
    plain: list[str] = []
    length = 0
    codes: list[Code] = []
    open_at: list[tuple[int, str, int]] = []  # (index in codes, id, start)
    at = 0
    for match in _TAG.finditer(marked):
        piece = marked[at : match.start()]
        plain.append(piece)
        length += len(piece)
        at = match.end()
        closing, name, lone = match.group(1), match.group(2), match.group(3)
        if lone:
            codes.append(Code(name, CodeKind.STANDALONE, length, length))
        elif not closing:
            open_at.append((len(codes), name, length))
            codes.append(Code(name, CodeKind.PAIRED, length, length))
        else:
            if not open_at or open_at[-1][1] != name:
                raise ValueError(f"</{name}> at {match.start()} closes no open <{name}>")
            index, _, start = open_at.pop()
            codes[index] = Code(name, CodeKind.PAIRED, start, length)
    if open_at:
        raise ValueError(f"<{open_at[-1][1]}> is never closed")
    plain.append(marked[at:])
    return "".join(plain), tuple(codes)
