"""Long segments with imported packages (issue 20): their source prefix and suffix tokens (NLLB's
language token, ``</s>``) and target prefix take positions too. The tiny random checkpoints of
``devtools.checkpoints`` have 256 positions and decode until their length limit, so every
decoding limit is tested at the decoder's last position."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytest.importorskip("transformers")

from align.cli import main  # noqa: E402
from align.mt.packages import find_package  # noqa: E402
from align.mt.translate import TranslateOptions, TranslateStats, Translator  # noqa: E402
from align.quality.modelscore import score_translations  # noqa: E402
from align.settings import load_settings  # noqa: E402
from devtools.checkpoints import build_marian, build_nllb  # noqa: E402
from devtools.models import load_fixture_pairs  # noqa: E402

PAIRS = [(de, en) for de, en in load_fixture_pairs() if de.endswith(".")]
LONG = ", und ".join(de.rstrip(".") for de, _ in PAIRS[:20]) + "."
LONG_EN = ", and ".join(en.rstrip(".") for _, en in PAIRS[:20]) + "."
BUILDERS = {"marian": build_marian, "nllb": build_nllb}


def run(home: Path, *argv: object) -> int:
    return main(["--home", str(home), *(str(a) for a in argv)])


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def home(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding one imported package of the family."""
    root = tmp_path_factory.mktemp(request.param)
    checkpoint = BUILDERS[request.param](root / f"tiny-{request.param}")
    assert run(root / "home", "models", "import", checkpoint, "--src", "de", "--tgt", "en") == 0
    return root / "home"


@pytest.fixture(scope="module")
def translator(home: Path) -> Translator:
    return Translator.load(find_package("de", "en", load_settings(home=home)), TranslateOptions(threads=1, beam_size=1))


def test_limits_count_the_models_own_tokens(translator):
    """The 256 positions hold the prefix and suffix tokens as well: the long segment is cut into
    pieces whose tokens, those included, fit, and its scoring windows fit both sides."""
    assert (translator.positions.source, translator.positions.target) == (256, 256)
    assert len(translator.tokenize(LONG)) > 256
    stats = TranslateStats()
    [out] = Translator.load(translator.package, TranslateOptions(threads=1, beam_size=1, max_piece_tokens=5000)).translate(
        [LONG], stats=stats
    )
    assert out and stats.pieces >= 3  # (256 - 10) / 2 = 123 tokens a piece
    [scores] = score_translations(translator, [LONG], [" ".join([LONG_EN] * 3)])
    assert scores.tokens == (*translator.tokenize_target(" ".join([LONG_EN] * 3)), "</s>")


def test_translate_and_estimate_commands(home: Path, tmp_path: Path, capsys):
    source = tmp_path / "long.txt"
    source.write_text(f"{PAIRS[30][0]} {LONG}\n", encoding="utf-8")
    out = tmp_path / "long.csv"
    assert run(home, "translate", source, "-o", out, "--quiet", "--threads", "1") == 0, capsys.readouterr().err
    with open(out, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and all(r["target"] and r["quality"] for r in rows)
    mt = tmp_path / "mt.txt"
    mt.write_text(f"{PAIRS[30][1]} {' '.join([LONG_EN] * 3)}\n", encoding="utf-8")
    assert run(home, "estimate", source, mt, "--split-lines", "-o", tmp_path / "s.csv", "--quiet", "--threads", "1") == 0
    assert "model" in capsys.readouterr().err.split("signals used:")[1].splitlines()[0]
