"""The evidence that a bead is a translation, each signal as a log-likelihood ratio against
"two random sentences of these documents", calibrated per document (``Calibration``).

* embedding similarity, normalised as Vecalign does: ``z = 1 - (1 - cos) / (1 - floor)``, the floor
  being a span's mean cosine to the other document, or its nearest neighbours' for the margin test;
* the Gale-Church length deviation (characters) with the ratio and variance of *this* document;
* chrF of the source's machine translation against the target (Bleualign's signal).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.aligner.sides import Side

# Nearest neighbours that make a sentence's background similarity (Artetxe & Schwenk's margin).
MARGIN_K = 4


# Half-width, in units of the other document, of the neighbourhood searched for them (linear cost).
MARGIN_WINDOW = 250


@dataclass
class Calibration:
    """Per-document Gaussian models of each signal for matches and for random pairs."""

    mu1: float
    sd1: float
    mu0: float
    sd0: float
    ratio: float  # target/source characters
    len_var: float  # Gale-Church s^2
    len_sd_random: float
    mt: tuple[float, float, float, float] | None = None  # mu1, sd1, mu0, sd0 of chrF


def gauss_llr(x: np.ndarray, mu1: float, sd1: float, mu0: float, sd0: float) -> np.ndarray:
    """log N(x; mu1, s) - log N(x; mu0, s) with one spread s for both classes: linear in x.

    Matches spread widely (a free translation scores far below a literal one) and the few
    mutual best pairs of a short document underestimate that spread, so both classes get the
    larger of the two spreads; the ratio is then linear and monotone (more similar is better).
    """
    s2 = max(sd0, sd1) ** 2
    return (mu1 - mu0) / s2 * (x - 0.5 * (mu0 + mu1))


def normalise(cos: np.ndarray, floor_a: np.ndarray, floor_b: np.ndarray, margin: bool = False) -> np.ndarray:
    """z = 1 - (1 - cos) / (1 - floor): about 0 at the background, 1 for identical meaning.

    Vecalign's floor is the mean of the two sides' floors. The margin test (``margin``) asks that a
    translation stand out from the background of *both* its sentences: the larger floor counts.
    """
    floor = np.maximum(floor_a, floor_b) if margin else 0.5 * (floor_a + floor_b)
    return 1.0 - (1.0 - cos) / np.maximum(1.0 - floor, 1e-6)


def floor_margin(vec: np.ndarray, other: Side) -> np.ndarray:
    """Each row's background cosine to the other document: the mean of its ``MARGIN_K`` highest
    cosines to the other document's units (the margin of Artetxe & Schwenk's bitext mining).

    The mean cosine to the whole document (Vecalign's floor) does not see hubs: a sentence close
    to many sentences of the other document (a translator's note, a tag line, a generic phrase)
    looks like a match for any of them. Against its nearest neighbours only a distinctive match
    stands out. Neighbours are looked for within ``MARGIN_WINDOW`` units either side of the row's
    proportional position, so the cost stays linear in document length (a whole document shorter
    than the window is searched entirely).
    """
    if other.n == 0 or not len(vec):
        return vec @ other.mean_unit
    k = min(MARGIN_K, other.n)
    out = np.empty(len(vec))
    scale = other.n / len(vec)
    chunk = 512
    for start in range(0, len(vec), chunk):
        rows = np.arange(start, min(start + chunk, len(vec)))
        centre = np.round(rows * scale).astype(int)
        lo = max(0, int(centre[0]) - MARGIN_WINDOW)
        hi = min(other.n, int(centre[-1]) + MARGIN_WINDOW + 1)
        if hi - lo < k:
            lo, hi = max(0, hi - k), max(hi, k)
        cos = vec[rows] @ other.units[lo:hi].T
        cols = np.arange(lo, hi)
        outside = np.abs(cols[None, :] - centre[:, None]) > MARGIN_WINDOW
        if outside.any():
            # keep at least k candidates per row: the window is wide, this only bites near the ends
            cos = np.where(outside & ((~outside).sum(axis=1, keepdims=True) >= k), -np.inf, cos)
        out[rows] = np.partition(cos, cos.shape[1] - k, axis=1)[:, cos.shape[1] - k :].mean(axis=1)
    return out


def normal_pdf(x: np.ndarray, sd: float) -> np.ndarray:
    return np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) + 1e-300


class MTSignal:
    """chrF of the machine translation of source sentences [i-a, i) against target [j-b, j)."""

    def __init__(self, mt: Sequence[str], tgt: Sequence[str]):
        self.mt, self.tgt = list(mt), list(tgt)
        self._cache: dict[tuple[int, int, int, int], float] = {}

    def one(self, s0: int, s1: int, t0: int, t1: int) -> float:
        key = (s0, s1, t0, t1)
        if key not in self._cache:
            self._cache[key] = chrf(" ".join(self.mt[s0:s1]), " ".join(self.tgt[t0:t1]))
        return self._cache[key]

    def chrf(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """chrF of the bead (a, b) ending at each cell (i, j) of ``rows``/``cols``."""
        return np.array([self.one(int(i) - a, int(i), int(j) - b, int(j)) for i, j in zip(rows, cols, strict=True)])


def chrf(hyp: str, ref: str) -> float:
    """Character n-gram F-score with beta=1: symmetric, so content missing from either side
    counts the same. (chrF's default beta=2 weighs the reference's recall: a target sentence that
    the machine translation merely contains would score as a full match, and the half of a 1-2
    split would win over the whole.)"""
    return _chrf_metric().sentence_score(hyp, [ref]).score / 100.0


@functools.cache
def _chrf_metric():
    from sacrebleu.metrics import CHRF

    return CHRF(beta=1)
