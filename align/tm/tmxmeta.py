"""What the memory's TMX files carry beyond the text, shared by import and export: the prop names
of a unit's context and provenance, and TMX's date format."""

from __future__ import annotations

#: Context props of other tools (memoQ, MyMemory): the sources before and after the unit's.
CONTEXT_PRE, CONTEXT_POST = "x-context-pre", "x-context-post"
#: Our own props on exported units: where a unit came from.
PROJECT_PROP, FILE_PROP, ORIGIN_PROP = "x-align-project", "x-align-file", "x-align-tm-origin"


def tmx_date(iso: str) -> str:
    """``2026-12-01T04:36:09+00:00`` -> ``20261201T043609Z`` (TMX's date format, UTC); "" stays ""."""
    digits = "".join(c for c in iso[:19] if c.isdigit())
    return f"{digits[:8]}T{digits[8:14]}Z" if len(digits) == 14 else ""


def iso_date(tmx: str) -> str:
    """``20261201T043609Z`` -> ``2026-12-01T04:36:09+00:00``; anything else -> ""."""
    text = tmx.strip()
    if len(text) != 16 or text[8] != "T" or text[15] != "Z" or not (text[:8] + text[9:15]).isdigit():
        return ""
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[9:11]}:{text[11:13]}:{text[13:15]}+00:00"
