"""The machine-translation signal: how much the source's machine translation and the target share
in character n-grams, for every band cell at the cost of one sparse matrix product per chunk.

Bleualign's insight (compare the translation of the source with the target, in one language) with
a measure that sums like the embeddings do: a span's n-gram counts are the sums of its sentences'
counts, so the similarity of a source span and a target span is a box sum of sentence-by-sentence
dot products, and every bead type of a chunk of band rows comes from one product. chrF, computed
string by string per cell, cost hundreds of microseconds to milliseconds a cell (hours for a long
document); this costs a fraction of a microsecond (devtools/RESULTS.md, "The MT signal's cost").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

# n-gram lengths: short enough to match inflected and compound words across a translation's
# choices, long enough to be distinctive (chrF's core range)
NGRAMS = (3, 4)

_SPACE = re.compile(r"\s+")


def for_ngrams(text: str) -> str:
    """A sentence as its n-grams are taken: case- and spacing-insensitive, padded with a space so
    a word's start and end count (a one-word heading still has n-grams)."""
    return " " + _SPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip() + " "


def ngram_counts(texts: Sequence[str]):
    """Sparse matrix (scipy CSR) of each text's character n-gram counts, one row a text: n-grams
    hashed to 64 bits in one vectorised pass over all texts (a Counter per sentence cost seconds
    on a long document)."""
    import pandas as pd
    from scipy import sparse

    norm = [for_ngrams(t) for t in texts]
    lengths = np.array([len(t) for t in norm], dtype=np.int64)
    codes = np.frombuffer("".join(norm).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(norm), dtype=np.int64), lengths)
    rows, keys = [], []
    for n in NGRAMS:
        if len(codes) < n:
            continue
        count = len(codes) - n + 1
        key = np.zeros(count, dtype=np.uint64)
        for k in range(n):  # polynomial hash; uint64 arithmetic wraps around
            key = key * np.uint64(1_000_003) + codes[k : k + count]
        key = key * np.uint64(8) + np.uint64(n)
        inside = owner[:count] == owner[n - 1 :]  # n-grams do not cross sentences
        rows.append(owner[:count][inside])
        keys.append(key[inside])
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    # a hash table (pandas) numbers the distinct n-grams in linear time; sorting them took longer
    # than all the rest of the signal
    col, distinct = pd.factorize(np.concatenate(keys) if keys else np.zeros(0, np.uint64))
    matrix = sparse.csr_matrix((np.ones(len(row)), (row, col)), shape=(len(texts), max(len(distinct), 1)))
    matrix.sum_duplicates()
    return matrix


class MTSignal:
    """Cosine of tf-idf character n-gram vectors: the source span's machine translation against
    the target span.

    Weights: sublinear term frequency (a repeated n-gram adds less each time) and inverse document
    frequency over the sentences of both texts (n-grams every sentence has, such as " the", say
    nothing about which sentence is which; names and numbers say a lot).
    """

    def __init__(self, mt: Sequence[str], tgt: Sequence[str], max_span: int = 5):

        texts = list(mt) + list(tgt)
        matrix = ngram_counts(texts)
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
        self.left, self.right = matrix[: len(mt)], matrix[len(mt) :]
        self._self_dots = (_self_dots(self.left, max_span), _self_dots(self.right, max_span))
        self._norms: dict[tuple[int, int], np.ndarray] = {}
        # the same cells are asked for again after refine (embeddings change, n-grams do not)
        self._memo: dict[tuple[int, int, int, int, int], np.ndarray] = {}

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
        key = (a, b, hash(rows.tobytes()), hash(cols.tobytes()), len(rows))
        found = self._memo.get(key)
        if found is not None:
            return found
        out = self._similarity(rows, a, cols, b, chunk)
        self._memo[key] = out
        return out

    def _similarity(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int, chunk) -> np.ndarray:
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
