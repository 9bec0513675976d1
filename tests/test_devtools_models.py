"""The project's own Argos-format packages: layout, exact reproduction, shape, argostranslate."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from align.errors import PackageError
from devtools.models import (
    BENCH_SHAPE,
    BENCH_VOCAB_SIZE,
    DEFAULT_DECODING,
    MIN_LOGIT_MARGIN,
    WEIGHT_LEVELS,
    build_dev_packages,
    builder_key,
    check_kernel_paths,
    file_sha256,
    fixture_record_path,
    kernel_paths,
    load_fixture_pairs,
)

REPO = Path(__file__).resolve().parents[1]
ARGOS_KEYS = {"package_version", "argos_version", "from_code", "from_name", "to_code", "to_name"}


def extract(package_file: Path, into: Path) -> Path:
    """Unzip a .argosmodel; return its one top folder."""
    with zipfile.ZipFile(package_file) as archive:
        archive.extractall(into)
    (top,) = [path for path in into.iterdir() if path.is_dir()]
    return top


@pytest.fixture(scope="module")
def fixture_dir(fixture_package_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract(fixture_package_file, tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="module")
def bench_dir(bench_package_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract(bench_package_file, tmp_path_factory.mktemp("bench"))


def read_model_bin(path: Path, int8_peaks: dict[str, int] | None = None) -> dict[str, tuple[int, ...]]:
    """Variable names and shapes from a CTranslate2 model.bin (the layout its converter writes);
    ``int8_peaks`` receives the largest magnitude of every int8 variable."""
    data = path.read_bytes()
    offset = 0

    def take(fmt: str):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values

    def string() -> str:
        nonlocal offset
        (length,) = take("H")
        text = data[offset : offset + length - 1].decode("utf-8")
        offset += length
        return text

    take("I")  # binary version
    string()  # spec name
    take("I")  # revision
    (count,) = take("I")
    shapes = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank)
        (dtype,) = take("B")
        (size,) = take("I")
        if dtype == 1 and int8_peaks is not None:  # CTranslate2's DataType: 0 float32, 1 int8
            int8_peaks[name] = max(abs(v) for v in struct.unpack_from(f"{size}b", data, offset))
        offset += size
        shapes[name] = tuple(shape)
    (count,) = take("I")
    for _ in range(count):  # aliases: variables stored once and shared (tied embeddings)
        alias, target = string(), string()
        shapes[alias] = shapes[target]
        if int8_peaks is not None and target in int8_peaks:
            int8_peaks[alias] = int8_peaks[target]
    return shapes


# --------------------------------------------------------------------------------------------
# the training pairs
# --------------------------------------------------------------------------------------------
def test_fixture_pairs_are_varied_german_and_english():
    pairs = load_fixture_pairs()
    german = "".join(source for source, _ in pairs)
    assert len(pairs) >= 250
    assert {"ä", "ö", "ü", "ß", "„", "“"} <= set(german)
    assert any(re.search(r"\d", source) for source, _ in pairs)
    assert any(not source.endswith((".", "?", "!")) for source, _ in pairs), "headlines without a full stop"
    assert any(source.startswith(("- ", "1. ", "• ")) for source, _ in pairs), "list items"


def test_load_fixture_pairs_names_file_and_line(tmp_path: Path):
    path = tmp_path / "pairs.tsv"
    path.write_text("Guten Tag.\tGood day.\n\nNur Deutsch ohne Tabulator\n", encoding="utf-8")
    with pytest.raises(PackageError, match=r"pairs\.tsv:3:"):
        load_fixture_pairs(path)
    path.write_text("Hallo.\tHello.\nHallo.\tHi.\n", encoding="utf-8")
    with pytest.raises(PackageError, match=r"pairs\.tsv:2: German sentence already on line 1"):
        load_fixture_pairs(path)


def test_sample_text_is_made_of_fixture_sentences():
    german = {source for source, _ in load_fixture_pairs()}
    lines = [line for line in (REPO / "data" / "sample.de.txt").read_text(encoding="utf-8").splitlines() if line]
    sentences = [s for line in lines for s in re.split(r"(?<=[.!?“])\s+(?=[A-ZÄÖÜ„])", line)]
    assert 15 <= len(sentences) <= 26
    assert [s for s in sentences if s not in german] == []
    assert (REPO / "data" / "sample.en.txt").read_text(encoding="utf-8").count("\n\n") == len(lines) - 1


def test_unknown_kind_is_refused(tmp_path: Path):
    with pytest.raises(PackageError, match="choose all, fixture or bench"):
        build_dev_packages(tmp_path, which="everything")


# --------------------------------------------------------------------------------------------
# package layout
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["fixture", pytest.param("bench", marks=pytest.mark.slow)])
def test_zip_layout_and_metadata(which: str, request: pytest.FixtureRequest):
    package_file: Path = request.getfixturevalue(f"{which}_package_file")
    assert package_file.suffix == ".argosmodel"
    with zipfile.ZipFile(package_file) as archive:
        names = archive.namelist()
        tops = {name.split("/")[0] for name in names}
        assert tops == {f"translate-de_en-{which}"}
        top = tops.pop()
        for required in [
            "metadata.json",
            "README.md",
            "sentencepiece.model",
            "model/model.bin",
            "model/config.json",
            "model/shared_vocabulary.json",
        ]:
            assert f"{top}/{required}" in names
        metadata = json.loads(archive.read(f"{top}/metadata.json"))
    assert ARGOS_KEYS <= metadata.keys()
    assert (metadata["from_code"], metadata["to_code"]) == ("de", "en")
    assert (metadata["from_name"], metadata["to_name"]) == ("German", "English")


# --------------------------------------------------------------------------------------------
# the fixture reproduces its training pairs
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("compute_type", ["int8", "float32"])
@pytest.mark.parametrize("beam_size", [1, 2])
def test_fixture_reproduces_every_training_pair(fixture_dir: Path, compute_type: str, beam_size: int):
    import ctranslate2
    import sentencepiece as spm

    pairs = load_fixture_pairs()
    processor = spm.SentencePieceProcessor(model_file=str(fixture_dir / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(fixture_dir / "model"), compute_type=compute_type, intra_threads=1)
    results = translator.translate_batch(
        [processor.encode(source, out_type=str) for source, _ in pairs], beam_size=beam_size, **DEFAULT_DECODING
    )
    got = [processor.decode(result.hypotheses[0]) for result in results]
    wrong = [(source, expected, out) for (source, expected), out in zip(pairs, got, strict=True) if out != expected]
    assert wrong == []


def test_shipped_fixture_is_built_from_the_current_builder(fixture_package_file: Path):
    record = json.loads(fixture_record_path(fixture_package_file).read_text(encoding="utf-8"))
    rebuild = "rebuild it: python -m devtools build-models data/models --which fixture (a few minutes)"
    assert record["builder_key"] == builder_key(), (
        f"devtools/models/ or the training pairs changed since the fixture was built; {rebuild}"
    )
    assert record["sha256"] == file_sha256(fixture_package_file), f"the fixture differs from its build record; {rebuild}"
    assert record["package"] == fixture_package_file.name
    assert record["kernel_paths"]["failed"] == []


def test_fixture_weights_are_7_bit_int8(fixture_dir: Path):
    peaks: dict[str, int] = {}
    shapes = read_model_bin(fixture_dir / "model" / "model.bin", int8_peaks=peaks)
    weights = [name for name in shapes if name.endswith("/weight") and len(shapes[name]) == 2]
    assert weights and set(weights) <= set(peaks), "every weight matrix is stored as int8"
    assert max(peaks.values()) == WEIGHT_LEVELS, "int8 in [-63, 63]: no kernel saturates"


@pytest.mark.slow
def test_fixture_is_exact_on_every_kernel_path_of_this_cpu(fixture_dir: Path):
    paths = kernel_paths()
    report = check_kernel_paths(fixture_dir, paths)
    assert report.passed, report.format()
    summary = report.summary()
    assert summary["smallest_logit_margin"] >= MIN_LOGIT_MARGIN, report.format()
    # the margin is wide against how far any kernel moves a logit (7-bit weights: no saturation)
    assert summary["smallest_logit_margin"] > 4 * summary["largest_logit_deviation"], report.format()
    print(report.format())


GENERIC = ["default", "GENERIC oneDNN", "GENERIC MKL"]
AVX2 = [*GENERIC, "AVX oneDNN", "AVX MKL", "AVX2 oneDNN", "AVX2 MKL"]
AVX512 = ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"]


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (set(), GENERIC),
        ({"avx", "avx2", "fma"}, AVX2),
        (set(AVX512), [*AVX2, "AVX512 oneDNN", "AVX512 MKL"]),
        ({*AVX512, "avx512_vnni"}, [*AVX2, "AVX512 oneDNN", "AVX512 MKL", "AVX512 VNNI oneDNN", "AVX512 VNNI MKL"]),
    ],
)
def test_kernel_paths_follow_the_cpu_flags(flags: set[str], names: list[str]):
    paths = kernel_paths(flags)
    assert [p.name for p in paths] == names
    if "AVX2 MKL" in names:
        assert dict(paths[names.index("AVX2 MKL")].env) == {
            "CT2_FORCE_CPU_ISA": "AVX2",
            "CT2_USE_MKL": "1",
            "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        }


# --------------------------------------------------------------------------------------------
# the bench package has Argos de->en 1.0's shape
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_bench_has_the_shape_of_argos_de_en_1_0(bench_dir: Path):
    shapes = read_model_bin(bench_dir / "model" / "model.bin")
    d, ffn = BENCH_SHAPE.d_model, BENCH_SHAPE.ffn
    assert (BENCH_SHAPE.encoder_layers, BENCH_SHAPE.decoder_layers, d, BENCH_SHAPE.heads, ffn) == (6, 6, 512, 8, 2048)
    encoder_layers = {int(m.group(1)) for name in shapes if (m := re.match(r"encoder/layer_(\d+)/", name))}
    decoder_layers = {int(m.group(1)) for name in shapes if (m := re.match(r"decoder/layer_(\d+)/", name))}
    assert encoder_layers == set(range(6)) and decoder_layers == set(range(6))
    assert shapes["encoder/layer_0/self_attention/linear_0/weight"] == (3 * d, d)
    assert shapes["encoder/layer_0/ffn/linear_0/weight"] == (ffn, d)
    assert shapes["decoder/layer_5/ffn/linear_1/weight"] == (d, ffn)
    assert shapes["decoder/projection/weight"] == (BENCH_VOCAB_SIZE, d)
    assert shapes["encoder/embeddings_0/weight"] == (BENCH_VOCAB_SIZE, d)
    vocabulary = json.loads((bench_dir / "model" / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert len(vocabulary) == BENCH_VOCAB_SIZE and vocabulary[:3] == ["<unk>", "<s>", "</s>"]
    config = json.loads((bench_dir / "model" / "config.json").read_text(encoding="utf-8"))
    assert (config["bos_token"], config["eos_token"], config["unk_token"]) == ("<s>", "</s>", "<unk>")


@pytest.mark.slow
def test_bench_model_is_int8_and_translates(bench_dir: Path):
    import ctranslate2
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(bench_dir / "sentencepiece.model"))
    assert processor.get_piece_size() == BENCH_VOCAB_SIZE
    pieces = processor.encode("Die Bundesregierung hat am Mittwoch neue Regeln für Mieter beschlossen.", out_type=str)
    assert "<unk>" not in pieces and 10 <= len(pieces) <= 30
    size = (bench_dir / "model" / "model.bin").stat().st_size
    assert 60e6 < size < 100e6, "int8 weights: about one byte per parameter"
    translator = ctranslate2.Translator(str(bench_dir / "model"), compute_type="int8", intra_threads=1)
    (result,) = translator.translate_batch([pieces], beam_size=2, max_decoding_length=64, **DEFAULT_DECODING)
    assert 1 <= len(result.hypotheses[0]) <= 64


@given(
    st.lists(
        st.sampled_from(sorted({w for pair in load_fixture_pairs() for w in " ".join(pair).split()})), min_size=1, max_size=12
    )
)
@hypothesis_settings(max_examples=60, deadline=None)
@pytest.mark.slow
def test_bench_sentencepiece_round_trips_text_of_its_alphabet(bench_sp, words: list[str]):
    text = " ".join(words)
    assert bench_sp.decode(bench_sp.encode(text)) == text


@pytest.fixture(scope="module")
def bench_sp(bench_dir: Path):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(bench_dir / "sentencepiece.model"))


# --------------------------------------------------------------------------------------------
# argostranslate itself installs and uses the fixture
# --------------------------------------------------------------------------------------------
ARGOS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import ctranslate2
    from argostranslate import package, translate

    package.install_from_path(Path(sys.argv[1]))
    (pkg,) = package.get_installed_packages()
    sentences = json.loads(sys.argv[2])

    class OneSentence:  # argostranslate's own sentence splitters need downloaded models
        def split_sentences(self, text):
            return [text]

    translator = ctranslate2.Translator(str(pkg.package_path / "model"), compute_type="int8")
    out = [translate.apply_packaged_translation(pkg, s, translator, OneSentence(), num_hypotheses=1)[0].value
           for s in sentences]
    print(json.dumps({"from": pkg.from_code, "to": pkg.to_code, "out": out}))
    """
)


@pytest.mark.slow
def test_argostranslate_installs_and_translates_the_fixture(fixture_package_file: Path, tmp_path: Path):
    pairs = load_fixture_pairs()[:12]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ARGOS_", "XDG_"))}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ARGOS_PACKAGES_DIR=str(tmp_path / "packages"),
    )
    (tmp_path / "packages").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", ARGOS_SCRIPT, str(fixture_package_file), json.dumps([s for s, _ in pairs])],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["from"], result["to"]) == ("de", "en")
    assert result["out"] == [english for _, english in pairs]
    assert (tmp_path / "packages" / "translate-de_en-fixture" / "metadata.json").is_file()


@pytest.mark.slow
def test_command_line_builds_the_same_bench_package_again(bench_package_file: Path, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "devtools", "build-models", str(tmp_path), "--which", "bench"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = tmp_path.glob("*.argosmodel")
    assert done.stdout.strip() == str(built)
    assert built.read_bytes() == bench_package_file.read_bytes(), "same seed, same package"
