"""Batch speed: ``run_batch`` over many small files against the batching limit of one model.

``python -m devtools.bench.batch`` writes 200 files of about 50 German sentences (the varied
sentences of ``devtools.bench.translate.make_document``), runs the batch script over them with the
bench package (random weights shaped like Argos de->en 1.0) and 2 threads, and compares its
sentences per second with the limit measured in the same run by ``devtools.bench.translate.measure_limit``:
the same segmented sentences, pre-tokenised, length-sorted and pre-batched, one ``translate_batch``
per batch with the best batch size of a small sweep, nothing else timed. Output lengths are pinned
to the input lengths in both, as in ``devtools.bench.translate``. The batch figure includes everything a
user waits for: reading, segmenting, translating, writing the CSV files and the manifest.

Target: batch / limit >= 0.9 (small files share batches instead of one small call each).
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from align.settings import Settings, load_settings

log = logging.getLogger(__name__)


def write_corpus(in_dir: Path, files: int, per_file: int, seed: int = 1) -> int:
    """``files`` text files of ``per_file`` sentences, paragraphs of 1 to 6 sentences; returns the count."""
    from devtools.bench.translate import make_document

    sentences = make_document(files * per_file, seed)
    rng = random.Random(seed)
    for n in range(files):
        chunk = sentences[n * per_file : (n + 1) * per_file]
        paragraphs, i = [], 0
        while i < len(chunk):
            size = rng.randint(1, 6)
            paragraphs.append(" ".join(chunk[i : i + size]))
            i += size
        folder = in_dir / f"part{n % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc{n:04d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8", newline="\n")
    return len(sentences)


def run_batch_benchmark(
    package: Path | None,
    settings: Settings,
    *,
    files: int = 200,
    per_file: int = 50,
    threads: int = 2,
    beam_size: int = 2,
    window: int = 2000,
    seed: int = 1,
) -> str:
    """Time the batch script and the limit on the same sentences; return the report text."""
    from align.batch import BatchOptions, run_batch
    from align.mt.translate import TranslateOptions, Translator
    from align.text.readers import read_text
    from align.text.segment import segment
    from devtools.bench.translate import SWEEP, bench_package, measure_limit, translate_pinned

    installed = bench_package(package, settings)
    options = TranslateOptions(beam_size=beam_size, threads=threads, pin_output_length=True)
    translator = Translator.load(installed, options)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        in_dir, out_dir = Path(tmp) / "in", Path(tmp) / "out"
        write_corpus(in_dir, files, per_file, seed)
        inputs = sorted(in_dir.rglob("*.txt"))
        segmented = [s.text for path in inputs for s in segment(read_text(path), "de")]
        tokenized = [translator.tokenize(s) for s in segmented]
        translate_pinned(translator, tokenized[:16])  # warm-up, as in devtools.bench.translate

        rng = random.Random(seed)
        sample = rng.sample(tokenized, min(300, len(tokenized)))
        sweep = [measure_limit(translator, sample, kind, size) for kind, size in SWEEP]
        best = max(sweep, key=lambda m: m.rate)
        kind, size = best.detail.split("=")
        # the batch script gets the best token budget of the sweep too (what --max-batch-tokens sets),
        # so the ratio measures the script's overhead, not a batch-size choice
        best_tokens = max((m for m in sweep if m.detail.startswith("tokens=")), key=lambda m: m.rate)
        options = replace(options, max_batch_tokens=int(best_tokens.detail.split("=")[1]))
        translator = Translator.load(installed, options)
        translate_pinned(translator, tokenized[:16])

        # the script's translation overhead only: the quality estimate's cost is bench qe's to measure
        batch_options = BatchOptions(formats=("csv",), translate=options, window_sentences=window, estimate=False)
        wall = time.perf_counter()
        summary = run_batch(in_dir, out_dir, batch_options, settings, translator=translator)
        batch_s = time.perf_counter() - wall
        if not summary.ok:
            raise RuntimeError(summary.format())

        limit = measure_limit(translator, tokenized, kind, int(size))

    batch_rate = summary.sentences / batch_s
    lines = [
        f"package: {installed.name} ({installed.path})",
        f"corpus: {len(inputs)} files, {summary.sentences} sentences after segmentation "
        f"({sum(map(len, tokenized))} source tokens), window {window} sentences",
        f"settings: threads={threads} beam={beam_size} compute_type={translator.model.compute_type} "
        f"max_batch_tokens={options.max_batch_tokens} (batch script), output lengths pinned to input lengths",
        "sweep for the limit: " + ", ".join(f"{m.detail} {m.rate:.1f}/s" for m in sweep),
        f"batch script (read, segment, translate, write CSV + manifest): {batch_rate:8.1f} sentences/s "
        f"({summary.sentences} in {batch_s:.1f} s)",
        f"limit (pre-tokenised sorted batches, {limit.detail}):{' ' * 13}{limit.rate:8.1f} sentences/s "
        f"({limit.sentences} in {limit.wall_s:.1f} s)",
        f"batch/limit = {batch_rate / limit.rate:.2f} (target >= 0.9)",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default=None, help="bench package folder or .argosmodel (default: build once)")
    parser.add_argument("--home", default=None, help="data folder (the built bench package is cached there)")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--window", type=int, default=2000, help="sentences per translate call (default 2000)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = run_batch_benchmark(
        Path(args.package) if args.package else None,
        load_settings(home=args.home),
        files=args.files,
        per_file=args.per_file,
        threads=args.threads,
        window=args.window,
    )
    print(report)  # noqa: T201 - a script's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
