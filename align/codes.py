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

**Tagged text** is the form translators see and edit: ``tagged`` writes a text with its codes as
numbered tags (``<1>bold</1>``, ``<2/>``; a code's id must be a number) and ``untagged`` reads the
text and codes back, for any plain text. Only ``<`` + optional ``/`` + ASCII digits + optional
``/`` + ``>`` is a tag (``TAG``), so ordinary text, "a < b", ``<b>``, ``</i>`` and ``<h1>`` included,
is written as it is. The one escape is a backslash before ``<``: a ``<`` in the text that would
read as a tag is written ``\\<`` (``\\<1>`` is the text "<1>"), and a run of backslashes right
before a ``<`` (of the text or of a tag) is written doubled. Reading, a run of *n* backslashes
before a ``<`` gives *n* // 2 backslashes, and an odd *n* makes the ``<`` text; backslashes
anywhere else are text as they stand ("C:\\Users" is written unchanged).
``code_problems`` says in words what a target's codes lack or add compared with its source's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


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


# ---- tagged text: the form translators see and edit (module doc) ---------------------------------
#: A tag of tagged text: ``<12>``, ``</12>`` or ``<12/>`` (ASCII digits only).
TAG = re.compile(r"<(?:([0-9]+)>|/([0-9]+)>|([0-9]+)/>)")
_NUMBER = re.compile(r"[0-9]+")
#: A run of backslashes (possibly none) before a ``<``, matched from the run's start only (the
#: look-behind keeps a long run from being tried at each of its backslashes).
_BEFORE_LT = re.compile(r"(?<!\\)(\\*)<")


def check_codes(text: str, codes: Sequence[Code]) -> None:
    """ValueError with a one-line reason unless ``codes`` are well-formed codes of ``text``: in
    document order, inside the text, standalone codes without a span, paired codes nested (none
    crossing another)."""
    stack: list[Code] = []
    at = 0
    for code in codes:
        if not 0 <= code.start <= code.end <= len(text):
            raise ValueError(f"code {code.id} at {code.start}..{code.end} is outside the text's {len(text)} characters")
        if not code.paired and code.start != code.end:
            raise ValueError(f"standalone code {code.id} spans {code.start}..{code.end}; it sits at one offset")
        while stack and not inside(stack[-1], code):
            closing = stack.pop()
            if code.start < closing.end:
                raise ValueError(f"code {code.id} crosses code {closing.id}: they overlap without one inside the other")
            at = closing.end
        if code.start < at:
            raise ValueError(f"code {code.id} at {code.start} comes after a code that ends at {at}: not in document order")
        at = code.start
        if code.paired and code.start < code.end:
            stack.append(code)


#: What a ``CodeEvent`` writes: a paired code's opening or closing tag, a standalone code's tag.
OPEN, CLOSE, LONE = "open", "close", "lone"


class CodeEvent(NamedTuple):
    """Where a writer puts a code's tag: ``at`` a text offset, what it writes (``OPEN``, ``CLOSE``
    or ``LONE``), the code's position in the code list (matching an opening to its closing) and the code."""

    at: int
    what: str
    position: int
    code: Code


def code_events(text: str, codes: Sequence[Code]) -> list[CodeEvent]:
    """The tags of ``codes`` (document order) in the order a writer puts them into ``text``, by
    the order rule (module doc); an empty paired code opens and closes at one offset. ValueError
    when the codes are not well-formed (``check_codes``)."""
    check_codes(text, codes)
    out: list[CodeEvent] = []
    stack: list[tuple[int, Code]] = []
    for index, code in enumerate(codes):
        while stack and not inside(stack[-1][1], code):
            top, closing = stack.pop()
            out.append(CodeEvent(closing.end, CLOSE, top, closing))
        if not code.paired:
            out.append(CodeEvent(code.start, LONE, index, code))
        elif code.start == code.end:
            out += [CodeEvent(code.start, OPEN, index, code), CodeEvent(code.start, CLOSE, index, code)]
        else:
            out.append(CodeEvent(code.start, OPEN, index, code))
            stack.append((index, code))
    out += [CodeEvent(closing.end, CLOSE, top, closing) for top, closing in reversed(stack)]
    return out


def tagged(text: str, codes: Sequence[Code]) -> str:
    """``text`` with ``codes`` (document order) written in as numbered tags, its own tag-like
    ``<`` escaped (module doc): ``untagged`` gives back exactly ``(text, codes)``. ValueError when
    a code's id is not a number or the codes are not well-formed (``check_codes``)."""
    for code in codes:
        if not _NUMBER.fullmatch(code.id):
            raise ValueError(f"code id {code.id!r} is not a number; tagged text names codes <1>, <2/>, ...")
    pieces: list[str] = []
    at = 0
    for event in code_events(text, codes):
        pieces.append(_escape(text[at : event.at], before_tag=True))
        ident = event.code.id
        pieces.append(f"<{ident}/>" if event.what == LONE else f"<{ident}>" if event.what == OPEN else f"</{ident}>")
        at = event.at
    pieces.append(_escape(text[at:], before_tag=False))
    return "".join(pieces)


def _escape(piece: str, *, before_tag: bool) -> str:
    """A piece of plain text as tagged text holds it (module doc); ``before_tag``: a tag follows."""

    def one(match: re.Match[str]) -> str:
        run = match.group(1)
        lone = "\\" if TAG.match(piece, match.end() - 1) else ""
        return run * 2 + lone + "<"

    escaped = _BEFORE_LT.sub(one, piece)
    if before_tag:
        kept = escaped.rstrip("\\")
        escaped = kept + "\\" * (2 * (len(escaped) - len(kept)))
    return escaped


def untagged(marked: str) -> tuple[str, tuple[Code, ...]]:
    """The plain text and the codes (document order) of tagged text (``tagged``, module doc).
    ValueError with a one-line reason for a closing tag that closes no open tag of its number
    (crossing or unbalanced tags) or a tag never closed."""
    plain: list[str] = []
    length = 0
    codes: list[Code] = []
    open_at: list[tuple[int, str]] = []  # (index in codes, id)
    at = 0
    for match in _BEFORE_LT.finditer(marked):
        run = match.group(1)
        tag = TAG.match(marked, match.end() - 1)
        text = marked[at : match.start()] + "\\" * (len(run) // 2)
        at = match.end()
        if len(run) % 2 or tag is None:
            text += "<"
        plain.append(text)
        length += len(text)
        if len(run) % 2 or tag is None:
            continue
        at = tag.end()
        opening, closing, lone = tag.groups()
        if lone is not None:
            codes.append(Code(lone, CodeKind.STANDALONE, length, length))
        elif opening is not None:
            open_at.append((len(codes), opening))
            codes.append(Code(opening, CodeKind.PAIRED, length, length))
        else:
            if not open_at or open_at[-1][1] != closing:
                inner = f" inside <{open_at[-1][1]}>" if open_at else ""
                raise ValueError(f"</{closing}> at character {tag.start()} closes no open <{closing}>{inner}")
            index, ident = open_at.pop()
            codes[index] = Code(ident, CodeKind.PAIRED, codes[index].start, length)
    if open_at:
        raise ValueError(f"<{open_at[-1][1]}> is never closed")
    plain.append(marked[at:])
    return "".join(plain), tuple(codes)


# ---- what QA says about a target's codes -------------------------------------------------------------
def tag_name(code: Code) -> str:
    """How a code is shown to a translator: ``<2>`` (paired) or ``<2/>`` (standalone)."""
    return f"<{code.id}>" if code.paired else f"<{code.id}/>"


def code_problems(src_codes: Sequence[Code], tgt_codes: Sequence[Code], target: str | None = None) -> tuple[str, ...]:
    """What a translator must fix so that the target holds exactly the source's codes, in words:
    "missing code <2/>", "extra code <5>", "code <1> is paired in the source, standalone (<1/>) in
    the target". Order and position are the translator's choice and never a problem. Given the
    ``target`` text: codes that do not fit it (past its end, crossing: left by an edit of the
    text) are a problem, and a target with no text yet (blank, no codes) has none."""
    if target is not None and not target.strip() and not tgt_codes:
        return ()
    problems: list[str] = []
    if target is not None:
        try:
            check_codes(target, tgt_codes)
        except ValueError as err:
            problems.append(f"the target's tags do not fit its text ({err}); place them again")
    wanted = Counter((code.id, code.kind) for code in src_codes)
    found = Counter((code.id, code.kind) for code in tgt_codes)
    if wanted == found:
        return tuple(problems)
    reported: set[tuple[str, CodeKind]] = set()
    for code in src_codes:
        key = (code.id, code.kind)
        if key in reported or found[key] >= wanted[key]:
            continue
        reported.add(key)
        swapped = _other_kind(code, tgt_codes, wanted, found)
        if swapped is None:
            problems.append(f"missing code {tag_name(code)}")
            continue
        reported.add((swapped.id, swapped.kind))
        problems.append(
            f"code {tag_name(code)} is {code.kind.value} in the source, {swapped.kind.value} ({tag_name(swapped)}) in the target"
        )
    for code in tgt_codes:
        key = (code.id, code.kind)
        if key not in reported and found[key] > wanted[key]:
            reported.add(key)
            problems.append(f"extra code {tag_name(code)}")
    return tuple(problems)


def _other_kind(code: Code, tgt_codes: Sequence[Code], wanted: Counter, found: Counter) -> Code | None:
    """A target code with ``code``'s id but the other kind, one too many of its kind: the same
    code, changed (rather than one missing and another extra)."""
    for other in tgt_codes:
        if other.id == code.id and other.kind is not code.kind and found[(other.id, other.kind)] > wanted[(other.id, other.kind)]:
            return other
    return None


# ---- codes as JSON (JSONL files, the page's store) -----------------------------------------------
def code_records(codes: Sequence[Code]) -> list[dict[str, Any]]:
    """``codes`` as JSON objects ``{"id", "kind", "start", "end"}``, in document order."""
    return [{"id": c.id, "kind": c.kind.value, "start": c.start, "end": c.end} for c in codes]


def codes_from_records(records: object, text: str | None) -> tuple[Code, ...]:
    """The codes ``code_records`` wrote, for ``text``. ValueError with a one-line reason when
    they are not a list of such objects or not well-formed codes of ``text`` (``check_codes``;
    ``text`` None: not checked, for a store that gives back what it was given)."""
    if not isinstance(records, list):
        raise ValueError(f"codes must be a list of objects, not {type(records).__name__}")
    codes = []
    for record in records:
        if not isinstance(record, dict):
            raise ValueError(f"a code must be an object with id, kind, start and end, not {record!r}")
        ident, kind, start, end = (record.get(key) for key in ("id", "kind", "start", "end"))
        if not isinstance(ident, str) or kind not in CodeKind._value2member_map_:
            raise ValueError(f"a code needs a text id and a kind of {[k.value for k in CodeKind]}: {record!r}")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
            raise ValueError(f"code {ident}'s start and end must be whole numbers: {record!r}")
        codes.append(Code(ident, CodeKind(kind), start, end))  # type: ignore[arg-type]
    if text is not None:
        check_codes(text, codes)
    return tuple(codes)


#: A text and its codes.
Coded = tuple[str, tuple[Code, ...]]


def strip_coded(text: str, codes: Sequence[Code]) -> Coded:
    """``text`` without surrounding whitespace and its codes moved with it (a code in the cut-off
    whitespace comes to the nearest end: it is never lost)."""
    start = len(text) - len(text.lstrip())
    stripped = text.strip()
    end = start + len(stripped)
    return stripped, tuple(_moved(code, -start, 0, len(stripped), clip=(start, end)) for code in codes)


def join_coded(
    first: tuple[str, Sequence[Code]], second: tuple[str, Sequence[Code]], joiner: str = " "
) -> tuple[str, tuple[Code, ...]]:
    """Two texts with codes joined (each stripped; ``joiner`` between two non-empty ones), the
    second's codes moved after the first's (a merged row keeps both rows' tags)."""
    a, a_codes = strip_coded(*first)
    b, b_codes = strip_coded(*second)
    gap = joiner if a and b else ""
    shift = len(a) + len(gap)
    return a + gap + b, (*a_codes, *(Code(c.id, c.kind, c.start + shift, c.end + shift) for c in b_codes))


def cut_coded(text: str, codes: Sequence[Code], at: int) -> tuple[Coded, Coded]:
    """``text`` cut in two at ``at``, each part stripped, with its codes. A paired code across the
    cut is in both parts, around its share of the text (a tag is split with its words, never
    dropped); a code at the cut itself stays with the upper part."""
    upper = [_clip(code, 0, at) for code in codes if code.start < at or (code.start == at and not code.paired)]
    lower = [
        _clip(code, at, len(text)) for code in codes if code.end > at or (code.start >= at and (code.paired or code.start > at))
    ]
    return strip_coded(text[:at], tuple(upper)), strip_coded(
        text[at:], tuple(Code(c.id, c.kind, c.start - at, c.end - at) for c in lower)
    )


def _clip(code: Code, low: int, high: int) -> Code:
    return Code(code.id, code.kind, min(max(code.start, low), high), min(max(code.end, low), high))


def _moved(code: Code, shift: int, low: int, high: int, *, clip: tuple[int, int]) -> Code:
    clipped = _clip(code, *clip)
    return _clip(Code(code.id, code.kind, clipped.start + shift, clipped.end + shift), low, high)
