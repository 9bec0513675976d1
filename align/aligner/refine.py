"""Refinement: embed the joined text of multi-sentence spans around doubtful beads, so that
where two groupings compete the real embedding decides instead of a sum of sentence vectors."""

from __future__ import annotations

import logging

import numpy as np

from align.aligner.options import AlignOptions

log = logging.getLogger(__name__)


def embed_uncertain_spans(beads, src, tgt, embedder, options: AlignOptions):
    """Embed the joined text of multi-sentence spans around beads that are not a sure 1-1.

    The length-weighted sum of sentence vectors is close to the embedding of the joined text,
    but where two groupings compete (which side a short heading or a split-off clause joins)
    the real embedding decides much better. Only spans near doubtful beads are embedded, at most
    ``refine_budget`` times the number of sentences, the most doubtful first.
    """
    n, m = len(src), len(tgt)
    max_a = max((a for a, _ in options.priors), default=1)
    max_b = max((b for _, b in options.priors), default=1)
    if options.refine_span is not None:
        max_a, max_b = min(max_a, options.refine_span), min(max_b, options.refine_span)
    # where each bead starts and ends (beads cover both sides in order; an omission plus an
    # addition from one step of the path are two beads)
    corners = [(0, 0)]
    for bead in beads:
        corners.append((corners[-1][0] + len(bead.src), corners[-1][1] + len(bead.tgt)))
    doubtful = sorted(
        (bead.confidence, k)
        for k, bead in enumerate(beads)
        if len(bead.src) != 1 or len(bead.tgt) != 1 or bead.confidence < options.refine_below
    )
    budget = int(options.refine_budget * (n + m))
    src_spans: dict[tuple[int, int], str] = {}
    tgt_spans: dict[tuple[int, int], str] = {}
    for _, k in doubtful:
        (i0, j0), (i1, j1) = corners[k], corners[k + 1]
        r0, r1 = max(i0 - 1, 0), min(i1 + 1, n)
        c0, c1 = max(j0 - 1, 0), min(j1 + 1, m)
        for texts, spans, s0, s1, most in ((src, src_spans, r0, r1, max_a), (tgt, tgt_spans, c0, c1, max_b)):
            for size in range(2, most + 1):
                for start in range(s0, s1 - size + 1):
                    spans.setdefault((start, size), " ".join(texts[start : start + size]))
        if len(src_spans) + len(tgt_spans) >= budget:
            break
    if not src_spans and not tgt_spans:
        return {}, {}
    keys = list(src_spans) + list(tgt_spans)
    vecs = embedder.encode(list(src_spans.values()) + list(tgt_spans.values())).astype(np.float64)
    exact_src = dict(zip(keys[: len(src_spans)], vecs[: len(src_spans)], strict=True))
    exact_tgt = dict(zip(keys[len(src_spans) :], vecs[len(src_spans) :], strict=True))
    log.debug("refined %d source and %d target spans", len(exact_src), len(exact_tgt))
    return exact_src, exact_tgt
