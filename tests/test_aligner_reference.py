"""The aligner's vectorised scoring and dynamic programme against a plain brute-force reference.

``test_aligner.py`` compares two routes through the vectorised code (box sums against per-cell
dot products), so an off-by-one that both share would pass it. Here every bead's score is
recomputed from the model's definitions with Python loops over the raw sentence vectors, and the
Viterbi, forward and backward tables are recomputed by a plain DP over the full grid, on small
random documents (n, m <= 8: the aligner searches them exhaustively, so the band is the grid).
Only the calibration (the per-document Gaussians) is taken from the aligner as an input.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from align.aligner.band import NEG
from align.aligner.dp import backward, forward, viterbi_path
from align.aligner.options import DEFAULT_PRIORS, AlignOptions
from align.aligner.scorer import Scorer
from align.aligner.search import prepare_level
from align.aligner.sides import Side
from align.aligner.signals import Calibration

TOL = 1e-9
DIM = 16
CASES = 40


# ---- random documents ----------------------------------------------------------------------------
def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=DIM)
    return v / np.linalg.norm(v)


def _document_pair(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors and lengths of a source and a target of 1..8 sentences each; the target is a
    noisy "translation" (1-1, merges, splits, omissions, additions) so that calibration finds
    matches, as it does on real text."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    src = [_unit(rng) for _ in range(n)]
    src_len = [float(rng.integers(5, 121)) for _ in range(n)]
    tgt: list[np.ndarray] = []
    tgt_len: list[float] = []
    i = 0
    while i < n and len(tgt) < 8:
        move = rng.random()
        if move < 0.1:  # omission
            i += 1
            continue
        if move < 0.2:  # addition
            tgt.append(_unit(rng))
            tgt_len.append(float(rng.integers(5, 121)))
            continue
        if move < 0.3 and i + 1 < n:  # merge
            v = src[i] * src_len[i] + src[i + 1] * src_len[i + 1]
            length = src_len[i] + src_len[i + 1]
            i += 2
        else:
            v, length = src[i] * src_len[i], src_len[i]
            i += 1
        v = v / np.linalg.norm(v) + 0.4 * rng.normal(size=DIM) / math.sqrt(DIM)
        if move > 0.9 and len(tgt) < 7:  # split in two noisy halves
            for part in (0.5, 0.5):
                w = v + 0.3 * rng.normal(size=DIM) / math.sqrt(DIM)
                tgt.append(w / np.linalg.norm(w))
                tgt_len.append(max(1.0, round(part * 1.1 * length * rng.uniform(0.8, 1.2))))
        else:
            tgt.append(v / np.linalg.norm(v))
            tgt_len.append(max(1.0, round(1.1 * length * rng.uniform(0.8, 1.2))))
    if not tgt:
        tgt, tgt_len = [_unit(rng)], [float(rng.integers(5, 121))]
    return np.array(src), np.array(src_len), np.array(tgt), np.array(tgt_len)


def _replace_floor(options: AlignOptions, log_priors) -> float | None:
    """log p(replacement) - log p(1-1), from the options and the normalised priors."""
    return None if options.replace_prior is None else math.log(options.replace_prior) - log_priors[(1, 1)]


def _build(seed: int):
    """The aligner's fine level for a random pair, built the way ``align_sentences`` builds it."""
    src, src_len, tgt, tgt_len = _document_pair(seed)
    options = AlignOptions()
    src_side = Side.build(src * src_len[:, None], src_len)
    tgt_side = Side.build(tgt * tgt_len[:, None], tgt_len)
    scorer, log_priors = prepare_level(src_side, tgt_side, options, None, fine=True)
    return src, src_len, tgt, tgt_len, scorer, log_priors, options


# ---- the model's definitions, written plainly ----------------------------------------------------
def _dot(u, v) -> float:
    return sum(float(x) * float(y) for x, y in zip(u, v, strict=True))


def _normed(v: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in v))
    return [x / max(norm, 1e-12) for x in v]


def _span(units: np.ndarray, lens: np.ndarray, start: int, size: int) -> list[float]:
    """Unit vector of a span: the normalised sum of its sentences' length-weighted unit vectors."""
    total = [0.0] * DIM
    for k in range(start, start + size):
        for d in range(DIM):
            total[d] += float(lens[k]) * float(units[k][d])
    return _normed(total)


def _mean_unit(units: np.ndarray) -> list[float]:
    return [sum(float(u[d]) for u in units) / len(units) for d in range(DIM)]


def _floor(vec: list[float], other_mean: list[float]) -> float:
    """Background cosine of a span to the other document: its mean cosine to it (Vecalign)."""
    return _dot(vec, other_mean)


def _z(cos: float, floor_a: float, floor_b: float) -> float:
    floor = 0.5 * (floor_a + floor_b)
    return 1.0 - (1.0 - cos) / max(1.0 - floor, 1e-6)


def _llr_linear(x: float, mu1: float, sd1: float, mu0: float, sd0: float) -> float:
    """log N(x; mu1, s) - log N(x; mu0, s), s the larger spread, expanded term by term."""
    s2 = max(sd0, sd1) ** 2
    return (-((x - mu1) ** 2) + (x - mu0) ** 2) / (2 * s2)


def _pdf(x: float, sd: float) -> float:
    return math.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) + 1e-300


class _Reference:
    """Bead scores of one document pair, cell by cell, from the raw unit vectors and lengths."""

    def __init__(self, src, src_len, tgt, tgt_len, cal: Calibration, replace_floor: float | None = None):
        self.src, self.src_len, self.tgt, self.tgt_len = src, src_len, tgt, tgt_len
        self.cal, self.replace_floor = cal, replace_floor
        self.src_mean, self.tgt_mean = _mean_unit(src), _mean_unit(tgt)

    def _src_span(self, start: int, size: int) -> tuple[list[float], float]:
        vec = _span(self.src, self.src_len, start, size)
        return vec, _floor(vec, self.tgt_mean)

    def _tgt_span(self, start: int, size: int) -> tuple[list[float], float]:
        vec = _span(self.tgt, self.tgt_len, start, size)
        return vec, _floor(vec, self.src_mean)

    def step(self, i: int, a: int, j: int, b: int) -> float:
        """The DP's score of the step: the bead's evidence; a 1-1 step is a translation or a
        replacement (log p(replacement) - log p(1-1) against random), the probabilities summed."""
        llr = self.llr(i, a, j, b)
        if (a, b) == (1, 1) and self.replace_floor is not None:
            top = max(llr, self.replace_floor)
            return top + math.log(math.exp(llr - top) + math.exp(self.replace_floor - top))
        return llr

    def llr(self, i: int, a: int, j: int, b: int) -> float:
        """Source sentences i-a .. i-1 against target sentences j-b .. j-1; a 2-2 bead may also
        be two swapped pairs, and takes the better reading."""
        whole = self._llr(i, a, j, b)
        if (a, b) == (2, 2):
            return max(whole, self._llr(i - 1, 1, j, 1) + self._llr(i, 1, j - 1, 1))
        return whole

    def _llr(self, i: int, a: int, j: int, b: int) -> float:
        cal = self.cal
        x, fx = self._src_span(i - a, a)
        y, fy = self._tgt_span(j - b, b)
        score = _llr_linear(_z(_dot(x, y), fx, fy), cal.mu1, cal.sd1, cal.mu0, cal.sd0)
        # part penalty: each sentence of a many-sentence side against the other side's whole,
        # expected to look like half a match; only the evidence against counts
        mu_part = 0.5 * (cal.mu0 + cal.mu1)
        if a > 1:
            for p in range(i - a, i):
                u, fu = self._src_span(p, 1)
                z = _z(_dot(u, y), fu, fy)
                score += min(_llr_linear(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
        if b > 1:
            for q in range(j - b, j):
                v, fv = self._tgt_span(q, 1)
                z = _z(_dot(x, v), fv, fx)
                score += min(_llr_linear(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
        # Gale-Church length deviation; a robust mixture for matches against the random spread
        ls = sum(float(self.src_len[k]) for k in range(i - a, i))
        lt = sum(float(self.tgt_len[k]) for k in range(j - b, j))
        mean = max(0.5 * (ls * cal.ratio + lt), 1.0)
        delta = (lt - cal.ratio * ls) / math.sqrt(cal.len_var * mean)
        p_match = 0.9 * _pdf(delta, 1.0) + 0.1 * _pdf(delta, cal.len_sd_random)
        return score + math.log(p_match) - math.log(_pdf(delta, cal.len_sd_random))


def _bead_scores(ref: _Reference, n: int, m: int, log_priors) -> dict:
    """score[(i, j, a, b)]: log prior plus evidence of the bead (a, b) ending at prefix (i, j)."""
    out = {}
    for (a, b), prior in log_priors.items():
        for i in range(a, n + 1):
            for j in range(b, m + 1):
                out[(i, j, a, b)] = prior + (ref.step(i, a, j, b) if a and b else 0.0)
    return out


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


def _plain_dp(scores: dict, n: int, m: int, types, mode: str) -> list[list[float]]:
    """Forward table over the full grid: D[i][j] = best (or log-sum) of all paths (0,0) -> (i,j)."""
    table = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    table[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if (i, j) == (0, 0):
                continue
            ways = [table[i - a][j - b] + scores[(i, j, a, b)] for a, b in types if i >= a and j >= b]
            ways = [w for w in ways if w > -math.inf]
            if ways:
                table[i][j] = max(ways) if mode == "max" else _logsumexp(ways)
    return table


def _plain_backward(scores: dict, n: int, m: int, types) -> list[list[float]]:
    """B[i][j] = log-sum of all paths (i,j) -> (n,m)."""
    table = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    table[n][m] = 0.0
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if (i, j) == (n, m):
                continue
            ways = [scores[(i + a, j + b, a, b)] + table[i + a][j + b] for a, b in types if i + a <= n and j + b <= m]
            table[i][j] = _logsumexp([w for w in ways if w > -math.inf] or [-math.inf])
    return table


def _assert_table(got: list[np.ndarray], want: list[list[float]], what: str) -> None:
    for i, (row_got, row_want) in enumerate(zip(got, want, strict=True)):
        assert len(row_got) == len(row_want), (what, i)
        for j, (g, w) in enumerate(zip(row_got, row_want, strict=True)):
            assert math.isfinite(w), (what, i, j)  # the full grid is reachable both ways
            assert math.isclose(float(g), w, rel_tol=TOL, abs_tol=TOL), (what, i, j, float(g), w)


# ---- the tests -----------------------------------------------------------------------------------
def _check_scores(scorer: Scorer, ref: _Reference, n: int, m: int) -> None:
    for a, b in DEFAULT_PRIORS:
        if not (a and b):
            continue
        for i in range(n + 1):
            row = scorer.row(i, a, b)
            assert len(row) == m + 1  # the full grid: lo = 0, hi = m
            for j in range(m + 1):
                if i < a or j < b:
                    assert row[j] == NEG, (a, b, i, j)
                    continue
                want = ref.step(i, a, j, b)
                assert math.isclose(float(row[j]), want, rel_tol=TOL, abs_tol=TOL), (a, b, i, j, float(row[j]), want)


@pytest.mark.parametrize("seed", range(CASES))
def test_bead_scores_match_the_definitions(seed):
    """Every bead type's score in every cell equals the model's formula evaluated by hand, for the
    scorer of the finest level."""
    src, src_len, tgt, tgt_len, scorer, log_priors, options = _build(seed)
    n, m = len(src), len(tgt)
    assert (int(scorer.lo.max()), int(scorer.hi.min())) == (0, m)  # small: searched in full
    _check_scores(scorer, _Reference(src, src_len, tgt, tgt_len, scorer.cal, _replace_floor(options, log_priors)), n, m)


@pytest.mark.parametrize("seed", range(CASES))
def test_dynamic_programme_matches_a_plain_one(seed):
    """Viterbi, forward and backward tables (every cell) equal a plain DP over all bead types,
    0-1 and 1-0 included, fed with the reference bead scores; the Viterbi path scores the max."""
    src, src_len, tgt, tgt_len, scorer, log_priors, options = _build(seed)
    n, m = len(src), len(tgt)
    ref = _Reference(src, src_len, tgt, tgt_len, scorer.cal, _replace_floor(options, log_priors))
    scores = _bead_scores(ref, n, m, log_priors)
    types = list(log_priors)
    assert {(1, 0), (0, 1)} <= set(types)

    best = _plain_dp(scores, n, m, types, "max")
    fwd = _plain_dp(scores, n, m, types, "sum")
    bwd = _plain_backward(scores, n, m, types)
    assert math.isclose(fwd[n][m], bwd[0][0], rel_tol=TOL, abs_tol=TOL)

    got_max, _, _ = forward(scorer, log_priors, "max")
    got_fwd, _, _ = forward(scorer, log_priors, "sum")
    got_bwd = backward(scorer, log_priors)
    _assert_table(got_max, best, "viterbi")
    _assert_table(got_fwd, fwd, "forward")
    _assert_table(got_bwd, bwd, "backward")

    path = viterbi_path(scorer, log_priors)
    assert path[0] == (0, 0) and path[-1] == (n, m)
    total = 0.0
    for (i0, j0), (i1, j1) in pairwise(path):
        assert (i1 - i0, j1 - j0) in log_priors, path
        total += scores[(i1, j1, i1 - i0, j1 - j0)]
    assert math.isclose(total, best[n][m], rel_tol=TOL, abs_tol=TOL), (path, total, best[n][m])
