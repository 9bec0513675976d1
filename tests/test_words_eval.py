"""AER, precision and recall against sure/possible gold, and the gold file reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.errors import FormatError, InputError
from align.evaluate.words import GoldPair, read_gold, read_pharaoh, score

GOLD = """# id: align-dev/001:0-0
S: 0:Der 1:Kreml 2:lehnt 3:es 4:ab
T: 0:The 1:Kremlin 2:declines
A: 0-0 1-1 2-2 4-2
P: 3-2

# id: align-dev/001:1-1
S: 0:noch 1:offen
T: 0:not 1:yet
A:
P:
"""


def _pair(sure, possible=()):
    return GoldPair("x", ("a",) * 5, ("b",) * 5, frozenset(sure), frozenset(sure) | frozenset(possible))


def test_aer_follows_och_and_ney():
    gold = [_pair({(0, 0), (1, 1), (2, 2)}, {(3, 3)})]
    # A = {0-0, 1-1, 3-3, 4-4}: A∩S = 2, A∩P = 3, |A| = 4, |S| = 3
    s = score(gold, [{(0, 0), (1, 1), (3, 3), (4, 4)}])
    assert s.aer == pytest.approx(1 - (2 + 3) / (4 + 3))
    assert s.precision == pytest.approx(3 / 4)
    assert s.recall == pytest.approx(2 / 3)


def test_perfect_and_empty_alignments():
    gold = [_pair({(0, 0), (1, 1)}, {(2, 2)})]
    assert score(gold, [{(0, 0), (1, 1)}]).aer == 0.0
    assert score(gold, [{(0, 0), (1, 1), (2, 2)}]).aer == 0.0  # possible links cost nothing
    empty = score(gold, [set()])
    assert (empty.aer, empty.precision, empty.recall) == (1.0, 0.0, 0.0)


def test_scores_are_corpus_level_not_averaged():
    gold = [_pair({(0, 0)}), _pair({(k, k) for k in range(4)})]
    s = score(gold, [set(), {(k, k) for k in range(4)}])
    assert s.recall == pytest.approx(4 / 5)


def test_read_gold_skips_blocks_not_annotated(tmp_path: Path):
    path = tmp_path / "gold.txt"
    path.write_text(GOLD, encoding="utf-8")
    (pair,) = read_gold(path)
    assert pair.id == "align-dev/001:0-0"
    assert pair.src == ("Der", "Kreml", "lehnt", "es", "ab")
    assert pair.sure == {(0, 0), (1, 1), (2, 2), (4, 2)}
    assert pair.possible == pair.sure | {(3, 2)}


@pytest.mark.parametrize(
    ("bad", "says"),
    [("A: 0-0 9-1", "out of range"), ("A: 0-0 1:1", "not I-J"), ("A: 0-0 x", "not I-J")],
)
def test_read_gold_names_the_file_and_block(tmp_path: Path, bad, says):
    path = tmp_path / "gold.txt"
    path.write_text(GOLD.replace("A: 0-0 1-1 2-2 4-2", bad), encoding="utf-8")
    with pytest.raises(FormatError, match=says) as info:
        read_gold(path)
    assert str(path) in str(info.value) and "align-dev/001:0-0" in str(info.value)
    assert "\n" not in str(info.value)


def test_read_gold_missing_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read"):
        read_gold(tmp_path / "none.txt")


def test_read_pharaoh(tmp_path: Path):
    path = tmp_path / "out.txt"
    path.write_text("0-0 1-2\n\n3-1\n", encoding="utf-8")
    assert read_pharaoh(path) == [{(0, 0), (1, 2)}, set(), {(3, 1)}]
