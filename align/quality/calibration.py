"""What is usual in this document: the norms the document-level signals are judged against.

A length ratio, a similarity or a model probability means little on its own: German -> English
news and a legal text differ, and so do two embedders or two models. So each norm comes from the
document's own rows (median and MAD, robust to the broken rows we are looking for), and the
similarity of unrelated sentences from random pairs of the document, as the aligner calibrates.
A short document (fewer than ``MIN_ROWS`` rows) has no norm of its own: length is left out, and
similarity and the model use the defaults below. The norm itself (``Norm``, ``robust_norm``) and
the length ratio are ``align.text.compare``'s, shared with the review checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from align.text.compare import MIN_LENGTH_SPREAD, MIN_ROWS, Norm, robust_norm

__all__ = ["MIN_ROWS", "Norm", "QualityCalibration", "robust_norm", "similarity_norms"]

RANDOM_PAIRS = 2000

# multilingual-e5-small ("query: " prefix) on WMT21 de->en output (19 systems): translations have a
# median cosine of 0.93 (MAD-sd 0.03), random sentence pairs 0.76 (sd 0.03). Used only for
# documents too short for their own norm.
DEFAULT_SIMILARITY = (0.93, 0.03, 0.76, 0.03)
# an average token probability of exp(-1.2) ~ 0.3 and a spread of 0.35 nats: a model's view of a
# typical sentence when the document is too short to say (the model signal's own documents
# calibrate themselves)
DEFAULT_MODEL_MEAN = (-1.2, 0.35)
DEFAULT_MODEL_MIN = (-6.0, 2.0)
MIN_SD = {"length": MIN_LENGTH_SPREAD, "similarity": 0.01, "model": 0.05, "model_min": 0.5, "clause_gain": 0.005}


@dataclass(frozen=True)
class QualityCalibration:
    """Per-document norms; stored with an estimated document so a re-translated row is judged
    against the same norms as its neighbours."""

    length: Norm | None = None
    similarity: Norm | None = None  # translations of this document
    unrelated: Norm | None = None  # random pairs of this document
    model_mean: Norm | None = None
    model_min: Norm | None = None
    clause_gain: Norm | None = None  # target's cosine to the source without its last clause, minus to the whole

    def as_dict(self) -> dict[str, Any]:
        return {k: (asdict(v) if v is not None else None) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> QualityCalibration:
        data = data or {}
        return cls(**{k: Norm(**v) for k, v in data.items() if k in cls.__dataclass_fields__ and v})


def similarity_norms(src_vecs: np.ndarray, tgt_vecs: np.ndarray, seed: int = 0) -> tuple[Norm | None, Norm | None]:
    """Norms of the rows' cosines and of random (source i, target j != i) pairs' cosines."""
    n = len(src_vecs)
    if n < MIN_ROWS:
        return None, None
    cos = np.einsum("kd,kd->k", src_vecs, tgt_vecs)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=RANDOM_PAIRS)
    j = (i + rng.integers(1, n, size=RANDOM_PAIRS)) % n  # never the row's own target
    rand = np.einsum("kd,kd->k", src_vecs[i], tgt_vecs[j])
    unrelated = Norm(float(rand.mean()), max(float(rand.std()), MIN_SD["similarity"]))
    return robust_norm(cos.tolist(), MIN_SD["similarity"]), unrelated
