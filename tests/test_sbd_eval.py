"""The eval-sbd benchmark: exact counts on a folder the tests write, the real dev bench, the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.cli import main
from align.errors import AlignError, FormatError, InputError
from align.evaluate.segmentation import evaluate_dir, format_report, gold_boundaries, read_gold
from align.text.segment import format_segments, segment

TINY = {
    # gold splits after "blieb" (no full stop: missed); "Titel" ends a paragraph (not scored)
    "001": (
        "Titel\n\nEr kam am 3. Juni. Dann ging er. Sie blieb bei Dr. Müller.\n",
        "Titel\n\nEr kam am 3. Juni.\nDann ging er.\nSie blieb\nbei Dr. Müller.\n",
    ),
    # "Nr. 5. Das" is split by the rules but not by this gold: spurious
    "002": (
        "Er sah Nr. 5. Das war gut. Er lachte.\n\nEnde.",
        "Er sah Nr. 5. Das war gut.\nEr lachte.\n\nEnde.\n",
    ),
}


def write_bench(folder: Path, files: dict[str, tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (text, gold) in files.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / f"{name}.gold").write_text(gold, encoding="utf-8")
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_bench(tmp_path / "tiny", TINY)


def test_exact_counts(tiny: Path) -> None:
    report = evaluate_dir(tiny)
    assert (report.files, report.sentences) == (2, 8)
    assert (report.true_positives, report.false_positives, report.false_negatives) == (3, 1, 1)
    assert (report.precision, report.recall, report.f1) == (0.75, 0.75, 0.75)


def test_format_report(tiny: Path) -> None:
    report = evaluate_dir(tiny)
    assert format_report(report) == (
        "sbd tiny: 2 files, 8 sentences, 4 boundaries inside paragraphs; splitter align, lang de\n"
        "precision 0.7500  recall 0.7500  F1 0.7500  (tp 3, fp 1, fn 1)"
    )
    errors = format_report(report, show_errors=True).splitlines()[2:]
    assert errors == [
        "001.txt:3: missed   …kam am 3. Juni. Dann ging er. Sie blieb | bei Dr. Müller.…",
        "002.txt:1: spurious …Er sah Nr. 5. | Das war gut. Er lachte. Ende.…",
    ]


def test_gold_boundaries_count_non_space_characters() -> None:
    paragraphs = [["Ab cd.", "Ef."], ["Gh."]]
    assert gold_boundaries(paragraphs) == ({5}, {8, 11})


def test_read_gold_tolerates_extra_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.gold"
    path.write_text("\n\nA.\nB.\n\n\n\nC.\n\n", encoding="utf-8")
    assert read_gold(path) == [["A.", "B."], ["C."]]


def test_own_output_as_gold_scores_one(tmp_path: Path, shared_dir: Path) -> None:
    text = (shared_dir / "samples" / "kreml.de.txt").read_text(encoding="utf-8")
    bench = write_bench(tmp_path / "self", {"001": (text, format_segments(segment(text)))})
    report = evaluate_dir(bench)
    assert report.true_positives > 0
    assert (report.false_positives, report.false_negatives, report.f1) == (0, 0, 1.0)


def test_hard_wrapped_text_is_segmented_as_one_document(tmp_path: Path) -> None:
    """The two-line paragraph is only judged right with the wrap width of the whole file."""
    text = (
        "Der Musikverein gibt am Sonntag ein\nPlatzkonzert auf der Terrasse des\nGasthauses Hammer. Es\n"
        "spielen alle Mitglieder des Vereins.\n\n"
        '"Dieser Aufwand ist weg", freut sich\nMaier. Er lacht.\n'
    )
    gold = (
        "Der Musikverein gibt am Sonntag ein Platzkonzert auf der Terrasse des Gasthauses Hammer.\n"
        "Es spielen alle Mitglieder des Vereins.\n\n"
        '"Dieser Aufwand ist weg", freut sich Maier.\nEr lacht.\n'
    )
    report = evaluate_dir(write_bench(tmp_path / "wrapped", {"001": (text, gold)}))
    assert (report.true_positives, report.false_positives, report.false_negatives) == (2, 0, 0)


def test_pysbd_is_scored_the_same_way(tiny: Path) -> None:
    pytest.importorskip("pysbd")
    report = evaluate_dir(tiny, splitter="pysbd")
    assert report.splitter == "pysbd"
    assert report.true_positives + report.false_negatives == 4
    assert 0.0 < report.f1 <= 1.0


def test_unknown_splitter(tiny: Path) -> None:
    with pytest.raises(AlignError, match="unknown splitter 'nltk'"):
        evaluate_dir(tiny, splitter="nltk")


def test_missing_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=str(tmp_path / "nope")):
        evaluate_dir(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no NNN.txt/NNN.gold pairs"):
        evaluate_dir(tmp_path / "empty")


def test_text_without_gold(tmp_path: Path) -> None:
    (tmp_path / "001.txt").write_text("A. B.", encoding="utf-8")
    with pytest.raises(InputError, match="no gold file 001.gold"):
        evaluate_dir(tmp_path)


def test_gold_with_other_text_names_file_and_line(tmp_path: Path) -> None:
    write_bench(tmp_path, {"001": ("Eins. Zwei. Drei.", "Eins.\nZwie.\nDrei.\n")})
    with pytest.raises(FormatError, match=r"001\.gold:2: the gold text differs"):
        evaluate_dir(tmp_path)


def test_dev_bench_f1(shared_dir: Path) -> None:
    report = evaluate_dir(shared_dir / "bench" / "sbd-dev")
    assert report.files == 10
    assert report.f1 >= 0.995


def test_cli_eval_sbd(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-sbd", str(tiny)]) == 0
    assert capsys.readouterr().out == (
        "sbd tiny: 2 files, 8 sentences, 4 boundaries inside paragraphs; splitter align, lang de\n"
        "precision 0.7500  recall 0.7500  F1 0.7500  (tp 3, fp 1, fn 1)\n"
    )


def test_cli_eval_sbd_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-sbd", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'nope'}: no such benchmark folder (expected NNN.txt and NNN.gold files)\n"
    )
    with pytest.raises(SystemExit) as exit_info:  # the choices come from the library's SPLITTERS
        main(["eval-sbd", str(tmp_path), "--splitter", "nltk"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nltk' (choose from 'align', 'pysbd')" in capsys.readouterr().err
    with pytest.raises(AlignError, match="unknown splitter 'nltk'; choose one of: align, pysbd"):
        evaluate_dir(tmp_path, splitter="nltk")
