"""TBX termbases (ISO 30042): TBX-Basic (``martif``, ``termEntry/langSet/tig``) and TBX 2019 core
(``tbx``, ``conceptEntry/langSec/termSec``), in either the DCA style (``<termNote
type="administrativeStatus">``) or the DCT style (``<basic:administrativeStatus>``).

Each concept entry gives, for the pair asked for: its source terms (the source language section's
terms that are not forbidden) and its target terms. A target term whose administrative status (or
older ``normativeAuthorization``) is forbidden or deprecated becomes a forbidden entry tied to the
concept's source terms; the others are the accepted translations. Other languages are ignored; a
termbase with no terms in one of the pair's languages is a ``FormatError`` naming the languages it
has. Parsed with lxml as all XML from others is (``align.formats.xmlsafe``: internal entities
expanded within libxml2's limits, nothing external or from the network, nesting at most 256 deep).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from align.errors import FormatError
from align.glossary.model import Entry, Glossary, OtherLanguages
from align.mt.langcodes import base_lang

log = logging.getLogger(__name__)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ROOTS = {"martif", "tbx"}
_CONCEPTS = {"termEntry", "conceptEntry"}
_LANG_SECTIONS = {"langSet", "langSec"}
_TERM_HOLDERS = {"tig", "ntig", "termSec"}
_STATUS_TYPES = {"administrativeStatus", "normativeAuthorization"}
_FORBIDDEN_PREFIXES = ("forbidden", "deprecated")


def _local(tag: Any) -> str:
    """An element's name without its namespace (comments and processing instructions: "")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def is_forbidden_status(value: str) -> bool:
    """``forbidden``, ``forbiddenTerm-admn-sts``, ``deprecatedTerm-admn-sts``, ``deprecatedTerm``."""
    return value.strip().casefold().startswith(_FORBIDDEN_PREFIXES)


def _status(holder: Any) -> str:
    """The administrative status written in a term's holder (tig, ntig, termSec), or ""."""
    for element in holder.iter():
        name = _local(element.tag)
        if name == "termNote" and element.get("type") in _STATUS_TYPES:
            return "".join(element.itertext()).strip()
        if name in _STATUS_TYPES:
            return "".join(element.itertext()).strip()
    return ""


def _holder(term: Any, section: Any) -> Any:
    """The element that holds a term and its notes: the nearest tig/ntig/termSec, else the section."""
    node = term.getparent()
    while node is not None and node is not section:
        if _local(node.tag) in _TERM_HOLDERS:
            return node
        node = node.getparent()
    return section


def _note(concept: Any) -> str:
    """A concept's definition or note (on the concept itself, or in its descripGrp), for the
    entry's note; terms' own notes are not the concept's."""
    for child in concept:
        for element in (child, *child) if _local(child.tag) == "descripGrp" else (child,):
            name = _local(element.tag)
            if (name == "descrip" and element.get("type") == "definition") or name in ("definition", "note"):
                text = " ".join("".join(element.itertext()).split())
                if text:
                    return text
    return ""


def read_tbx(path: Path, data: bytes, src_lang: str, tgt_lang: str) -> Glossary:
    """The entries of a TBX file for ``src_lang`` -> ``tgt_lang``; ``FormatError`` with the line
    for malformed XML, another root element, a language section without ``xml:lang`` or an
    empty term."""
    from lxml import etree

    from align.formats.xmlsafe import syntax_error, xml_parser

    try:
        root = etree.fromstring(data, xml_parser(remove_comments=True))
    except etree.XMLSyntaxError as err:
        raise syntax_error(path, err) from None
    if _local(root.tag) not in _ROOTS:
        raise FormatError(
            f"{path}, line {root.sourceline}: not a TBX file (root element <{_local(root.tag)}>, expected <tbx> or <martif>)"
        )
    src, tgt = base_lang(src_lang), base_lang(tgt_lang)
    entries: list[Entry] = []
    languages: set[str] = set()
    for concept in root.iter():
        if _local(concept.tag) not in _CONCEPTS:
            continue
        origin = f"{path}, line {concept.sourceline}"
        sources: list[str] = []
        targets: list[str] = []
        forbidden: list[str] = []
        for section in concept:
            if _local(section.tag) not in _LANG_SECTIONS:
                continue
            lang = section.get(XML_LANG) or section.get("lang") or ""
            if not lang.strip():
                raise FormatError(f"{path}, line {section.sourceline}: <{_local(section.tag)}> has no xml:lang")
            code = base_lang(lang)
            languages.add(code)
            if code not in (src, tgt):
                continue
            for term in section.iter():
                if _local(term.tag) != "term":
                    continue
                text = " ".join("".join(term.itertext()).split())
                if not text:
                    raise FormatError(f"{path}, line {term.sourceline}: empty <term>")
                banned = is_forbidden_status(_status(_holder(term, section)))
                if code == src and not banned and src != tgt:
                    sources.append(text)
                elif code == tgt:
                    (forbidden if banned else targets).append(text)
        note = _note(concept)
        for source in sources:
            if targets:
                entries.append(Entry.term(source, *targets, note=note, origin=origin))
            if forbidden:
                entries.append(Entry.forbidden(*forbidden, source=source, note=note, origin=origin))
        if forbidden and not sources:
            entries.append(Entry.forbidden(*forbidden, note=note, origin=origin))
        if sources and not targets and not forbidden:
            log.debug("%s: concept without a %s term; skipped", origin, tgt_lang)
    if src not in languages or tgt not in languages:
        found = ", ".join(sorted(languages)) or "none"
        raise OtherLanguages(f"{path}: no {src_lang}->{tgt_lang} terms (languages in the file: {found})")
    return Glossary(tuple(entries), src_lang, tgt_lang, path.name)
