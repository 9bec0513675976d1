"""Imported sentence encoders (``models import-embedder``, ``--embedder NAME``, ``embed``): conformance and errors.

The checkpoints are tiny random-weight models written by ``devtools.checkpoints`` (seeded, built
once per session): a BertModel with its pooler (LaBSE's layout, WordPiece tokenizer) and an
XLMRobertaModel (multilingual-e5's layout: SentencePiece with fairseq's offset, sentence-transformers'
mean pooling). Conformance: our vectors (CTranslate2 float32 + the ``tokenizers`` library + our
pooling) equal transformers' own within 1e-4; int8 stays within cosine 0.99 of float32.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("transformers")

from align.cli import main  # noqa: E402
from align.embed import Embedder  # noqa: E402
from align.embed.encoders import EncoderEngine, find_encoder, list_encoders  # noqa: E402
from align.settings import Settings  # noqa: E402
from devtools.checkpoints import (  # noqa: E402
    build_bert_encoder,
    build_xlmr_encoder,
    fixture_sides,
    write_sentence_transformers,
)

TOLERANCE = 1e-4


def texts() -> list[str]:
    de, en = fixture_sides()
    long = " ".join(de[:8])  # over the tiny models' 64 tokens: truncated as transformers truncates
    return de[:6] + en[:6] + [long, "Ωμέγα – 漢字 Quxzyl!", "a"]


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def reference(folder: Path, pooling: str, prefix: str = "", dense: Path | None = None, limit: int = 64) -> np.ndarray:
    """transformers' own sentence vectors, written out here as sentence-transformers computes them."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    batch = tokenizer([prefix + t for t in texts()], padding=True, truncation=True, max_length=limit, return_tensors="pt")
    with torch.no_grad():
        out = model(**batch)
    mask = batch["attention_mask"].unsqueeze(-1).float()
    if pooling == "pooler":
        vectors = out.pooler_output
    elif pooling == "cls":
        vectors = out.last_hidden_state[:, 0]
    else:
        vectors = (out.last_hidden_state * mask).sum(1) / mask.sum(1)
    if dense is not None:
        from safetensors.torch import load_file

        state = load_file(str(dense / "model.safetensors"))
        vectors = torch.tanh(vectors @ state["linear.weight"].T + state["linear.bias"])
    return vectors.numpy()


def unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import torch

    root = tmp_path_factory.mktemp("encoder-checkpoints")
    st_bert = build_bert_encoder(root / "tiny-st-bert", seed=3)
    torch.manual_seed(5)
    write_sentence_transformers(st_bert, "cls", dense=torch.nn.Linear(32, 24))
    return {
        "bert": build_bert_encoder(root / "tiny-labse"),
        "xlmr": build_xlmr_encoder(root / "tiny-multilingual-e5"),
        "bge": build_xlmr_encoder(root / "tiny-bge-m3", seed=4, pooling=None),
        "st-bert": st_bert,
    }


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory, checkpoints: dict[str, Path]) -> Path:
    home = tmp_path_factory.mktemp("encoder-home")
    for key, folder in checkpoints.items():
        assert run("--home", home, "models", "import-embedder", folder, "--name", key) == 0
    assert (
        run("--home", home, "models", "import-embedder", checkpoints["bert"], "--name", "bert-int8", "--quantization", "int8")
        == 0
    )
    assert (
        run("--home", home, "models", "import-embedder", checkpoints["xlmr"], "--name", "xlmr-int8", "--quantization", "int8")
        == 0
    )
    return home


def engine(home: Path, name: str) -> EncoderEngine:
    return EncoderEngine(find_encoder(Settings(home=home), name), threads=1)


# ---- conformance ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "pooling", "prefix"),
    [("bert", "pooler", ""), ("xlmr", "mean", "query: "), ("bge", "cls", "")],
)
def test_float32_vectors_equal_transformers(
    home: Path, checkpoints: dict[str, Path], key: str, pooling: str, prefix: str
) -> None:
    installed = find_encoder(Settings(home=home), key)
    assert (installed.config.pooling, installed.config.prefix, installed.config.normalize) == (pooling, prefix, True)
    ours = engine(home, key).encode(texts())
    expected = unit(reference(checkpoints[key], pooling, prefix))
    difference = float(np.max(np.abs(ours - expected)))
    print(f"{key} {installed.config.architecture} {pooling}: max abs difference {difference:.2e}")
    assert difference <= TOLERANCE


def test_sentence_transformers_dense_and_normalize_are_applied(home: Path, checkpoints: dict[str, Path]) -> None:
    installed = find_encoder(Settings(home=home), "st-bert")
    assert (installed.config.pooling, installed.config.dim, len(installed.config.dense)) == ("cls", 24, 1)
    expected = unit(reference(checkpoints["st-bert"], "cls", dense=checkpoints["st-bert"] / "2_Dense"))
    assert float(np.max(np.abs(engine(home, "st-bert").encode(texts()) - expected))) <= TOLERANCE


@pytest.mark.parametrize("key", ["bert", "xlmr"])
def test_int8_stays_within_cosine_099_of_float32(home: Path, key: str) -> None:
    full, small = engine(home, key).encode(texts()), engine(home, f"{key}-int8").encode(texts())
    cosines = np.sum(unit(full) * unit(small), axis=1)
    print(f"{key} int8: lowest cosine to float32 {cosines.min():.5f}")
    assert cosines.min() >= 0.99
    assert find_encoder(Settings(home=home), f"{key}-int8").config.quantization == "int8"


def test_embed_command_writes_the_normalised_vectors_one_row_per_line(
    home: Path, checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    lines = texts()
    source = tmp_path / "lines.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "vectors.npy"
    assert run("--home", home, "embed", source, "--split-lines", "--embedder", "xlmr", "-o", out, "--quiet") == 0
    vectors = np.load(out)
    assert vectors.dtype == np.float32 and vectors.shape == (len(lines), 32)
    assert float(np.max(np.abs(vectors - unit(reference(checkpoints["xlmr"], "mean", "query: "))))) <= TOLERANCE


def test_embed_command_default_is_e5_small_without_download(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "text.txt"
    source.write_text("Das ist ein Satz. Und noch einer.\n", encoding="utf-8")
    out = tmp_path / "e5.npy"
    assert run("--home", home, "embed", source, "-o", out, "--quiet") == 0
    assert np.load(out).shape == (2, 384)


# ---- the embedder, its cache and the commands ---------------------------------------------------------
def test_cache_is_keyed_by_the_imported_model(home: Path, checkpoints: dict[str, Path], tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "cache-home")
    assert run("--home", settings.home, "models", "import-embedder", checkpoints["bert"], "--name", "enc") == 0
    sentences = ["Guten Morgen.", "Wie geht es?"]
    first = Embedder(settings.cache_dir, threads=1, encoder=find_encoder(settings, "enc"))
    vectors = first.encode(sentences)
    again = Embedder(settings.cache_dir, threads=1, encoder=find_encoder(settings, "enc"))
    assert np.array_equal(again.encode(sentences), vectors) and again.computed == 0  # from the disk cache
    # the same name, another model: a re-import must not reuse the first model's vectors
    assert (
        run("--home", settings.home, "models", "import-embedder", checkpoints["bge"], "--name", "enc", "--pooling", "mean") == 0
    )
    other = Embedder(settings.cache_dir, threads=1, encoder=find_encoder(settings, "enc"))
    assert other.model_name != first.model_name
    other.encode(sentences)
    assert other.computed == 2


def test_align_takes_an_imported_encoder_by_name(home: Path, tmp_path: Path) -> None:
    de, en = fixture_sides()
    (tmp_path / "de.txt").write_text("\n".join(de[:5]) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(en[:5]) + "\n", encoding="utf-8")
    out = tmp_path / "beads.txt"
    assert (
        run("--home", home, "align", tmp_path / "de.txt", tmp_path / "en.txt", "--split-lines", "--embedder", "bert", "-o", out)
        == 0
    )
    assert out.read_text(encoding="utf-8").strip()


def test_unknown_embedder_name_is_a_one_line_error(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "t.txt"
    source.write_text("Satz.\n", encoding="utf-8")
    assert run("--home", home, "embed", source, "--embedder", "labse-missing", "-o", tmp_path / "v.npy") == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "labse-missing" in err and "ct2" in err and "bert" in err


def test_models_list_shows_imported_encoders(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--home", home, "models", "list") == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("embedder\t")]
    names = {line.split("\t")[2] for line in lines}
    assert {"bert", "xlmr", "bge", "st-bert", "bert-int8", "xlmr-int8"} <= names
    assert any("BertModel pooler 32d float32" in line for line in lines)
    assert [e.name for e in list_encoders(Settings(home=home))] == sorted(names)


def test_engine_names_keep_meaning_the_engines(
    home: Path, checkpoints: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--home", home, "models", "import-embedder", checkpoints["bert"], "--name", "ct2") == 1
    assert "cannot name an encoder" in capsys.readouterr().err


# ---- hostile imports: one-line errors, nothing left behind ---------------------------------------------
def leftovers(home: Path) -> list[str]:
    folder = home / "embedders"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def broken_checkpoints(checkpoints: dict[str, Path], root: Path) -> dict[str, tuple[Path, tuple[str, ...], str]]:
    """name -> (folder, extra arguments, what the message must say)."""
    empty = root / "empty"
    empty.mkdir(parents=True)
    other = root / "tiny-t5"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "t5", "architectures": ["T5Model"]}), encoding="utf-8")
    no_tokenizer = root / "no-tokenizer"
    shutil.copytree(checkpoints["bert"], no_tokenizer)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        (no_tokenizer / name).unlink()
    bad_modules = root / "bad-modules"
    shutil.copytree(checkpoints["xlmr"], bad_modules)
    (bad_modules / "modules.json").write_text(json.dumps([{"path": "../../etc", "type": "sentence_transformers.models.Pooling"}]))
    no_pooler = root / "tiny-labse-no-pooler"
    build_bert_encoder(no_pooler, pooler=False)
    lowercase = root / "lowercase"
    shutil.copytree(checkpoints["xlmr"], lowercase)
    (lowercase / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 32, "do_lower_case": True}))
    return {
        "lower-casing": (lowercase, (), "do_lower_case is not supported"),
        "no config": (empty, (), "no config.json"),
        "unknown architecture": (other, (), "T5Model cannot be imported"),
        "name with ../": (checkpoints["bert"], ("--name", "../escaped"), "cannot name an encoder"),
        "missing tokenizer": (no_tokenizer, ("--pooling", "pooler"), "missing tokenizer file"),
        "module path leaving the folder": (bad_modules, (), "leaves the checkpoint"),
        "pooler on XLM-R": (checkpoints["xlmr"], ("--pooling", "pooler"), "needs a BERT checkpoint"),
        "pooler without weights": (no_pooler, (), "no pooler weights"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no config",
        "unknown architecture",
        "name with ../",
        "missing tokenizer",
        "module path leaving the folder",
        "pooler on XLM-R",
        "pooler without weights",
        "lower-casing",
    ],
)
def test_hostile_import_is_a_one_line_error_and_leaves_nothing(
    checkpoints: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    folder, extra, message = broken_checkpoints(checkpoints, tmp_path / "broken")[case]
    home = tmp_path / "home"
    assert run("--home", home, "models", "import-embedder", folder, *extra) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert message in err
    assert leftovers(home) == []
    assert not (home / "escaped").exists() and not (tmp_path / "escaped").exists()


def test_a_failed_import_keeps_the_installed_encoder(home: Path, checkpoints: dict[str, Path], tmp_path: Path) -> None:
    before = (home / "embedders" / "bert" / "embedder.json").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("--home", home, "models", "import-embedder", empty, "--name", "bert") == 1
    assert (home / "embedders" / "bert" / "embedder.json").read_bytes() == before
    assert not [p for p in (home / "embedders").iterdir() if p.name.startswith(".")]


def test_estimate_and_eval_align_take_an_imported_encoder(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text("Das Haus ist rot.\nIch habe drei Katzen.\n", encoding="utf-8")
    mt.write_text("The house is red.\nI have three cats.\n", encoding="utf-8")
    argv = ["--home", home, "estimate", src, mt, "--split-lines", "--quiet", "--no-model-signal", "--embedder", "xlmr"]
    assert run(*argv, "-o", tmp_path / "scores.tsv") == 0
    assert (tmp_path / "scores.tsv").read_text(encoding="utf-8").count("\n") >= 3
    bench = Path(__file__).resolve().parents[2] / "shared" / "bench" / "align-sample"
    if not bench.is_dir():
        pytest.skip("no shared align-sample bench")
    assert run("--home", home, "eval-align", bench, "--embedder", "bge") == 0
    assert "F1" in capsys.readouterr().out


def test_sentence_transformers_max_seq_length_truncates(checkpoints: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "tiny-multilingual-e5-short"
    shutil.copytree(checkpoints["xlmr"], folder)
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 8, "do_lower_case": False}))
    home = tmp_path / "home"
    assert run("--home", home, "models", "import-embedder", folder, "--name", "short") == 0
    installed = find_encoder(Settings(home=home), "short")
    assert installed.config.max_length == 8
    expected = unit(reference(folder, "mean", "query: ", limit=8))
    assert float(np.max(np.abs(EncoderEngine(installed, threads=1).encode(texts()) - expected))) <= TOLERANCE
