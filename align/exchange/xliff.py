"""XLIFF 1.2 (with Trados SDLXLIFF and memoQ) and XLIFF 2.0 read into the model and written back
by changing only targets and their states in the parsed tree (the package doc says why lxml).

XLIFF 1.2: a ``trans-unit`` (in any ``group``) is a unit; its ``seg-source`` ``mrk
mtype="seg"`` are its segments where it has them, else its ``source`` is one segment. Locked:
``translate="no"`` on the unit or a group around it, SDL's ``sdl:seg locked="true"``, memoQ's
``mq:locked="locked"``. States: ``target/@state``; SDLXLIFF's ``sdl:seg/@conf``; memoQ's
``trans-unit/@mq:status`` (read before ``target/@state``, which memoQ does not write; written
beside it wherever the file declares memoQ's namespace).

XLIFF 2.0: a ``unit`` is a unit, its ``segment`` elements its segments (``ignorable`` is not
translated); ``translate="no"`` is inherited from ``group`` and ``file``; ``segment/@state``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from align.codes import Code
from align.errors import FormatError
from align.exchange.inline import local, read_inline, write_inline
from align.exchange.model import Job, Kind, Native, Segment, State, Unit
from align.formats.xmlsafe import syntax_error, xml_parser

log = logging.getLogger(__name__)

SDL_NS = "http://sdl.com/FileTypes/SdlXliff/1.0"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The model's states in XLIFF 1.2 ``target/@state`` (a pre-translation needs review).
STATES_12 = {
    State.NEW: "new",
    State.DRAFT: "needs-review-translation",
    State.TRANSLATED: "translated",
    State.REVIEWED: "signed-off",
    State.FINAL: "final",
}
_READ_12 = {
    **{name: state for state, name in STATES_12.items()},
    "needs-translation": State.NEW,
    "needs-adaptation": State.DRAFT,
    "needs-l10n": State.DRAFT,
    "needs-review-adaptation": State.DRAFT,
    "needs-review-l10n": State.DRAFT,
}
#: ... in XLIFF 2.0 ``segment/@state`` (2.0 has no "needs review": a pre-translation is "translated").
STATES_20 = {
    State.NEW: "initial",
    State.DRAFT: "translated",
    State.TRANSLATED: "translated",
    State.REVIEWED: "reviewed",
    State.FINAL: "final",
}
_READ_20 = {"initial": State.NEW, "translated": State.TRANSLATED, "reviewed": State.REVIEWED, "final": State.FINAL}
#: ... in SDLXLIFF ``sdl:seg/@conf`` (a new segment has none).
STATES_SDL = {
    State.DRAFT: "Draft",
    State.TRANSLATED: "Translated",
    State.REVIEWED: "ApprovedTranslation",
    State.FINAL: "ApprovedSignOff",
}
_READ_SDL = {
    **{name: state for state, name in STATES_SDL.items()},
    "RejectedTranslation": State.DRAFT,
    "RejectedSignOff": State.REVIEWED,
}
#: ... in memoQ's ``trans-unit/@mq:status`` (memoQ's row states; the model's nearest on reading).
MQ_NS = "MQXliff"
STATES_MQ = {
    State.NEW: "NotStarted",
    State.DRAFT: "Pretranslated",
    State.TRANSLATED: "ManuallyConfirmed",
    State.REVIEWED: "Reviewer1Confirmed",
    State.FINAL: "Reviewer2Confirmed",
}
_READ_MQ = {
    **{name: state for state, name in STATES_MQ.items()},
    "Edited": State.DRAFT,
    "PartiallyEdited": State.DRAFT,
    "MachineTranslated": State.DRAFT,
    "AssembledFromFragments": State.DRAFT,
    "Rejected": State.DRAFT,
    "Proofread": State.REVIEWED,
}
_MQ_STATUS = f"{{{MQ_NS}}}status"
#: Where a file's target came from, as a row's origin code (``align.document.Origin``): SDL's
#: ``sdl:seg/@origin`` (a memory match has its ``percent``), XLIFF 1.2's ``target/@state-qualifier``.
_ORIGIN_SDL = {"mt": "mt", "nmt": "mt", "automated-translation": "mt", "document-match": "tm101", "interactive": "edited"}
_ORIGIN_12 = {"exact-match": "tm100", "id-match": "tm101", "leveraged-mt": "mt", "mt-suggestion": "mt"}
_LOCKED_VALUES = frozenset({"locked", "true", "yes"})


def parse(path: Path, data: bytes) -> Any:
    """The lxml tree of ``data`` through the safe parser (``align.formats.xmlsafe``); CDATA
    sections are kept as they are. Not well-formed: a one-line ``FormatError``."""
    from lxml import etree

    try:
        return etree.ElementTree(etree.fromstring(data, parser=xml_parser(strip_cdata=False)))
    except etree.XMLSyntaxError as err:
        raise syntax_error(path, err) from None


def kind_of(path: Path, root: Any) -> Kind:
    """XLIFF 1.2, SDLXLIFF or 2.0 by the root element; anything else is a ``FormatError``."""
    if local(root) != "xliff":
        raise FormatError(
            f"{path}: not an XLIFF file (its root element is <{local(root) or root.tag}>); "
            "give an XLIFF 1.2 or 2.0 file or a PO file"
        )
    version = str(root.get("version") or "")
    if version.startswith("1."):
        return Kind.SDLXLIFF if SDL_NS in root.nsmap.values() else Kind.XLIFF12
    if version.startswith("2."):
        return Kind.XLIFF20
    raise FormatError(f"{path}: XLIFF version {version or '(none)'} is not read; give XLIFF 1.2 or 2.0")


def read_xliff(path: Path, data: bytes) -> Job:
    """The job in an XLIFF file's ``data``."""
    tree = parse(path, data)
    root = tree.getroot()
    kind = kind_of(path, root)
    units = list(_units_20(path, root) if kind is Kind.XLIFF20 else _units_12(path, root, kind))
    if kind is Kind.XLIFF20:
        source_lang, target_lang = str(root.get("srcLang") or ""), str(root.get("trgLang") or "")
    else:
        source_lang, target_lang = _first_file_language(root, "source-language"), _first_file_language(root, "target-language")
    return Job(path, kind, units, tree, target_lang, source_lang)


def write_xliff(job: Job) -> bytes:
    """The file with the segments' new targets and states: every other byte's meaning unchanged."""
    from lxml import etree

    for unit in job.units:
        if any(segment.changed for segment in unit.segments):
            if job.kind is Kind.XLIFF20:
                _write_unit_20(unit)
            else:
                _write_unit_12(job, unit)
    tree = job.document
    encoding = tree.docinfo.encoding or "UTF-8"
    return bytes(etree.tostring(tree, xml_declaration=True, encoding=encoding, standalone=tree.docinfo.standalone))


# ---- XLIFF 1.2 -----------------------------------------------------------------------------------
def _units_12(path: Path, root: Any, kind: Kind) -> Iterator[Unit]:
    namespace = _namespace(root)
    for element in root.iter(f"{{{namespace}}}trans-unit" if namespace else "trans-unit"):
        yield _unit_12(path, element, kind)


def _unit_12(path: Path, tu: Any, kind: Kind) -> Unit:
    translatable = _translatable_12(tu)
    source = _child(tu, "source")
    if source is None:
        raise FormatError(f"{path}, line {tu.sourceline}: <trans-unit id={tu.get('id')!r}> has no <source>")
    seg_source = _child(tu, "seg-source")
    target = _child(tu, "target")
    marks = _seg_marks(seg_source)
    segments: list[Segment] = []
    if marks:
        targets = {mark.get("mid"): mark for mark in _seg_marks(target)}
        for mark in marks:
            mid = str(mark.get("mid") or "")
            segments.append(_segment_12(tu, mid, mark, targets.get(mid), kind, translatable))
    else:
        segments.append(_segment_12(tu, str(tu.get("id") or ""), source, target, kind, translatable))
    notes = tuple((note.text or "").strip() for note in tu if local(note) == "note")
    return Unit(str(tu.get("id") or ""), segments, notes, translatable)


def _segment_12(tu: Any, ident: str, source: Any, target: Any, kind: Kind, translatable: bool) -> Segment:
    text, codes, natives = read_inline(source)
    segment = Segment(ident, text, codes, natives, handle=(tu, source))
    if target is not None:
        segment.target, segment.target_codes = _target_of(target, natives)
    segment.state = _state_12(tu, ident, segment.target, kind)
    sdl = _sdl_seg(tu, ident) if kind is Kind.SDLXLIFF else None
    segment.origin = _origin_12(sdl, target) if segment.target else ""
    locked = sdl is not None and str(sdl.get("locked") or "").lower() == "true"
    segment.translatable = translatable and not locked
    return segment


def _state_12(tu: Any, ident: str, target_text: str | None, kind: Kind) -> State:
    if kind is Kind.SDLXLIFF:
        sdl = _sdl_seg(tu, ident)
        conf = sdl.get("conf") if sdl is not None else None
        if conf in _READ_SDL:
            return _READ_SDL[str(conf)]
    if tu.get(_MQ_STATUS) in _READ_MQ:
        return _READ_MQ[str(tu.get(_MQ_STATUS))]
    target = _child(tu, "target")
    if target is not None and target.get("state") in _READ_12:
        return _READ_12[str(target.get("state"))]
    return State.TRANSLATED if target_text else State.NEW


def _origin_12(sdl: Any, target: Any) -> str:
    """The origin code of a segment's existing target (``_ORIGIN_SDL``, ``_ORIGIN_12``; "" unknown)."""
    if sdl is not None and sdl.get("origin"):
        origin, percent = str(sdl.get("origin")), str(sdl.get("percent") or "")
        if origin == "tm" and percent.isdigit() and 0 < int(percent) <= 101:
            return f"tm{int(percent)}"
        return _ORIGIN_SDL.get(origin, "")
    return _ORIGIN_12.get(str(target.get("state-qualifier") or ""), "") if target is not None else ""


def _translatable_12(tu: Any) -> bool:
    """False for ``translate="no"`` on the unit or a group around it, or a unit memoQ locked."""
    for name, value in tu.attrib.items():
        if name.rsplit("}", 1)[-1] == "locked" and str(value).lower() in _LOCKED_VALUES:
            return False
    element = tu
    while element is not None and local(element) in ("trans-unit", "group"):
        if element.get("translate") == "no":
            return False
        element = element.getparent()
    return True


def _write_unit_12(job: Job, unit: Unit) -> None:
    tu, _ = unit.segments[0].handle
    target = _child(tu, "target")
    if target is None:
        target = _new_target_12(tu, job)
    seg_source = _child(tu, "seg-source")
    if _seg_marks(seg_source):
        _rebuild_segmented(target, seg_source, {segment.id: segment for segment in unit.segments})
    else:
        segment = unit.segments[0]
        write_inline(target, segment.target or "", segment.target_codes, segment.natives)
    if job.kind is Kind.SDLXLIFF:
        for segment in unit.segments:
            if segment.changed:
                _set_sdl_state(tu, segment)
    else:
        state = min(segment.state for segment in unit.segments)
        target.set("state", STATES_12[state])
        if MQ_NS in tu.nsmap.values():
            tu.set(_MQ_STATUS, STATES_MQ[state])


def _new_target_12(tu: Any, job: Job) -> Any:
    """An empty ``target`` right after ``seg-source`` or ``source`` (the schema's order)."""
    anchor = _child(tu, "seg-source")
    if anchor is None:
        anchor = _child(tu, "source")
    target = tu.makeelement(_same_ns(tu, "target"), {}, tu.nsmap)
    lang = _file_of(tu).get("target-language") if _file_of(tu) is not None else None
    if lang and job.kind is not Kind.SDLXLIFF:
        target.set(_XML_LANG, lang)
    target.tail = anchor.tail
    anchor.addnext(target)
    return target


def _rebuild_segmented(target: Any, seg_source: Any, segments: dict[str, Segment]) -> None:
    """``target`` becomes ``seg-source``'s structure: each segment's new target in its ``mrk``,
    the old target's ``mrk`` content where a segment did not change (empty where it had none)."""
    old = {mark.get("mid"): copy.deepcopy(mark) for mark in _seg_marks(target)}
    target.text = seg_source.text
    for child in list(target):
        target.remove(child)
    for child in seg_source:
        target.append(copy.deepcopy(child))
    for mark in _seg_marks(target):
        mid = str(mark.get("mid") or "")
        segment = segments.get(mid)
        if segment is not None and segment.changed:
            write_inline(mark, segment.target or "", segment.target_codes, segment.natives)
        else:
            _replace_content(mark, old.get(mid))


def _replace_content(element: Any, source: Any) -> None:
    element.text = source.text if source is not None else None
    for child in list(element):
        element.remove(child)
    for child in source if source is not None else ():
        element.append(copy.deepcopy(child))


def _set_sdl_state(tu: Any, segment: Segment) -> None:
    sdl = _sdl_seg(tu, segment.id)
    if sdl is None:
        log.info("SDLXLIFF unit %s has no sdl:seg for segment %s: its state is not written", tu.get("id"), segment.id)
        return
    if segment.state in STATES_SDL:
        sdl.set("conf", STATES_SDL[segment.state])
    else:
        sdl.attrib.pop("conf", None)


def _sdl_seg(tu: Any, mid: str) -> Any:
    for element in tu.iter(f"{{{SDL_NS}}}seg"):
        if element.get("id") == mid:
            return element
    return None


def _seg_marks(element: Any) -> list[Any]:
    if element is None:
        return []
    return [mark for mark in element.iter() if local(mark) == "mrk" and mark.get("mtype") == "seg"]


def _first_file_language(root: Any, attribute: str) -> str:
    """The first ``file``'s ``source-language`` or ``target-language`` that is set."""
    for element in root.iter():
        if local(element) == "file" and element.get(attribute):
            return str(element.get(attribute))
    return ""


def _file_of(element: Any) -> Any:
    while element is not None and local(element) != "file":
        element = element.getparent()
    return element


# ---- XLIFF 2.0 -----------------------------------------------------------------------------------
def _units_20(path: Path, root: Any) -> Iterator[Unit]:
    for element in root.iter():
        if local(element) == "unit" and _namespace(element) == _namespace(root):
            yield _unit_20(path, element)


def _unit_20(path: Path, unit: Any) -> Unit:
    translatable = _translatable_20(unit)
    segments: list[Segment] = []
    for number, element in enumerate((child for child in unit if local(child) == "segment"), start=1):
        source = _child(element, "source")
        if source is None:
            raise FormatError(f"{path}, line {element.sourceline}: a <segment> of unit {unit.get('id')!r} has no <source>")
        text, codes, natives = read_inline(source)
        ident = str(element.get("id") or f"{unit.get('id')}#{number}")
        segment = Segment(ident, text, codes, natives, translatable=translatable, handle=(element, source))
        target = _child(element, "target")
        if target is not None:
            segment.target, segment.target_codes = _target_of(target, natives)
        default = State.TRANSLATED if segment.target else State.NEW
        segment.state = _READ_20.get(str(element.get("state") or ""), default)
        segments.append(segment)
    notes = tuple(
        (note.text or "").strip() for notes in unit if local(notes) == "notes" for note in notes if local(note) == "note"
    )
    return Unit(str(unit.get("id") or ""), segments, notes, translatable)


def _translatable_20(unit: Any) -> bool:
    """``translate`` of the unit, else of the nearest group or file around it (default yes)."""
    element = unit
    while element is not None:
        value = element.get("translate")
        if value is not None:
            return str(value) != "no"
        element = element.getparent()
    return True


def _write_unit_20(unit: Unit) -> None:
    for segment in unit.segments:
        if not segment.changed:
            continue
        element, source = segment.handle
        target = _child(element, "target")
        if target is None:
            target = element.makeelement(_same_ns(element, "target"), {}, element.nsmap)
            target.tail = source.tail
            source.addnext(target)
        write_inline(target, segment.target or "", segment.target_codes, segment.natives)
        element.set("state", STATES_20[segment.state])


# ---- shared --------------------------------------------------------------------------------------
def _target_of(target: Any, natives: dict[str, Native]) -> tuple[str, tuple[Code, ...]]:
    """A target's plain text and those of its codes that match a source code (same element name
    and ids), under the source code's id: the page shows them; the file keeps its own markup."""
    text, codes, target_natives = read_inline(target, segment_marks=True)
    used: set[str] = set()
    matched: list[Code] = []
    for code in codes:
        found = _matching(target_natives[code.id], natives, used)
        if found is not None:
            used.add(found)
            matched.append(Code(found, code.kind, code.start, code.end))
    return text, tuple(matched)


def _matching(native: Native, natives: dict[str, Native], used: set[str]) -> str | None:
    wanted = _signature(native)
    for ident, candidate in natives.items():
        if ident not in used and _signature(candidate) == wanted:
            return ident
    return None


def _signature(native: Native) -> tuple[str, ...]:
    element = native.opening
    if not isinstance(element.tag, str):
        return ("",)
    return (local(element), *(str(element.get(name) or "") for name in ("id", "rid", "mid", "startRef")))


def _child(element: Any, name: str) -> Any:
    """The first child of ``element`` called ``name`` in its namespace, or None."""
    for child in element:
        if local(child) == name:
            return child
    return None


def _namespace(element: Any) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _same_ns(element: Any, name: str) -> str:
    namespace = _namespace(element)
    return f"{{{namespace}}}{name}" if namespace else name
