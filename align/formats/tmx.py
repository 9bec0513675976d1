"""TMX 1.4b, valid against the DTD: one ``tu`` per pair with a ``tuv`` per language, status,
confidence, paragraph, ids, flags, origin and the quality estimate in ``x-align-*`` props (each quality
reason in a ``x-align-quality-reason`` prop of its own, in order, so no joiner is needed). A translation memory needs both
sides, so one-sided pairs are left out, with a warning that counts them. Reading accepts TMX from
other tools too: the header's srclang decides the source side, native codes are dropped; internal
entities are expanded and hostile XML refused (``align.formats.xmlsafe``). Control characters XML
cannot hold are removed from what is written, with a warning naming the rows."""

from __future__ import annotations

import json
import logging
from pathlib import Path

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
        for lang, text in ((doc.src_lang, source), (doc.tgt_lang, target)):
            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: xml_lang(lang)})
            etree.SubElement(tuv, "seg").text = text
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
        variants = [(tuv.get(_XML_LANG) or tuv.get("lang") or "", seg_text(tuv)) for tuv in tu.iterfind("tuv")]
        if not src or src == "*all*":
            src = variants[0][0] if variants else src
        source = next((text for lang, text in variants if lang.lower() == src.lower()), None)
        others = [(lang, text) for lang, text in variants if lang.lower() != src.lower()]
        if source is None or not others:
            skipped += 1
            continue
        tgt = tgt or others[0][0]
        target = next((text for lang, text in others if lang.lower() == tgt.lower()), others[0][1])
        fields = {"source": source, "target": target}
        reasons = []
        for prop in tu.iterfind("prop"):
            kind = prop.get("type", "")
            if kind == REASON_PROP:
                reasons.append(prop.text or "")
            elif kind.startswith(PROP_PREFIX):
                fields[kind[len(PROP_PREFIX) :].replace("-", "_")] = prop.text or ""
        note = tu.find("note")
        fields["note"] = note.text or "" if note is not None else ""
        pairs.append(pair_from_fields(where, fields, keep).replace(reasons=tuple(reasons)))
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


def seg_text(tuv) -> str:
    """The text of a ``seg``: text and ``hi``/``sub`` content; native codes (bpt, ept, ph, it, ut) dropped."""
    seg = tuv.find("seg")
    if seg is None:
        return ""

    def text_of(element, keep_text: bool) -> str:
        parts = [element.text or ""] if keep_text else []
        for child in element:
            parts.append(text_of(child, child.tag in ("hi", "sub")))
            parts.append(child.tail or "")
        return "".join(parts)

    return text_of(seg, True)
