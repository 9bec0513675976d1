"""The band: for each source prefix i, the target prefixes [lo[i], hi[i]] a path may pass through.

A level's band is the full grid when small, else the coarser level's path projected and widened.
Its cells are stored row after row in one flat array (``band_offsets``, ``band_cells``), which
the scorer, the dynamic programme and the confidences all index the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

#: The score of a cell no bead reaches (log of zero, finite so sums stay finite).
NEG = -1e30


def full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def band_from_path(path: Sequence[tuple[int, int]], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
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
    return connected(lo, hi)


def connected(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make both bounds non-decreasing and consecutive rows overlap, so a path always exists."""
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi).copy()
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    return lo, hi


def band_offsets(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Start of each band row in the flat, row-major store of the band's cells (n + 2 entries)."""
    off = np.zeros(len(lo) + 1, dtype=np.int64)
    off[1:] = np.cumsum(hi - lo + 1)
    return off


def band_cells(lo: np.ndarray, off: np.ndarray, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i and column j of every band cell of rows [r0, r1), in the flat store's order."""
    rows = np.repeat(np.arange(r0, r1), off[r0 + 1 : r1 + 1] - off[r0:r1])
    return rows, lo[rows] + (np.arange(off[r0], off[r1]) - off[rows])
