"""Sentences -> words with their character spans: the units the word aligner links.

The product's own word splitting (``WORD_PATTERN``) is the one the dev gold was annotated with
(``tests/data/wordalign``, its guidelines): a number with inner separators (``3.000``, ``12:30``)
is one word, so is a word with inner hyphens or apostrophes (``Seong-kweun``, ``Seoul's``), and
every other non-space character that is not a letter or digit (punctuation, quotes) is a word of
its own. ``pretokenized`` text is taken as written: words are what the spaces separate.
"""

from __future__ import annotations

import re

from align.words.model import Word

#: The dev gold's tokenisation (its guidelines); measured against nothing else, so keep them equal.
WORD_PATTERN = re.compile(r"\d+(?:[.,:]\d+)*|\w+(?:[-'’]\w+)*|[^\w\s]")
_SPACES = re.compile(r"\S+")


def split_words(text: str, *, pretokenized: bool = False) -> tuple[Word, ...]:
    """The words of ``text`` with their ``[start, end)`` spans in it."""
    pattern = _SPACES if pretokenized else WORD_PATTERN
    return tuple(Word(m.group(), m.start(), m.end()) for m in pattern.finditer(text))


def glued(words: tuple[Word, ...]) -> list[bool]:
    """For each word, whether it follows the previous one without a space ("Ukraine" "." ->
    False, True): the tokenizer then gives it no word-initial piece, as it would in running text."""
    return [k > 0 and words[k - 1].end == word.start for k, word in enumerate(words)]
