"""The speed benchmark's set-up: varied documents, and equal work for all three methods."""

from __future__ import annotations

from align.mt.packages import find_package
from devtools.bench.translate import make_document, run_benchmark


def test_make_document_is_varied_and_reproducible():
    doc = make_document(1000)
    assert len(doc) == 1000 and doc == make_document(1000)
    assert len(set(doc)) > 600
    lengths = sorted(len(s.split()) for s in doc)
    assert lengths[50] < 10 < lengths[-50]
    assert all(s.strip() for s in doc)


def test_all_methods_decode_exactly_the_same_tokens(installed_settings):
    package = find_package("de", "en", installed_settings)
    report = run_benchmark(package.path, installed_settings, sentences=40, threads=1, sample=12, repeats=1)
    measures = (report.pipeline, report.per_sentence, report.limit)
    assert {m.sentences for m in measures} == {40}
    source_tokens = int(report.setup["sentences"].split("(")[1].split()[0])
    assert [m.output_tokens for m in measures] == [source_tokens] * 3  # pinned to the input lengths
    text = report.format()
    assert "a/c = " in text and "a/b = " in text and "(b) one translate_batch call per sentence" in text
