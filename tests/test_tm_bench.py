"""The memory benchmark's set-up: seeded, varied, recombined units; and a small run end to end."""

from __future__ import annotations

from pathlib import Path

from devtools.bench.tm import load_pairs, make_queries, run_benchmark, synthetic_units

FIXTURE_ONLY = Path("/nonexistent/qe-dev.tsv")  # the fixture's pairs: the same data on every machine


def test_synthetic_units_are_reproducible_distinct_and_recombined():
    pairs = load_pairs(FIXTURE_ONLY)
    units = synthetic_units(pairs, 500, seed=3)
    assert units == synthetic_units(pairs, 500, seed=3) != synthetic_units(pairs, 500, seed=4)
    assert len({de for de, _ in units}) == 500
    real = {de for de, _ in pairs}
    assert sum(de not in real for de, _ in units) > 300  # mostly new sentences
    queries = make_queries(units, pairs, 30, seed=3)
    assert [q.kind for q in queries[:3]] == ["exact", "near", "none"] and len(queries) == 30


def test_a_small_run_reports_every_figure(tmp_path):
    report = run_benchmark(tmp_path, units=600, import_units=300, queries=30, data=FIXTURE_ONLY, scan=10)
    assert (report.units, report.imported, len(report.lookup_ms), len(report.scan_ms)) == (600, 300, 30, 10)
    assert report.found["exact"] == (10, 10)
    assert report.scan_agrees == report.scan_matches
    text = report.format()
    for needle in ("CPU: ", "per 100,000", "median", "p95", "brute-force", "exact: 10/10"):
        assert needle in text
