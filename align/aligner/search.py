"""The whole alignment, top-down: embed both sides, score the finest level in a band around the
coarser levels' paths (coarse to fine), embed the joined text of the multi-sentence spans that
plausible beads there use (refine), then find the path and give each bead its confidence."""

from __future__ import annotations

import logging
import math
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from align.aligner.band import band_from_path, full_band
from align.aligner.calibrate import calibrate
from align.aligner.confidence import beads_with_confidence
from align.aligner.dp import viterbi_path
from align.aligner.mtsignal import MTSignal
from align.aligner.options import COARSE_TYPES, DEFAULT_PRIORS, AlignOptions
from align.aligner.refine import refine
from align.aligner.scorer import Scorer
from align.aligner.sides import Side, use_background
from align.aligner.signals import SHORT_SIDE
from align.aligner.wordcheck import merge_crossing
from align.document import Bead
from align.progress import Progress

log = logging.getLogger(__name__)


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    embedder=None,
    mt: Sequence[str] | None = None,
    options: AlignOptions | None = None,
    progress: Progress | None = None,
) -> list[Bead]:
    """Align two sentence lists; every sentence of both sides is in exactly one bead, in order.

    ``embedder``: an ``align.embed.embedder.Embedder`` (its cache makes re-aligning after an edit cheap);
    a fresh in-memory one when None. ``mt``: the machine translation of each source sentence,
    used as an extra signal. ``progress(done, total)`` reports embedding progress.
    """
    options = options or AlignOptions()
    src, tgt = [as_compared(s) for s in src], [as_compared(t) for t in tgt]
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"mt has {len(mt)} sentences for {len(src)} source sentences")
    if mt is not None:
        mt = [as_compared(t) for t in mt]
    with blas_threads(options.threads):
        return _align(src, tgt, embedder, mt, options, progress)


def as_compared(sentence: object) -> str:
    """A sentence as the aligner compares it: Unicode NFC, runs of whitespace (line ends, tabs, no-break
    spaces) as one space, none at the ends. Text that reads the same must align the same: a
    trailing space, a CRLF file or a decomposed umlaut once changed the beads."""
    return " ".join(unicodedata.normalize("NFC", str(sentence)).split())


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limit: Any = None  # threadpoolctl's limit while any alignment runs


@contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """Limit numpy's BLAS to ``threads`` while alignments run. OpenBLAS's thread count belongs to
    the process, not to a thread, so overlapping alignments (two page sessions) share one limit:
    the first to start sets it, the last to end restores what was there before."""
    global _blas_users, _blas_limit
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with _blas_lock:
        if _blas_users == 0:
            _blas_limit = threadpool_limits(limits=threads, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limit.restore_original_limits()
                _blas_limit = None


def _align(src: list[str], tgt: list[str], embedder, mt, options: AlignOptions, progress) -> list[Bead]:
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        cap = options.null_confidence_cap
        return [Bead((i,), (), cap) for i in range(n)] + [Bead((), (j,), cap) for j in range(m)]
    if embedder is None:
        from align.embed import Embedder

        embedder = Embedder()
    vectors = embedder.encode(src + tgt, progress=progress).astype(np.float64)
    src_len = np.array([max(len(s.strip()), 1) for s in src], dtype=np.float64)
    tgt_len = np.array([max(len(t.strip()), 1) for t in tgt], dtype=np.float64)
    src_side = Side.build(vectors[:n] * src_len[:, None], src_len)
    tgt_side = Side.build(vectors[n:] * tgt_len[:, None], tgt_len)
    if min(n, m) <= SHORT_SIDE:
        use_background(src_side, tgt_side, embedder)
    mt_signal = MTSignal(mt, tgt, max_span=max(max(a, b) for a, b in options.priors)) if mt is not None else None

    scorer, log_priors = prepare_level(src_side, tgt_side, options, mt_signal, fine=True)
    if options.refine:
        scorer = refine(scorer, log_priors, src, tgt, embedder, options)
    beads = beads_with_confidence(viterbi_path(scorer, log_priors), scorer, log_priors, options)
    if options.word_check:
        beads = merge_crossing(beads, src, tgt, word_aligner_for(embedder), options)
    return beads


def word_aligner_for(embedder):
    """The word aligner whose encoder lives beside the embedder's converted model (one conversion
    per data folder); the process-wide one, in a temporary folder, when the embedder keeps none."""
    from align.words.aligner import WordAligner, default_aligner

    models_dir = getattr(embedder, "models_dir", None)
    if models_dir is None:
        return default_aligner()
    return WordAligner(models_dir=models_dir, threads=getattr(embedder, "threads", None))


def prepare_level(src: Side, tgt: Side, options: AlignOptions, mt: MTSignal | None, fine: bool):
    """The band (from the coarser level's path, or the full grid when small) and the scorer."""
    n, m = src.n, tgt.n
    if (n + 1) * (m + 1) <= options.exhaustive_cells or min(n, m) < 4:
        band = full_band(n, m)
    else:
        coarse, coarse_priors = prepare_level(src.downsample(), tgt.downsample(), options, None, fine=False)
        band = band_from_path(viterbi_path(coarse, coarse_priors), n, m, options.band)
    if fine:
        log_priors = normalised_log_priors(list(options.priors), options.priors)
    else:
        log_priors = normalised_log_priors(COARSE_TYPES, {**DEFAULT_PRIORS, **options.priors})
    cal = calibrate(src, tgt, band, mt if fine else None, types=list(log_priors))
    if not fine:
        return Scorer(src, tgt, cal, band), log_priors
    return Scorer(src, tgt, cal, band, mt, options.mt_weight, replace_floor=replace_floor(options, log_priors)), log_priors


def replace_floor(options: AlignOptions, log_priors: dict[tuple[int, int], float]) -> float | None:
    """A replacement's score on the scale of a 1-1 bead's evidence: log p(replacement) - log p(1-1)."""
    if not options.replace_prior or (1, 1) not in log_priors:
        return None
    return math.log(options.replace_prior) - log_priors[(1, 1)]


def normalised_log_priors(types: Sequence[tuple[int, int]], priors: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    chosen = {t: priors.get(t, 0.0) for t in types if priors.get(t, 0.0) > 0}
    total = sum(chosen.values())
    return {t: math.log(p / total) for t, p in chosen.items()}
