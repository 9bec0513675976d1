"""PO (gettext) files read into the model and written back with translate-toolkit's PO store
(``translate.storage.pypo``): it writes an unchanged entry byte for byte as it read it, its line
wrapping included (polib re-wraps long lines its own way: same meaning, noisy diffs; the package
doc has the measurement).

Each entry but the header is a unit; its ``msgstr`` forms are its segments (the singular's source
is ``msgid``, the others' ``msgid_plural``; as many forms as the header's ``nplurals``). Obsolete
entries (``#~``) are locked. A fuzzy entry is a draft, one with all forms filled is translated.
Placeholders (``%s``, ``%(name)d``, ``{0}``, ``{name}``) are standalone codes: a pseudo- or machine
translation keeps them, so ``msgfmt -c`` still passes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from align.codes import Code, CodeKind
from align.errors import FormatError
from align.exchange.model import Job, Kind, Native, Segment, State, Unit

#: printf (C, Python ``%``) and brace (Python ``format``, ICU-style ``{0}``) placeholders.
PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?(?:\(\w+\))?[-+#0]*(?:\d+|\*)?(?:\.\d+)?[hlLqjzt]*[diouxXeEfFgGcrsa%]|\{\w*(?:[.:!][^{}\s]*)?\}"
)
_DEFAULT_PLURALS = 2


#: Byte order marks of the wide encodings translate-toolkit cannot parse, longest first.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def wide_encoding(data: bytes) -> tuple[str, bytes]:
    """A UTF-16 or UTF-32 file's encoding and its byte order mark (by the mark, else by the NUL
    bytes of its ASCII first character: a PO file starts with ``#``, ``m`` or a quote), or
    ("", b"") for a file in a one-byte-unit encoding (UTF-8, Latin-1...)."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding, bom
    for head, encoding in ((b"\x00\x00\x00", "utf-32-be"), (b"\x00", "utf-16-be")):
        if data.startswith(head) and data[len(head) : len(head) + 1].isascii():
            return encoding, b""
    if data[1:4] == b"\x00\x00\x00":
        return "utf-32-le", b""
    if data[1:2] == b"\x00":
        return "utf-16-le", b""
    return "", b""


def parse(path: Path, data: bytes) -> Any:
    """translate-toolkit's store of ``data``; a file it cannot read is a one-line ``FormatError``.
    A UTF-16/32 file is given to it as UTF-8 (it splits lines at the byte ``\\n`` and reads
    UTF-16 as garbage), its store then writing UTF-8: ``write_po`` encodes back."""
    from translate.storage import pypo

    encoding, bom = wide_encoding(data)
    try:
        if encoding:
            data = data[len(bom) :].decode(encoding).encode("utf-8")
        store = pypo.pofile.parsestring(data)
    except (ValueError, UnicodeError, LookupError) as err:  # PoParseError is a ValueError
        raise FormatError(f"{path}: not a readable PO file ({' '.join(str(err).split())[:200]})") from None
    if encoding:
        store.encoding = "utf-8"
    return store


def read_po(path: Path, data: bytes) -> Job:
    """The job in a PO file's ``data``."""
    store = parse(path, data)
    if not store.units:
        raise FormatError(f"{path}: no PO entries found; give a PO file with msgid/msgstr entries")
    forms = _plural_count(store)
    units = [_unit(unit, forms) for unit in store.units if not unit.isheader()]
    lang = str(store.gettargetlanguage() or "")
    encoding, bom = wide_encoding(data)
    return Job(path, Kind.PO, units, store, lang, str(store.getsourcelanguage() or ""), encoding, bom)


def write_po(job: Job) -> bytes:
    """The file with the segments' new targets and fuzzy flags; unchanged entries as they were,
    in the file's own encoding (a UTF-16 file stays UTF-16, its byte order mark kept)."""
    for unit in job.units:
        if any(segment.changed for segment in unit.segments):
            _write_unit(unit)
    data = bytes(job.document)
    return job.bom + data.decode("utf-8").encode(job.encoding) if job.encoding else data


def _plural_count(store: Any) -> int:
    nplurals, _ = store.getheaderplural()
    try:
        return max(1, int(nplurals)) if nplurals else _DEFAULT_PLURALS
    except ValueError:
        return _DEFAULT_PLURALS


def _unit(entry: Any, forms: int) -> Unit:
    translatable = not entry.isobsolete()
    sources = list(entry.source.strings) if entry.hasplural() else [str(entry.source)]
    targets = list(entry.target.strings) if entry.hasplural() else [str(entry.target or "")]
    count = forms if entry.hasplural() else 1
    segments = []
    for index in range(count):
        source = sources[min(index, len(sources) - 1)]
        text, codes, natives = placeholders(source)
        target = targets[index] if index < len(targets) else ""
        segment = Segment(f"{entry.getid()}[{index}]" if count > 1 else str(entry.getid()), text, codes, natives)
        segment.translatable = translatable
        segment.handle = (entry, index)
        if target:
            target_text, target_codes, _ = placeholders(target)
            segment.target, segment.target_codes = target_text, _matched(target_codes, target, natives)
        segment.state = State.DRAFT if entry.isfuzzy() and target else State.TRANSLATED if target else State.NEW
        segments.append(segment)
    notes = tuple(note for note in (entry.getnotes("developer"), entry.getnotes("translator")) if note)
    return Unit(str(entry.getid()), segments, notes, translatable)


def placeholders(text: str) -> tuple[str, tuple[Code, ...], dict[str, Native]]:
    """``text`` without its placeholders, each one a standalone code holding its own text."""
    plain: list[str] = []
    codes: list[Code] = []
    natives: dict[str, Native] = {}
    at = length = 0
    for number, match in enumerate(PLACEHOLDER.finditer(text), start=1):
        piece = text[at : match.start()]
        plain.append(piece)
        length += len(piece)
        ident = str(number)
        codes.append(Code(ident, CodeKind.STANDALONE, length, length))
        natives[ident] = Native(match.group(0))
        at = match.end()
    plain.append(text[at:])
    return "".join(plain), tuple(codes), natives


def _matched(codes: tuple[Code, ...], marked: str, natives: dict[str, Native]) -> tuple[Code, ...]:
    """A target's placeholders under the ids of the source's with the same text."""
    found = [match.group(0) for match in PLACEHOLDER.finditer(marked)]
    used: set[str] = set()
    matched = []
    for code, value in zip(codes, found, strict=True):
        ident = next((k for k, n in natives.items() if n.opening == value and k not in used), None)
        if ident is not None:
            used.add(ident)
            matched.append(Code(ident, code.kind, code.start, code.end))
    return tuple(matched)


def with_placeholders(text: str, codes: tuple[Code, ...], natives: dict[str, Native]) -> str:
    """``text`` with each code's placeholder written in at its offset."""
    out: list[str] = []
    at = 0
    for code in sorted(codes, key=lambda code: code.start):  # stable: document order at one offset
        out += [text[at : code.start], str(natives[code.id].opening)]
        at = code.start
    return "".join([*out, text[at:]])


def _write_unit(unit: Unit) -> None:
    entry = unit.segments[0].handle[0]
    texts = [
        with_placeholders(segment.target or "", segment.target_codes, segment.natives)
        if segment.changed
        else _with_target_codes(segment)
        for segment in unit.segments
    ]
    if entry.hasplural():
        from translate.misc.multistring import multistring

        entry.target = multistring(texts)
    else:
        entry.target = texts[0]
    entry.markfuzzy(min(segment.state for segment in unit.segments) <= State.DRAFT and any(texts))


def _with_target_codes(segment: Segment) -> str:
    """An unchanged segment's target as the file had it."""
    entry, index = segment.handle
    targets = list(entry.target.strings) if entry.hasplural() else [str(entry.target or "")]
    return targets[index] if index < len(targets) else ""
