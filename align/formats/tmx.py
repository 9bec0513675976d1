"""TMX 1.4b, valid against the DTD: one ``tu`` per pair with a ``tuv`` per language, status,
confidence, paragraph, ids, flags, origin and the quality estimate in ``x-align-*`` props (each quality
reason in a ``x-align-quality-reason`` prop of its own, in order, so no joiner is needed). A translation memory needs both
sides, so one-sided pairs are left out, with a warning that counts them. Reading accepts TMX from
other tools too: the header's srclang decides the source side; internal entities are expanded and
hostile XML refused (``align.formats.xmlsafe``). Control characters XML cannot hold are removed
from what is written, with a warning naming the rows.

Inline codes are TMX 1.4 inline elements: a paired code is an empty ``bpt``/``ept`` pair matched by
``i`` (numbered in each ``seg``), a standalone code an empty ``ph``; each carries the code's id in
``x``, TMX's attribute for matching codes across the variants of a ``tu``. Reading, the native
code inside these elements is dropped (the text of a ``sub`` kept, as always); a ``bpt`` and the
``ept`` of its ``i`` in one ``seg``, nested with the codes around them, are one paired code, and
every other inline element (``ph``, ``it``, ``ut``, a lone or crossing half) a standalone code.
A code's id is its ``x`` where that is a number; otherwise the codes of a ``tu`` are numbered on,
those of the two sides matched by ``x``, else by element and ``i`` (or their order), so another
tool's TMX gives codes the tags and the check "tags" can compare."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.codes import LONE, OPEN, Code, CodeKind, check_codes, code_events
from align.document import AlignedDocument, Pair, Signature
from align.errors import FormatError
from align.formats.cells import (
    XML_INVALID,
    Quote,
    describe,
    format_confidence,
    format_ids,
    format_quality,
    keep,
    make_document,
    pair_from_fields,
    xml_lang,
    xml_text,
)
from align.formats.xmlsafe import syntax_error, xml_parser

log = logging.getLogger(__name__)

PROP_PREFIX = "x-align-"
#: One prop per reason of a pair's quality estimate (``x-align-quality`` holds the estimate).
REASON_PROP = PROP_PREFIX + "quality-reason"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def write_tmx(doc: AlignedDocument, quote: Quote) -> bytes:
    """Free text is written as it is (``quote`` is for spreadsheets)."""
    from lxml import etree

    from align import __version__

    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(
        root,
        "header",
        creationtool="align-workbench",
        creationtoolversion=__version__,
        segtype="sentence",
        **{"o-tmf": "align-workbench", "adminlang": "en", "srclang": xml_lang(doc.src_lang), "datatype": "plaintext"},
    )
    for key, value in (
        ("name", doc.name),
        ("tgtlang", xml_lang(doc.tgt_lang)),
        ("signature", json.dumps(doc.signature.as_dict(), ensure_ascii=False, default=str)),
    ):
        if value:
            etree.SubElement(header, "prop", type=PROP_PREFIX + key).text = xml_text(value)
    body = etree.SubElement(root, "body")
    skipped = 0
    cleaned = [index for index, pair in enumerate(doc.pairs, start=1) if _holds_invalid(pair)]
    for index, pair in enumerate(doc.pairs, start=1):
        source, target = xml_text(pair.source), xml_text(pair.target)
        if not (source.strip() and target.strip()):
            skipped += 1
            continue
        tu = etree.SubElement(body, "tu", tuid=str(index))
        if pair.note:
            etree.SubElement(tu, "note").text = xml_text(pair.note)
        props = {
            "status": pair.status.value,
            "confidence": format_confidence(pair.confidence),
            "paragraph": str(pair.paragraph),
            "src-ids": format_ids(pair.src_ids),
            "tgt-ids": format_ids(pair.tgt_ids),
            "flags": " ".join(pair.flags),
            "quality": format_quality(pair.quality),
            "origin": str(pair.origin),
        }
        for key, value in props.items():
            if value:
                etree.SubElement(tu, "prop", type=PROP_PREFIX + key).text = xml_text(value)
        for reason in pair.reasons:
            etree.SubElement(tu, "prop", type=REASON_PROP).text = xml_text(reason)
        for lang, text, codes in ((doc.src_lang, pair.source, pair.src_codes), (doc.tgt_lang, pair.target, pair.tgt_codes)):
            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: xml_lang(lang)})
            write_seg(etree.SubElement(tuv, "seg"), text, codes)
    if skipped:
        log.warning(
            "%s: %d one-sided pair(s) left out of the TMX (a translation memory needs both sides)",
            doc.name or "document",
            skipped,
        )
    if cleaned:
        log.warning(
            "%s: control characters XML cannot hold (NUL and the like) removed from %s of the TMX",
            doc.name or "document",
            describe("row", cleaned),
        )
    tree = etree.ElementTree(root)
    return etree.tostring(
        tree, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    )


def read_tmx(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    """The file's languages win; ``src_lang``/``tgt_lang`` only fill in what it does not say.
    ``x-align-*`` props restore status, confidence, paragraph, ids, flags, origin, quality and its reasons
    (a file without them reads as not estimated); ``tu`` elements
    missing a side are skipped with a warning. Nothing is unquoted (TMX is no spreadsheet)."""
    from lxml import etree

    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as err:
        raise syntax_error(path, err) from None
    if root.tag != "tmx":
        raise FormatError(f"{path}, line {root.sourceline}: root element is <{root.tag}>, not <tmx>")
    header = root.find("header")
    src = (header.get("srclang") if header is not None else None) or ""
    header_props = {}
    if header is not None:
        header_props = {p.get("type", ""): p.text or "" for p in header.iterfind("prop")}
    tgt = header_props.get(PROP_PREFIX + "tgtlang", "")
    pairs: list[Pair] = []
    skipped = 0
    for tu in root.iterfind("body/tu"):
        where = f"{path}, line {tu.sourceline}"
        variants = [(tuv.get(_XML_LANG) or tuv.get("lang") or "", seg_content(tuv)) for tuv in tu.iterfind("tuv")]
        if not src or src == "*all*":
            src = variants[0][0] if variants else src
        source = next((seg for lang, seg in variants if lang.lower() == src.lower()), None)
        others = [(lang, seg) for lang, seg in variants if lang.lower() != src.lower()]
        if source is None or not others:
            skipped += 1
            continue
        tgt = tgt or others[0][0]
        target = next((seg for lang, seg in others if lang.lower() == tgt.lower()), others[0][1])
        src_codes, tgt_codes = numbered(source.codes, target.codes)
        fields = {"source": source.text, "target": target.text}
        reasons = []
        for prop in tu.iterfind("prop"):
            kind = prop.get("type", "")
            if kind == REASON_PROP:
                reasons.append(prop.text or "")
            elif kind.startswith(PROP_PREFIX):
                fields[kind[len(PROP_PREFIX) :].replace("-", "_")] = prop.text or ""
        note = tu.find("note")
        fields["note"] = note.text or "" if note is not None else ""
        pair = pair_from_fields(where, fields, keep)
        pairs.append(pair.replace(reasons=tuple(reasons), src_codes=src_codes, tgt_codes=tgt_codes))
    if skipped:
        log.warning("%s: skipped %d translation unit(s) without both languages", path, skipped)
    signature = None
    if header is not None and header_props.get(PROP_PREFIX + "signature"):
        try:
            signature = Signature.from_dict(json.loads(header_props[PROP_PREFIX + "signature"]))
        except (ValueError, TypeError) as err:
            where = f"{path}, line {header.sourceline}"
            raise FormatError(f"{where}: the signature property is not valid JSON or not one we write ({err})") from err
    name = header_props.get(PROP_PREFIX + "name", "")
    return make_document(path, src or src_lang, tgt or tgt_lang, pairs, name=name, signature=signature)


def _holds_invalid(pair: Pair) -> bool:
    """Whether a pair's text has characters an XML file cannot hold (written without them)."""
    texts = (pair.source, pair.target, pair.note, str(pair.origin), *pair.flags, *pair.reasons)
    return any(XML_INVALID.search(text) for text in texts)


def write_seg(seg: Any, text: str, codes: Sequence[Code]) -> None:
    """Fill the empty ``seg`` element with ``text`` and its ``codes`` as ``bpt``/``ept``/``ph``
    (module doc); characters XML cannot hold are left out of each piece of text."""
    last = None
    at = 0
    numbers: dict[int, str] = {}  # a paired code's position in ``codes`` -> its i

    def put(piece: str) -> None:
        if last is None:
            seg.text = (seg.text or "") + xml_text(piece)
        else:
            last.tail = (last.tail or "") + xml_text(piece)

    for event in code_events(text, codes):
        put(text[at : event.at])
        at = event.at
        if event.what == LONE:
            last = seg.makeelement("ph", {"x": event.code.id})
        elif event.what == OPEN:
            numbers[event.position] = str(len(numbers) + 1)
            last = seg.makeelement("bpt", {"i": numbers[event.position], "x": event.code.id})
        else:
            last = seg.makeelement("ept", {"i": numbers[event.position]})
        seg.append(last)
    put(text[at:])


@dataclass(frozen=True)
class SegCode:
    """A code as one ``seg`` holds it: ``key`` matches it with the other side's (module doc)."""

    key: str
    kind: CodeKind
    start: int
    end: int


@dataclass(frozen=True)
class Seg:
    """The plain text of a ``seg`` and its codes, not yet numbered across the ``tu``."""

    text: str
    codes: tuple[SegCode, ...] = ()


class _SegReader:
    """One walk over a ``seg``: the text of ``hi``/``sub`` kept, native code dropped, inline
    elements made codes (module doc)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.codes: list[SegCode] = []
        self.open: list[tuple[int, str]] = []  # (index in codes, i) of bpt elements not yet closed
        self.seen: dict[str, int] = {}  # element name -> how many so far (keys of codes without x)

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)
            self.length += len(value)

    def walk(self, element: Any, keep_text: bool) -> None:
        if keep_text:
            self.text(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self.code(child)
            self.walk(child, child.tag in ("hi", "sub"))
            self.text(child.tail)

    def code(self, element: Any) -> None:
        name = element.tag
        if name not in ("bpt", "ept", "ph", "it", "ut"):
            return
        self.seen[name] = self.seen.get(name, 0) + 1
        ident = element.get("i") or ""
        if name == "ept" and self._close(ident):
            return
        if name == "bpt":
            self.open.append((len(self.codes), ident))
        own = ident or element.get("pos") or str(self.seen[name])
        key = element.get("x") or f"{name}:{own}"
        self.codes.append(SegCode(key, CodeKind.STANDALONE, self.length, self.length))

    def _close(self, ident: str) -> bool:
        """Close the open ``bpt`` of ``i``: a paired code when it is the innermost open one; a
        crossing one stays a standalone code (as does this ``ept``, the caller's)."""
        if self.open and self.open[-1][1] == ident:
            index, _ = self.open.pop()
            opening = self.codes[index]
            self.codes[index] = SegCode(opening.key, CodeKind.PAIRED, opening.start, self.length)
            return True
        self.open = [(index, i) for index, i in self.open if i != ident]
        return False

    def result(self) -> Seg:
        return Seg("".join(self.parts), tuple(self.codes))


def seg_content(tuv: Any) -> Seg:
    """The text of a ``tuv``'s ``seg`` with its codes (module doc)."""
    seg = tuv.find("seg")
    if seg is None:
        return Seg("")
    reader = _SegReader()
    reader.walk(seg, True)
    return reader.result()


def seg_text(tuv: Any) -> str:
    """The text of a ``seg``: text and ``hi``/``sub`` content; native codes (bpt, ept, ph, it, ut) dropped."""
    return seg_content(tuv).text


def numbered(source: Sequence[SegCode], target: Sequence[SegCode]) -> tuple[tuple[Code, ...], tuple[Code, ...]]:
    """Both sides' codes of a ``tu`` with their ids: an ``x`` that is a number as it is, other
    keys numbered on after the largest, the same key on both sides the same number."""
    keys = [code.key for code in (*source, *target)]
    taken = {int(key) for key in keys if key.isascii() and key.isdigit()}
    ids: dict[str, str] = {}
    counter = max(taken, default=0)
    for key in keys:
        if key in ids:
            continue
        if key.isascii() and key.isdigit():
            ids[key] = key
        else:
            counter += 1
            ids[key] = str(counter)
    return _codes(source, ids), _codes(target, ids)


def _codes(seg_codes: Sequence[SegCode], ids: dict[str, str]) -> tuple[Code, ...]:
    """``seg_codes`` under their ids; should they not be well-formed, each at its start, standalone."""
    codes = tuple(Code(ids[c.key], c.kind, c.start, c.end) for c in seg_codes)
    try:
        check_codes(" " * max((c.end for c in codes), default=0), codes)
    except ValueError:
        return tuple(Code(c.id, CodeKind.STANDALONE, c.start, c.start) for c in codes)
    return codes
