"""The memory before the machine: which sentences of a translation job have a 101% or 100% match.

Only exact matches are inserted (their target is a translator's, for this very source); fuzzy
matches are offered by the page and never inserted on their own. A sentence's context for a 101%
match is its neighbours in its document's sentence list, as ``align.tm.importer.document_units``
stores a confirmed row's neighbours, so a document translated again gets 101% for every
unchanged stretch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from align.document import Sentence
from align.settings import Settings
from align.tm.match import Match
from align.tm.memory import TranslationMemory, has_units, tm_path

log = logging.getLogger(__name__)


def exact_matches(
    sentence_lists: Sequence[Sequence[Sentence]], tm: TranslationMemory, src_lang: str, tgt_lang: str
) -> list[Match | None]:
    """For each sentence of each document, in order (flattened): its best exact match or None."""
    found: list[Match | None] = []
    for sentences in sentence_lists:
        texts = [s.text for s in sentences]
        for i, text in enumerate(texts):
            previous = texts[i - 1] if i > 0 else ""
            following = texts[i + 1] if i + 1 < len(texts) else ""
            found.append(tm.exact(text, src_lang, tgt_lang, previous=previous, following=following))
    return found


def wants_memory(settings: Settings, src_lang: str, tgt_lang: str, wanted: bool | None) -> bool:
    """Whether a translation job uses the data folder's memory: ``wanted`` True or False says so;
    None (the default of ``translate`` and ``batch``) means "when it holds units for the pair".
    Asked for but empty for the pair, it is left out with a warning (nothing would match)."""
    if wanted is False:
        return False
    if has_units(settings, src_lang, tgt_lang):
        return True
    if wanted:
        log.warning(
            "the translation memory %s has no %s->%s units; translating without it", tm_path(settings), src_lang, tgt_lang
        )
    return False


def memory_for(settings: Settings, src_lang: str, tgt_lang: str, wanted: bool | None) -> TranslationMemory | None:
    """The data folder's memory for a translation job (``wants_memory``), opened, or None."""
    return TranslationMemory(tm_path(settings)) if wants_memory(settings, src_lang, tgt_lang, wanted) else None
