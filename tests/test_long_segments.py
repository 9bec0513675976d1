"""Segments longer than the model's positions (issue 20): no call into CTranslate2 may get more
positions than the model has, with the estimate (the default), a glossary and a memory all on.

The fixture package has 512 positions like Argos's; every test goes through the real package,
most through the real command line. The first test checks the limit itself against CTranslate2.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from align.cli import main
from align.mt.packages import find_package, install_from_path
from align.mt.translate import TranslateOptions, TranslateStats, Translator
from align.settings import load_settings
from devtools.models import load_fixture_pairs

PAIRS = [(de, en) for de, en in load_fixture_pairs() if de.endswith(".")]
#: one sentence of 40 fixture sentences joined by ", und ": about 680 source tokens, 512 positions
LONG = ", und ".join(de.rstrip(".") for de, _ in PAIRS[:40]) + "."
LONG_EN = ", and ".join(en.rstrip(".") for _, en in PAIRS[:40]) + "."
FAST = TranslateOptions(threads=1, beam_size=1)


@pytest.fixture
def home(tmp_path: Path, fixture_package_file: Path):
    """A data folder of its own with the fixture package (tests here add memories and glossaries)."""
    settings = load_settings(home=tmp_path / "home")
    install_from_path(fixture_package_file, settings)
    return settings


@pytest.fixture(scope="module")
def translator(installed_settings) -> Translator:
    return Translator.load(find_package("de", "en", installed_settings), FAST)


def run(home, *argv: object) -> int:
    return main(["--home", str(home.home), *(str(a) for a in argv)])


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def fails_beyond(call, limit: int) -> bool:
    """``call(limit)`` runs and ``call(limit + 1)`` is refused by CTranslate2 for its positions."""
    call(limit)
    with pytest.raises(RuntimeError, match="No position encodings"):
        call(limit + 1)
    return True


def test_the_position_limits_are_the_models_own(translator):
    """The limits read from model.bin are exactly where CTranslate2 starts refusing."""
    positions = translator.positions
    assert (positions.source, positions.target) == (512, 512)
    token = translator.tokenize("Elbe")[0]
    model = translator.model
    assert fails_beyond(lambda n: model.score_batch([[token] * n], [[token]], max_input_length=0), positions.source)
    # the decoder's start token takes one position: a scored target has one fewer
    assert fails_beyond(lambda n: model.score_batch([[token]], [[token] * n], max_input_length=0), positions.target - 1)
    assert fails_beyond(
        lambda n: model.translate_batch([[token]], max_decoding_length=n, min_decoding_length=n, beam_size=1),
        positions.target,
    )


def test_translate_command_long_segment_with_estimate_glossary_and_memory(tmp_path, home, capsys):
    """The issue's crash, with every feature on: the estimate (default), a glossary whose term is
    inside the long segment, and a memory that answers the sentence after it."""
    tm_de, tm_en = PAIRS[45]
    memory = tmp_path / "memory.csv"
    memory.write_text(f"source,target\n{tm_de},[memory] {tm_en}\n", encoding="utf-8")
    assert run(home, "tm", "import", memory, "--quiet") == 0
    glossary = tmp_path / "terms.csv"
    glossary.write_text("source,target,type\nFahrradbrücke,cycle bridge,term\n", encoding="utf-8")
    source = tmp_path / "long.txt"
    source.write_text(f"{PAIRS[41][0]} {LONG} {tm_de}\n", encoding="utf-8")
    out = tmp_path / "long.csv"
    assert run(home, "translate", source, "-o", out, "--quiet", "--glossary", glossary, "--threads", "1") == 0, (
        capsys.readouterr().err
    )
    rows = read_csv(out)
    assert [r["origin"] for r in rows] == ["mt", "mt", "tm100"]
    assert rows[1]["source"] == LONG and len(rows[1]["target"].split()) >= 20  # four pieces' translations
    assert rows[2]["target"].startswith("[memory] ") and rows[2]["quality"] == ""
    assert all(0.0 <= float(r["quality"]) <= 1.0 for r in rows[:2])


def test_batch_command_long_segment_keeps_its_window(tmp_path, home, capsys):
    """A long segment no longer fails every file translated in the same window."""
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    (in_dir / "a.txt").write_text(f"{PAIRS[50][0]} {PAIRS[51][0]}\n", encoding="utf-8")
    (in_dir / "long.txt").write_text(f"{LONG}\n", encoding="utf-8")
    (in_dir / "z.txt").write_text(f"{PAIRS[52][0]}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = run(home, "batch", in_dir, out, "--formats", "csv", "--quiet", "--threads", "1", "--beam-size", "1")
    assert code == 0, capsys.readouterr().out
    assert "translated 3 file(s)" in capsys.readouterr().out
    for name, count in (("a.csv", 2), ("long.csv", 1), ("z.csv", 1)):
        rows = read_csv(out / name)
        assert len(rows) == count and all(r["target"] and r["quality"] for r in rows), name


def test_estimate_command_scores_a_2000_word_translation(tmp_path, home, capsys):
    """Existing long targets are scored too (windowed): a long row and a 2,000-word MT line."""
    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    long_mt = " ".join([LONG_EN] * 6)  # about 2,000 words
    assert len(long_mt.split()) >= 2000
    src.write_text(f"{PAIRS[0][0]}\n{LONG}\n{LONG}\n{PAIRS[1][0]}\n", encoding="utf-8")
    mt.write_text(f"{PAIRS[0][1]}\n{LONG_EN}\n{long_mt}\n{PAIRS[1][1]}\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    code = run(home, "estimate", src, mt, "--split-lines", "-o", out, "--quiet", "--threads", "1")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "signals used:" in err and "model" in err.split("signals used:")[1].splitlines()[0]
    rows = read_csv(out)
    assert len(rows) == 4 and all(r["quality"] for r in rows)
    # six times the translation it should be: the model's view (its end of sentence comes late)
    # or the length makes it the worst row
    assert float(rows[2]["quality"]) == min(float(r["quality"]) for r in rows)


def test_long_pairs_are_scored_token_by_token(translator):
    """Every target token of a long row is scored once (and its end of sentence), like a short
    row's, whose scores stay those of one whole call."""
    from align.quality.modelscore import score_translations

    short_de, short_en = PAIRS[3]
    long_mt = " ".join([LONG_EN] * 3)
    scores = score_translations(translator, [short_de, LONG, LONG, "Kurz."], [short_en, LONG_EN, long_mt, long_mt])
    for target, found in zip([short_en, LONG_EN, long_mt, long_mt], scores, strict=True):
        assert found.tokens == (*translator.tokenize_target(target), "</s>")
        assert len(found.log_probs) == len(found.tokens) and all(v <= 0.0 for v in found.log_probs)
    [whole] = translator.model.score_batch([translator.tokenize_source(short_de)], [translator.tokenize_target(short_en)])
    assert scores[0].log_probs == pytest.approx(whole.log_probs)


def test_segments_without_tokens_do_not_crash(tmp_path, home, translator, capsys):
    """A segment SentencePiece keeps nothing of (control characters), or that is only an emoji the
    vocabulary lacks, is translated and estimated without a crash; an empty source says nothing
    about a target, so the model gives no score for it (it reported every token as certain)."""
    from align.quality.modelscore import TokenScores, score_translations

    assert translator.tokenize("\x07\x01") == []
    source = tmp_path / "odd.txt"
    source.write_text(f"{PAIRS[0][0]}\n\n\x07\x01\n\n😀\n\n{LONG}\n", encoding="utf-8")
    assert run(home, "translate", source, "-o", tmp_path / "odd.csv", "--quiet", "--threads", "1") == 0, capsys.readouterr().err
    rows = read_csv(tmp_path / "odd.csv")
    assert [r["source"] for r in rows][0] == PAIRS[0][0] and len(rows) == 4
    assert score_translations(translator, ["\x07\x01"], ["Hello."]) == [TokenScores()]
    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text(f"{PAIRS[0][0]}\n\x07\x01\n😀\n", encoding="utf-8")
    mt.write_text(f"{PAIRS[0][1]}\nHello.\n\x07\n", encoding="utf-8")
    assert run(home, "estimate", src, mt, "--split-lines", "-o", tmp_path / "s.csv", "--quiet", "--threads", "1") == 0


def test_options_beyond_the_model_are_held_to_its_positions(translator):
    """A piece limit or a decoding ratio beyond the model's positions cannot make a call fail:
    pieces are cut to what the model reads and decodes in full, and no decoding limit exceeds
    the decoder's positions; n_best, which takes sentences whole, refuses a longer one."""
    from align.errors import InputError

    loose = Translator.load(translator.package, TranslateOptions(threads=1, beam_size=1, max_piece_tokens=5000))
    stats = TranslateStats()
    [out] = loose.translate([LONG], stats=stats)
    assert out and stats.pieces == 3 and stats.input_tokens >= len(translator.tokenize(LONG))  # 682 tokens, 251 a piece
    assert translator.decode_options(5000)["max_decoding_length"] <= translator.positions.target
    assert translator.piece_limit() <= translator.positions.source
    with pytest.raises(InputError, match="positions"):
        translator.n_best([LONG])
