"""How the translation memory sees text: one normal form, language codes, words and index terms.

A unit is stored and compared in one normal form (``normalise``): Unicode NFC, every run of
whitespace (no-break spaces and line breaks too) one space, no space at either end, and no
character XML cannot hold (NUL and the other C0 controls: the memory's exchange format is TMX,
so what it stores must survive an export; the importers warn when they remove any). A TMX from
another tool, a CSV typed in a spreadsheet and a sentence of the segmenter then meet on the same
text: a decomposed umlaut or a double space is no translation difference, so it must not cost a
100% match nor make a second unit.

Index terms (``terms``) are what SQLite FTS5's ``unicode61 remove_diacritics 2`` tokenizer makes of
the text (runs of letters and digits, lower case, accents removed), so the term counts kept beside
the index name the same tokens the index holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from align.formats.cells import XML_INVALID

#: Letters and digits, as FTS5's unicode61 tokenizer splits (it treats "_" as a separator too).
_TERM = re.compile(r"[^\W_]+")
#: A word of the differing-words view: a run of letters/digits, or one other non-space character.
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_")
#: Combining marks, the accents ``fold`` removes once a text is decomposed (NFD).
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalise(text: str) -> str:
    """NFC, whitespace runs folded to one space, stripped, characters XML cannot hold removed: the
    form units are stored and matched in."""
    return " ".join(XML_INVALID.sub("", unicodedata.normalize("NFC", text)).split())  # split(): what \s matches


def fold(text: str) -> str:
    """Lower case without accents (``Größe`` -> ``große``, ``Café`` -> ``cafe``), like unicode61."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", lowered)))


def terms(text: str) -> list[str]:
    """The distinct index terms of ``text``, in order of first appearance."""
    return list(dict.fromkeys(_TERM.findall(fold(text))))


@dataclass(frozen=True)
class Word:
    """A word of a text and where it is: ``text[start:end] == word``."""

    word: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words and punctuation marks of ``text`` with their character spans."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
