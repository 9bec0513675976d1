"""The MT signal: character n-gram cosines of machine-translated source spans against target spans,
checked against a direct computation, and with real WMT21 machine translations (align-mt-dev)."""

from __future__ import annotations

import logging
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import align_sentences
from align.aligner.mtsignal import NGRAMS, MTSignal, for_ngrams, ngram_counts
from align.aligner.scorer import ChunkCos
from align.cli import main
from align.evaluate.alignment import evaluate_dir, read_lines


def _direct(signal: MTSignal, i: int, a: int, j: int, b: int) -> float:
    """Cosine of the summed rows, computed the obvious way (0 for a span without n-grams)."""
    x = np.asarray(signal.left[i - a : i].sum(axis=0)).ravel()
    y = np.asarray(signal.right[j - b : j].sum(axis=0)).ravel()
    norms = np.linalg.norm(x) * np.linalg.norm(y)
    return float(x @ y / norms) if norms else 0.0


sentence = st.text(alphabet="abcdeäöü ßxyz.,", min_size=0, max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(sentence, min_size=1, max_size=7), st.lists(sentence, min_size=1, max_size=7))
def test_span_similarity_equals_the_direct_cosine(mt, tgt):
    """Box sums of one product per chunk, the pair-by-pair route and the direct cosine agree for
    every bead type, empty and space-only sentences included (no n-grams: similarity 0)."""
    signal = MTSignal(mt, tgt, max_span=3)
    n, m = len(mt), len(tgt)
    for a in (1, 2, 3):
        for b in (1, 2, 3):
            cells = [(i, j) for i in range(a, n + 1) for j in range(b, m + 1)]
            if not cells:
                continue
            rows, cols = (np.array(c) for c in zip(*cells, strict=True))
            want = np.array([_direct(signal, i, a, j, b) for i, j in cells])
            assert np.allclose(signal.similarity(rows, a, cols, b), want)
            chunk = ChunkCos(signal.left, signal.right, rows, cols, (3, 3))
            assert np.allclose(signal.similarity(rows, a, cols, b, chunk), want)


def _counter(text: str) -> Counter[str]:
    """A sentence's n-grams, counted the plain way."""
    norm = for_ngrams(text)
    return Counter(norm[k : k + n] for n in NGRAMS for k in range(len(norm) - n + 1))


def _rows(matrix) -> list[list[float]]:
    """Each row's counts, sorted: comparable across matrices whose columns are numbered differently."""
    return [sorted(matrix.getrow(r).data.tolist()) for r in range(matrix.shape[0])]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcäöüß ,.\t\u00a0\U0001f600", max_size=25), min_size=1, max_size=6))
def test_vectorised_counts_equal_a_counter_per_sentence(texts):
    """The hashed, vectorised counting gives every sentence the counts a Counter gives it; n-grams
    never cross from one sentence into the next; the same n-gram is the same column everywhere."""
    matrix = ngram_counts(texts)
    assert _rows(matrix) == [sorted(float(c) for c in _counter(t).values()) for t in texts]
    both = ngram_counts([texts[0], texts[0]])
    assert (both.getrow(0) != both.getrow(1)).nnz == 0


def test_ngrams_ignore_case_spacing_and_normal_form():
    assert for_ngrams("Straße  nach\tOsten") == for_ngrams("STRASSE NACH OSTEN".replace("SS", "ß"))
    assert for_ngrams("Mu\u0308nchen") == for_ngrams("München")
    assert _counter("Eis") == _counter(" eis ")  # padded: a short word still has n-grams
    assert sum(_counter("Eis").values()) == sum(5 - n + 1 for n in NGRAMS)


def test_spans_longer_than_built_for_are_refused():
    signal = MTSignal(["a b c"] * 4, ["a b c"] * 4, max_span=2)
    with pytest.raises(ValueError, match="built for 2 at most"):
        signal.norms(0, 3)


def _mt_dev(shared_dir: Path, name: str, system: str):
    bench = shared_dir / "bench" / "align-mt-dev"
    return read_lines(bench / "src" / name), read_lines(bench / "tgt" / name), read_lines(bench / system / name)


def test_a_wrong_translation_is_ignored(shared_dir: Path, embedder, caplog):
    """Each source line given another line's translation (what a wrong package produces): the
    signal sees that the embeddings' matches do not share its words, says so, and the beads are
    exactly those without MT."""
    src, tgt, mt = _mt_dev(shared_dir, "001", "mt-VolcTrans-GLAT")
    shuffled = mt[:]
    random.Random(0).shuffle(shuffled)
    without = align_sentences(src, tgt, embedder=embedder)
    with caplog.at_level(logging.WARNING, logger="align.aligner.calibrate"):
        wrong = align_sentences(src, tgt, embedder=embedder, mt=shuffled)
    assert [(b.src, b.tgt) for b in wrong] == [(b.src, b.tgt) for b in without]
    assert "does not resemble the target" in caplog.text


@pytest.mark.slow
def test_real_machine_translation_on_align_mt_dev(shared_dir: Path, embedder):
    """The weakest WMT21 de-en system's output helps; the strong one stays within 0.002 strict F1
    of no MT (issue 11: it should not hurt at all; two swapped sentence pairs still go wrong)."""
    bench = shared_dir / "bench" / "align-mt-dev"
    none = evaluate_dir(bench, embedder=embedder).scores
    weak = evaluate_dir(bench, embedder=embedder, mt_from=Path("mt-happypoet")).scores
    strong = evaluate_dir(bench, embedder=embedder, mt_from=bench / "mt-VolcTrans-GLAT").scores
    assert weak.f1_strict >= none.f1_strict
    assert weak.f1_lax >= none.f1_lax
    assert strong.f1_strict >= none.f1_strict - 0.002
    assert strong.f1_strict >= 0.98


def test_eval_align_mt_from(shared_dir: Path, tmp_path: Path, capsys):
    bench = shared_dir / "bench" / "align-mt-dev"
    small = tmp_path / "bench"
    for folder in ("src", "tgt", "gold", "mt-happypoet"):
        (small / folder).mkdir(parents=True)
        (small / folder / "006").write_text((bench / folder / "006").read_text(encoding="utf-8"), encoding="utf-8")
    home = tmp_path / "home"
    assert main(["--home", str(home), "eval-align", str(small), "--mt-from", "mt-happypoet", "--errors"]) == 0
    out = capsys.readouterr().out
    assert "mt: mt-happypoet" in out
    # a translation with a line missing is refused, naming the file and both counts
    lines = (small / "mt-happypoet" / "006").read_text(encoding="utf-8").splitlines()
    (small / "mt-happypoet" / "006").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert main(["--home", str(home), "eval-align", str(small), "--mt-from", "mt-happypoet"]) == 1
    err = capsys.readouterr().err
    assert "006" in err and f"{len(lines) - 1} lines for {len(lines)} source lines" in err
    assert main(["--home", str(home), "eval-align", str(small), "--mt-from", "mt-nobody"]) == 1
    assert "mt-nobody" in capsys.readouterr().err
