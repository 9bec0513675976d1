"""Each signal's match and random distributions, estimated from the document itself: random
pairs for one, mutual best matches for the other. So the scores are scale-free and nothing is
fitted to a language pair or a benchmark."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np

from align.aligner.band import band_cells
from align.aligner.mtsignal import MTSignal
from align.aligner.scorer import Scorer
from align.aligner.sides import Side
from align.aligner.signals import Calibration, normalise

log = logging.getLogger(__name__)


def calibrate(
    src: Side,
    tgt: Side,
    band: tuple[np.ndarray, np.ndarray],
    mt: MTSignal | None,
    seed: int = 0,
    types: Sequence[tuple[int, int]] = (),
) -> Calibration:
    """Estimate the match and random distributions of each signal at this level.

    Random: a sample of random sentence pairs of the two documents (and of random span pairs for
    each many-sentence bead type in ``types``). Match: the pairs that are each other's most similar
    sentence within the band (mutual best), which are nearly all true.
    """
    n, m = src.n, tgt.n
    ratio = float(tgt.cum_len[-1] / max(src.cum_len[-1], 1.0))
    probe = Scorer(src, tgt, Calibration(0, 1, 0, 1, ratio, 1.0, 1.0), band)
    best_j, best_z, col_best_i = best_in_band(probe)
    mutual = np.flatnonzero(np.isfinite(best_z))
    mutual = mutual[col_best_i[best_j[mutual]] == mutual]
    # random pairs: all pairs of a short document, else a sample; never a mutual best match
    # (in a short document those would be a large share of "random" pairs)
    if n * m <= 4000:
        ri, rj = (g.ravel() + 1 for g in np.meshgrid(np.arange(n), np.arange(m), indexing="ij"))
    else:
        rng = np.random.default_rng(seed)
        ri, rj = rng.integers(1, n + 1, size=2000), rng.integers(1, m + 1, size=2000)
    keep = ~np.isin(ri * (m + 1) + rj, mutual * (m + 1) + best_j[mutual])
    if keep.sum() >= 2:
        ri, rj = ri[keep], rj[keep]
    k = len(ri)
    xs, fx = probe.spans(0, 1)
    ys, fy = probe.spans(1, 1)
    if src.background is not None and tgt.background is not None:
        z_rand, d_rand = background_pairs(src, tgt, src.background, xs, fx, ys, fy, ratio)
        k = len(z_rand)
    else:
        cos = np.einsum("kd,kd->k", xs[ri - 1], ys[rj - 1])
        z_rand = normalise(cos, fx[ri - 1], fy[rj - 1])
        ls, lt = src.cum_len[ri] - src.cum_len[ri - 1], tgt.cum_len[rj] - tgt.cum_len[rj - 1]
        d_rand = (lt - ratio * ls) / np.sqrt(np.maximum(0.5 * (ls * ratio + lt), 1.0))
    # a document that repeats itself (boilerplate, a header on every page, a text pasted twice)
    # has translations among its "random" pairs: leave out those beyond 3 spreads
    clipped = z_rand <= float(np.mean(z_rand)) + 3 * float(np.std(z_rand))
    if clipped.sum() >= 2:
        z_rand, d_rand = z_rand[clipped], d_rand[clipped]
    mu0, sd0 = float(np.mean(z_rand)), max(float(np.std(z_rand)), 1e-3)
    # a mutual best pair counts as a match only if no random pair would plausibly score as high
    # (3 standard deviations); two unrelated texts then have no matches to learn from
    mutual = mutual[best_z[mutual] > mu0 + 3 * sd0]
    if len(mutual) >= 3:
        mu1, sd1 = robust(best_z[mutual])
    else:
        # nothing to learn from: expect a translation halfway between random (z = 0) and the
        # identical sentence (z = 1), and clearly out of the random range
        mu1, sd1 = max(mu0 + 4 * sd0, 0.5), sd0
    mu1 = max(mu1, mu0 + sd0)
    sd1 = max(sd1, 1e-3)
    # Gale-Church variance from the mutual matches: delta^2 with s^2 = 1 has median 0.455
    if len(mutual) >= 3:
        ls = src.cum_len[mutual] - src.cum_len[mutual - 1]
        lt = tgt.cum_len[best_j[mutual]] - tgt.cum_len[best_j[mutual] - 1]
        mean = np.maximum(0.5 * (ls * ratio + lt), 1.0)
        len_var = float(np.median((lt - ratio * ls) ** 2 / mean) / 0.455)
    else:
        len_var = 6.8  # Gale & Church's value, for documents too short to estimate it
    len_var = max(len_var, 0.5)
    len_sd_random = max(float(np.std(d_rand)) / math.sqrt(len_var), 2.0) if k > 1 else 5.0
    cal = Calibration(mu1, sd1, mu0, sd0, ratio, len_var, len_sd_random)
    if src.background is None:
        cal.random_spans = random_spans(probe, types, np.random.default_rng(seed + 1), (mu0, sd0))
    if mt is not None and len(mutual) >= 3:
        cal.mt = calibrate_mt(mt, ri, rj, mutual, best_j[mutual])
    log.debug("calibration n=%d m=%d: %s", n, m, cal)
    return cal


# The MT signal counts only where its matches stand this many spreads clear of random pairs.
MT_MIN_SEPARATION = 2.0


def calibrate_mt(mt: MTSignal, ri: np.ndarray, rj: np.ndarray, match_i: np.ndarray, match_j: np.ndarray):
    """Match and random distributions of the MT signal, or None when the machine translation does
    not resemble the target: a wrong package, a wrong file or a failed translation is fluent text
    unrelated to the target, and a signal that cannot tell the embeddings' matches from random
    pairs would only add noise (MT should help or be ignored, never hurt)."""
    c_rand = mt.similarity(ri, 1, rj, 1)
    c_match = mt.similarity(match_i, 1, match_j, 1)
    m1, s1 = robust(c_match)
    m0, s0 = float(np.mean(c_rand)), max(float(np.std(c_rand)), 1e-3)
    if m1 - m0 < MT_MIN_SEPARATION * max(s0, s1):
        log.warning(
            "the machine translation does not resemble the target (matches %.2f, random pairs %.2f +- %.2f): not used",
            m1,
            m0,
            s0,
        )
        return None
    return (m1, max(s1, 1e-3), m0, s0)


def random_spans(
    probe: Scorer, types: Sequence[tuple[int, int]], rng: np.random.Generator, single: tuple[float, float]
) -> dict[tuple[int, int], tuple[float, float]]:
    """z of random span pairs (starts drawn anywhere in the documents) for each many-sentence bead
    type: what "unrelated" looks like for a bead of that shape. Never below the single-sentence
    values, and left at them where the documents are too short to draw from."""
    n, m = probe.src.n, probe.tgt.n
    out = {}
    for a, b in types:
        if a == 0 or b == 0 or (a, b) == (1, 1) or a > n or b > m:
            continue
        starts = min((n - a + 1) * (m - b + 1), 2000)
        if starts < 20:
            continue
        p, q = rng.integers(0, n - a + 1, size=starts), rng.integers(0, m - b + 1, size=starts)
        xs, fx = probe.spans(0, a)
        ys, fy = probe.spans(1, b)
        z = normalise(np.einsum("kd,kd->k", xs[p], ys[q]), fx[p], fy[q])
        out[(a, b)] = (max(float(np.mean(z)), single[0]), max(float(np.std(z)), single[1]))
    return out


def robust(values: np.ndarray) -> tuple[float, float]:
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med))) * 1.4826
    return med, mad


def best_in_band(probe: Scorer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each source unit i (1..n), its most similar target unit within the band (the first one
    on a tie) and that similarity (-inf for a row without candidates); for each target unit j, the
    first source unit of highest similarity (0 where none)."""
    n, m = len(probe.lo) - 1, int(probe.hi[-1])
    z = probe.cells([(1, 1, probe.z)])[0]
    rows, cols = band_cells(probe.lo, probe.off, 0, n + 1)
    ok = (rows >= 1) & (cols >= 1)
    z[~ok] = -np.inf
    best_j = np.zeros(n + 1, dtype=np.int64)
    best_z = np.full(n + 1, -np.inf)
    row_max = np.maximum.reduceat(z, probe.off[:-1])
    first = np.flatnonzero(ok & (z == row_max[rows]))
    hit, at = np.unique(rows[first], return_index=True)
    best_j[hit], best_z[hit] = cols[first[at]], z[first[at]]
    col_max = np.full(m + 1, -np.inf)
    np.maximum.at(col_max, cols[ok], z[ok])
    first = np.flatnonzero(ok & (z == col_max[cols]))  # row-major: the first of a column is its lowest i
    col_best_i = np.zeros(m + 1, dtype=np.int64)
    hit, at = np.unique(cols[first], return_index=True)
    col_best_i[hit] = rows[first[at]]
    return best_j, best_z, col_best_i


def background_pairs(
    src: Side, tgt: Side, background: tuple[np.ndarray, np.ndarray], xs, fx, ys, fy, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """z and length deviation of random pairs for a short document: each of its sentences
    against each ``background`` sentence (source x background, background x target)."""
    bg_units, bg_len = background
    fb = bg_units @ src.mean_unit
    z = [
        normalise(xs @ bg_units.T, fx[:, None], fb[None, :]).ravel(),
        normalise(bg_units @ ys.T, fb[:, None], fy[None, :]).ravel(),
    ]
    ls = np.concatenate([np.repeat(np.diff(src.cum_len), len(bg_len)), np.repeat(bg_len, tgt.n)])
    lt = np.concatenate([np.tile(bg_len, src.n), np.tile(np.diff(tgt.cum_len), len(bg_len))])
    d = (lt - ratio * ls) / np.sqrt(np.maximum(0.5 * (ls * ratio + lt), 1.0))
    return np.concatenate(z), d
