"""Building the two packages: the fixture (trained until it passes its checks, with a build
record) and the bench package (random weights); the builder key the shipped fixture records."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

from align.errors import PackageError
from devtools.models.check import (
    COMPUTE_TYPES,
    KernelReport,
    Margins,
    check_kernel_paths,
    check_pairs,
    cpu_model_name,
    kernel_paths,
    measure_margins,
)
from devtools.models.design import (
    BENCH_SHAPE,
    BENCH_VOCAB_SIZE,
    FIXTURE_PAIRS,
    FIXTURE_SHAPE,
    FIXTURE_VOCAB_SIZE,
    MIN_LOGIT_MARGIN,
    load_fixture_pairs,
)
from devtools.models.package import BENCH_README, FIXTURE_README, PackageInfo, write_package_files, zip_package
from devtools.models.training import encode_pairs, train_fixture_weights
from devtools.models.vocabulary import pad_sentencepiece, sentencepiece_processor, sentencepiece_vocabulary, train_sentencepiece
from devtools.models.weights import random_weights, transformer_spec

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
FIXTURE_NAME = "translate-de_en-fixture"
#: The fixture's weights are int8 in [-63, 63]: no int8 kernel saturates (``quantize_weights``).
WEIGHT_LEVELS = 63
CALIBRATION_SENTENCES = 32


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
        readme=BENCH_README,
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
        processor = sentencepiece_processor(package_dir / "sentencepiece.model")
        german = [source for source, _ in load_fixture_pairs()]
        # Three short sentences joined make one input of news length (about 25 words).
        joined = [" ".join(german[i : i + 3]) for i in range(0, 3 * CALIBRATION_SENTENCES, 3)]
        sources = [processor.encode(text, out_type=str) for text in joined]
        from ctranslate2.specs.model_spec import NumpyVariable

        bias = calibrate_eos_bias(model_dir, sources, eos_id=vocab.index("</s>"))
        weights["output_bias"][vocab.index("</s>")] = bias
        spec.decoder.projection.bias = NumpyVariable(weights["output_bias"])  # optimize() wrapped them
        spec.save(str(model_dir))
        write_package_files(package_dir, info)
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
        readme=FIXTURE_README,
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
        write_package_files(package_dir, info)
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


def builder_key(package: Path = PACKAGE) -> str:
    """What the fixture is made from: the source of every module of this package (``package``,
    in name order) and the training pairs. Everything here decides the fixture's bytes: the
    training, the checks that say when it stops, the vocabulary, the layout and the zip.

    The shipped fixture records the key it was built with; a test compares it with the key of
    the source as it is, so a change to the builder or the pairs without a rebuilt artifact fails.
    Line endings do not count (a Windows checkout has the same source).
    """
    digest = hashlib.sha256()
    for path in (*sorted(package.glob("*.py")), FIXTURE_PAIRS):
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
