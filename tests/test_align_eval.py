"""The Text+Berg strict/lax metric on hand-made beads, reading bench folders, and eval-align."""

from __future__ import annotations

from pathlib import Path

import pytest
from aligner_texts import DE, EN

from align.cli import main
from align.document import Bead
from align.errors import FormatError, InputError
from align.evaluate.alignment import (
    count_beads,
    evaluate_dir,
    format_report,
    parse_bead_line,
    read_beads,
    score_documents,
)

GOLD = [((0,), (0,)), ((1,), (1, 2)), ((2,), ()), ((3, 4), (3,))]
TEST = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), ()), ((3,), (3,)), ((4,), ())]


def test_counts_on_hand_made_beads():
    precision, recall = count_beads(GOLD, TEST)
    # precision: all 6 test beads; strict hits [0]:[0] and [2]:[]; lax adds [1]:[1] and [3]:[3]
    assert (precision.tp_strict, precision.fp_strict, precision.tp_lax, precision.fp_lax) == (2, 4, 4, 2)
    # recall: the 3 two-sided gold beads against the 3 two-sided test beads
    assert (recall.tp_strict, recall.fp_strict, recall.tp_lax, recall.fp_lax) == (1, 2, 3, 0)


def test_scores_on_hand_made_beads():
    s = score_documents([(GOLD, TEST)])
    assert s.precision_strict == pytest.approx(2 / 6)
    assert s.precision_lax == pytest.approx(4 / 6)
    assert s.recall_strict == pytest.approx(1 / 3)
    assert s.recall_lax == pytest.approx(1.0)
    assert s.f1_strict == pytest.approx(1 / 3)
    assert s.f1_lax == pytest.approx(0.8)


def test_counts_are_pooled_over_documents_not_averaged():
    perfect = [((0,), (0,))] * 1
    s = score_documents([(GOLD, TEST), (perfect, perfect)])
    assert s.precision_strict == pytest.approx(3 / 7)
    assert s.recall_strict == pytest.approx(2 / 4)


def test_beads_and_tuples_score_the_same():
    as_beads = [Bead(src, tgt, 0.5) for src, tgt in TEST]
    assert score_documents([(GOLD, as_beads)]) == score_documents([(GOLD, TEST)])


def test_perfect_and_empty():
    s = score_documents([(GOLD, GOLD)])
    assert (s.f1_strict, s.f1_lax) == (1.0, 1.0)
    s = score_documents([([], [])])
    assert (s.f1_strict, s.f1_lax) == (0.0, 0.0)


@pytest.mark.parametrize(
    "line, expected",
    [("[3, 4]:[5]", ((3, 4), (5,))), ("[]:[0]", ((), (0,))), ("[7]:[]", ((7,), ())), (" [1]:[2, 3] ", ((1,), (2, 3)))],
)
def test_parse_bead_line(line, expected):
    assert parse_bead_line(line) == expected


def test_gold_format_round_trips():
    for src, tgt in GOLD:
        assert parse_bead_line(Bead(src, tgt).gold_format()) == (src, tgt)


def test_malformed_gold_names_file_and_line(tmp_path: Path):
    path = tmp_path / "001"
    path.write_text("[0]:[0]\n[1]-[1]\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"001:2"):
        read_beads(path)


def _write_bench(root: Path) -> Path:
    for sub in ("src", "tgt", "gold"):
        (root / sub).mkdir(parents=True)
    # document 001: a plain 1-1 text; document 002: two target sentences merged, one dropped
    (root / "src" / "001").write_text("\n".join(DE[:6]) + "\n", encoding="utf-8")
    (root / "tgt" / "001").write_text("\n".join(EN[:6]) + "\n", encoding="utf-8")
    (root / "gold" / "001").write_text("".join(f"[{i}]:[{i}]\n" for i in range(6)), encoding="utf-8")
    tgt = [EN[6], EN[7] + " " + EN[8], EN[10], EN[11]]
    (root / "src" / "002").write_text("\n".join(DE[6:12]) + "\n", encoding="utf-8")
    (root / "tgt" / "002").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    (root / "gold" / "002").write_text("[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[4]:[2]\n[5]:[3]\n", encoding="utf-8")
    return root


@pytest.mark.slow
def test_evaluate_dir_on_a_written_bench(tmp_path: Path, embedder):
    bench = _write_bench(tmp_path / "bench")
    report = evaluate_dir(bench, embedder=embedder)
    assert [d.name for d in report.documents] == ["001", "002"]
    assert report.sentences == 6 + 6 + 6 + 4
    assert report.scores.f1_strict == 1.0
    text = format_report(report, show_errors=True)
    assert "F1           1.0000   1.0000" in text
    assert "sentences/s" in text and "max RSS" in text


def test_evaluate_dir_reports_missing_parts(tmp_path: Path):
    (tmp_path / "src").mkdir()
    with pytest.raises(InputError, match="tgt"):
        evaluate_dir(tmp_path)


def test_eval_align_command(tmp_path: Path, capsys):
    bench = _write_bench(tmp_path / "bench")
    home = tmp_path / "home"
    assert main(["--home", str(home), "eval-align", str(bench)]) == 0
    out = capsys.readouterr().out
    assert "F1           1.0000   1.0000" in out
    assert (home / "cache" / "embeddings.sqlite3").is_file()
    assert main(["--home", str(home), "eval-align", str(tmp_path / "nowhere")]) == 1


def test_align_sample_every_bead_right(shared_dir: Path, embedder):
    """The article's beads (a 2-1 merge of the restructured translation among them), and at the
    end the source's tag line 'toi-allgemeines' and the translator's note '[Translated from
    German.]': unrelated sentences in the same place, a replacement, so both stay unaligned."""
    report = evaluate_dir(shared_dir / "bench" / "align-sample", embedder=embedder)
    doc = report.documents[0]
    assert sorted(doc.test) == sorted(doc.gold)
    assert report.scores.f1_strict == 1.0


def test_the_leftover_pair_is_a_replacement_not_a_rule(shared_dir: Path, embedder):
    """Without the replacement prior the same search links the tag line with the note: the
    omission-plus-addition reading is what unlinks them, decided inside the search with the
    document's own calibration, not by a rule after it."""
    from align.aligner import AlignOptions, align_sentences
    from align.evaluate.alignment import read_lines

    bench = shared_dir / "bench" / "align-sample"
    src, tgt = read_lines(bench / "src" / "001"), read_lines(bench / "tgt" / "001")
    linked = align_sentences(src, tgt, embedder=embedder, options=AlignOptions(replace_prior=None))
    assert (linked[-1].src, linked[-1].tgt) == ((13,), (13,))
    assert linked[-1].confidence < 0.01  # linked, but flagged as no translation
    beads = align_sentences(src, tgt, embedder=embedder)
    assert [(b.src, b.tgt) for b in beads[-2:]] == [((13,), ()), ((), (13,))]
    assert all(b.confidence <= 0.5 for b in beads[-2:])
