"""One home per rule: the review check (``align.review.checks``) and the quality estimate
(``align.quality``) ask the same two questions of a row, "is the target untranslated?" and "is it
as long as a target of this source should be here?", answered once in ``align.text.compare``.

The real rows are the 19 WMT21 systems' output of qe-dev (19,000 rows, one document a system).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from align.document import Pair
from align.quality import estimate_rows
from align.quality import textsignals as ts
from align.review import checks


@pytest.fixture(scope="module")
def systems(shared_dir: Path) -> dict[str, list[dict[str, str]]]:
    """Each WMT21 system's rows of qe-dev, in line order: one real news document a system."""
    by_system: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(shared_dir / "bench" / "qe-dev" / "newstest2021.de-en.systems.tsv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            by_system[row["system"]].append(row)
    assert len(by_system) == 19 and all(len(rows) == 1000 for rows in by_system.values())
    return by_system


def _exact_copy(source: str, target: str) -> bool:
    """The check's rule before one home: the target is the source again, case and spacing aside."""
    return any(c.isalpha() for c in source) and " ".join(source.split()).casefold() == " ".join(target.split()).casefold()


def test_check_and_estimate_flag_the_same_untranslated_rows_of_real_output(systems):
    """The check flags what the estimate finds: 15 rows of real output, where the exact-copy rule
    flagged 5 (every one of them still flagged). The other 10 are output left (mostly) in German
    with a word changed or an <unk> in it ("Historische <unk> trotzen Corona") or written in
    German words ("Der Zeitfahrspezialist <unk> bei der Tour de l'Ain ...")."""
    flagged, found, exact = set(), set(), set()
    for system, rows in systems.items():
        for row in rows:
            key, source, target = (system, row["line"]), row["source"], row["mt"]
            if checks.UNTRANSLATED in checks.pair_flags(Pair(source, target), src_lang="de", tgt_lang="en"):
                flagged.add(key)
            if ts.untranslated(source, target, "de", "en") is not None:
                found.add(key)
            if _exact_copy(source.strip(), target.strip()):
                exact.add(key)
    assert flagged == found
    assert len(exact) == 5 and exact < flagged and len(flagged) == 15


def test_check_flags_a_near_copy_and_a_target_in_the_source_language():
    source = "Der Zeitfahrspezialist steigt bei der Tour de l'Ain wieder ins Wettkampfgeschehen ein."
    near = "Der Zeitfahrspezialist steigt bei der Tour de l'Ain wieder ins Wettkampf-Geschehen ein!"
    german = "Der Spezialist ist bei der Tour wieder mit dabei, und das ist auch gut so."
    for target in (near, german):
        assert checks.UNTRANSLATED in checks.pair_flags(Pair(source, target), src_lang="de", tgt_lang="en")
    # a one-word copy asks the check for a look (a name or a word left alone); the estimate gives it no weight
    assert checks.UNTRANSLATED in checks.pair_flags(Pair("Ergebnisse", "Ergebnisse"), src_lang="de", tgt_lang="en")
    assert ts.untranslated("Ergebnisse", "Ergebnisse", "de", "en") is None


def test_a_copy_without_letters_is_not_untranslated_for_either():
    """A score, a time or a number is written the same in every language: the check never flagged
    it, and now the estimate does not either (it used to ask for a check)."""
    for text in ("2:0 (1:0)", "16.30 - 18.00", "1.234.567"):
        assert checks.UNTRANSLATED not in checks.pair_flags(Pair(text, text), src_lang="de", tgt_lang="en")
        assert ts.untranslated(text, text, "de", "en") is None


def _pairs(rows: list[dict[str, str]]) -> list[Pair]:
    return [Pair(r["source"], r["mt"]) for r in rows]


def test_check_and_estimate_judge_length_against_one_norm(systems):
    """The same norm for the same rows: the check's and the estimate's (+10 characters of
    smoothing, median and MAD as a standard deviation)."""
    for system in ("Facebook-AI", "Borderline", "Online-W"):
        rows = systems[system]
        norm = checks.length_norm(_pairs(rows))
        report = estimate_rows([r["source"] for r in rows], [r["mt"] for r in rows], src_lang="de", tgt_lang="en")
        assert norm is not None and norm == report.calibration.length


def test_length_flags_on_real_output(systems):
    """With the estimate's ratio (+10 characters instead of +1), short rows swing less: 126 of the
    19,000 real rows are flagged instead of 158 (on the qe bench's corrupted set, 761 flags of which
    94 on unchanged rows, instead of 790 with 124, and as many broken rows caught)."""
    flagged = sum(checks.LENGTH in f for rows in systems.values() for f in checks.check_pairs(_pairs(rows), "de", "en"))
    assert flagged == 127
