"""The plain model of a CAT tool's job: units of segments, each with its source and target as
plain text plus inline codes, a state, and whether the translator may change it.

A code is an ``align.codes.Code`` (offsets in the plain text, document order, the nesting
rule of that module) with an id of its own, numbered in the segment's source ("1", "2", ...).
The XML (or PO text) each code was read from is kept beside it, in ``Segment.natives``, so a
target written with the same codes holds exactly the source's markup, ids included: the file's
own ids live there, never in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from align.codes import Code


class Kind(StrEnum):
    """What a job file is; decides how it is read and written back."""

    XLIFF12 = "XLIFF 1.2"
    SDLXLIFF = "SDLXLIFF"
    XLIFF20 = "XLIFF 2.0"
    PO = "PO"


class State(IntEnum):
    """Where a segment's target stands, in the order work moves it. Each format has its own names
    (``align.exchange.xliff`` and ``po`` map them); a file's state the model has no name for
    reads as the nearest one, and is only written back when the target is set."""

    NEW = 0  # no target yet
    DRAFT = 1  # pre-translated (memory or machine): needs review
    TRANSLATED = 2
    REVIEWED = 3
    FINAL = 4


@dataclass(frozen=True, eq=False)
class Native:
    """The markup one code was read from, written back as it was.

    ``opening`` is an lxml element copied without its tail: for a code that ``wraps`` its text
    (XLIFF ``g``, ``pc``, ``mrk``) the element's shell (tag and attributes, no content), otherwise
    the whole element (``x``, ``ph`` with its native code, ``bpt``). ``closing`` is the second
    element of a code written as two (``bpt``/``ept``, ``bx``/``ex``, ``sc``/``ec``). For PO,
    ``opening`` is the placeholder's text (``%s``, ``{name}``)."""

    opening: Any
    closing: Any = None
    wraps: bool = False


@dataclass
class Segment:
    """One segment: what the translator translates. ``target`` is None where the file has none;
    ``origin`` says where the file's target came from as a row's origin code
    (``align.document.Origin``: "tm100", "mt", "edited"; "" unknown); ``handle`` is where the
    reader found it (an element, a PO entry), for the writer only."""

    id: str
    source: str
    codes: tuple[Code, ...]
    natives: dict[str, Native]
    target: str | None = None
    target_codes: tuple[Code, ...] = ()
    state: State = State.NEW
    translatable: bool = True
    changed: bool = False
    origin: str = ""
    handle: Any = field(default=None, repr=False)


@dataclass
class Unit:
    """A unit of the file (an XLIFF ``trans-unit``/``unit``, a PO entry) and its segments."""

    id: str
    segments: list[Segment]
    notes: tuple[str, ...] = ()
    translatable: bool = True


@dataclass
class Job:
    """A job file read into the model. ``document`` is the parsed file (an lxml tree, a
    translate-toolkit PO store) the writer changes only where targets were set. ``source_lang``
    and ``target_lang`` are the file's own codes ("" where it names none). ``encoding``: the
    file's text encoding where the parser was given another (a UTF-16 PO file, which
    translate-toolkit cannot parse, is handed over as UTF-8), ``bom`` its byte order mark (b""
    for none): the writer writes the file back in both."""

    path: Path
    kind: Kind
    units: list[Unit]
    document: Any = field(default=None, repr=False)
    target_lang: str = ""
    source_lang: str = ""
    encoding: str = ""
    bom: bytes = b""

    def segments(self) -> list[Segment]:
        """Every segment, in file order."""
        return [segment for unit in self.units for segment in unit.segments]


def set_target(segment: Segment, text: str, codes: tuple[Code, ...], state: State) -> None:
    """Give ``segment`` a new target: ``codes`` are the source's codes (by id) placed in ``text``.
    Raises ValueError for a locked segment or a code the source does not have."""
    if not segment.translatable:
        raise ValueError(f"segment {segment.id!r} is locked")
    unknown = [code.id for code in codes if code.id not in segment.natives]
    if unknown:
        raise ValueError(f"segment {segment.id!r} has no code {', '.join(unknown)}")
    segment.target = text
    segment.target_codes = codes
    segment.state = state
    segment.changed = True
