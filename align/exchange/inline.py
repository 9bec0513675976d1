"""XLIFF inline content <-> plain text and codes.

Reading walks a ``source``/``target``/``mrk`` element in document order. Its text is the plain
text; each inline element becomes a code, numbered "1", "2", ... in the order of its opening
tag, with its XML kept (``Native``):

* an element around text (1.2 ``g`` and ``mrk``, 2.0 ``pc`` and ``mrk``): a paired code; its
  content is read on, inside it;
* two elements that open and close a span (1.2 ``bpt``/``ept`` and ``bx``/``ex``, 2.0
  ``sc``/``ec`` and ``sm``/``em``): one paired code when both are in the same segment and nest
  with the codes around them; otherwise each is a standalone code (an isolated half, a span that
  crosses another or a segment boundary);
* anything else (1.2 ``x``, ``ph``, ``it``; 2.0 ``ph``, ``cp``; another tool's element): a
  standalone code, written back whole.

Writing puts a text and its codes (by id, from the same segment's source) into an element by
``align.words.tags``'s order rule, each code as the XML it was read from.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from align.codes import Code, CodeKind
from align.exchange.model import Native

#: Elements around text, by local name (both XLIFF versions).
WRAPPING = frozenset({"g", "mrk", "pc"})
#: Elements that open a span closed by another element.
OPENING = frozenset({"bpt", "bx", "sc", "sm"})
#: Elements that close a span opened by another element.
CLOSING = frozenset({"ept", "ex", "ec", "em"})


@dataclass
class _Entry:
    """A code while it is read: its offsets and markup; ``key`` matches an opening half to its
    closing half (``rid``/``id`` in 1.2, ``startRef`` in 2.0), None for other codes."""

    start: int
    end: int
    opening: Any
    closing: Any = None
    wraps: bool = False
    paired: bool = False
    key: str | None = None


def local(element: Any) -> str:
    """An element's name without its namespace ('' for a comment or processing instruction)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def bare(element: Any, *, empty: bool) -> Any:
    """A copy of ``element`` without its tail (and without its content when ``empty``: the shell of a wrapping code)."""
    if empty:
        return element.makeelement(element.tag, element.attrib, element.nsmap)
    made = copy.deepcopy(element)
    made.tail = None
    return made


class _Reader:
    """One walk over an element's content (module doc)."""

    def __init__(self, segment_marks: bool) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entries: list[_Entry] = []
        self.stack: list[int] = []  # indices of entries open around the walk's position
        self.segment_marks = segment_marks

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)
            self.length += len(value)

    def walk(self, element: Any) -> None:
        self.text(element.text)
        for child in element:
            self.child(child)
            self.text(child.tail)

    def child(self, child: Any) -> None:
        name = local(child)
        if not name:  # a comment or processing instruction inside the text: kept as a code
            self.entries.append(_Entry(self.length, self.length, bare(child, empty=False)))
        elif name in WRAPPING and not (self.segment_marks and name == "mrk" and child.get("mtype") == "seg"):
            self.wrapping(child)
        elif name in OPENING and child.get("isolated") != "yes":
            index = len(self.entries)
            self.entries.append(_Entry(self.length, self.length, bare(child, empty=False), key=_key(child)))
            self.stack.append(index)
        elif name in CLOSING and child.get("isolated") != "yes":
            self.closing(child)
        else:
            self.entries.append(_Entry(self.length, self.length, bare(child, empty=False)))

    def wrapping(self, child: Any) -> None:
        index = len(self.entries)
        self.entries.append(_Entry(self.length, self.length, bare(child, empty=True), wraps=True, paired=True))
        depth = len(self.stack)
        self.stack.append(index)
        self.walk(child)
        del self.stack[depth:]  # halves opened inside and never closed there stay standalone
        self.entries[index].end = self.length

    def closing(self, child: Any) -> None:
        key = _key(child, closing=True)
        top = self.entries[self.stack[-1]] if self.stack else None
        if top is not None and not top.wraps and top.key == key:
            self.stack.pop()
            top.end, top.closing, top.paired = self.length, bare(child, empty=False), True
            return
        for depth, index in enumerate(self.stack):  # crossing: the opening half stays on its own
            if not self.entries[index].wraps and self.entries[index].key == key:
                del self.stack[depth]
                break
        self.entries.append(_Entry(self.length, self.length, bare(child, empty=False)))

    def result(self) -> tuple[str, tuple[Code, ...], dict[str, Native]]:
        codes: list[Code] = []
        natives: dict[str, Native] = {}
        for number, entry in enumerate(self.entries, start=1):
            ident = str(number)
            kind = CodeKind.PAIRED if entry.paired else CodeKind.STANDALONE
            end = entry.end if entry.paired else entry.start
            codes.append(Code(ident, kind, entry.start, end))
            natives[ident] = Native(entry.opening, entry.closing, entry.wraps)
        return "".join(self.parts), tuple(codes), natives


def _key(element: Any, *, closing: bool = False) -> str:
    """What matches the two halves of a span: 2.0 ``startRef`` on the closing half and ``id`` on
    the opening one; 1.2 ``rid`` where given, else ``id``."""
    if closing and element.get("startRef") is not None:
        return str(element.get("startRef"))
    return str(element.get("rid") or element.get("id") or "")


def read_inline(element: Any, *, segment_marks: bool = False) -> tuple[str, tuple[Code, ...], dict[str, Native]]:
    """The plain text, codes and their markup of ``element``'s content. With ``segment_marks``,
    a 1.2 ``mrk mtype="seg"`` is not a code (the caller reads segments out of it)."""
    reader = _Reader(segment_marks)
    reader.walk(element)
    return reader.result()


class _Writer:
    """Appends text and elements to the element currently open (module doc)."""

    def __init__(self, root: Any) -> None:
        self.open: list[tuple[Any, Code | None, Any]] = [(root, None, None)]  # (container, code, closing half)

    def text(self, value: str) -> None:
        if not value:
            return
        container = self.open[-1][0]
        if len(container):
            last = container[-1]
            last.tail = (last.tail or "") + value
        else:
            container.text = (container.text or "") + value

    def element(self, made: Any) -> None:
        self.open[-1][0].append(made)

    def close(self) -> Any:
        _, code, closing = self.open.pop()
        if closing is not None:
            self.element(copy.deepcopy(closing))
        return code


def write_inline(element: Any, text: str, codes: Sequence[Code], natives: dict[str, Native]) -> None:
    """Replace ``element``'s content (not its attributes or tail) with ``text`` and ``codes``."""
    element.text = None
    for child in list(element):
        element.remove(child)
    writer = _Writer(element)
    at = 0
    for code in codes:
        at = _close_until(writer, text, at, code)
        writer.text(text[at : code.start])
        at = code.start
        native = natives[code.id]
        opened = copy.deepcopy(native.opening)
        writer.element(opened)
        if code.paired and code.start < code.end:
            writer.open.append((opened if native.wraps else writer.open[-1][0], code, native.closing))
        elif code.paired and native.closing is not None:
            writer.element(copy.deepcopy(native.closing))
    while len(writer.open) > 1:
        closing_code = writer.open[-1][1]
        assert closing_code is not None
        writer.text(text[at : closing_code.end])
        at = closing_code.end
        writer.close()
    writer.text(text[at:])


def _close_until(writer: _Writer, text: str, at: int, code: Code) -> int:
    """Close the open codes ``code`` is not inside (``align.words.tags`` rule); the new offset."""
    while len(writer.open) > 1:
        outer = writer.open[-1][1]
        assert outer is not None
        if outer.start <= code.start and code.end <= outer.end and code.start < outer.end:
            break
        writer.text(text[at : outer.end])
        at = outer.end
        writer.close()
    return at
