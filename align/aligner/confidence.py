"""From a path to beads a translator can trust: the margin test that unlinks pairs looking
random against their nearest neighbours, and each bead's confidence (its posterior probability
times the probability that it is a translation)."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from align.aligner.band import NEG
from align.aligner.calibrate import calibrate
from align.aligner.dp import backward, forward
from align.aligner.options import AlignOptions
from align.aligner.scorer import Scorer
from align.aligner.signals import MARGIN_K
from align.document import Bead


def margin_scorer(scorer: Scorer, options: AlignOptions) -> Scorer | None:
    if not options.unlink_random or min(scorer.src.n, scorer.tgt.n) <= MARGIN_K:
        # with MARGIN_K or fewer sentences on a side the "neighbours" are the whole document,
        # the candidate match among them: there is no background to stand out from
        return None
    band = (scorer.lo, scorer.hi)
    cal = calibrate(scorer.src, scorer.tgt, band, scorer.mt, margin=True)
    return Scorer(scorer.src, scorer.tgt, cal, band, scorer.mt, scorer.mt_weight, margin=True)


def split_unlikely(path, margin: Scorer | None):
    """Unlink every 1-1 bead of the path whose pair fails the margin test at even odds.

    The bead priors weigh a 1-1 bead against a 1-0 plus a 0-1 by p(1,1) / (p(1,0) p(0,1)), about
    9 nats: right for choosing *where* the path goes, but it links two leftover sentences (a tag
    line and a translator's note) whenever their similarity is above the document's average. The
    margin scorer asks the stricter question, calibrated on this document like the main one: does
    the pair stand out from the nearest neighbours of both its sentences more like a translation
    than like a random pair? Where it does not, the bead is an omission plus an addition.
    """
    if margin is None:
        return path
    llr = margin_llrs(path, margin)
    out = [path[0]]
    for k, ((i0, j0), (i1, j1)) in enumerate(pairwise(path)):
        if i1 - i0 == 1 and j1 - j0 == 1 and llr[k] < 0.0:
            out.append((i1, j0))
        out.append((i1, j1))
    return out


def margin_llrs(path, margin: Scorer | None) -> dict[int, float]:
    """The margin scorer's log-likelihood ratio of each linked bead of the path, by bead index."""
    if margin is None or len(path) < 2:
        return {}
    starts = np.array(path[:-1], dtype=np.int64).reshape(-1, 2)
    ends = np.array(path[1:], dtype=np.int64).reshape(-1, 2)
    sizes = ends - starts
    out: dict[int, float] = {}
    for a, b in {(int(a), int(b)) for a, b in sizes if a and b}:
        which = np.flatnonzero((sizes[:, 0] == a) & (sizes[:, 1] == b))
        out.update(zip(which.tolist(), margin.llr(ends[which, 0], a, ends[which, 1], b).tolist(), strict=True))
    return out


def beads_with_confidence(path, scorer: Scorer, log_priors, options: AlignOptions, margin: Scorer | None = None) -> list[Bead]:
    """Beads of the path, each with its posterior probability (forward-backward in the band).

    A linked bead's posterior is then multiplied by the probability that it is a translation
    rather than a random pairing of these documents, on the weaker of two pieces of evidence: the
    bead's own score, and the margin test against the nearest neighbours (when there is one). The
    first is too lenient with many-sentence beads: sums of unrelated sentence vectors drift
    towards the document's average and look less random than single sentences do.
    """
    lo = scorer.lo
    n, m = len(lo) - 1, int(scorer.hi[-1])
    fwd, _, _ = forward(scorer, log_priors, "sum")
    bwd = backward(scorer, log_priors)
    total = fwd[n][m - lo[n]]
    margin_llr = margin_llrs(path, margin)
    beads = []
    for k, ((i0, j0), (i1, j1)) in enumerate(pairwise(path)):
        a, b = i1 - i0, j1 - j0
        s = log_priors[(a, b)]
        if a and b:
            s += float(scorer.row(i1, a, b)[j1 - lo[i1]])
        # a bead made by unlinking a 1-1 at the band's edge can start or end outside the band:
        # the model gives it no mass there
        post = float(np.exp(min(table_cell(fwd, scorer, i0, j0) + s + table_cell(bwd, scorer, i1, j1) - total, 0.0)))
        if a and b:
            evidence = min(s - log_priors[(a, b)], margin_llr.get(k, math.inf))
            post *= 1.0 / (1.0 + math.exp(-min(max(evidence, -50.0), 50.0)))
        else:
            post = min(post, options.null_confidence_cap)
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(post, 4)))
    return beads


def table_cell(rows: list[np.ndarray], scorer: Scorer, i: int, j: int) -> float:
    """Entry (i, j) of a forward or backward table over the band; NEG outside the band."""
    if not scorer.lo[i] <= j <= scorer.hi[i]:
        return NEG
    return float(rows[i][j - scorer.lo[i]])
