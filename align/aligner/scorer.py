"""Bead scores for every cell of a level's band: each signal combined into one log-likelihood
ratio per bead type, vectorised over the band's cells in chunks of whole rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from align.aligner.band import NEG, band_cells, band_offsets
from align.aligner.mtsignal import MTSignal
from align.aligner.sides import Side
from align.aligner.signals import Calibration, gauss_llr, logistic, normal_pdf, normalise

# Band cells scored together: whole rows, about this many cells (small matrix products, small memory).
CHUNK_CELLS = 4096


class ChunkCos:
    """Dot products between the spans that the beads ending in a few band rows touch.

    A span's vector is the sum of its units' length-weighted vectors, so the dot product of a
    source span and a target span is a box sum of the units' dot products. One matrix product of
    the units these cells reach (short runs of both sides) then serves every span size, bead type
    and signal, where a product per span size and a dot product per cell cost much more. Where
    the runs are long compared with the cells (a wide band row after a large omission) it is not
    computed (``dense`` False) and the callers take per-cell dot products instead.
    """

    def __init__(self, left, right, rows: np.ndarray, cols: np.ndarray, reach: tuple[int, int]):
        """``left``/``right``: the units' vectors of the two sides, one row a unit (dense arrays,
        or scipy sparse matrices for the MT signal's n-gram counts)."""
        self.p0, p1 = max(int(rows.min()) - reach[0], 0), int(rows.max())
        self.q0, q1 = max(int(cols.min()) - reach[1], 0), int(cols.max())
        self.dense = (p1 - self.p0) * (q1 - self.q0) <= 8 * len(rows) + 4096
        self._boxes: dict[tuple[int, int], np.ndarray] = {}
        if self.dense:
            product = left[self.p0 : p1] @ right[self.q0 : q1].T
            self._boxes[(1, 1)] = product if isinstance(product, np.ndarray) else product.toarray()

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


class Scorer:
    """Bead scores at one level for every cell of the band, one flat array per bead type.

    The band's cells are stored row after row (row i holds j = lo[i] .. hi[i]); a bead type's
    scores are computed for all of them at once, vectorised over the cells, the first time a
    pass asks for that type, and the Viterbi, forward and backward passes all reuse them.
    ``exact_src``/``exact_tgt`` map a span (start, size) to the embedding of its joined text;
    spans without one use the length-weighted sum of their sentence vectors.
    """

    def __init__(
        self,
        src: Side,
        tgt: Side,
        cal: Calibration,
        band: tuple[np.ndarray, np.ndarray],
        mt: MTSignal | None = None,
        mt_weight: float = 1.0,
        exact_src: dict[tuple[int, int], np.ndarray] | None = None,
        exact_tgt: dict[tuple[int, int], np.ndarray] | None = None,
        replace_floor: float | None = None,
    ):
        self.src, self.tgt, self.cal, self.mt, self.mt_weight = src, tgt, cal, mt, mt_weight
        self.replace_floor = replace_floor
        self._linked11: np.ndarray | None = None  # 1-1 scores as a translation only (see ``prepare``)
        self.lo, self.hi = band
        self.off = band_offsets(self.lo, self.hi)
        self._exact = (exact_src or {}, exact_tgt or {})
        self._spans: dict[tuple[int, int, bool], tuple[np.ndarray, np.ndarray]] = {}
        self._norms: dict[tuple[int, int], np.ndarray] = {}
        self._masks: dict[tuple[int, int], np.ndarray] = {}
        self._types: dict[tuple[int, int], np.ndarray] = {}
        self._cos: ChunkCos | None = None  # the chunk being scored
        self._mt_cos: ChunkCos | None = None  # the same chunk's MT n-gram products
        self.moves: dict = {}  # the DP's moves per direction and priors (see moves_of)
        self.tables: dict = {}  # forward and backward log-sums per priors (see posterior_tables)

    def with_exact(self, exact_src: dict[tuple[int, int], np.ndarray], exact_tgt: dict[tuple[int, int], np.ndarray]) -> Scorer:
        """The same level (sides, calibration, band, MT, replacements) with joined-span
        embeddings: refine's second search."""
        return Scorer(
            self.src, self.tgt, self.cal, (self.lo, self.hi), self.mt, self.mt_weight, exact_src, exact_tgt, self.replace_floor
        )

    def drop_tables(self) -> None:
        """Free the dynamic programme's moves and tables (arrays the size of the band for each bead
        type) once a refined scorer takes this one's place."""
        self.moves.clear()
        self.tables.clear()

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
            self._spans[key] = (vec, vec @ other.mean_unit)
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

    def z(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        """Normalised similarity of source units [i-a, i) with target units [j-b, j) for each
        cell (i, j) of ``rows``/``cols``.

        A side of several sentences is the embedding of its joined text where ``refine`` made one,
        else the length-weighted sum of its sentences' vectors. The joined text is the better
        evidence (a sentence the other side lacks dilutes it, which the sum hides), and it counts
        the same way for every bead type: when it replaced the sum for 1-n beads but only raised
        n-n beads (the better of the two), a refined 2-1 bead next to an added sentence lost to a
        2-2 bead under noise the size of two CPUs' differences (``tests/test_aligner_noise.py``).
        Two neighbours swapped by the translator are the 2-2 bead's other reading (``llr``).
        """
        fx, fy = self.spans(0, a)[1], self.spans(1, b)[1]
        cos = self._cosine(a, True, b, True, rows - a, cols - b)
        return normalise(cos, fx[rows - a], fy[cols - b])

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
                z = normalise(self._cosine(1, False, b, True, p, q), fx1[p], fy[q])
                penalty += np.minimum(gauss_llr(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
                penalty += self._mt_part(p + 1, 1, cols, b)
        if b > 1:
            fx, fy1 = self.spans(0, a)[1], self.spans(1, 1, exact=False)[1]
            p = rows - a
            for k in range(b):
                q = cols - b + k
                z = normalise(self._cosine(a, True, 1, False, p, q), fy1[q], fx[p])
                penalty += np.minimum(gauss_llr(z, mu_part, cal.sd1, cal.mu0, cal.sd0), 0.0)
                penalty += self._mt_part(rows, a, q + 1, 1)
        return penalty

    def _mt_part(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray | float:
        """The MT signal's share of ``part_penalty`` for one part (a single sentence on one side
        against the other side's whole): an omitted sentence's translation shares no words with
        the target, which the embeddings of a joined bead can miss."""
        if self.mt is None or self.cal.mt is None:
            return 0.0
        m1, s1, m0, s0 = self.cal.mt
        sim = self.mt.similarity(rows, a, cols, b, self._mt_cos)
        return self.mt_weight * np.minimum(gauss_llr(sim, 0.5 * (m0 + m1), s1, m0, s0), 0.0)

    def length_delta(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int) -> np.ndarray:
        cal = self.cal
        ls = self.src.cum_len[rows] - self.src.cum_len[rows - a]
        lt = self.tgt.cum_len[cols] - self.tgt.cum_len[cols - b]
        mean = np.maximum(0.5 * (ls * cal.ratio + lt), 1.0)
        return (lt - cal.ratio * ls) / np.sqrt(cal.len_var * mean)

    def llr(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int, span_random: bool = False) -> np.ndarray:
        """Evidence that each bead (a, b) ending at a cell (i, j) is a translation
        (log-likelihood ratio vs random pairing).

        A 2-2 bead is also read as two swapped pairs (source i-2 with target j-1, i-1 with j-2)
        and takes the better reading. The path is found against random *sentence* pairs, which
        keeps the bead types comparable in the search; whether a bead on the path is a translation
        at all (its confidence) is judged against random spans of its own shape (``span_random``,
        ``Calibration.random_of``).
        """
        score = self._llr(rows, a, cols, b, span_random)
        if (a, b) == (2, 2):
            # two neighbours swapped by the translator: the bead holds two crossing pairs, and
            # it has their evidence (the sum of sentence vectors alone would count it once)
            swapped = self._llr(rows - 1, 1, cols, 1, False) + self._llr(rows, 1, cols - 1, 1, False)
            score = np.maximum(score, swapped)
        return score

    def _llr(self, rows: np.ndarray, a: int, cols: np.ndarray, b: int, span_random: bool) -> np.ndarray:
        cal = self.cal
        mu0, sd0 = cal.random_of(a, b) if span_random else (cal.mu0, cal.sd0)
        score = gauss_llr(self.z(rows, a, cols, b), cal.mu1, cal.sd1, mu0, sd0)
        if a > 1 or b > 1:
            score = score + self.part_penalty(rows, a, cols, b)
        delta = self.length_delta(rows, a, cols, b)
        # Length: a robust mixture for matches (translations sometimes differ a lot in length).
        p_match = 0.9 * normal_pdf(delta, 1.0) + 0.1 * normal_pdf(delta, cal.len_sd_random)
        score = score + np.log(p_match) - np.log(normal_pdf(delta, cal.len_sd_random))
        if self.mt is not None and cal.mt is not None:
            sim = self.mt.similarity(rows, a, cols, b, self._mt_cos)
            score = score + self.mt_weight * gauss_llr(sim, *cal.mt)
        return score

    def cells(self, requests: Sequence[tuple[int, int, Callable]]) -> list[np.ndarray]:
        """For each request (a, b, fn), a bead type and its score: ``fn(rows, a, cols, b)`` of every
        band cell where a bead (a, b) can end (i >= a, j >= b), NEG elsewhere, in the flat store's order.

        One sweep over chunks of whole rows serves all requests, so they share the chunk's cosines;
        memory stays proportional to the band.
        """
        n, off = len(self.lo) - 1, self.off
        outs = [np.full(int(off[-1]), NEG) for _ in requests]
        reach = (max(a for a, _, _ in requests), max(b for _, b, _ in requests))
        r0 = min(a for a, _, _ in requests)
        while r0 <= n:
            r1 = max(int(np.searchsorted(off, off[r0] + CHUNK_CELLS, side="right")) - 1, r0 + 1)
            r1 = min(r1, n + 1)
            rows, cols = band_cells(self.lo, off, r0, r1)
            self._cos = ChunkCos(self.src.raw, self.tgt.raw, rows, cols, reach)
            if self.mt is not None and self.cal.mt is not None:
                self._mt_cos = ChunkCos(self.mt.left, self.mt.right, rows, cols, reach)
            try:
                for out, (a, b, fn) in zip(outs, requests, strict=True):
                    ok = (rows >= a) & (cols >= b)
                    if ok.any():
                        out[off[r0] : off[r1]][ok] = fn(rows[ok], a, cols[ok], b)
            finally:
                self._cos = self._mt_cos = None
            r0 = r1
        return outs

    def prepare(self, types: Sequence[tuple[int, int]]) -> None:
        """Score every band cell for the bead types not scored yet (those with both sides)."""
        todo = [(a, b) for a, b in types if a and b and (a, b) not in self._types]
        if todo:
            for t, scores in zip(todo, self.cells([(a, b, self.llr) for a, b in todo]), strict=True):
                if t == (1, 1) and self.replace_floor is not None:
                    # a 1-1 step of the path is either a translation or a replacement (a sentence
                    # dropped and an unrelated one added in its place): the step's score sums both
                    self._linked11 = scores
                    scores = np.where(scores > NEG / 2, np.logaddexp(scores, self.replace_floor), NEG)
                self._types[t] = scores

    def replaced(self, i: int, j: int) -> float:
        """Probability that the 1-1 step ending at (i, j) is a replacement rather than a
        translation (0 without a replacement prior)."""
        if self.replace_floor is None:
            return 0.0
        self.type_scores(1, 1)
        assert self._linked11 is not None
        linked = float(self._linked11[self.off[i] + j - self.lo[i]])
        return logistic(self.replace_floor - linked)

    def type_scores(self, a: int, b: int) -> np.ndarray:
        """llr of beads (a, b) for every band cell (flat store; NEG where no such bead ends)."""
        if (a, b) not in self._types:
            self.prepare([(a, b)])
        return self._types[(a, b)]

    def row(self, i: int, a: int, b: int) -> np.ndarray:
        """llr of beads (a, b) ending at (i, j) for every j of band row i (NEG where j < b)."""
        return self.type_scores(a, b)[self.off[i] : self.off[i + 1]]
