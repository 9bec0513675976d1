"""Alignment cost on a long document, and on the same document doubled (linear time; memory as max RSS,
or traced peaks and their ratio with --trace-memory).

    nice -n 5 python -m devtools bench align-scaling [BENCH_DIR] [--threads 2] [--cold] [--cache DIR]
        [--once] [--embedder NAME] [--trace-memory] [--no-refine] [--refine-budget X] [--refine-span N]

BENCH_DIR holds src/001, tgt/001 and gold/001 (default ../shared/bench/align-long). Prints, for
the document (1x) and for the document concatenated with itself (2x): seconds, sentences per
second, max RSS, the strict/lax F1 of 1x against gold, and the 2x/1x time ratio measured in the
same run. ``--trace-memory`` also gives each run's peak traced Python memory and their ratio;
tracemalloc records every allocation, which made the aligner's timed runs 2 to 4 times slower,
so the times printed with it are not the aligner's own.

``--cold`` embeds everything in the timed runs: each run gets a new, empty cache folder, and the
second copy in 2x gets a trailing space on every sentence so that it is embedded too (identical
texts are embedded once). Loading the embedding model (and converting it, on its first use) happens
before the timed runs and is printed apart. Without ``--cold``, embeddings come from ``--cache``
(filled on the first run) and the timings are those of the aligner alone.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import tracemalloc
from pathlib import Path

from align.evaluate.alignment import peak_memory_mb

REPO = Path(__file__).resolve().parents[2]


def run(src, tgt, embedder, options, trace: bool):
    """Beads, seconds and peak traced MB (None unless ``trace``) of one alignment."""
    from align.aligner import align_sentences

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    beads = align_sentences(src, tgt, embedder=embedder, options=options)
    seconds = time.perf_counter() - start
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return beads, seconds, peak


def _traced(peak) -> str:
    return f", peak traced {peak:.0f} MB" if peak is not None else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench align-scaling", description=__doc__.splitlines()[0])
    parser.add_argument("bench_dir", nargs="?", default=str(REPO.parent / "shared" / "bench" / "align-long"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="include embedding time (no cache)")
    parser.add_argument("--cache", default="/tmp/align-bench-cache", help="embedding cache folder (warm runs)")
    parser.add_argument("--no-refine", action="store_true", help="skip embedding joined spans near doubtful beads")
    parser.add_argument(
        "--embedder",
        default=None,
        help="embedding engine (one of align.embed.ENGINES); default: the library's",
    )
    parser.add_argument(
        "--refine-budget", type=float, default=None, help="AlignOptions.refine_budget (joined spans embedded, per sentence)"
    )
    parser.add_argument(
        "--refine-span",
        type=int,
        default=None,
        help="AlignOptions.refine_span (longest joined span embedded, in sentences; default: the library's)",
    )
    parser.add_argument(
        "--trace-memory", action="store_true", help="also measure peak traced Python memory (slows the aligner down 2-4x)"
    )
    parser.add_argument(
        "--models",
        default="/tmp/align-bench-models",
        help="folder of the converted embedding model, kept between runs (converted there once)",
    )
    parser.add_argument("--once", action="store_true", help="only the document itself (skip the 2x run)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from align.aligner import AlignOptions
    from align.embed import Embedder
    from align.evaluate.alignment import read_beads, read_lines, score_documents

    bench = Path(args.bench_dir)
    src, tgt = read_lines(bench / "src" / "001"), read_lines(bench / "tgt" / "001")
    gold = read_beads(bench / "gold" / "001") if (bench / "gold" / "001").is_file() else None
    refine = {}
    if args.refine_span is not None:
        refine["refine_span"] = args.refine_span
    if args.refine_budget is not None:
        refine["refine_budget"] = args.refine_budget
    options = AlignOptions(refine=not args.no_refine, **refine)
    scratch = tempfile.TemporaryDirectory(prefix="align-cold-")  # the cold runs' caches, removed at exit
    cache = Path(scratch.name) / "1x" if args.cold else Path(args.cache)
    engine = {"engine": args.embedder} if args.embedder else {}
    models = Path(args.models)
    embedder = Embedder(cache, threads=args.threads, models_dir=models, **engine)
    print(f"embedding cache: {cache} ({'empty: embeddings are timed' if args.cold else 'warm after the first run'})")
    start = time.perf_counter()
    embedder.encode(["Das Modell wird geladen."])  # converts the model on first use: once per installation
    print(f"embedding model loaded in {time.perf_counter() - start:.1f} s (not timed below; a first use also converts it)")

    beads, t1, peak1 = run(src, tgt, embedder, options, args.trace_memory)
    n1 = len(src) + len(tgt)
    print(
        f"1x: {len(src)} x {len(tgt)} sentences: {t1:.1f} s ({n1 / t1:.0f} sentences/s)"
        f"{_traced(peak1)}, embedded {embedder.computed}, "
        f"max RSS so far {peak_memory_mb() or 0:.0f} MB"
    )
    if gold is not None:
        s = score_documents([(gold, beads)])
        print(f"1x vs gold: strict F1 {s.f1_strict:.4f}, lax F1 {s.f1_lax:.4f}")

    if args.once:
        return 0
    mark = " " if args.cold else ""
    if args.cold:  # a new empty cache, so the first copy is embedded again too
        embedder = Embedder(Path(scratch.name) / "2x", threads=args.threads, models_dir=models, **engine)
    before = embedder.computed
    _, t2, peak2 = run(src + [s + mark for s in src], tgt + [t + mark for t in tgt], embedder, options, args.trace_memory)
    print(
        f"2x: {2 * len(src)} x {2 * len(tgt)} sentences: {t2:.1f} s ({2 * n1 / t2:.0f} sentences/s)"
        f"{_traced(peak2)}, embedded {embedder.computed - before}"
    )
    rss = peak_memory_mb() or 0.0  # None on Windows
    memory = f"   memory ratio: {peak2 / max(peak1, 1e-9):.2f}" if args.trace_memory else ""
    print(
        f"time ratio 2x/1x: {t2 / t1:.2f}{memory}   max RSS {rss:.0f} MB "
        f"({'embeddings included' if args.cold else 'embeddings cached'}, threads={args.threads})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
