"""The dynamic programme over a band: Viterbi (max) for the path, forward and backward
(log-sum-exp) for the beads' posterior probabilities."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from align.aligner.band import NEG, band_cells
from align.aligner.scorer import Scorer


def viterbi_path(scorer: Scorer, log_priors: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    rows, back, types = forward(scorer, log_priors, "max", keep_back=True)
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


def forward(scorer: Scorer, log_priors: dict[tuple[int, int], float], mode: str, keep_back: bool = False):
    """Fill D[i][j - lo[i]] for all prefixes; ``mode`` is "max" (Viterbi) or "sum" (forward)."""
    moves = cached_moves(scorer, log_priors, backward=False)
    off = scorer.off.tolist()
    n = len(off) - 2
    flat = np.full(off[-1] + 1, NEG)  # the last cell: the sentinel of missing moves
    back = np.full(off[-1] if keep_back else 0, -1, dtype=np.int64)
    ins = log_priors.get((0, 1))
    ramp = np.arange(max(e - s for s, e in pairwise(off))) * ins if ins is not None else None
    reduce = np.maximum.reduce if mode == "max" else np.logaddexp.reduce
    for i in range(n + 1):
        s, e = off[i], off[i + 1]
        grid = moves_into(flat, moves, s, e, origin=0 if i == 0 else None)
        cur = reduce(grid, axis=0)
        arg = grid.argmax(axis=0) - 1 if keep_back else None  # the first best type; -1: unreachable
        if ramp is not None and e - s > 1:
            cur, arg = insertion_scan(cur, ramp[: e - s], mode, arg, len(moves.types))
        flat[s:e] = cur
        if keep_back:
            back[s:e] = arg
    rows = [flat[off[i] : off[i + 1]] for i in range(n + 1)]
    backs = [back[off[i] : off[i + 1]] for i in range(n + 1)] if keep_back else []
    return rows, backs, moves.types + [(0, 1)]


def backward(scorer: Scorer, log_priors: dict[tuple[int, int], float]) -> list[np.ndarray]:
    """B[i][j - lo[i]] = log-sum of all ways to finish from prefix (i, j)."""
    moves = cached_moves(scorer, log_priors, backward=True)
    off = scorer.off.tolist()
    n = len(off) - 2
    flat = np.full(off[-1] + 1, NEG)
    ins = log_priors.get((0, 1))
    ramp = np.arange(max(e - s for s, e in pairwise(off))) * ins if ins is not None else None
    for i in range(n, -1, -1):
        s, e = off[i], off[i + 1]
        grid = moves_into(flat, moves, s, e, origin=e - s - 1 if i == n else None)  # (n, m): hi[n] = m
        cur = np.logaddexp.reduce(grid, axis=0)
        if ramp is not None and e - s > 1:
            cur = insertion_scan(cur[::-1], ramp[: e - s], "sum", None, 0)[0][::-1]
        flat[s:e] = cur
    return [flat[off[i] : off[i + 1]] for i in range(n + 1)]


def posterior_tables(scorer: Scorer, log_priors: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray, float]:
    """Forward and backward log-sums of every band cell in the flat store (the forward one with
    the sentinel cell of missing moves at the end) and the log-sum of all paths; computed once per
    scorer and priors (refinement and the confidences both need them)."""
    key = tuple(sorted(log_priors.items()))
    found = scorer.tables.get(key)
    if found is None:
        fwd, _, _ = forward(scorer, log_priors, "sum")
        bwd = backward(scorer, log_priors)
        total = float(fwd[-1][-1])  # the cell (n, m): hi[n] = m
        found = scorer.tables[key] = (np.concatenate([*fwd, [NEG]]), np.concatenate(bwd), total)
    return found


@dataclass
class Moves:
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


def cached_moves(scorer: Scorer, log_priors: dict[tuple[int, int], float], backward: bool) -> Moves:
    key = (backward, tuple(sorted(log_priors.items())))
    found = scorer.moves.get(key)
    if found is None:
        found = scorer.moves[key] = moves_of(scorer, log_priors, backward)
    return found


def moves_of(scorer: Scorer, log_priors: dict[tuple[int, int], float], backward: bool) -> Moves:
    """The DP's moves for the bead types with a source side (0-1 beads are applied within rows)."""
    types = [t for t in log_priors if t[0] > 0]
    scorer.prepare(types)
    lo, hi, off = scorer.lo, scorer.hi, scorer.off
    n, total = len(lo) - 1, int(off[-1])
    rows, cols = band_cells(lo, off, 0, n + 1)
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
    return Moves(types, source, llr, np.array([[log_priors[t]] for t in types]).reshape(len(types), 1))


def moves_into(flat: np.ndarray, moves: Moves, s: int, e: int, origin: int | None) -> np.ndarray:
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


def insertion_scan(cur: np.ndarray, steps: np.ndarray, mode: str, arg, ins_index: int):
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
