"""The machine-translation signal: how much the source's machine translation and the target share
in character n-grams, for every band cell at the cost of one sparse matrix product per chunk.

Bleualign's insight (compare the translation of the source with the target, in one language) with
a measure that sums like the embeddings do: a span's n-gram counts are the sums of its sentences'
counts, so the similarity of a source span and a target span is a box sum of sentence-by-sentence
dot products, and every bead type of a chunk of band rows comes from one product. chrF, computed
string by string per cell, cost 2.4 ms a cell (an hour for a long document); this costs
microseconds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np

# n-gram lengths: short enough to match inflected and compound words across a translation's
# choices, long enough to be distinctive (chrF's core range)
NGRAMS = (3, 4, 5)

_SPACE = re.compile(r"\s+")


def char_ngrams(text: str) -> Counter[str]:
    """Character n-grams of a sentence, case- and spacing-insensitive, padded with a space so a
    word's start and end count (a one-word heading still has n-grams)."""
    norm = " " + _SPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip() + " "
    grams: Counter[str] = Counter()
    for n in NGRAMS:
        grams.update(norm[k : k + n] for k in range(len(norm) - n + 1))
    return grams


class MTSignal:
    """Cosine of tf-idf character n-gram vectors: the source span's machine translation against
    the target span.

    Weights: sublinear term frequency (a repeated n-gram adds less each time) and inverse document
    frequency over the sentences of both texts (n-grams every sentence has, such as " the", say
    nothing about which sentence is which; names and numbers say a lot).
    """

    def __init__(self, mt: Sequence[str], tgt: Sequence[str], max_span: int = 5):
        from scipy import sparse

        counts = [char_ngrams(t) for t in list(mt) + list(tgt)]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for r, grams in enumerate(counts):
            for gram, c in grams.items():
                rows.append(r)
                cols.append(vocab.setdefault(gram, len(vocab)))
                vals.append(1.0 + math.log(c))
        matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), max(len(vocab), 1)))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=matrix.shape[1])
        idf = np.log((1.0 + len(counts)) / (1.0 + df)) + 1.0
        matrix = (matrix @ sparse.diags(idf)).tocsr()
        self.left, self.right = matrix[: len(mt)], matrix[len(mt) :]
        self._self_dots = (_self_dots(self.left, max_span), _self_dots(self.right, max_span))
        self._norms: dict[tuple[int, int], np.ndarray] = {}

    def norms(self, side: int, size: int) -> np.ndarray:
        """L2 norm of the summed vector of every span of ``size`` sentences (row k = span at k)."""
        key = (side, size)
        if key not in self._norms:
            cum = self._self_dots[side]  # cum[d][k] = sum over t < k of x_t . x_(t+d)
            n = len(cum[0]) - 1
            if size > len(cum):
                raise ValueError(f"span of {size} sentences: the MT signal was built for {len(cum)} at most")
            starts = np.arange(0, max(n - size + 1, 0))
            sq = cum[0][starts + size] - cum[0][starts]
            for d in range(1, size):
                sq = sq + 2.0 * (cum[d][starts + size - d] - cum[d][starts])
            self._norms[key] = np.sqrt(np.maximum(sq, 1e-24))
        return self._norms[key]

    def similarity(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int, chunk=None) -> np.ndarray:
        """Cosine between the MT of source sentences [i-a, i) and target sentences [j-b, j) for each
        cell (i, j); from the chunk's box sums when given (``ChunkCos`` over this signal's
        matrices), else pair by pair."""
        p, q = rows - a, cols - b
        if chunk is not None and chunk.dense:
            dots = chunk.box(a, b)[p - chunk.p0, q - chunk.q0]
        else:
            dots = np.zeros(len(rows))
            for k in range(a):
                for t in range(b):
                    dots += np.asarray(self.left[p + k].multiply(self.right[q + t]).sum(axis=1)).ravel()
        return dots / (self.norms(0, a)[p] * self.norms(1, b)[q])


def _self_dots(matrix, max_span: int) -> list[np.ndarray]:
    """Prefix sums of x_t . x_(t+d) for d = 0 .. max_span-1: with them a span's norm is O(1)."""
    n = matrix.shape[0]
    out = []
    for d in range(max_span):
        dots = np.zeros(n)
        if d < n:
            dots[: n - d] = np.asarray(matrix[: n - d].multiply(matrix[d:]).sum(axis=1)).ravel()
        cum = np.zeros(n + 1)
        cum[1:] = np.cumsum(dots)
        out.append(cum)
    return out
