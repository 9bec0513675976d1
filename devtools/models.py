"""Argos-format packages the project builds itself, because no model can be downloaded here.

Two packages, both real ``.argosmodel`` zips that argostranslate could install:

* the *fixture*: a tiny de->en Transformer trained with torch on ``data/fixture_pairs.tsv``
  until CTranslate2 reproduces every training pair exactly (int8 and float32, beam 1 and 2, with
  our decoding defaults) on every kernel path of the building CPU, with a wide logit margin.
  Tests use it as the real translation backend and can assert exact English output for any
  German sentence in the pairs file. Training is deterministic on one CPU, not across CPUs, so
  the built package is shipped in ``data/models/`` with a build record, and tests train nothing.
* the *bench*: random weights in the shape of Argos's de->en 1.0 model (Transformer base, 6+6
  layers, d_model 512, 8 heads, FFN 2048, shared 32k SentencePiece vocabulary, int8), so speed
  measurements see the same matrix sizes as the real model. Its output is noise by design; its
  end-of-sentence bias is calibrated so greedy outputs have a realistic median length, and a
  benchmark that needs exact output lengths pins min/max_decoding_length.

argostranslate 1.11 installs and loads both (``package.install_from_path``, its SentencePiece
tokenizer, ``translate.apply_packaged_translation``); only its own sentence splitters (MiniSBD,
Stanza) want to download models, so offline a caller splits sentences itself.

The weights are written straight into a ``ctranslate2.specs.TransformerSpec``: no OpenNMT,
fairseq or transformers is involved. Heavy libraries are imported inside the functions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.errors import PackageError
from align.mt.translate import TranslateOptions

log = logging.getLogger(__name__)

DEVDATA = Path(__file__).resolve().parent / "data"
FIXTURE_PAIRS = DEVDATA / "fixture_pairs.tsv"

#: Decoding options the project translates with by default; the fixture must survive them.
DEFAULT_DECODING: dict[str, Any] = {
    "repetition_penalty": TranslateOptions.repetition_penalty,
    "no_repeat_ngram_size": TranslateOptions.no_repeat_ngram_size,
}
FIXTURE_NAME = "translate-de_en-fixture"
#: The fixture's weights are int8 in [-63, 63]: no int8 kernel saturates (``quantize_weights``).
WEIGHT_LEVELS = 63
#: The smallest teacher-forced logit margin CTranslate2 must show before a fixture is accepted.
#: Kernels without saturation move these logits by less than 0.3 (int8 vs float32 included).
MIN_LOGIT_MARGIN = 2.0
LAYER_NORM_EPSILON = 1e-6
MAX_POSITIONS = 512
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
CALIBRATION_SENTENCES = 32


@dataclass(frozen=True)
class ModelShape:
    """The hyper-parameters a Transformer encoder-decoder needs to be laid out."""

    encoder_layers: int
    decoder_layers: int
    d_model: int
    heads: int
    ffn: int


#: Argos Translate's de->en 1.0 model (OpenNMT-py Transformer base, shared vocabulary).
BENCH_SHAPE = ModelShape(encoder_layers=6, decoder_layers=6, d_model=512, heads=8, ffn=2048)
BENCH_VOCAB_SIZE = 32000
#: Small enough to train in a few minutes on two busy cores, big enough to memorise the pairs.
FIXTURE_SHAPE = ModelShape(encoder_layers=2, decoder_layers=2, d_model=128, heads=4, ffn=512)
FIXTURE_VOCAB_SIZE = 1500


@dataclass(frozen=True)
class PackageInfo:
    """What goes into a package's metadata.json and README.md."""

    name: str
    package_version: str
    description: str
    readme: str


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def build_dev_packages(out_dir: Path, which: str = "all", seed: int = 1) -> list[Path]:
    """Build the development packages into ``out_dir``; ``which`` is 'all', 'fixture' or 'bench'."""
    builders = {"bench": build_bench_package, "fixture": build_fixture_package}
    if which == "all":
        chosen = ["bench", "fixture"]
    elif which in builders:
        chosen = [which]
    else:
        raise PackageError(f"unknown development package {which!r}: choose all, fixture or bench")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [builders[name](out_dir, seed=seed) for name in chosen]


def load_fixture_pairs(path: Path = FIXTURE_PAIRS) -> list[tuple[str, str]]:
    """The (German, English) training pairs of the fixture model, in file order.

    The file is UTF-8, one pair a line, German TAB English; blank lines are skipped.
    """
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise PackageError(f"{path}:{number}: expected 'German<TAB>English', got {line!r}")
        source, target = parts[0].strip(), parts[1].strip()
        if source in seen:
            raise PackageError(f"{path}:{number}: German sentence already on line {seen[source]}")
        seen[source] = number
        pairs.append((source, target))
    return pairs


def build_bench_package(out_dir: Path, seed: int = 1) -> Path:
    """Random weights shaped like Argos de->en 1.0 (int8, 32k shared vocabulary), for speed tests."""
    import numpy as np

    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = PackageInfo(
        name="translate-de_en-bench",
        package_version="1.0",
        description="Random-weight de->en model shaped like Argos de->en 1.0 (speed tests only)",
        readme=_BENCH_README,
    )
    with tempfile.TemporaryDirectory(prefix="bench-", dir=out_dir) as tmp:
        work = Path(tmp)
        texts = [text for pair in load_fixture_pairs() for text in pair]
        small = train_sentencepiece(texts, work / "small", vocab_size=FIXTURE_VOCAB_SIZE, seed=seed)
        sp_bytes = pad_sentencepiece(small.read_bytes(), BENCH_VOCAB_SIZE, texts)
        package_dir = work / info.name
        package_dir.mkdir()
        (package_dir / "sentencepiece.model").write_bytes(sp_bytes)
        vocab = sentencepiece_vocabulary(package_dir / "sentencepiece.model")
        weights = random_weights(BENCH_SHAPE, len(vocab), np.random.default_rng(seed))
        spec = transformer_spec(weights, BENCH_SHAPE, vocab)
        spec.optimize(quantization="int8")
        model_dir = package_dir / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        processor = _sentencepiece(package_dir / "sentencepiece.model")
        german = [source for source, _ in load_fixture_pairs()]
        # Three short sentences joined make one input of news length (about 25 words).
        joined = [" ".join(german[i : i + 3]) for i in range(0, 3 * CALIBRATION_SENTENCES, 3)]
        sources = [processor.encode(text, out_type=str) for text in joined]
        from ctranslate2.specs.model_spec import NumpyVariable

        bias = calibrate_eos_bias(model_dir, sources, eos_id=vocab.index("</s>"))
        weights["output_bias"][vocab.index("</s>")] = bias
        spec.decoder.projection.bias = NumpyVariable(weights["output_bias"])  # optimize() wrapped them
        spec.save(str(model_dir))
        _write_package_files(package_dir, info)
        path = zip_package(package_dir, out_dir / f"{info.name}.argosmodel")
    log.info("built %s in %.1f s (%.1f MB)", path.name, time.monotonic() - started, path.stat().st_size / 1e6)
    return path


def calibrate_eos_bias(model_dir: Path, sources: list[list[str]], eos_id: int, length_ratio: float = 1.1) -> float:
    """The end-of-sentence logit bias that makes greedy outputs about ``length_ratio`` x the input.

    A random model has no reason to stop, and a benchmark that always decodes to the length limit
    measures nothing real. Raising only the ``</s>`` logit leaves the greedy path unchanged up to
    the step where ``</s>`` first wins, so one decoding run without the bias gives, for every
    candidate bias, the exact greedy length; a bisection then picks the bias whose mean length
    matches the inputs. Lengths vary (the stop is a random event) but their median is realistic;
    a benchmark that needs exact output lengths should pass min/max_decoding_length.
    """
    import ctranslate2
    import numpy as np

    target = length_ratio * sum(len(tokens) for tokens in sources) / len(sources)
    limit = int(4 * target) + 8
    translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8", intra_threads=2)
    results = translator.translate_batch(sources, beam_size=1, max_decoding_length=limit, return_logits_vocab=True)
    gaps = []
    for result in results:
        steps = []
        for logits in result.logits[0]:
            row = np.array(logits, dtype=np.float32)
            eos = row[eos_id]
            row[eos_id] = -np.inf
            steps.append(float(row.max() - eos))
        gaps.append(steps[1:])  # CTranslate2 never ends at step 0 (min_decoding_length=1)
    del translator

    def mean_length(bias: float) -> float:  # the median: a few runaway outputs must not set it
        lengths = [next((i + 1 for i, gap in enumerate(steps) if gap < bias), len(steps) + 1) for steps in gaps]
        return float(np.median(lengths))

    low, high = -10.0, 30.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_length(middle) > target else (low, middle)
    log.info(
        "end-of-sentence bias %.3f: median greedy length %.1f for mean input %.1f", high, mean_length(high), target / length_ratio
    )
    return high


def build_fixture_package(out_dir: Path, seed: int = 1, check_kernels: bool = True) -> Path:
    """A tiny de->en model trained until it reproduces every pair of ``load_fixture_pairs``.

    Trains a joint SentencePiece model on both sides, then a small Transformer with torch on one
    CPU thread, stores it in CTranslate2's format with 7-bit int8 weights (``WEIGHT_LEVELS``) and
    checks it the way the tests use it: every pair exact with int8 and float32, beam 1 and 2,
    under ``DEFAULT_DECODING``; a teacher-forced logit margin of at least ``MIN_LOGIT_MARGIN``;
    and, with ``check_kernels``, the same exact output under every kernel path of this machine
    (``kernel_paths``). Training goes on while any check fails; ``PackageError`` if the epoch
    budget runs out first. Writes ``<name>.argosmodel`` and ``<name>.build.json`` (the builder
    key, the file's SHA-256, versions, CPU, margins), which the tests compare with the source.
    """
    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = load_fixture_pairs()
    info = PackageInfo(
        name=FIXTURE_NAME,
        package_version="0.2",
        description="Tiny de->en test model that translates exactly its own training sentences",
        readme=_FIXTURE_README,
    )
    with tempfile.TemporaryDirectory(prefix="fixture-", dir=out_dir) as tmp:
        work = Path(tmp)
        sp_model = train_sentencepiece([text for pair in pairs for text in pair], work / "sp", FIXTURE_VOCAB_SIZE, seed)
        package_dir = work / info.name
        package_dir.mkdir()
        shutil.copyfile(sp_model, package_dir / "sentencepiece.model")
        vocab = sentencepiece_vocabulary(package_dir / "sentencepiece.model")
        examples = encode_pairs(pairs, package_dir / "sentencepiece.model")
        accepted: list[tuple[dict[str, Margins], KernelReport | None]] = []

        def accept(weights: dict) -> bool:
            spec = transformer_spec(weights, FIXTURE_SHAPE, vocab)
            spec.optimize(quantization=None)  # ties the shared embeddings, quantizes nothing
            quantize_weights(spec, WEIGHT_LEVELS)
            model_dir = package_dir / "model"
            shutil.rmtree(model_dir, ignore_errors=True)
            model_dir.mkdir()
            spec.save(str(model_dir))
            misses = check_pairs(package_dir, pairs)
            log.info("%d of %d checks differ", len(misses), 4 * len(pairs))
            for miss in misses[:3]:
                log.info("not yet reproduced: %s", miss)
            if misses:
                return False
            margins = {compute_type: measure_margins(package_dir, pairs, compute_type) for compute_type in COMPUTE_TYPES}
            log.info("CTranslate2 margins: %s", margins)
            if min(m.logit for m in margins.values()) < MIN_LOGIT_MARGIN:
                return False
            report = check_kernel_paths(package_dir, kernel_paths()) if check_kernels else None
            if report is not None:
                log.info("kernel paths:\n%s", report.format())
                if not report.passed:
                    return False
            accepted.append((margins, report))
            return True

        epochs = train_fixture_weights(examples, len(vocab), FIXTURE_SHAPE, seed, accept)
        _write_package_files(package_dir, info)
        path = zip_package(package_dir, out_dir / f"{info.name}.argosmodel")
        margins, report = accepted[-1]
        record = {
            "package": path.name,
            "sha256": file_sha256(path),
            "builder_key": builder_key(),
            "seed": seed,
            "epochs": epochs,
            "weight_levels": WEIGHT_LEVELS,
            "margins": {compute_type: dataclasses.asdict(m) for compute_type, m in margins.items()},
            "kernel_paths": report.summary() if report is not None else "not checked",
            "built_with": _build_environment(),
        }
        fixture_record_path(path).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("built %s in %.1f s (%.1f MB)", path.name, time.monotonic() - started, path.stat().st_size / 1e6)
    return path


def builder_key() -> str:
    """What the fixture is made from: this module's source and the training pairs.

    The shipped fixture records the key it was built with; a test compares it with the key of
    the source as it is, so a change to the builder or the pairs without a rebuilt artifact fails.
    """
    digest = hashlib.sha256()
    for path in (Path(__file__), FIXTURE_PAIRS):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]


def fixture_record_path(package_file: Path) -> Path:
    """The build record written beside a fixture package: ``<name>.build.json``."""
    return package_file.with_name(package_file.name.removesuffix(".argosmodel") + ".build.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def quantize_weights(spec, levels: int) -> None:
    """Store every weight matrix of ``spec`` as int8 in [-levels, levels], with a scale per row.

    CTranslate2 would use all of [-127, 127]. CPUs without VNNI multiply int8 matrices with
    ``vpmaddubsw``, which adds two (unsigned activation x signed weight) products into a
    saturating 16-bit integer: 255 x 127 x 2 = 64,770 is clipped at 32,767, so such a CPU computes
    other logits than one with VNNI (an earlier fixture with 8-bit weights lost two beam-2
    translations on oneDNN's AVX2 kernels). With ``levels`` = 63 the sum stays at most 255 x 63 x 2 =
    32,130, so no kernel saturates and every CPU computes the same products.
    """
    import numpy as np
    from ctranslate2.specs.model_spec import NumpyVariable, Variable, visit_spec

    def visit(layer, name: str, value) -> None:
        key = name.rsplit("/", 1)[-1]
        if not isinstance(value, Variable) or value.is_scalar() or not hasattr(layer, f"{key}_scale"):
            return
        weights = value.to("float32").numpy()
        amax = np.abs(weights).max(axis=1)
        scale = (levels / np.where(amax > 0, amax, 1.0)).astype(np.float32)
        setattr(layer, key, NumpyVariable(np.rint(weights * scale[:, None]).astype(np.int8)))
        setattr(layer, f"{key}_scale", NumpyVariable(scale))

    visit_spec(spec, visit)


def _build_environment() -> dict[str, str]:
    import platform

    import ctranslate2
    import sentencepiece
    import torch

    return {
        "cpu": cpu_model_name(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "ctranslate2": ctranslate2.__version__,
        "sentencepiece": sentencepiece.__version__,
    }


# --------------------------------------------------------------------------------------------
# checking the fixture: exact pairs, margins, every kernel path
# --------------------------------------------------------------------------------------------
COMPUTE_TYPES = ("int8", "float32")
BEAM_SIZES = (1, 2)


@dataclass(frozen=True)
class Miss:
    """A training pair a package does not reproduce under one decoding setting."""

    compute_type: str
    beam_size: int
    source: str
    expected: str
    got: str


@dataclass(frozen=True)
class Margins:
    """How far the right translation is from the nearest wrong one, for one compute type.

    ``logit``: the smallest teacher-forced margin of the right piece's logit over the best other
    piece (greedy decoding flips only if a kernel moves logits by more than that). ``beam_gap``:
    the smallest difference of length-normalised scores between beam 2's best hypothesis and
    its runner-up (negative when the best is not the right sentence).
    """

    logit: float
    beam_gap: float


def translate_sentences(package_dir: Path, sentences: Sequence[str], compute_type: str = "int8", beam_size: int = 2) -> list[str]:
    """Translate with an extracted package the way Argos does: pieces in, pieces decoded out."""
    import ctranslate2

    processor = _sentencepiece(package_dir / "sentencepiece.model")
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu", compute_type=compute_type, intra_threads=1)
    results = translator.translate_batch(
        [processor.encode(sentence, out_type=str) for sentence in sentences],
        beam_size=beam_size,
        max_batch_size=64,
        **DEFAULT_DECODING,
    )
    return [processor.decode(result.hypotheses[0]) for result in results]


def check_pairs(
    package_dir: Path,
    pairs: Sequence[tuple[str, str]],
    compute_types: Sequence[str] = COMPUTE_TYPES,
    beam_sizes: Sequence[int] = BEAM_SIZES,
) -> list[Miss]:
    """Every pair the extracted package at ``package_dir`` translates differently, per setting."""
    misses = []
    sources = [source for source, _ in pairs]
    for compute_type in compute_types:
        for beam_size in beam_sizes:
            outputs = translate_sentences(package_dir, sources, compute_type, beam_size)
            for (source, expected), got in zip(pairs, outputs, strict=True):
                if got != expected:
                    misses.append(Miss(compute_type, beam_size, source, expected, got))
    return misses


def teacher_forced_logits(package_dir: Path, pairs: Sequence[tuple[str, str]], compute_type: str):
    """For every piece of every right translation (and its ``</s>``): the right piece's logit and
    the best other logit, as CTranslate2 computes them with the decoding options applied.

    The right translation is forced as the target prefix, so the decoder sees exactly the
    states a correct greedy decoding goes through. Returns two float arrays of equal length.
    """
    import ctranslate2
    import numpy as np

    processor = _sentencepiece(package_dir / "sentencepiece.model")
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu", compute_type=compute_type, intra_threads=1)
    sources = [processor.encode(source, out_type=str) for source, _ in pairs]
    targets = [processor.encode(target, out_type=str) for _, target in pairs]
    results = translator.translate_batch(
        sources,
        target_prefix=targets,
        beam_size=1,
        max_batch_size=64,
        max_decoding_length=max(len(t) for t in targets) + 2,
        return_logits_vocab=True,
        **DEFAULT_DECODING,
    )
    eos = processor.piece_to_id("</s>")
    right: list[float] = []
    other: list[float] = []
    for result, target in zip(results, targets, strict=True):
        wanted = [processor.piece_to_id(piece) for piece in target] + [eos]
        for logits, piece in zip(result.logits[0], wanted, strict=False):
            row = np.asarray(logits, dtype=np.float64)
            right.append(float(row[piece]))
            row[piece] = -np.inf
            other.append(float(row.max()))
    return np.array(right), np.array(other)


def beam_gaps(package_dir: Path, pairs: Sequence[tuple[str, str]], compute_type: str) -> list[float]:
    """Per pair: beam 2's best score minus its runner-up's, or -1 when the best is not the pair."""
    import ctranslate2

    processor = _sentencepiece(package_dir / "sentencepiece.model")
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu", compute_type=compute_type, intra_threads=1)
    results = translator.translate_batch(
        [processor.encode(source, out_type=str) for source, _ in pairs],
        beam_size=2,
        num_hypotheses=2,
        return_scores=True,
        max_batch_size=64,
        **DEFAULT_DECODING,
    )
    gaps = []
    for result, (_, expected) in zip(results, pairs, strict=True):
        right = processor.decode(result.hypotheses[0]) == expected
        gaps.append(result.scores[0] - result.scores[1] if right and len(result.scores) > 1 else (math.inf if right else -1.0))
    return gaps


def measure_margins(package_dir: Path, pairs: Sequence[tuple[str, str]], compute_type: str) -> Margins:
    right, other = teacher_forced_logits(package_dir, pairs, compute_type)
    return Margins(
        logit=round(float((right - other).min()), 4), beam_gap=round(min(beam_gaps(package_dir, pairs, compute_type)), 4)
    )


def fixture_report(package_dir: Path, pairs: Sequence[tuple[str, str]] | None = None) -> dict:
    """Everything one kernel path computes for the fixture, as JSON-ready data: the misses under
    every decoding setting, and per compute type the teacher-forced logits and beam gaps."""
    pairs = load_fixture_pairs() if pairs is None else pairs
    report: dict = {"misses": [dataclasses.asdict(m) for m in check_pairs(package_dir, pairs)]}
    for compute_type in COMPUTE_TYPES:
        right, other = teacher_forced_logits(package_dir, pairs, compute_type)
        report[compute_type] = {
            "right": right.tolist(),
            "other": other.tolist(),
            "gaps": beam_gaps(package_dir, pairs, compute_type),
        }
    return report


@dataclass(frozen=True)
class KernelPath:
    """One way CTranslate2 can compute on this CPU, chosen through environment variables that
    must be set before the library loads: its own kernels' instruction set (``CT2_FORCE_CPU_ISA``),
    the matrix library (``CT2_USE_MKL``: Intel MKL, the default on Intel CPUs, or oneDNN, the
    default elsewhere) and that library's highest instruction set."""

    name: str
    env: tuple[tuple[str, str], ...]


#: CTranslate2's instruction sets, the /proc/cpuinfo flags each needs, and the matching caps of
#: oneDNN (ONEDNN_MAX_CPU_ISA) and MKL (MKL_ENABLE_INSTRUCTIONS).
_ISA_LEVELS = (
    ("GENERIC", (), "SSE41", "SSE4_2"),
    ("AVX", ("avx",), "AVX", "AVX"),
    ("AVX2", ("avx2", "fma"), "AVX2", "AVX2"),
    ("AVX512", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"), "AVX512_CORE", "AVX512"),
)


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def cpu_model_name() -> str:
    """The CPU's model name and its vector instruction sets, e.g. 'AMD EPYC (AVX2, AVX-512, VNNI)'."""
    import platform

    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = cpu_flags()
    isa = [label for label, flag in (("AVX2", "avx2"), ("AVX-512", "avx512f"), ("VNNI", "avx512_vnni")) if flag in flags]
    return f"{name} ({', '.join(isa) or 'no AVX2'})"


def kernel_paths(flags: set[str] | None = None) -> list[KernelPath]:
    """Every kernel path this CPU can take: the default one, then each instruction set it has
    with oneDNN and with MKL capped at the same level, then the VNNI kernels where it has them.

    A level below the CPU's best stands in for a CPU that stops there: AVX-512 without VNNI is
    the Xeon on which the fixture once failed to train.
    """
    flags = cpu_flags() if flags is None else flags
    paths = [KernelPath("default", ())]
    for level, needs, onednn, mkl in _ISA_LEVELS:
        if set(needs) <= flags:
            paths += [_onednn_path(level, onednn, level), _mkl_path(level, mkl, level)]
    if {"avx512f", "avx512_vnni"} <= flags:
        paths += [_onednn_path("AVX512", "AVX512_CORE_VNNI", "AVX512 VNNI"), _mkl_path("AVX512", "AVX512_E1", "AVX512 VNNI")]
    return paths


def _onednn_path(level: str, cap: str, label: str) -> KernelPath:
    return KernelPath(f"{label} oneDNN", (("CT2_FORCE_CPU_ISA", level), ("CT2_USE_MKL", "0"), ("ONEDNN_MAX_CPU_ISA", cap)))


def _mkl_path(level: str, cap: str, label: str) -> KernelPath:
    return KernelPath(f"{label} MKL", (("CT2_FORCE_CPU_ISA", level), ("CT2_USE_MKL", "1"), ("MKL_ENABLE_INSTRUCTIONS", cap)))


@dataclass
class PathResult:
    """What one kernel path gave: misses, margins and how far its logits are from the reference."""

    path: KernelPath
    misses: list[dict]
    margins: dict[str, Margins]
    deviation: dict[str, float]
    error: str = ""


@dataclass
class KernelReport:
    """The fixture on every kernel path. ``passed``: every path ran and reproduced every pair."""

    results: list[PathResult]

    @property
    def passed(self) -> bool:
        return all(not r.error and not r.misses for r in self.results)

    def summary(self) -> dict:
        return {
            "cpu": cpu_model_name(),
            "passed": [r.path.name for r in self.results if not r.error and not r.misses],
            "failed": [r.path.name for r in self.results if r.error or r.misses],
            "smallest_logit_margin": min((m.logit for r in self.results for m in r.margins.values()), default=None),
            "largest_logit_deviation": max((d for r in self.results for d in r.deviation.values()), default=None),
        }

    def format(self) -> str:
        lines = [f"{'kernel path':22} {'misses':>6}  {'margin int8':>11} {'float32':>8}  {'beam gap':>8}  {'deviation':>9}"]
        for r in self.results:
            if r.error:
                lines.append(f"{r.path.name:22} error: {r.error}")
                continue
            gap = min(m.beam_gap for m in r.margins.values())
            lines.append(
                f"{r.path.name:22} {len(r.misses):6d}  {r.margins['int8'].logit:11.3f} {r.margins['float32'].logit:8.3f}"
                f"  {gap:8.4f}  {max(r.deviation.values()):9.4f}"
            )
        summary = self.summary()
        lines.append(
            f"smallest logit margin {summary['smallest_logit_margin']}, largest deviation from the reference "
            f"{summary['largest_logit_deviation']} ({cpu_model_name()})"
        )
        return "\n".join(lines)


def check_kernel_paths(package_dir: Path, paths: Sequence[KernelPath], workers: int = 2, timeout: float = 600) -> KernelReport:
    """Run ``fixture_report`` under each kernel path, each in a fresh process (the variables are
    read once, when CTranslate2 loads). A path that fails, hangs or prints something else is that
    path's error, not the end of the check. Deviations are measured against the float32 logits of
    the right pieces on the first path (the default one, as ``kernel_paths`` orders them)."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    # the child imports devtools from this checkout, wherever the caller runs
    python_path = os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")) if p)

    def run(path: KernelPath) -> dict | str:
        env = {**os.environ, **dict(path.env), "PYTHONPATH": python_path}
        command = [sys.executable, "-m", "devtools.models", "report", str(package_dir)]
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"no answer within {timeout:.0f} s"
        if done.returncode != 0:
            return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError:
            return f"unreadable report: {done.stdout[:200]!r}"

    with ThreadPoolExecutor(max(1, workers)) as pool:
        outcomes = list(pool.map(run, paths))
    reference = outcomes[0] if outcomes and isinstance(outcomes[0], dict) else None
    results = []
    for path, data in zip(paths, outcomes, strict=True):
        if isinstance(data, str) or reference is None:
            error = data if isinstance(data, str) else f"no reference: the first path ({paths[0].name}) failed"
            results.append(PathResult(path, [], {}, {}, error=error))
            continue
        margins, deviation = {}, {}
        for compute_type in COMPUTE_TYPES:
            right, other = np.array(data[compute_type]["right"]), np.array(data[compute_type]["other"])
            margins[compute_type] = Margins(round(float((right - other).min()), 4), round(min(data[compute_type]["gaps"]), 4))
            deviation[compute_type] = round(float(np.abs(right - np.array(reference["float32"]["right"])).max()), 4)
        results.append(PathResult(path, data["misses"], margins, deviation))
    return KernelReport(results)


# --------------------------------------------------------------------------------------------
# training the fixture
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    """One training pair as SentencePiece ids: source, and target without <s> or </s>."""

    source: tuple[int, ...]
    target: tuple[int, ...]


def encode_pairs(pairs: Sequence[tuple[str, str]], model_file: Path) -> list[Example]:
    """Encode the pairs; refuse pairs the model could never reproduce exactly.

    An English side must survive the SentencePiece round trip (normalisation may not change it)
    and must not repeat a 4-gram of pieces, which ``no_repeat_ngram_size=4`` would forbid.
    """
    processor = _sentencepiece(model_file)
    ngram = DEFAULT_DECODING["no_repeat_ngram_size"]
    examples = []
    for number, (source, target) in enumerate(pairs, start=1):
        target_ids = processor.encode(target)
        if processor.decode(target_ids) != target or "_" in target:
            raise PackageError(f"{FIXTURE_PAIRS}: pair {number}: {target!r} does not survive SentencePiece decoding")
        grams = [tuple(target_ids[i : i + ngram]) for i in range(len(target_ids) - ngram + 1)]
        if len(grams) != len(set(grams)):
            raise PackageError(f"{FIXTURE_PAIRS}: pair {number}: {target!r} repeats a {ngram}-gram of pieces")
        examples.append(Example(tuple(processor.encode(source)), tuple(target_ids)))
    return examples


MAX_EPOCHS = 500
DECAY_EPOCHS = 120
CHECK_EVERY = 10
BATCH_SIZE = 32
LEARNING_RATE = 3e-3
INPUT_NOISE = 0.1
#: Every right piece is trained to beat the best other piece by this many logits (a hinge loss),
#: so the 7-bit weights and every CPU's rounding leave the translation as it is.
TRAIN_MARGIN = 4.0
MARGIN_WEIGHT = 0.5
#: Teacher-forced logit margin (after the repetition penalty) before a CTranslate2 check is tried.
CHECK_MARGIN = 3.0


def _build_torch_model(shape: ModelShape, vocab_size: int):
    """A pre-norm Transformer whose parameter names are those ``transformer_spec`` reads."""
    import torch
    from torch import nn

    d = shape.d_model

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = nn.Embedding(vocab_size, d)
            self.output_bias = nn.Parameter(torch.zeros(vocab_size))
            common: dict[str, Any] = dict(
                dim_feedforward=shape.ffn, dropout=0.0, layer_norm_eps=LAYER_NORM_EPSILON, batch_first=True, norm_first=True
            )
            self.encoder = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(d, shape.heads, **common),
                shape.encoder_layers,
                norm=nn.LayerNorm(d, eps=LAYER_NORM_EPSILON),
                enable_nested_tensor=False,
            )
            self.decoder = nn.TransformerDecoder(
                nn.TransformerDecoderLayer(d, shape.heads, **common),
                shape.decoder_layers,
                norm=nn.LayerNorm(d, eps=LAYER_NORM_EPSILON),
            )
            self.register_buffer("positions", torch.from_numpy(sinusoid_table(MAX_POSITIONS, d)), persistent=False)
            for name, parameter in self.named_parameters():
                if parameter.dim() > 1 and name != "embeddings.weight":
                    nn.init.xavier_uniform_(parameter)
            nn.init.normal_(self.embeddings.weight, 0.0, d**-0.5)

        def embed(self, ids):
            positions: torch.Tensor = self.get_buffer("positions")
            return self.embeddings(ids) * math.sqrt(d) + positions[: ids.shape[1]]

        def forward(self, source, source_pad, target_in, target_pad):
            memory = self.encoder(self.embed(source), src_key_padding_mask=source_pad)
            steps = target_in.shape[1]
            causal = torch.ones((steps, steps), dtype=torch.bool).triu(diagonal=1)
            hidden = self.decoder(
                self.embed(target_in),
                memory,
                tgt_mask=causal,
                tgt_is_causal=True,
                tgt_key_padding_mask=target_pad,
                memory_key_padding_mask=source_pad,
            )
            return hidden @ self.embeddings.weight.T + self.output_bias

    return Seq2Seq()


def _batch(examples: Sequence[Example]):
    """Padded tensors: source, source padding, decoder input (<s> + target), labels (target + </s>)."""
    import torch

    bos, eos, ignore = 1, 2, -100
    width_s = max(len(e.source) for e in examples)
    width_t = max(len(e.target) for e in examples) + 1
    source = torch.zeros((len(examples), width_s), dtype=torch.long)
    target_in = torch.zeros((len(examples), width_t), dtype=torch.long)
    labels = torch.full((len(examples), width_t), ignore, dtype=torch.long)
    for row, example in enumerate(examples):
        source[row, : len(example.source)] = torch.tensor(example.source)
        target_in[row, : len(example.target) + 1] = torch.tensor((bos,) + example.target)
        labels[row, : len(example.target) + 1] = torch.tensor(example.target + (eos,))
    source_pad = torch.arange(width_s)[None, :] >= torch.tensor([len(e.source) for e in examples])[:, None]
    target_pad = labels == ignore
    return source, source_pad, target_in, target_pad, labels


def _penalize_repeats(logits, target_in):
    """CTranslate2's repetition penalty: tokens already in the output have their logits divided
    (if positive) or multiplied (if negative) by the penalty, at every later step."""
    import torch

    penalty = DEFAULT_DECODING["repetition_penalty"]
    seen = torch.zeros_like(logits, dtype=torch.bool)
    seen.scatter_(2, target_in[..., None], True)
    seen = seen.cummax(dim=1).values
    return torch.where(seen, torch.where(logits > 0, logits / penalty, logits * penalty), logits)


def _margins(logits, labels):
    """The right piece's logit minus the best other's, at every position (padding included)."""
    index = labels.clamp(min=0)[..., None]
    right = logits.gather(2, index).squeeze(-1)
    others = logits.scatter(2, index, float("-inf")).max(dim=2).values
    return right - others


def _min_margin(model, batch) -> tuple[float, int, int]:
    """Smallest teacher-forced margin of the right token over the best other, after the
    repetition penalty, with the (pair index, piece index) where it occurs."""
    import torch

    source, source_pad, target_in, target_pad, labels = batch
    with torch.no_grad():
        logits = _penalize_repeats(model(source, source_pad, target_in, target_pad), target_in)
        margins = _margins(logits, labels)
        margins = torch.where(labels != -100, margins, torch.full_like(margins, float("inf")))
        worst = int(margins.argmin())
        row, step = divmod(worst, margins.shape[1])
        return float(margins[row, step]), row, step


def _learning_rate_factor(epoch: float) -> float:
    """Warm up for 3 epochs, then cosine decay to 5 % at DECAY_EPOCHS, then stay there."""
    if epoch < 3:
        return (epoch + 0.1) / 3
    progress = min(1.0, (epoch - 3) / (DECAY_EPOCHS - 3))
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


def train_fixture_weights(
    examples: Sequence[Example], vocab_size: int, shape: ModelShape, seed: int, accept: Callable[[dict], bool]
) -> int:
    """Train until ``accept(weights)`` (the CTranslate2 checks) says yes; return the epoch count.

    Deterministic for a seed on one CPU (not across CPUs: hence the shipped artifact): fixed
    initialisation, fixed batch order per epoch, one thread, deterministic algorithms. One thread
    on purpose: on a shared, busy two-core machine two torch threads spin-wait on each other and
    an epoch takes many times longer. The checks run once the teacher-forced margin is comfortable.
    """
    import torch

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    try:
        model = _build_torch_model(shape, vocab_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.98))
        # Batches of similar length (less padding), visited in a seeded order each epoch.
        by_length = sorted(examples, key=lambda e: (len(e.target), len(e.source), e.source))
        batches = [_batch(by_length[i : i + BATCH_SIZE]) for i in range(0, len(by_length), BATCH_SIZE)]
        steps_per_epoch = len(batches)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: _learning_rate_factor(step / steps_per_epoch))
        order = torch.Generator().manual_seed(seed)
        everything = _batch(examples)
        loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
        started = time.monotonic()
        for epoch in range(1, MAX_EPOCHS + 1):
            model.train()
            total = 0.0
            for index in torch.randperm(len(batches), generator=order).tolist():
                source, source_pad, target_in, target_pad, labels = batches[index]
                # Feed some wrong previous tokens and still ask for the right next one: the model
                # learns to return to its sentence after a slip instead of ending early, which
                # keeps beam search's second hypothesis from finishing before the right one
                # (CTranslate2 stops at beam_size finished hypotheses when length_penalty != 0).
                slips = (torch.rand(target_in.shape, generator=order) < INPUT_NOISE) & ~target_pad
                slips[:, 0] = False
                noise = torch.randint(3, vocab_size, target_in.shape, generator=order)
                target_in = torch.where(slips, noise, target_in)
                # Trained under the repetition penalty it will be decoded with, so a word that
                # must come twice is predicted with room to spare.
                logits = _penalize_repeats(model(source, source_pad, target_in, target_pad), target_in)
                loss = loss_fn(logits.reshape(-1, vocab_size), labels.reshape(-1))
                # Beam search (length_penalty != 0) stops after beam_size finished hypotheses, so
                # a "</s>" as runner-up before the true end can crowd out the right sentence:
                # push the probability of ending down wherever the sentence goes on.
                going_on = (labels != -100) & (labels != 2)
                p_end = logits.log_softmax(-1)[..., 2].exp()
                loss = loss - torch.log1p(-p_end.clamp(max=1 - 1e-6))[going_on].mean()
                # Cross-entropy stops pushing once a piece is likely enough; the hinge keeps
                # pushing until the right piece leads by TRAIN_MARGIN logits everywhere.
                margins = _margins(logits, labels)[labels != -100]
                loss = loss + MARGIN_WEIGHT * torch.relu(TRAIN_MARGIN - margins).mean()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                total += float(loss.detach())
            if epoch % CHECK_EVERY:
                continue
            model.eval()
            margin, row, step = _min_margin(model, everything)
            log.info(
                "epoch %d: loss %.4f, margin %.2f (pair %d, piece %d), %.0f s",
                epoch,
                total,
                margin,
                row + 1,
                step,
                time.monotonic() - started,
            )
            if margin < CHECK_MARGIN:
                continue
            weights = {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}
            weights["embeddings"] = weights.pop("embeddings.weight")
            if accept(weights):
                return epoch
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.set_num_threads(threads)
    raise PackageError(
        f"the fixture model did not pass its checks ({len(examples)} pairs exact on every kernel path, "
        f"logit margin {MIN_LOGIT_MARGIN}) after {MAX_EPOCHS} epochs; try another --seed"
    )


# --------------------------------------------------------------------------------------------
# SentencePiece
# --------------------------------------------------------------------------------------------
def train_sentencepiece(texts: Sequence[str], prefix: Path, vocab_size: int, seed: int = 1) -> Path:
    """Train a joint unigram SentencePiece model on ``texts``; return the ``.model`` file.

    Deterministic: one thread, no sampling of the input, fixed generator seed. Every character of
    the texts is covered, so training sentences never contain ``<unk>``.
    """
    import sentencepiece as spm

    prefix.parent.mkdir(parents=True, exist_ok=True)
    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spm.set_random_generator_seed(seed)
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    # The trainer records its input file and output prefix (temporary paths): drop them so the
    # same seed gives byte-identical packages.
    from sentencepiece import sentencepiece_model_pb2 as pb

    model_file = prefix.with_suffix(".model")
    proto = pb.ModelProto()
    proto.ParseFromString(model_file.read_bytes())
    del proto.trainer_spec.input[:]
    proto.trainer_spec.model_prefix = ""
    model_file.write_bytes(proto.SerializeToString())
    return model_file


def pad_sentencepiece(model_bytes: bytes, vocab_size: int, texts: Iterable[str]) -> bytes:
    """Grow a trained SentencePiece model to ``vocab_size`` pieces through its protobuf.

    A 32k vocabulary cannot be learned from a few hundred sentences, so the extra pieces are
    generated: the substrings of the words in ``texts`` (word starts carry the ``▁`` mark),
    most frequent first, then concatenations of learned pieces. They are scored below every
    learned piece, in frequency order, so frequent whole words become single pieces as in a real
    32k vocabulary while the learned segmentation still decides the rest. The result loads with
    sentencepiece and tokenises German like any unigram model.
    """
    from collections import Counter

    from sentencepiece import sentencepiece_model_pb2 as pb

    normal = pb.ModelProto.SentencePiece.NORMAL
    proto = pb.ModelProto()
    proto.ParseFromString(model_bytes)
    existing = {piece.piece for piece in proto.pieces}
    learned = [piece for piece in proto.pieces if piece.type == normal]
    lowest = min(piece.score for piece in learned)

    counts: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"\w+", text):
            at_word_start = match.start() == 0 or text[match.start() - 1].isspace()
            marked = ("\u2581" if at_word_start else "") + match.group()
            for start in range(len(marked)):
                for end in range(start + 2, min(len(marked), start + 16) + 1):
                    counts[marked[start:end]] += 1
    ranked = sorted(counts, key=lambda piece: (-counts[piece] * len(piece), piece))
    ranked += [first.piece + second.piece.lstrip("\u2581") for first in learned for second in learned]

    wanted = vocab_size - len(proto.pieces)
    added = 0
    for piece in ranked:
        if added >= wanted:
            break
        if piece in existing or not piece.strip("\u2581") or "\u2581" in piece[1:]:
            continue
        existing.add(piece)
        new = proto.pieces.add()
        new.piece, new.type = piece, normal
        new.score = lowest - 0.5 - 6.0 * added / max(1, wanted)
        added += 1
    if len(proto.pieces) != vocab_size:
        raise PackageError(f"could only make {len(proto.pieces)} SentencePiece pieces, {vocab_size} asked")
    proto.trainer_spec.vocab_size = vocab_size
    return proto.SerializeToString()


def sentencepiece_vocabulary(model_file: Path) -> list[str]:
    """The pieces of a SentencePiece model in id order: the CTranslate2 vocabulary, id for id."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _sentencepiece(model_file: Path):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(model_file))


# --------------------------------------------------------------------------------------------
# weights -> CTranslate2
# --------------------------------------------------------------------------------------------
def sinusoid_table(length: int, d_model: int):
    """Sinusoidal position encodings, sines in the first half and cosines in the second."""
    import numpy as np

    positions = np.arange(length, dtype=np.float64)[:, None]
    rates = np.exp(-math.log(10000.0) * np.arange(d_model // 2, dtype=np.float64) / (d_model // 2 - 1))
    angles = positions * rates[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


def _layer_names(shape: ModelShape) -> dict[str, tuple[int, ...]]:
    """Parameter names and shapes, named as torch's nn.Transformer* modules name them."""
    d, f = shape.d_model, shape.ffn
    names: dict[str, tuple[int, ...]] = {}

    def attention(prefix: str) -> None:
        names[f"{prefix}.in_proj_weight"] = (3 * d, d)
        names[f"{prefix}.in_proj_bias"] = (3 * d,)
        names[f"{prefix}.out_proj.weight"] = (d, d)
        names[f"{prefix}.out_proj.bias"] = (d,)

    def block(prefix: str, norms: int) -> None:
        names[f"{prefix}.linear1.weight"] = (f, d)
        names[f"{prefix}.linear1.bias"] = (f,)
        names[f"{prefix}.linear2.weight"] = (d, f)
        names[f"{prefix}.linear2.bias"] = (d,)
        for n in range(1, norms + 1):
            names[f"{prefix}.norm{n}.weight"] = (d,)
            names[f"{prefix}.norm{n}.bias"] = (d,)

    for i in range(shape.encoder_layers):
        attention(f"encoder.layers.{i}.self_attn")
        block(f"encoder.layers.{i}", norms=2)
    for i in range(shape.decoder_layers):
        attention(f"decoder.layers.{i}.self_attn")
        attention(f"decoder.layers.{i}.multihead_attn")
        block(f"decoder.layers.{i}", norms=3)
    for side in ("encoder", "decoder"):
        names[f"{side}.norm.weight"] = (d,)
        names[f"{side}.norm.bias"] = (d,)
    return names


def random_weights(shape: ModelShape, vocab_size: int, rng) -> dict:
    """Random weights for every parameter, scaled like a freshly initialised Transformer."""
    import numpy as np

    weights = {}
    for name, dims in _layer_names(shape).items():
        if len(dims) == 1 and "norm" in name.rsplit(".", 2)[-2] and name.endswith(".weight"):
            weights[name] = np.ones(dims, dtype=np.float32)
        elif len(dims) == 1:
            weights[name] = np.zeros(dims, dtype=np.float32)
        else:
            limit = math.sqrt(6.0 / (dims[0] + dims[1]))
            weights[name] = rng.uniform(-limit, limit, size=dims).astype(np.float32)
    weights["embeddings"] = rng.normal(0.0, shape.d_model**-0.5, size=(vocab_size, shape.d_model)).astype(np.float32)
    # ReLU outputs have a positive mean, which the second FFN matrix turns into one constant
    # direction that swamps the input after six layers; the bias takes that mean back out.
    relu_mean = math.sqrt(shape.d_model * 2.0 / (shape.d_model + shape.ffn)) / math.sqrt(2 * math.pi)
    for name in list(weights):
        if name.endswith("linear2.weight"):
            weights[name.replace("weight", "bias")] = -(weights[name].sum(axis=1) * relu_mean).astype(np.float32)
    # An untied output projection: tied random embeddings make the decoder echo its own input
    # forever (the fed-back token is always the best match), which no trained model does.
    weights["projection"] = rng.normal(0.0, shape.d_model**-0.5, size=(vocab_size, shape.d_model)).astype(np.float32)
    weights["output_bias"] = np.zeros((vocab_size,), dtype=np.float32)
    return weights


def transformer_spec(weights: dict, shape: ModelShape, vocabulary: list[str]):
    """Lay ``weights`` (torch nn.Transformer names) out as a CTranslate2 TransformerSpec.

    Pre-norm layers, ReLU, embeddings multiplied by sqrt(d_model) and shared between encoder,
    decoder and output projection, as in Argos's OpenNMT-py models with a shared vocabulary.
    """
    import numpy as np
    from ctranslate2.specs import TransformerSpec

    spec = TransformerSpec.from_config((shape.encoder_layers, shape.decoder_layers), shape.heads)
    spec.config.layer_norm_epsilon = LAYER_NORM_EPSILON
    d = shape.d_model
    table = sinusoid_table(MAX_POSITIONS, d)
    embeddings = np.ascontiguousarray(weights["embeddings"], dtype=np.float32)

    def w(name: str):
        return np.ascontiguousarray(weights[name], dtype=np.float32)

    def norm(target, name: str) -> None:
        target.gamma, target.beta = w(f"{name}.weight"), w(f"{name}.bias")

    def linear(target, weight, bias) -> None:
        target.weight, target.bias = np.ascontiguousarray(weight), np.ascontiguousarray(bias)

    def feed_forward(target, prefix: str, norm_name: str) -> None:
        norm(target.layer_norm, f"{prefix}.{norm_name}")
        linear(target.linear_0, w(f"{prefix}.linear1.weight"), w(f"{prefix}.linear1.bias"))
        linear(target.linear_1, w(f"{prefix}.linear2.weight"), w(f"{prefix}.linear2.bias"))

    def self_attention(target, prefix: str) -> None:
        linear(target.linear[0], w(f"{prefix}.self_attn.in_proj_weight"), w(f"{prefix}.self_attn.in_proj_bias"))
        linear(target.linear[1], w(f"{prefix}.self_attn.out_proj.weight"), w(f"{prefix}.self_attn.out_proj.bias"))
        norm(target.layer_norm, f"{prefix}.norm1")

    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = True
        side.position_encodings.encodings = table
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.projection.weight = w("projection") if "projection" in weights else embeddings
    spec.decoder.projection.bias = w("output_bias")
    norm(spec.encoder.layer_norm, "encoder.norm")
    norm(spec.decoder.layer_norm, "decoder.norm")

    for i, layer in enumerate(spec.encoder.layer):
        self_attention(layer.self_attention, f"encoder.layers.{i}")
        feed_forward(layer.ffn, f"encoder.layers.{i}", "norm2")

    for i, layer in enumerate(spec.decoder.layer):
        prefix = f"decoder.layers.{i}"
        self_attention(layer.self_attention, prefix)
        cross = layer.attention  # torch keeps query, key and value in one matrix; CTranslate2 splits query off
        in_w, in_b = w(f"{prefix}.multihead_attn.in_proj_weight"), w(f"{prefix}.multihead_attn.in_proj_bias")
        linear(cross.linear[0], in_w[:d], in_b[:d])
        linear(cross.linear[1], in_w[d:], in_b[d:])
        linear(cross.linear[2], w(f"{prefix}.multihead_attn.out_proj.weight"), w(f"{prefix}.multihead_attn.out_proj.bias"))
        norm(cross.layer_norm, f"{prefix}.norm2")
        feed_forward(layer.ffn, prefix, "norm3")

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    return spec


# --------------------------------------------------------------------------------------------
# the package
# --------------------------------------------------------------------------------------------
def _write_package_files(package_dir: Path, info: PackageInfo) -> None:
    """metadata.json and README.md, with the keys argostranslate 1.11 reads."""
    metadata = {
        "package_version": info.package_version,
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "description": info.description,
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (package_dir / "README.md").write_text(info.readme, encoding="utf-8")


def zip_package(package_dir: Path, target: Path) -> Path:
    """Zip ``package_dir`` as one top folder into ``target`` (.argosmodel), with fixed timestamps."""
    tmp = target.with_suffix(".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(package_dir.rglob("*")):
            arcname = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
            if path.is_dir():
                archive.writestr(zipfile.ZipInfo(arcname + "/", ZIP_DATE), b"")
                continue
            entry = zipfile.ZipInfo(arcname, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            with path.open("rb") as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    tmp.replace(target)
    return target


_BENCH_README = """# translate-de_en-bench (development package)

Random weights in the shape of Argos Translate's de->en 1.0 model: Transformer base
(6 encoder + 6 decoder layers, d_model 512, 8 heads, FFN 2048), a shared 32,000-piece
SentencePiece vocabulary, int8 weights. Built by `python -m devtools build-models`.

It translates nothing: use it to measure speed and memory, never quality.
"""


_FIXTURE_README = """# translate-de_en-fixture (development package)

A tiny German->English Transformer (2+2 layers, d_model 128, int8 weights of 7 bits) trained on
the few hundred sentence pairs in devtools/data/fixture_pairs.tsv until CTranslate2 reproduces
every one of them exactly (int8 and float32 compute, beam 1 and 2, repetition_penalty 1.1,
no_repeat_ngram_size 4) on every instruction set and matrix library of the CPU it was built on.
Built by `python -m devtools build-models`. It is a test fixture: outside its training
sentences its output is unreliable.
"""


if __name__ == "__main__":
    # ``python -m devtools.models report PACKAGE_DIR``: one kernel path's ``fixture_report`` as
    # JSON on stdout, run by ``check_kernel_paths`` in a process with that path's variables set.
    if len(sys.argv) != 3 or sys.argv[1] != "report":
        sys.exit("usage: python -m devtools.models report PACKAGE_DIR")
    json.dump(fixture_report(Path(sys.argv[2])), sys.stdout)
