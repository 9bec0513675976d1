"""Checking a fixture: every training pair exact under every decoding setting, its logit margins,
and the same on every kernel path of this CPU (each path in a fresh process: ``__main__``)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devtools.models.design import DEFAULT_DECODING, load_fixture_pairs
from devtools.models.vocabulary import sentencepiece_processor

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

    processor = sentencepiece_processor(package_dir / "sentencepiece.model")
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

    processor = sentencepiece_processor(package_dir / "sentencepiece.model")
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

    processor = sentencepiece_processor(package_dir / "sentencepiece.model")
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
    python_path = os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")) if p)

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
