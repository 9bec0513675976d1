"""The quality estimate's omission signal: a translation that leaves a clause out gets the reason
"source words with no counterpart: ..." naming the words, through the real word aligner."""

from __future__ import annotations

import pytest

from align.quality import estimate_rows
from align.words import WordAligner
from align.words.model import Link, Word, WordAlignment

DROPPED = 14  # "..., sagte ein Sprecher der Opposition." translated without its last clause


@pytest.fixture(scope="module")
def rows() -> tuple[list[str], list[str]]:
    from devtools.models import load_fixture_pairs

    pairs = load_fixture_pairs()[:40]
    sources = [de for de, _ in pairs]
    targets = [en for _, en in pairs]
    assert targets[DROPPED] == "The costs had been too high, said a spokesman for the opposition."
    targets[DROPPED] = "The costs had been too high."
    return sources, targets


def test_a_dropped_clause_is_named_as_source_words_with_no_counterpart(rows, embedder):
    sources, targets = rows
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", embedder=embedder)
    assert "omission" in report.used
    reasons = report.estimates[DROPPED].reasons
    assert any(r.startswith("source words with no counterpart: '") and "sagte ein Sprecher" in r for r in reasons), reasons
    named = [i for i, e in enumerate(report.estimates) if any(r.startswith("source words with no") for r in e.reasons)]
    assert len(named) <= 3, [(sources[i], targets[i]) for i in named]  # sound rows stay quiet
    assert report.estimates[DROPPED].evidence["omission"] >= 2.0


def test_without_an_embedder_or_aligner_the_signal_is_left_out(rows):
    sources, targets = rows
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en")
    assert "omission" not in report.used
    assert report.left_out["omission"] == "no word aligner (no sentence embedder given)"


def test_a_given_aligner_is_used_without_an_embedder(rows, tmp_path):
    sources, targets = rows
    aligner = WordAligner(models_dir=tmp_path, threads=2)
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", aligner=aligner)
    assert "omission" in report.used
    assert any("Sprecher" in r for r in report.estimates[DROPPED].reasons)


def test_the_reason_reads_the_words_as_the_source_writes_them():
    from align.quality.omission import omission_findings

    source = "Er kam, weil das Wetter gut war."
    words = ("Er", "kam", ",", "weil", "das", "Wetter", "gut", "war", ".")
    src, at = [], 0
    for w in words:
        start = source.index(w, at)
        src.append(Word(w, start, start + len(w)))
        at = start + len(w)
    tgt = (Word("He", 0, 2), Word("came", 3, 7), Word(".", 7, 8))
    aligned = WordAlignment(tuple(src), tgt, (Link(0, 0, 0.9), Link(1, 1, 0.9), Link(8, 2, 0.9)))
    (finding,) = omission_findings(source, aligned)
    assert finding.reason == "source words with no counterpart: 'weil das Wetter gut war'"
