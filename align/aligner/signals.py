"""The evidence that a bead is a translation, each signal as a log-likelihood ratio against
"two random sentences of these documents", calibrated per document (``Calibration``).

* embedding similarity, normalised as Vecalign does: ``z = 1 - (1 - cos) / (1 - floor)``, the floor
  being a span's mean cosine to the other document;
* the Gale-Church length deviation (characters) with the ratio and variance of *this* document;
* the source's machine translation against the target (Bleualign's signal; ``mtsignal``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# A side with this many sentences or fewer is too short to be its own background (``use_background``).
SHORT_SIDE = 4


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
    mt: tuple[float, float, float, float] | None = None  # mu1, sd1, mu0, sd0 of the MT signal
    # mean and spread of random pairs of spans, per many-sentence bead type (a, b); see ``random_of``
    random_spans: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)

    def random_of(self, a: int, b: int) -> tuple[float, float]:
        """Mean and spread of z for random pairs of an a-sentence and a b-sentence span.

        Sums of unrelated sentence vectors drift towards the document's common direction, so two
        random spans of several sentences look more alike than two random sentences: judged
        against single sentences, a bead of unrelated sentences passed as a likely translation.
        """
        return self.random_spans.get((a, b), (self.mu0, self.sd0))


def logistic(llr: float) -> float:
    """Probability from a log-likelihood ratio at even prior odds (clamped: no overflow)."""
    return 1.0 / (1.0 + math.exp(-min(max(llr, -50.0), 50.0)))


def gauss_llr(x: np.ndarray, mu1: float, sd1: float, mu0: float, sd0: float) -> np.ndarray:
    """log N(x; mu1, s) - log N(x; mu0, s) with one spread s for both classes: linear in x.

    Matches spread widely (a free translation scores far below a literal one) and the few
    mutual best pairs of a short document underestimate that spread, so both classes get the
    larger of the two spreads; the ratio is then linear and monotone (more similar is better).
    """
    s2 = max(sd0, sd1) ** 2
    return (mu1 - mu0) / s2 * (x - 0.5 * (mu0 + mu1))


def normalise(cos: np.ndarray, floor_a: np.ndarray, floor_b: np.ndarray) -> np.ndarray:
    """z = 1 - (1 - cos) / (1 - floor): about 0 at the background, 1 for identical meaning; the
    floor is the mean of the two sides' floors, as in Vecalign."""
    floor = 0.5 * (floor_a + floor_b)
    return 1.0 - (1.0 - cos) / np.maximum(1.0 - floor, 1e-6)


def normal_pdf(x: np.ndarray, sd: float) -> np.ndarray:
    return np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) + 1e-300
