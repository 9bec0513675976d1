"""How XML from anyone is parsed: the one set of parser options, the one-line errors, and the DTD
check for the XML inside Office archives.

TMX and TBX files come from other tools and other people. They are parsed by lxml with:

* internal entities expanded (``<!ENTITY co "ACME">`` ... ``&co;`` reads as "ACME": a translator's
  text is never silently dropped) and libxml2's amplification limit left on, so an entity bomb
  ("billion laughs", or one long entity referenced a million times) is refused early;
* no external entity, DTD or network access (an ``&x;`` declared ``SYSTEM`` is an undefined entity);
* libxml2's default limits (no ``huge_tree``): elements at most 256 deep, a text node or attribute
  at most 10 MB. No real TMX or TBX comes near them, and Python code that walks a tree (``seg``
  with nested ``hi``) never meets a RecursionError.

An XLSX is read by openpyxl, which parses its sheets with the standard library's expat (it expands
internal entities, bounded only by expat's amplification factor) unless ``defusedxml`` is installed.
No spreadsheet application writes a DTD into a workbook, so :func:`declares_dtd` finds any, and
the workbook reader refuses it before openpyxl sees it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from align.errors import FormatError

#: lxml parser options for XML from anyone (module doc).
PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": "internal", "no_network": True, "load_dtd": False}
#: libxml2's nesting limit without ``huge_tree``, for the message.
MAX_DEPTH = 256
_CHUNK = 16 * 1024

_UNDEFINED = re.compile(r"Entity '([^']+)' not defined")


def xml_parser(**extra: Any) -> Any:
    """An lxml ``XMLParser`` with ``PARSER_OPTIONS`` (and ``extra``, e.g. ``remove_comments``)."""
    from lxml import etree

    return etree.XMLParser(**PARSER_OPTIONS, **extra)


def syntax_error(path: Path, err: Any) -> FormatError:
    """The one-line ``FormatError`` for lxml's ``XMLSyntaxError`` ``err``: file, line, and what
    libxml2 found, said so a translator can act on it."""
    message = str(getattr(err, "msg", "") or err).split(", line ")[0].strip()
    undefined = _UNDEFINED.search(message)
    if "amplification" in message:
        message = "its entities expand to far more text than the file holds (an entity bomb: amplification limit); refusing it"
    elif "Resource limit exceeded" in message:
        message = "a text or attribute value longer than 10 MB (the XML reader's limit for one value); refusing it"
    elif "Excessive depth" in message:
        message = f"elements nested deeper than {MAX_DEPTH} levels (nesting depth limit); refusing it"
    elif undefined:
        name = undefined.group(1)
        message = (
            f"the entity &{name}; is not defined in the file (entities from another file or an external DTD "
            "are not read); replace it with its text"
        )
    else:
        message = f"not well-formed XML ({message})"
    return FormatError(f"{path}, line {getattr(err, 'lineno', 0) or 1}: {message}")


class _PrologEnd(Exception):
    """Raised from expat's handlers: the prolog has been read."""


def declares_dtd(stream: IO[bytes]) -> bool:
    """True when the XML document in ``stream`` has a document type declaration (where entities
    are declared). Reads only the prolog, up to the root element's start tag; a stream that is
    not XML is False (whoever parses it reports that)."""
    parser = expat.ParserCreate()
    found = False

    def doctype(*_: object) -> None:
        nonlocal found
        found = True
        raise _PrologEnd

    def element(*_: object) -> None:
        raise _PrologEnd

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _PrologEnd:
        pass
    except expat.ExpatError:
        return False
    return found
