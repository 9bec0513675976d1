"""One side of a level: units (sentences, or merged pairs of them at coarser levels) as
length-weighted vector sums with prefix sums, and the background that stands in for a document
too short to be its own."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass
class Side:
    cum_vec: np.ndarray  # (n+1, d) prefix sums of length-weighted unit vectors
    cum_len: np.ndarray  # (n+1,) prefix sums of lengths (characters)
    mean_unit: np.ndarray  # (d,) mean of the L2-normalised unit vectors (the "random" direction)
    units: np.ndarray  # (n, d) the L2-normalised unit vectors
    raw: np.ndarray  # (n, d) the length-weighted unit vectors (their sums are the span vectors)
    # For a document too short to be its own background: unrelated sentences (unit vectors and
    # lengths) that stand in for "a random sentence" (see ``use_background``).
    background: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return len(self.cum_len) - 1

    @classmethod
    def build(cls, vec_sums: np.ndarray, lengths: np.ndarray) -> Side:
        d = vec_sums.shape[1] if vec_sums.ndim == 2 else 0
        cum_vec = np.zeros((len(lengths) + 1, d))
        cum_vec[1:] = np.cumsum(vec_sums, axis=0)
        cum_len = np.zeros(len(lengths) + 1)
        cum_len[1:] = np.cumsum(lengths)
        if len(lengths):
            units = vec_sums / np.maximum(np.linalg.norm(vec_sums, axis=1, keepdims=True), 1e-12)
            mean_unit = units.mean(axis=0)
        else:
            units = np.zeros((0, d))
            mean_unit = np.zeros(d)
        return cls(cum_vec, cum_len, mean_unit, units, np.asarray(vec_sums, dtype=np.float64).reshape(len(lengths), d))

    def downsample(self) -> Side:
        """Merge units pairwise (the last one alone when n is odd)."""
        idx = np.arange(0, self.n, 2)
        ends = np.minimum(idx + 2, self.n)
        vec = self.cum_vec[ends] - self.cum_vec[idx]
        lens = self.cum_len[ends] - self.cum_len[idx]
        return Side.build(vec, lens)


@functools.cache
def background_texts() -> list[str]:
    text = resources.files("align").joinpath("resources/background.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def use_background(src: Side, tgt: Side, embedder) -> None:
    """Give a document too short to be its own background a fixed one.

    The similarity floor is a sentence's mean cosine to the *other* document, and random pairs
    come from the document itself; with one sentence a side the floor is the pair's own cosine
    and the only "random" pair is the translation: a one-sentence document came out as an
    omission plus an addition. With ``SHORT_SIDE`` sentences or fewer on a side, both come instead from a
    few dozen unrelated sentences in several languages shipped with the library.
    """
    texts = background_texts()
    units = embedder.encode(texts).astype(np.float64)
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    for side in (src, tgt):
        side.mean_unit = units.mean(axis=0)
        side.background = (units, lengths)
