"""The aligner: complete monotone covers under random edits, bead types, degenerate inputs,
German-French, the machine-translation signal, the banded (coarse-to-fine) search, the cache."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from aligner_texts import DE, EN, FR, UNRELATED_EN
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from align.aligner import AlignOptions, align_sentences
from align.document import Bead


def assert_cover(beads: list[Bead], n: int, m: int) -> None:
    """Every sentence of both sides in exactly one bead, in order; confidence in [0, 1]."""
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n))
    assert tgt == list(range(m))
    for b in beads:
        assert b.src or b.tgt
        assert 0.0 <= b.confidence <= 1.0
        assert list(b.src) == list(range(b.src[0], b.src[0] + len(b.src))) if b.src else True
        assert list(b.tgt) == list(range(b.tgt[0], b.tgt[0] + len(b.tgt))) if b.tgt else True


def sides(beads):
    return [(b.src, b.tgt) for b in beads]


def test_parallel_text_is_all_one_to_one(embedder):
    beads = align_sentences(DE, EN, embedder=embedder)
    assert sides(beads) == [((i,), (i,)) for i in range(12)]
    assert min(b.confidence for b in beads) > 0.5


def test_german_french(embedder):
    beads = align_sentences(DE, FR, embedder=embedder)
    assert sides(beads) == [((i,), (i,)) for i in range(12)]


@pytest.mark.slow
def test_merge_split_omission_addition(embedder):
    tgt = [EN[0], EN[1] + " " + EN[2], EN[3], EN[5], UNRELATED_EN[0]] + EN[6:9]
    src = DE[:9]
    # the fifth English sentence split into two halves
    words = EN[4].split()
    tgt.insert(3, " ".join(words[:6]))
    tgt.insert(4, " ".join(words[6:]))
    beads = align_sentences(src, tgt, embedder=embedder)
    assert_cover(beads, len(src), len(tgt))
    got = sides(beads)
    assert ((1, 2), (1,)) in got  # 2-1 merge
    assert ((4,), (3, 4)) in got  # 1-2 split
    assert ((5,), (5,)) in got
    assert ((), (6,)) in got  # an added sentence
    # src 3 lost its translation: an omission
    assert ((3,), (2,)) in got


def test_three_to_one(embedder):
    tgt = [EN[0], " ".join(EN[1:4]), EN[4], EN[5]]
    beads = align_sentences(DE[:6], tgt, embedder=embedder)
    assert ((1, 2, 3), (1,)) in sides(beads)


def test_omission_and_addition_are_never_certain(embedder):
    beads = align_sentences(DE[:6], EN[:3] + EN[4:6], embedder=embedder)
    nulls = [b for b in beads if not (b.src and b.tgt)]
    assert nulls and all(b.confidence <= 0.5 for b in nulls)


# ---- degenerate inputs ---------------------------------------------------------------------------
def test_empty_sides(embedder):
    assert align_sentences([], [], embedder=embedder) == []
    beads = align_sentences(DE[:3], [], embedder=embedder)
    assert sides(beads) == [((0,), ()), ((1,), ()), ((2,), ())]
    beads = align_sentences([], EN[:2], embedder=embedder)
    assert sides(beads) == [((), (0,)), ((), (1,))]


def test_one_sentence_against_many(embedder):
    beads = align_sentences([DE[0]], EN[:5], embedder=embedder)
    assert_cover(beads, 1, 5)
    assert any(b.src == (0,) and 0 in b.tgt for b in beads)


def test_identical_texts(embedder):
    beads = align_sentences(EN, EN, embedder=embedder)
    assert sides(beads) == [((i,), (i,)) for i in range(12)]
    assert min(b.confidence for b in beads) > 0.9


@pytest.mark.slow
def test_unrelated_texts_give_low_confidence(embedder):
    beads = align_sentences(DE[:6], UNRELATED_EN, embedder=embedder)
    assert_cover(beads, 6, 6)
    confidences = [b.confidence for b in beads]
    # nothing green; a joined many-sentence bead looks less random than a single pair (sums of
    # unrelated vectors drift together): its confidence is judged against random spans of its shape
    assert max(confidences) < 0.7
    assert sum(confidences) / len(confidences) < 0.4


def test_mt_signal(embedder):
    # the English text itself as a perfect machine translation of the German
    beads = align_sentences(DE[:8], EN[:2] + EN[3:8], embedder=embedder, mt=EN[:8])
    assert ((2,), ()) in sides(beads)
    assert_cover(beads, 8, 7)
    with pytest.raises(ValueError):
        align_sentences(DE[:3], EN[:3], embedder=embedder, mt=EN[:2])


def test_banded_search_matches_exhaustive(embedder):
    src = DE + DE[::-1]
    tgt = EN + [EN[11 - k] for k in range(12) if k != 5]
    full = align_sentences(src, tgt, embedder=embedder)
    banded = align_sentences(src, tgt, embedder=embedder, options=AlignOptions(exhaustive_cells=40, band=3))
    assert_cover(banded, len(src), len(tgt))
    assert sides(banded) == sides(full)


def test_realigning_after_an_edit_embeds_only_new_text(embedder):
    options = AlignOptions(refine=False)
    align_sentences(DE, EN, embedder=embedder, options=options)
    before = embedder.computed
    align_sentences(DE, EN, embedder=embedder, options=options)
    assert embedder.computed == before
    edited = EN[:4] + [EN[4][:-1] + "; " + EN[5][0].lower() + EN[5][1:]] + EN[6:]
    beads = align_sentences(DE, edited, embedder=embedder, options=options)
    assert embedder.computed == before + 1
    assert ((4, 5), (4,)) in sides(beads)


# ---- random edits of a parallel text ------------------------------------------------------------
EDIT = st.tuples(st.sampled_from(["delete", "insert", "merge", "split"]), st.integers(0, 11))


def _apply(edits):
    """Edit the English side; return it with the beads we expect."""
    groups = [[i] for i in range(12)]  # English sentences as lists of source sentence ids
    texts = list(EN)
    for kind, at in edits:
        at = at % max(len(texts), 1)
        if kind == "delete" and len(texts) > 1:
            del texts[at], groups[at]
        elif kind == "insert":
            texts.insert(at, UNRELATED_EN[at % len(UNRELATED_EN)])
            groups.insert(at, [])
        elif kind == "merge" and at + 1 < len(texts) and _alone(groups, at) and _alone(groups, at + 1):
            texts[at : at + 2] = [texts[at] + " " + texts[at + 1]]
            groups[at : at + 2] = [groups[at] + groups[at + 1]]
        elif kind == "split" and len(texts[at].split()) >= 8 and len(groups[at]) == 1 and _alone(groups, at):
            words = texts[at].split()
            texts[at : at + 1] = [" ".join(words[:5]), " ".join(words[5:])]
            groups[at : at + 1] = [groups[at], groups[at]]
    return texts, groups


def _alone(groups, at):
    """A translated sentence that is not part of a split: its group occurs once."""
    return bool(groups[at]) and groups.count(groups[at]) == 1


def _expected_beads(groups, n):
    beads, seen = [], set()
    covered = {i for g in groups for i in g}
    for j, g in enumerate(groups):
        if not g:
            beads.append(((), (j,)))
        elif tuple(g) in seen:
            continue
        else:
            seen.add(tuple(g))
            beads.append((tuple(g), tuple(k for k, h in enumerate(groups) if h == g)))
    beads += [((i,), ()) for i in range(n) if i not in covered]
    return beads


@pytest.mark.slow
@hsettings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EDIT, min_size=1, max_size=3))
def test_random_edits_keep_a_complete_monotone_cover(embedder, edits):
    texts, groups = _apply(edits)
    beads = align_sentences(DE, texts, embedder=embedder, options=AlignOptions(refine=False))
    assert_cover(beads, len(DE), len(texts))
    expected = _expected_beads(groups, len(DE))
    found = sum(1 for b in expected if b in set(sides(beads)))
    assert found >= 0.7 * len(expected)


def test_band_scores_match_per_cell_dot_products(monkeypatch):
    """The band's bead scores come from box sums of one unit-by-unit product per chunk of rows,
    with the spans that have an embedding of their own patched in; they must equal the scores
    computed from each span's own unit vector, cell by cell, for every bead type, whichever route
    a chunk takes."""
    import itertools

    import numpy as np

    from align.aligner import scorer as scorer_module
    from align.aligner.band import NEG, band_cells, band_from_path, connected
    from align.aligner.options import DEFAULT_PRIORS
    from align.aligner.scorer import ChunkCos, Scorer
    from align.aligner.sides import Side
    from align.aligner.signals import Calibration

    monkeypatch.setattr(scorer_module, "CHUNK_CELLS", 64)  # many chunks, on a small problem
    # every other chunk as if its rows reached too far for one product: the per-cell route
    chunks = itertools.count()
    build = ChunkCos.__init__

    def half_dense(self, *args):
        build(self, *args)
        self.dense = self.dense and next(chunks) % 2 == 0

    monkeypatch.setattr(ChunkCos, "__init__", half_dense)
    rng = np.random.default_rng(1)
    n, m, d = 60, 57, 16

    def side(k: int) -> Side:
        vecs = rng.normal(size=(k, d))
        lens = rng.integers(5, 120, size=k).astype(float)
        return Side.build(vecs / np.linalg.norm(vecs, axis=1, keepdims=True) * lens[:, None], lens)

    src, tgt = side(n), side(m)
    path = [(0, 0)] + [(min(i + 1, n), min(i + 1, m)) for i in range(max(n, m))]
    lo, hi = band_from_path([(i // 2, j // 2) for i, j in path[::2]], n, m, 2)
    hi[30] = m  # one wide row
    lo, hi = connected(lo, hi)

    def unit(k: int) -> np.ndarray:
        v = rng.normal(size=d)
        return v / np.linalg.norm(v)

    exact_src = {(s, k): unit(d) for s, k in [(3, 2), (10, 3), (25, 2), (40, 4)]}
    exact_tgt = {(s, k): unit(d) for s, k in [(5, 2), (11, 2), (33, 3)]}
    cal = Calibration(0.6, 0.15, 0.05, 0.1, float(tgt.cum_len[-1] / src.cum_len[-1]), 6.8, 5.0)
    scorer = Scorer(src, tgt, cal, (lo, hi), exact_src=exact_src, exact_tgt=exact_tgt)
    types = [t for t in DEFAULT_PRIORS if t[0] and t[1]]
    scorer.prepare(types)
    rows, cols = band_cells(lo, scorer.off, 0, n + 1)
    for a, b in types:
        ok = (rows >= a) & (cols >= b)
        # outside a sweep, llr takes each cell's dot product of the spans' own unit vectors
        expected = scorer.llr(rows[ok], a, cols[ok], b)
        got = scorer.type_scores(a, b)
        assert np.allclose(got[ok], expected, rtol=1e-9, atol=1e-9), (a, b)
        assert np.all(got[~ok] == NEG)


def test_one_sentence_each(embedder):
    """Too short to be its own background: the library's background sentences stand in."""
    assert sides(align_sentences(DE[:1], EN[:1], embedder=embedder)) == [((0,), (0,))]
    assert align_sentences(DE[:1], EN[:1], embedder=embedder)[0].confidence >= 0.9
    unrelated = align_sentences(DE[:1], UNRELATED_EN[:1], embedder=embedder)
    assert all(b.confidence <= 0.5 for b in unrelated)


def test_short_documents_link_their_translations(embedder):
    joined = align_sentences([DE[0] + " " + DE[1]], EN[:2], embedder=embedder)
    assert sides(joined) == [((0,), (0, 1))] and joined[0].confidence >= 0.9
    for k in (2, 3):
        beads = align_sentences(DE[:k], EN[:k], embedder=embedder)
        assert sides(beads) == [((i,), (i,)) for i in range(k)]
        assert min(b.confidence for b in beads) >= 0.5


@pytest.mark.parametrize("threads", [1, 2])
def test_blas_threads_are_limited_while_aligning_only(embedder, monkeypatch, threads: int):
    from threadpoolctl import threadpool_info

    from align.aligner import search

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before, seen = blas_threads(), []
    inner = search._align

    def spy(*args, **kwargs):
        seen.append(blas_threads())
        return inner(*args, **kwargs)

    monkeypatch.setattr(search, "_align", spy)
    align_sentences(DE[:3], EN[:3], embedder=embedder, options=AlignOptions(threads=threads))
    assert seen and all(n == threads for n in seen[0])
    assert blas_threads() == before


def test_overlapping_alignments_share_one_blas_limit_and_restore_it():
    """OpenBLAS's thread count belongs to the process: when the first of two overlapping
    alignments ends while the second still runs, the limit stays; when the last ends, the
    original count is back. (Entered and left by hand here, in the order two page jobs can take.)"""
    from threadpoolctl import threadpool_info

    from align.aligner.search import blas_threads

    def blas() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas()
    if not before or max(before) == 1:
        pytest.skip("BLAS runs one thread here anyway")
    first, second = blas_threads(1), blas_threads(1)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert blas() == [1] * len(before), "the second alignment keeps its limit after the first ended"
    second.__exit__(None, None, None)
    assert blas() == before
