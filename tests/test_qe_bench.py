"""The quality-estimation benchmark: every corruption does what its name says on real WMT21 rows,
the set is seeded and about 12% corrupted, and the figures come out right on hand-made scores."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from devtools.bench.corruptions import _NUMBER, KINDS, NEGATION, Case, Row, corrupt, drop_clause
from devtools.bench.qe import Detection, KindFigures, Report, Speed, measure, read_rows, select, top_signals

TSV = Path("bench") / "qe-dev" / "newstest2021.de-en.systems.tsv"


@pytest.fixture(scope="module")
def every_row(shared_dir: Path) -> list[Row]:
    if not (shared_dir / TSV).is_file():
        pytest.skip(f"{TSV} is not in ../shared")
    return read_rows(shared_dir / TSV)


@pytest.fixture(scope="module")
def rows(every_row: list[Row]) -> list[Row]:
    return select(every_row, limit=300)  # 19 systems x 300 lines


@pytest.fixture(scope="module")
def cases(rows: list[Row]) -> list[Case]:
    return corrupt(rows)


def of(cases: list[Case], kind: str) -> list[Case]:
    found = [c for c in cases if c.kind == kind]
    assert len(found) > 50
    return found


def test_every_row_is_read_and_quoted_fields_are_decoded(every_row: list[Row]):
    assert len(every_row) == 19000
    assert len({r.system for r in every_row}) == 19 and {r.line for r in every_row} == set(range(1, 1001))
    assert all(r.source.strip() and r.mt.strip() and r.reference.strip() for r in every_row)
    assert not any(r.mt.startswith('"""') or r.source.startswith('"""') for r in every_row)  # CSV quoting undone
    assert any('"' in r.mt for r in every_row)


def test_about_twelve_percent_one_kind_each_evenly(rows: list[Row], cases: list[Case]):
    assert len(cases) == len(rows) and [(c.system, c.line) for c in cases] == [(r.system, r.line) for r in rows]
    counts = Counter(c.kind for c in cases if c.kind)
    assert set(counts) == set(KINDS)
    assert abs(sum(counts.values()) / len(cases) - 0.12) < 0.002
    assert max(counts.values()) - min(counts.values()) <= 1
    for case, row in zip(cases, rows, strict=True):
        assert case.original_mt == row.mt and case.source == row.source and case.reference == row.reference
        assert (case.mt == row.mt) == (case.kind is None)


def test_seeded_and_deterministic(rows: list[Row], cases: list[Case]):
    part = rows[:2000]
    assert corrupt(part, seed=3) == corrupt(part, seed=3)
    assert corrupt(part, seed=3) != corrupt(part, seed=4)
    assert sum(c.kind is not None for c in corrupt(part, rate=0.3)) == round(0.3 * len(part))


def test_repetition_is_a_loop_of_three_or_more(cases: list[Case]):
    for case in of(cases, "repetition"):
        words = case.mt.split()
        loops = [
            (i, n)
            for n in (1, 2, 3)
            for i in range(len(words))
            if words[i : i + n] == words[i + n : i + 2 * n] == words[i + 2 * n : i + 3 * n] and len(words[i : i + n]) == n
        ]
        assert loops, case.mt
        i, n = loops[0]
        assert words[: i + n] == case.original_mt.split()[: i + n]  # the loop starts from the MT's own words
    endings = Counter(c.mt.split()[-1] == c.original_mt.split()[-1] for c in of(cases, "repetition"))
    assert endings[True] > 20 and endings[False] > 20  # the rest follows in about half the cases


def test_untranslated_is_the_source(cases: list[Case]):
    assert all(c.mt == c.source != c.original_mt for c in of(cases, "untranslated"))


def test_dropped_clause_keeps_the_full_stop_and_drops_three_words(cases: list[Case]):
    for case in of(cases, "dropped_clause"):
        final = re.search(r"([.!?…]+)[\"'”’»)]*\s*$", case.original_mt)
        body = case.mt.rstrip('"”»)')
        if final:
            assert body.endswith(final.group(1)), (case.original_mt, case.mt)
            body = body[: -len(final.group(1))]
        assert case.original_mt.startswith(body)
        assert len(case.original_mt.split()) - len(case.mt.split()) >= 3
        assert len(case.original_mt) - len(case.mt) >= 0.15 * len(case.original_mt)
    assert drop_clause("The police said that the man, who was drunk, drove on.") == "The police said that the man."
    assert drop_clause("He came.") is None
    assert drop_clause("The race calendar is becoming more and more concrete") is None


def test_wrong_sentence_is_a_nearby_line_of_the_same_system(cases: list[Case]):
    mt = {(c.system, c.line): c.original_mt for c in cases}
    for case in of(cases, "wrong_sentence"):
        near = [mt.get((case.system, case.line + d)) for d in range(-5, 6) if d]
        assert case.mt in near and case.mt != case.original_mt


def test_number_differs_in_one_number_only(cases: list[Case]):
    for case in of(cases, "number"):
        assert _NUMBER.split(case.mt) == _NUMBER.split(case.original_mt)
        old, new = _NUMBER.findall(case.original_mt), _NUMBER.findall(case.mt)
        assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1
        was, now = next((a, b) for a, b in zip(old, new, strict=True) if a != b)
        assert now[0] != "0" or was[0] == "0" or now == "0" or now[1] in ".,"  # no new leading zero
        assert ("," in now) == ("," in was) or max(int(was.replace(",", "")), int(now.replace(",", ""))) >= 1000


def test_negation_is_removed(cases: list[Case]):
    for case in of(cases, "negation"):
        assert len(NEGATION.findall(case.mt)) == len(NEGATION.findall(case.original_mt)) - 1, (case.original_mt, case.mt)
        assert "  " not in case.mt or "  " in case.original_mt


def _cases(kinds: list[str | None]) -> list[Case]:
    return [Case("s", i, "q", "t", "t", "r", kind) for i, kind in enumerate(kinds)]


def test_measure_perfect_reversed_and_ties():
    kinds: list[str | None] = [None] * 100 + ["repetition"] * 10 + ["negation"] * 5
    cases = _cases(kinds)
    perfect = np.array([1.0 - i / 1000 for i in range(100)] + [0.1] * 15)
    d = measure(cases, perfect)
    assert all(k.recall == 1.0 and k.auroc == 1.0 for k in d.kinds)
    assert [k.kind for k in d.kinds] == ["repetition", "negation", "all"] and d.of("all").count == 15
    assert d.false_alarm == pytest.approx(0.05)

    reversed_ = np.array([0.0] * 100 + [1.0] * 15)
    d = measure(cases, reversed_)
    assert all(k.recall == 0.0 and k.auroc == 0.0 for k in d.kinds)

    flat = np.full(115, 0.5)  # every score tied with the threshold: nothing is caught, AUROC one half
    d = measure(cases, flat)
    assert d.threshold == 0.5 and d.false_alarm == 0.0
    assert all(k.recall == 0.0 and k.auroc == 0.5 for k in d.kinds)

    with pytest.raises(ValueError):
        measure(cases, flat[:-1])


def test_top_signals_counts_caught_rows_by_their_largest_evidence():
    cases = _cases([None, "repetition", "repetition", "negation", "negation"])
    scores = np.array([0.9, 0.1, 0.2, 0.1, 0.95])
    evidence = [{}, {"repetition": 4.0, "length": 1.0}, {"similarity": 2.0, "repetition": 1.0}, {"similarity": -1.0}, {}]
    assert top_signals(cases, scores, evidence, threshold=0.5) == {
        "repetition": {"repetition": 0.5, "similarity": 0.5},
        "negation": {"(none)": 1.0},
    }


def test_report_renders_a_table_and_its_figures():
    kinds = [KindFigures("repetition", 10, 9, 0.9, 0.95), KindFigures("all", 10, 9, 0.9, 0.95)]
    detection = Detection(90, 0.8, 0.05, kinds)
    report = Report(
        {"data": "x", "CPU": "Some CPU; avx512_vnni: no"},
        detection,
        detection,
        {"score": 0.3, "source length": -0.1, "length ratio": 0.05},
        90,
        signals={"repetition": {"repetition": 1.0}},
        speed=Speed(100, 2, 2, cold_s=10.0, warm_s=1.0, same_scores=True),
    )
    text = report.format()
    assert "recall @5% FA" in text and "cold (fresh empty embedding cache): 10.0 s = 10.0 sentences/s" in text
    assert "warm (every vector cached)" in text and "strictly below" in text
    md = report.markdown()
    assert "| repetition | 10 | 9 | 0.900 | 0.950 | 0.950 |" in md and "Some CPU" not in md
    data = report.to_json()
    assert data["speed"]["warm_rate"] == 100.0 and data["detection"]["kinds"][0]["kind"] == "repetition"


def test_the_results_file_has_a_quality_section():
    from devtools.results import SECTIONS

    assert "quality" in SECTIONS and SECTIONS["quality"].title.startswith("Quality")
