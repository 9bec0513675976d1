"""From a word-similarity matrix to links: SimAlign's argmax, itermax and match, and the
many-to-one extension for German compounds and separable verbs.

Jalili Sabet et al. (2020), "SimAlign": argmax links a pair when each word is the other's most
similar (intersection of both directions, high precision); itermax repeats argmax on the words
still unlinked, damping pairs whose words are linked already; match is the best one-to-one
assignment (Hungarian, ``scipy.optimize.linear_sum_assignment``). A distortion prior scales the
similarity down with the distance of the relative positions.

Every link's score is sqrt(P(t|s) * P(s|t)) of the softmaxes over the rows and the columns of the
similarity (awesome-align's two directions), in 0..1: high where both words pick each other
clearly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Links = set[tuple[int, int]]


def cosine(src: np.ndarray, tgt: np.ndarray, centre: bool = True) -> np.ndarray:
    """Cosine similarity of every source word with every target word, (n, m).

    ``centre``: subtract each sentence's mean word vector first. A middle layer's states share a
    large common component (position, language, the sentence's topic); without it every pair
    looks alike.
    """
    if centre:
        src = src - src.mean(axis=0, keepdims=True) if len(src) > 1 else src
        tgt = tgt - tgt.mean(axis=0, keepdims=True) if len(tgt) > 1 else tgt
    src = src / np.maximum(np.linalg.norm(src, axis=1, keepdims=True), 1e-9)
    tgt = tgt / np.maximum(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-9)
    return src @ tgt.T


def distortion(sim: np.ndarray, weight: float) -> np.ndarray:
    """SimAlign's distortion prior: ``sim * (1 - weight * (i/(n-1) - j/(m-1))**2)``, applied to
    similarities shifted to 0..1 so that the prior only ever lowers a pair."""
    n, m = sim.shape
    if weight == 0.0 or n < 2 or m < 2:
        return sim
    rel = np.arange(n)[:, None] / (n - 1) - np.arange(m)[None, :] / (m - 1)
    return (sim + 1.0) / 2.0 * (1.0 - weight * rel**2)


def link_scores(sim: np.ndarray, temperature: float) -> np.ndarray:
    """sqrt(P(t|s) * P(s|t)): softmaxes over rows and columns of ``sim / temperature``."""
    scaled = sim / temperature
    rows = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    rows /= rows.sum(axis=1, keepdims=True)
    cols = np.exp(scaled - scaled.max(axis=0, keepdims=True))
    cols /= cols.sum(axis=0, keepdims=True)
    return np.sqrt(rows * cols)


def argmax(sim: np.ndarray) -> Links:
    """Pairs that are each other's most similar word (both directions agree)."""
    if sim.size == 0:
        return set()
    forward = sim.argmax(axis=1)
    backward = sim.argmax(axis=0)
    return {(i, int(j)) for i, j in enumerate(forward) if backward[j] == i}


def itermax(sim: np.ndarray, rounds: int = 2, damping: float = 0.9) -> Links:
    """SimAlign's itermax: argmax, then argmax again among pairs with at most one word linked
    (their similarity times ``damping``), ``rounds`` passes in all."""
    n, m = sim.shape
    if sim.size == 0:
        return set()
    linked = np.zeros((n, m))
    for i, j in argmax(sim):
        linked[i, j] = 1.0
    if min(n, m) <= 2:
        return _pairs(linked)
    for _ in range(rounds - 1):
        free_x = 1.0 - np.clip(linked.sum(axis=1, keepdims=True), 0, 1) * np.ones((1, m))
        free_y = 1.0 - np.clip(linked.sum(axis=0, keepdims=True), 0, 1) * np.ones((n, 1))
        if free_x.sum() < 1.0 or free_y.sum() < 1.0:
            break
        mask = np.clip(damping * free_x + damping * free_y, 0.0, 1.0)
        allowed = 1.0 - (1.0 - free_x) * (1.0 - free_y)
        damped = sim * mask
        forward = np.eye(m)[damped.argmax(axis=1)] * allowed
        backward = np.eye(n)[damped.argmax(axis=0)].T * allowed
        new = forward * backward
        if not (new * (1 - linked)).any():
            break
        linked = np.clip(linked + new, 0, 1)
    return _pairs(linked)


def match(sim: np.ndarray) -> Links:
    """The one-to-one assignment of highest total similarity (Hungarian algorithm)."""
    from scipy.optimize import linear_sum_assignment

    if sim.size == 0:
        return set()
    rows, cols = linear_sum_assignment(-sim)
    return {(int(i), int(j)) for i, j in zip(rows, cols, strict=True)}


def _pairs(matrix: np.ndarray) -> Links:
    return {(int(i), int(j)) for i, j in zip(*np.nonzero(matrix), strict=True)}


def grow_many(links: Links, scores: np.ndarray, threshold: float) -> Links:
    """Many-to-one links where one side's word renders several words of the other: a German
    compound (Grenzregion -> border region), a separable verb (lehnt ... ab -> declines), "zum"
    -> "to the". A word still unlinked is linked to the word it picks (its row's or column's
    best) when that word is linked already and the pair's score is above ``threshold``."""
    grown = set(links)
    src_linked = {i for i, _ in links}
    tgt_linked = {j for _, j in links}
    best_tgt = scores.argmax(axis=1)
    best_src = scores.argmax(axis=0)
    for i in range(scores.shape[0]):
        j = int(best_tgt[i])
        if i not in src_linked and j in tgt_linked and scores[i, j] >= threshold:
            grown.add((i, j))
    for j in range(scores.shape[1]):
        i = int(best_src[j])
        if j not in tgt_linked and i in src_linked and scores[i, j] >= threshold:
            grown.add((i, j))
    return grown


METHODS: dict[str, Callable[[np.ndarray], Links]] = {"argmax": argmax, "itermax": itermax, "match": match}
