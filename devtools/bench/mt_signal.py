"""What the machine-translation signal costs: per band cell against chrF, in the alignment, and the
translation it needs.

    python -m devtools bench mt-signal [--bench DIR] [--system NAME] [--cells N] [--long DIR]
        [--translate N] [--threads 2] [--cache DIR]

1. Per cell: sacrebleu's chrF (beta 1, the signal before issue 11) on ``--cells`` band cells of one
   align-mt-dev document against ``aligner.mtsignal.MTSignal`` on every cell of every bead type of
   the whole band (building its n-gram matrices included), both timed in this run; the ratio of the
   costs per cell.
2. In the alignment: every align-mt-dev document aligned with and without the system's MT
   (embeddings cached, best of two runs each), total seconds, the ratio and strict F1.
3. align-long: the same with and without an MT, where the MT stand-in is each source line's gold
   target sentences (align-long has no machine translation; the signal's cost depends on the
   lengths of the lines, not on their quality).
4. Translating the source for the signal: ``--translate`` align-long source sentences through the
   pipeline with the bench package (random weights, every output pinned to its input's length, as
   in ``bench translate``), and the whole document's translation time extrapolated from that rate
   beside the alignment's own time.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "bench"

log = logging.getLogger(__name__)


def _best(work: Callable[[], object], repeats: int = 2) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _read(bench: Path, folder: str, name: str) -> list[str]:
    from align.evaluate.alignment import read_lines

    return read_lines(bench / folder / name)


def per_cell(bench: Path, system: str, cells: int) -> list[str]:
    """chrF per cell against the n-gram signal per cell, on document 001's band."""
    import numpy as np
    from sacrebleu.metrics import CHRF

    from align.aligner.band import band_cells, band_offsets, full_band
    from align.aligner.mtsignal import MTSignal
    from align.aligner.options import DEFAULT_PRIORS
    from align.aligner.scorer import ChunkCos

    src, tgt, mt = (_read(bench, f, "001") for f in ("src", "tgt", system))
    n, m = len(src), len(tgt)
    lo, hi = full_band(n, m)
    off = band_offsets(lo, hi)
    rows, cols = band_cells(lo, off, 0, n + 1)
    types = [(a, b) for a, b in DEFAULT_PRIORS if a and b]
    reach = (max(a for a, _ in types), max(b for _, b in types))

    metric = CHRF(beta=1)
    rng = np.random.default_rng(0)
    picks = [(int(i), int(j), *types[int(rng.integers(len(types)))]) for i, j in zip(rows, cols, strict=True)]
    picks = [p for p in picks if p[0] >= p[2] and p[1] >= p[3]]
    picks = [picks[int(k)] for k in rng.choice(len(picks), size=min(cells, len(picks)), replace=False)]
    start = time.perf_counter()
    for i, j, a, b in picks:
        metric.sentence_score(" ".join(mt[i - a : i]), [" ".join(tgt[j - b : j])])
    chrf_per_cell = (time.perf_counter() - start) / len(picks)

    def ngram_band() -> int:
        signal = MTSignal(mt, tgt, max_span=max(reach))
        done = 0
        step = 4096
        for r0 in range(0, len(rows), step):
            r, c = rows[r0 : r0 + step], cols[r0 : r0 + step]
            chunk = ChunkCos(signal.left, signal.right, r, c, reach)
            for a, b in types:
                ok = (r >= a) & (c >= b)
                signal.similarity(r[ok], a, c[ok], b, chunk)
                done += int(ok.sum())
        return done

    done = ngram_band()
    ngram_per_cell = _best(ngram_band) / done
    return [
        f"document 001 of {bench.name}: {n} x {m} sentences, {len(rows)} band cells (full grid), {len(types)} bead types",
        f"chrF (sacrebleu, beta 1), {len(picks)} cells: {chrf_per_cell * 1e6:.0f} us a cell",
        f"n-gram signal, all {done} cell-types incl. building it: {ngram_per_cell * 1e6:.2f} us a cell",
        f"chrF / n-gram = {chrf_per_cell / ngram_per_cell:.0f} x",
    ]


def in_alignment(name: str, docs: list[tuple[list[str], list[str], list[str], list]], embedder) -> list[str]:
    """Alignment with and without the MT, vectors cached, best of two runs each."""
    from align.aligner import align_sentences
    from align.evaluate.alignment import score_documents

    for src, tgt, _, _ in docs:
        align_sentences(src, tgt, embedder=embedder)  # fills the cache (joined spans included)
    out = {}
    results = {}
    for label, use in (("without MT", False), ("with MT", True)):

        def run(use: bool = use, label: str = label) -> None:
            results[label] = [align_sentences(src, tgt, embedder=embedder, mt=mt if use else None) for src, tgt, mt, _ in docs]

        run()  # the MT run's joined spans differ: cache them before timing
        out[label] = _best(run)
    f1 = {
        label: score_documents((gold, test) for (_, _, _, gold), test in zip(docs, results[label], strict=True)) for label in out
    }
    return [
        f"{name}: without MT {out['without MT']:.2f} s (strict F1 {f1['without MT'].f1_strict:.4f}), "
        f"with MT {out['with MT']:.2f} s (strict F1 {f1['with MT'].f1_strict:.4f}), "
        f"with / without = {out['with MT'] / out['without MT']:.2f}"
    ]


def translation_cost(long_dir: Path, count: int, threads: int, align_seconds: float) -> list[str]:
    from align.mt.translate import TranslateOptions, Translator
    from align.settings import load_settings
    from devtools.bench.translate import bench_package

    src = _read(long_dir, "src", "001")
    with tempfile.TemporaryDirectory(prefix="bench-mt-signal-") as home:
        package = bench_package(None, load_settings(home=Path(home)))
        translator = Translator.load(package, TranslateOptions(threads=threads, pin_output_length=True))
        translator.translate(src[:16])  # warm-up
        part = src[: min(count, len(src))]
        start = time.perf_counter()
        translator.translate(part)
        seconds = time.perf_counter() - start
    rate = len(part) / seconds
    whole = len(src) / rate
    return [
        f"bench package ({package.name}, random weights, outputs pinned to input length), {threads} threads: "
        f"{len(part)} align-long sentences in {seconds:.1f} s = {rate:.1f} sentences/s",
        f"all {len(src)} source sentences: about {whole:.0f} s, "
        f"{whole / align_seconds:.1f} x the alignment with MT ({align_seconds:.1f} s)",
    ]


def measure(bench: Path, system: str, cells: int, long_dir: Path, translate: int, threads: int, embedder) -> list[str]:
    """All four measurements, as printed lines (``devtools results`` writes the same lines)."""
    from align.evaluate.alignment import read_beads

    lines = per_cell(bench, system, cells)
    names = sorted(p.name for p in (bench / "src").iterdir())
    docs = [
        (_read(bench, "src", k), _read(bench, "tgt", k), _read(bench, system, k), read_beads(bench / "gold" / k)) for k in names
    ]
    lines += in_alignment(f"{bench.name} ({len(docs)} documents, {system})", docs, embedder)
    src, tgt = _read(long_dir, "src", "001"), _read(long_dir, "tgt", "001")
    gold = read_beads(long_dir / "gold" / "001")
    stand_in = [""] * len(src)
    for s_ids, t_ids in gold:
        for i in s_ids:
            stand_in[i] = " ".join(tgt[j] for j in t_ids)
    with_mt = in_alignment(f"{long_dir.name} (gold counterparts as the MT stand-in)", [(src, tgt, stand_in, gold)], embedder)
    lines += with_mt
    if translate:
        seconds = float(with_mt[-1].split("with MT ")[1].split(" s")[0])
        lines += translation_cost(long_dir, translate, threads, seconds)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench mt-signal", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(BENCH / "align-mt-dev"))
    parser.add_argument("--system", default="mt-VolcTrans-GLAT")
    parser.add_argument("--cells", type=int, default=3000, help="cells timed with chrF (default %(default)s)")
    parser.add_argument("--long", default=str(BENCH / "align-long"), help="the long document (speed)")
    parser.add_argument("--translate", type=int, default=300, help="align-long sentences translated (0: skip)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", default=None, help="embedding cache folder (default: a temporary one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    from align.embed import Embedder

    with tempfile.TemporaryDirectory(prefix="bench-mt-cache-") as scratch:
        embedder = Embedder(Path(args.cache or scratch), threads=args.threads)
        for line in measure(Path(args.bench), args.system, args.cells, Path(args.long), args.translate, args.threads, embedder):
            print(line, flush=True)
    return 0
