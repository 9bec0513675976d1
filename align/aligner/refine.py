"""Refinement: embed the joined text of the multi-sentence spans that plausible beads use, so that
where two groupings compete the real embedding decides instead of a sum of sentence vectors.

Which spans are embedded must not depend on how beads elsewhere in the document rank: an earlier
rule embedded the spans around the most doubtful beads up to a budget, so a bead's neighbourhood
was refined or not depending on whether unrelated beads were a little more or less doubtful. Two
CPUs' int8 kernels (vectors a hair apart: devtools/RESULTS.md, "Figures cited by the code") then
gave different beads, sure ones included (a document followed by itself lost its title's second
copy: a 2-2 bead of two stray lines and the title was refined on one machine and not on another).
Each span is now judged on its own: its probability of being one side of a bead on the path
(forward-backward over the band), against a fixed threshold, far below any bead the page would
show as sure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from align.aligner.band import band_cells
from align.aligner.dp import cached_moves, posterior_tables
from align.aligner.options import AlignOptions
from align.aligner.scorer import Scorer

log = logging.getLogger(__name__)

Span = tuple[int, int]  # (first unit, number of units)
Priors = dict[tuple[int, int], float]
Embedded = dict[Span, np.ndarray]


def refine(scorer: Scorer, log_priors: Priors, src: Sequence[str], tgt: Sequence[str], embedder, options: AlignOptions) -> Scorer:
    """The scorer with the joined text's embedding for every plausible span (``plausible_spans``);
    the scorer itself where there is none."""
    src_spans, tgt_spans = plausible_spans(scorer, log_priors, options)
    if not src_spans and not tgt_spans:
        return scorer
    exact_src, exact_tgt = embed_spans(src_spans, tgt_spans, src, tgt, embedder)
    log.debug("refined %d source and %d target spans", len(exact_src), len(exact_tgt))
    scorer.drop_tables()
    return scorer.with_exact(exact_src, exact_tgt)


def plausible_spans(scorer: Scorer, log_priors: Priors, options: AlignOptions) -> tuple[list[Span], list[Span]]:
    """Source and target spans of 2 to ``refine_span`` sentences that are one side of a bead on
    the path with probability ``options.refine_mass`` or more, the most probable first; at most
    ``refine_budget`` x sentences of them (a guard for documents where everything is in doubt)."""
    limit = options.refine_span or max(max(a, b) for a, b in log_priors)
    masses = span_masses(scorer, log_priors, limit)
    ranked = sorted(
        (-float(mass[start]), side, size, int(start))
        for (side, size), mass in masses.items()
        for start in np.flatnonzero(mass >= options.refine_mass)
    )
    n, m = len(scorer.lo) - 1, int(scorer.hi[-1])
    chosen: tuple[list[Span], list[Span]] = ([], [])
    for _, side, size, start in ranked[: int(options.refine_budget * (n + m))]:
        chosen[side].append((start, size))
    return chosen


def span_masses(scorer: Scorer, log_priors: Priors, limit: int) -> dict[tuple[int, int], np.ndarray]:
    """For each side (0 source, 1 target) and span size 2..``limit``, the probability that the span
    starting at each unit is one side of a bead on the path (a sum of bead posteriors: a path
    holds at most one bead with that exact side)."""
    fwd, bwd, total = posterior_tables(scorer, log_priors)
    moves = cached_moves(scorer, log_priors, backward=False)
    lo, n, m = scorer.lo, len(scorer.lo) - 1, int(scorer.hi[-1])
    rows, cols = band_cells(lo, scorer.off, 0, n + 1)
    masses: dict[tuple[int, int], np.ndarray] = {}
    for t, (a, b) in enumerate(moves.types):
        wide = [(side, size, ends) for side, size, ends in ((0, a, rows), (1, b, cols)) if 2 <= size <= limit]
        if not wide:
            continue
        log_post = fwd[moves.source[t]] + moves.prior[t, 0] + moves.llr[t] + bwd - total
        post = np.exp(np.minimum(log_post, 0.0))
        ok = (rows >= a) & (cols >= b)
        for side, size, ends in wide:
            units = n if side == 0 else m
            mass = np.bincount(ends[ok] - size, weights=post[ok], minlength=units + 1)
            masses[(side, size)] = masses.get((side, size), 0.0) + mass
    return masses


def embed_spans(
    src_spans: list[Span], tgt_spans: list[Span], src: Sequence[str], tgt: Sequence[str], embedder
) -> tuple[Embedded, Embedded]:
    """The embedding of each span's joined text (sentences joined with a space)."""
    if not src_spans and not tgt_spans:
        return {}, {}
    texts = [" ".join(src[s : s + k]) for s, k in src_spans] + [" ".join(tgt[s : s + k]) for s, k in tgt_spans]
    vecs = embedder.encode(texts).astype(np.float64)
    return dict(zip(src_spans, vecs[: len(src_spans)], strict=True)), dict(zip(tgt_spans, vecs[len(src_spans) :], strict=True))
