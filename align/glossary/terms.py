"""Finding glossary terms in text, inflection-aware: words are compared by their Snowball stems.

"Fahrradbrücken" finds the entry "Fahrradbrücke" and "cycle bridges" uses the term "cycle bridge":
both sides are cut into words, each word casefolded and stemmed with the Snowball stemmer of its
language, and a term matches where its sequence of stems occurs in the text's sequence of stems
(multi-word terms word by word; punctuation and hyphens between words do not matter). A language
without a Snowball stemmer is compared by casefolded words, and a language written without spaces
(Chinese, Japanese, Thai, ...) by casefolded characters, i.e. as substrings.

Stemming over-matches now and then ("universe"/"university"), never under-matches an inflection
the stemmer knows; German compounds are not split ("Brücke" does not find "Fahrradbrücke").
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from align.glossary.model import Entry, Kind
from align.mt.langcodes import base_lang

if TYPE_CHECKING:
    from align.glossary.checks import Hit

log = logging.getLogger(__name__)

#: ISO 639-1 code -> Snowball algorithm name (``snowballstemmer.algorithms()``).
SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
#: Languages written without spaces between words: terms are found as substrings.
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Token:
    """A word of a text: its character span and the key it is compared by (its stem)."""

    start: int
    end: int
    key: str


@functools.lru_cache(maxsize=64)
def stemmer_for(lang: str | None) -> Callable[[str], str] | None:
    """The Snowball stemmer of a language as a function of a casefolded word (cached, and safe to
    call from several threads: the page checks rows while a task translates), or None for a
    language Snowball has no stemmer for."""
    name = SNOWBALL.get(base_lang(lang))
    if name is None:
        return None
    import snowballstemmer

    if name not in snowballstemmer.algorithms():
        log.info("snowballstemmer has no %s stemmer: glossary terms in %s are matched as written", name, lang)
        return None
    stemmer = snowballstemmer.stemmer(name)
    lock = threading.Lock()  # a Snowball stemmer keeps its work in the object: one word at a time

    @functools.lru_cache(maxsize=50_000)
    def stem(word: str) -> str:
        with lock:
            return stemmer.stemWord(word)

    return stem


def tokens(text: str, lang: str | None) -> list[Token]:
    """The words of ``text`` with their stems (characters for languages written without spaces)."""
    code = base_lang(lang)
    if code in NO_SPACE_LANGS:
        return [Token(m.start(), m.end(), m.group().casefold()) for m in _CHAR.finditer(text)]
    stem = stemmer_for(code)
    found = []
    for m in _WORD.finditer(text):
        word = m.group().casefold()
        found.append(Token(m.start(), m.end(), stem(word) if stem is not None else word))
    return found


def term_key(term: str, lang: str | None) -> tuple[str, ...]:
    """The stem sequence a term is matched by (empty for a term without letters or digits)."""
    return tuple(t.key for t in tokens(term, lang))


def find_sequence(key: Sequence[str], text_tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Character spans where the stem sequence ``key`` occurs in ``text_tokens``."""
    n = len(key)
    if not n:
        return []
    spans = []
    for i in range(len(text_tokens) - n + 1):
        if all(text_tokens[i + k].key == key[k] for k in range(n)):
            spans.append((text_tokens[i].start, text_tokens[i + n - 1].end))
    return spans


def uses_any(keys: Iterable[Sequence[str]], text_tokens: Sequence[Token]) -> bool:
    """True when one of the stem sequences occurs in the text."""
    return any(find_sequence(key, text_tokens) for key in keys)


def verbatim_spans(term: str, text: str, lang: str | None) -> list[tuple[int, int]]:
    """Where ``term`` occurs exactly as written (case included), not inside a longer word."""
    if not term.strip():
        return []
    if base_lang(lang) in NO_SPACE_LANGS:
        pattern = re.compile(re.escape(term))
    else:
        pattern = re.compile(r"(?<![^\W_])" + re.escape(term) + r"(?![^\W_])")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


# ---- the index of a glossary ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexedEntry:
    """An entry with the stem sequences of its source term and of its target terms."""

    entry: Entry
    source_key: tuple[str, ...]
    target_keys: tuple[tuple[str, ...], ...]  # one per target term, in order (empty: no word)


@dataclass(frozen=True)
class GlossaryIndex:
    """A glossary's entries stemmed for one language pair, looked up by their first source stem."""

    src_lang: str
    tgt_lang: str
    by_first_stem: dict[str, tuple[IndexedEntry, ...]] = field(default_factory=dict)
    #: forbidden entries without a source term: looked for in every target
    unconditional: tuple[IndexedEntry, ...] = ()

    # The translator (align.mt, a layer below the glossary) is handed an index and calls these two,
    # so it imports nothing of the glossary package (pyproject.toml's layers contract).
    def hits(self, source: str) -> tuple[Hit, ...]:
        """The entries whose source term occurs in ``source`` (``checks.glossary_hits``)."""
        from align.glossary.checks import glossary_hits

        return tuple(glossary_hits(source, self))

    def choose(self, hypotheses: Sequence[str], scores: Sequence[float], hits: Sequence[Hit]) -> int:
        """The position of the hypothesis that follows the glossary best (``select.choose_hypothesis``)."""
        from align.glossary.select import choose_hypothesis

        return choose_hypothesis(hypotheses, scores, hits, self)


def build_index(entries: Iterable[Entry], src_lang: str, tgt_lang: str) -> GlossaryIndex:
    """Stem every entry once; an entry whose source term has no word is kept only when it is a
    forbidden term (checked in every row)."""
    groups: dict[str, list[IndexedEntry]] = {}
    unconditional: list[IndexedEntry] = []
    for entry in entries:
        indexed = IndexedEntry(
            entry,
            term_key(entry.source, src_lang),
            tuple(term_key(t, tgt_lang) for t in entry.targets),
        )
        if indexed.source_key:
            groups.setdefault(indexed.source_key[0], []).append(indexed)
        elif entry.kind is Kind.FORBIDDEN and any(indexed.target_keys):
            unconditional.append(indexed)
        else:
            log.debug("glossary entry %r (%s) has no word to match; skipped", entry.source, entry.origin)
    return GlossaryIndex(src_lang, tgt_lang, {k: tuple(v) for k, v in groups.items()}, tuple(unconditional))
