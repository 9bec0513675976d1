"""What goes into the translated document for a row: its target, or what stands in for it.

A confirmed row with a target is the translator's word and always goes in, as does the target of a
row without source text (typed in). For the others (unconfirmed, or with an empty target) the
caller chooses: the source text, the target as it is (machine translation, maybe empty), or a
visible marker that a reviewer cannot miss.
"""

from __future__ import annotations

import re
from enum import StrEnum

from align.document import Pair, Status
from align.errors import AlignError
from align.mt.langcodes import base_lang

MARKER = "[untranslated: {source}]"
"""The stand-in for an unconfirmed row with ``--unconfirmed marker``; ``{source}`` is its source."""

#: Languages written without spaces between sentences.
_NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
_LINE_BREAKS = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")


class Unconfirmed(StrEnum):
    """What an unconfirmed or empty row puts into the document."""

    SOURCE = "source"  # the source text: only confirmed work is translated
    MT = "mt"  # the target as it is (the machine's translation; nothing when empty)
    MARKER = "marker"  # "[untranslated: <source>]"

    @classmethod
    def parse(cls, value: str | Unconfirmed) -> Unconfirmed:
        """Accept a member or its value in any case; ``AlignError`` naming the choices otherwise."""
        if isinstance(value, Unconfirmed):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise AlignError(f"unknown --unconfirmed setting {value!r}; use one of {', '.join(m.value for m in cls)}") from None


def row_text(pair: Pair, policy: Unconfirmed) -> str:
    """The text a row contributes, on one line (a line break inside a block would break its structure)."""
    if (pair.status is Status.CONFIRMED and pair.target.strip()) or not pair.source.strip() or policy is Unconfirmed.MT:
        text = pair.target  # a typed row without source has nothing else to show
    elif policy is Unconfirmed.SOURCE:
        text = pair.source
    else:
        text = MARKER.format(source=pair.source.strip())
    return _LINE_BREAKS.sub(" ", text).strip()


def joiner_for(lang: str) -> str:
    """How the target language separates sentences: a space, or nothing (Chinese, Japanese, Thai, ...)."""
    code = base_lang(lang)
    return "" if code in _NO_SPACE_LANGS else " "
