"""From a path to beads a translator can trust: each bead's confidence, its posterior probability
times the probability that it is a translation."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from align.aligner.band import NEG
from align.aligner.dp import posterior_tables
from align.aligner.options import AlignOptions
from align.aligner.scorer import Scorer
from align.aligner.signals import logistic
from align.document import Bead


def beads_with_confidence(path, scorer: Scorer, log_priors, options: AlignOptions) -> list[Bead]:
    """Beads of the path, each with its posterior probability (forward-backward in the band).

    A linked bead's posterior is then multiplied by the probability that it is a translation
    rather than a random pairing of these documents (the bead's own log-likelihood ratio): a
    path must cover every sentence, so it can be the best path and still pair two leftovers.
    A 1-1 step more likely a replacement than a translation (``Scorer.replaced``) becomes an
    omission and an addition.
    """
    lo = scorer.lo
    fwd, bwd, total = posterior_tables(scorer, log_priors)
    beads = []
    evidences = bead_evidence(path, scorer)
    for k, ((i0, j0), (i1, j1)) in enumerate(pairwise(path)):
        a, b = i1 - i0, j1 - j0
        s = log_priors[(a, b)]
        if a and b:
            s += float(scorer.row(i1, a, b)[j1 - lo[i1]])
        post = float(np.exp(min(table_cell(fwd, scorer, i0, j0) + s + table_cell(bwd, scorer, i1, j1) - total, 0.0)))
        replaced = scorer.replaced(i1, j1) if (a, b) == (1, 1) else 0.0
        if replaced > 0.5:
            # the pair is more likely unrelated sentences in the same place: an omission plus an addition
            cap = min(post * replaced, options.null_confidence_cap)
            beads += [Bead((i0,), (), round(cap, 4)), Bead((), (j0,), round(cap, 4))]
            continue
        if a and b:
            evidence = evidences[k]
            post *= logistic(evidence)
        else:
            post = min(post, options.null_confidence_cap)
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(post, 4)))
    return beads


def bead_evidence(path, scorer: Scorer) -> dict[int, float]:
    """Each linked bead's log-likelihood ratio against random spans of its own shape, by bead
    index; computed per bead type, vectorised over the beads of that type."""
    if len(path) < 2:
        return {}
    starts = np.array(path[:-1], dtype=np.int64).reshape(-1, 2)
    ends = np.array(path[1:], dtype=np.int64).reshape(-1, 2)
    sizes = ends - starts
    out: dict[int, float] = {}
    for a, b in {(int(a), int(b)) for a, b in sizes if a and b}:
        which = np.flatnonzero((sizes[:, 0] == a) & (sizes[:, 1] == b))
        llr = scorer.llr(ends[which, 0], a, ends[which, 1], b, span_random=True)
        out.update(zip(which.tolist(), llr.tolist(), strict=True))
    return out


def table_cell(table: np.ndarray, scorer: Scorer, i: int, j: int) -> float:
    """Entry (i, j) of a forward or backward table over the band (the flat store); NEG outside the band."""
    if not scorer.lo[i] <= j <= scorer.hi[i]:
        return NEG
    return float(table[scorer.off[i] + j - scorer.lo[i]])
