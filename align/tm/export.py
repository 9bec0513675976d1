"""The memory out as TMX 1.4b, valid against the DTD (``align/resources/tmx14.dtd``).

Written incrementally (lxml's ``xmlfile``), a unit at a time, into a temporary file beside the
target that is renamed over it at the end, so a memory of any size exports in flat memory and a
crash never leaves half a file. Each ``tu`` carries its dates (``creationdate``, ``changedate``),
its context as memoQ writes it (``x-context-pre`` / ``x-context-post`` props: the neighbouring
sources that make a 101% match, read back by ``align.tm.importer`` and by memoQ; written empty at
a document's edge, so a re-import does not take the next ``tu`` for a neighbour), and where it came
from (``x-align-tm-origin``, ``x-align-project``, ``x-align-file``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from align.progress import Progress
from align.tm.memory import TranslationMemory
from align.tm.tmxmeta import CONTEXT_POST, CONTEXT_PRE, FILE_PROP, ORIGIN_PROP, PROJECT_PROP, tmx_date

log = logging.getLogger(__name__)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def export_tmx(
    tm: TranslationMemory,
    output: Path,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the memory's units (of one source and/or target language when given) to ``output``
    as TMX 1.4b; returns the number of units written. The header's ``srclang`` is the one source
    language, or ``*all*`` (with a ``srclang`` on each ``tu``) when the units have several."""
    from lxml import etree

    from align import __version__
    from align.formats import atomic_open
    from align.formats.cells import xml_lang, xml_text

    output = Path(output)
    stats = tm.stats()
    pairs = {pair: n for pair, n in stats.pairs.items() if _wanted(pair, src_lang, tgt_lang)}
    total = sum(pairs.values())
    sources = {src for src, _ in pairs}
    header_src = xml_lang(next(iter(sources))) if len(sources) == 1 else "*all*"
    written = 0
    with atomic_open(output) as handle:
        with etree.xmlfile(handle, encoding="UTF-8") as xf:
            xf.write_declaration()
            xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
            with xf.element("tmx", version="1.4"):
                xf.write("\n")
                header = etree.Element(
                    "header",
                    creationtool="align-workbench",
                    creationtoolversion=__version__,
                    segtype="sentence",
                    **{"o-tmf": "align-workbench", "adminlang": "en", "srclang": header_src, "datatype": "plaintext"},
                )
                header.tail = "\n"
                xf.write(header)
                with xf.element("body"):
                    xf.write("\n")
                    for unit in tm.units(src_lang, tgt_lang):
                        attributes = {
                            "tuid": str(unit.id),
                            "creationdate": tmx_date(unit.created_at),
                            "changedate": tmx_date(unit.updated_at),
                        }
                        if header_src == "*all*":
                            attributes["srclang"] = xml_lang(unit.src_lang)
                        tu = etree.Element("tu", {k: v for k, v in attributes.items() if v})
                        for kind, value in (
                            (CONTEXT_PRE, unit.prev_source),
                            (CONTEXT_POST, unit.next_source),
                            (ORIGIN_PROP, unit.origin),
                            (PROJECT_PROP, unit.project),
                            (FILE_PROP, unit.file),
                        ):
                            if value or kind in (CONTEXT_PRE, CONTEXT_POST):  # "" is a context too: a document's edge
                                etree.SubElement(tu, "prop", type=kind).text = xml_text(value)
                        for lang, text in ((unit.src_lang, unit.source), (unit.tgt_lang, unit.target)):
                            etree.SubElement(etree.SubElement(tu, "tuv", {_XML_LANG: xml_lang(lang)}), "seg").text = xml_text(
                                text
                            )
                        tu.tail = "\n"
                        xf.write(tu)
                        written += 1
                        if progress is not None and (written % 1000 == 0 or written == total):
                            progress(written, total)
        handle.write(b"\n")
    log.info("wrote %d unit(s) to %s", written, output)
    return written


def _wanted(pair: tuple[str, str], src_lang: str | None, tgt_lang: str | None) -> bool:
    from align.mt.langcodes import base_lang

    return (not src_lang or pair[0] == base_lang(src_lang)) and (not tgt_lang or pair[1] == base_lang(tgt_lang))
