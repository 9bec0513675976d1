"""``words --embedder NAME``: word alignment with an imported sentence encoder's first layers.

The checkpoints are the tiny random BertModel (LaBSE's layout) and XLMRobertaModel (multilingual-e5's)
of ``devtools.checkpoints`` (as in tests/test_encoders_import.py), built here with 4 layers so the
word copy (round(4 * 7 / 12) = 2 layers) is a real cut. Conformance: the copy's token states equal
transformers' ``hidden_states[2]`` within 1e-4 in float32.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("transformers")

from align.cli import main  # noqa: E402
from align.embed.encoders import find_encoder  # noqa: E402
from align.settings import Settings  # noqa: E402
from align.words.split import split_words  # noqa: E402
from devtools.checkpoints import ENCODER_SHAPE, build_bert_encoder, build_xlmr_encoder, fixture_sides  # noqa: E402

TOLERANCE = 1e-4
SHAPE = dataclasses.replace(ENCODER_SHAPE, layers=4)
WORD_LAYERS = 2  # round(4 * 7 / 12)


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("word-encoder-checkpoints")
    return {
        "bert": build_bert_encoder(root / "tiny-labse", shape=SHAPE),
        "xlmr": build_xlmr_encoder(root / "tiny-multilingual-e5", shape=SHAPE),
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, checkpoints: dict[str, Path]) -> Path:
    home = tmp_path_factory.mktemp("word-encoder-home")
    for key, folder in checkpoints.items():
        assert run("--home", home, "models", "import-embedder", folder, "--name", key) == 0
    return home


def sentences() -> list[str]:
    de, en = fixture_sides()
    return de[:4] + en[:4] + ["Ukraine. „Haus“-Tür, 3,5 %!", "Ωμέγα – 漢字 Quxzyl"]


@pytest.mark.parametrize("key", ["bert", "xlmr"])
def test_word_copy_states_equal_transformers_hidden_states(home: Path, checkpoints: dict[str, Path], key: str) -> None:
    import torch
    from transformers import AutoModel

    from align.words.encoder import ImportedWordEncoder

    installed = find_encoder(Settings(home=home), key)
    encoder = ImportedWordEncoder(installed, threads=1)
    assert encoder.layers == WORD_LAYERS
    words = [split_words(text) for text in sentences()]
    pieces = encoder.pieces(words)
    ours = encoder.states([ids for ids, _ in pieces])
    model = AutoModel.from_pretrained(str(checkpoints[key])).eval()
    worst = 0.0
    for (ids, owner), state, sentence_words in zip(pieces, ours, words, strict=True):
        assert len(owner) == len(ids) and sorted(set(owner)) == list(range(len(sentence_words)))
        feed = torch.tensor([[*encoder.head, *ids, *encoder.tail]])
        with torch.no_grad():
            hidden = model(input_ids=feed, output_hidden_states=True).hidden_states[WORD_LAYERS][0].numpy()
        expected = hidden[len(encoder.head) : len(encoder.head) + len(ids)]
        worst = max(worst, float(np.max(np.abs(state - expected))))
    print(f"{key}: max abs difference {worst:.2e}")
    assert worst <= TOLERANCE


def test_words_command_aligns_with_an_imported_encoder(home: Path, tmp_path: Path) -> None:
    de, en = fixture_sides()
    src, tgt = de[:5], en[:5]
    (tmp_path / "de.txt").write_text("\n".join(src) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    out = tmp_path / "links.txt"
    argv = ["--home", home, "words", tmp_path / "de.txt", tmp_path / "en.txt", "--split-lines", "--quiet"]
    assert run(*argv, "--embedder", "xlmr", "-o", out) == 0
    lines = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(lines) == len(src)
    linked = 0
    for line, s, t in zip(lines, src, tgt, strict=True):
        for link in line.split():
            i, j = (int(k) for k in link.split("-"))
            assert 0 <= i < len(split_words(s)) and 0 <= j < len(split_words(t))
            linked += 1
    assert linked > 0


def test_an_embedder_imported_without_the_word_copy_is_a_one_line_error(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_home = tmp_path / "old-home"
    old = old_home / "embedders" / "old"
    shutil.copytree(home / "embedders" / "bert", old)
    shutil.rmtree(old / "words", ignore_errors=True)
    description = json.loads((old / "embedder.json").read_text(encoding="utf-8"))
    description["extra"] = {}  # as written before word alignment took imported encoders
    (old / "embedder.json").write_text(json.dumps(description), encoding="utf-8")
    (tmp_path / "de.txt").write_text("Das Haus ist rot.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("The house is red.\n", encoding="utf-8")
    argv = ["--home", old_home, "words", tmp_path / "de.txt", tmp_path / "en.txt", "--split-lines", "--quiet"]
    capsys.readouterr()
    assert run(*argv, "--embedder", "old") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert "old" in err and "import-embedder" in err and "again" in err
