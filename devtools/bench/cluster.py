"""Batch on Ray workers: throughput with 1 and 2 worker actors against the local batch, one run.

``python -m devtools bench cluster`` writes a corpus of small text files (``devtools.bench.batch.write_corpus``),
translates it with the bench package (random weights shaped like Argos de->en 1.0, output lengths
pinned to input lengths) three ways: the local batch (one translator with ``--threads`` threads),
then ``--cluster ray`` on a local Ray with 1 and with 2 worker actors (each ``--threads`` threads),
and reports sentences per second and the ratios cluster / local. The quality estimate is off (it runs
on the driver either way; ``bench qe`` measures it) and only CSV is written.

What to expect: on one machine the workers share the driver's cores, so 1 worker is about 1 x local
(transfer and Ray overhead) and N workers gain only while the machine has cores to spare beyond the
local run's ``threads`` (2 cores, threads=1: 2 workers about 1.7 x; threads=2: about 1 x or less).
On a real cluster the decoding scales with the workers' cores while reading, segmenting, writing
and the quality estimate stay on the driver.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from align.settings import Settings, load_settings

log = logging.getLogger(__name__)


def run_cluster_benchmark(
    package: Path | None,
    settings: Settings,
    *,
    files: int = 40,
    per_file: int = 50,
    threads: int = 1,
    beam_size: int = 2,
    seed: int = 1,
) -> str:
    """Time the local batch and the Ray batch with 1 and 2 workers on the same corpus; the report text."""
    import ray

    from align.batch import BatchOptions, run_batch
    from align.mt.translate import TranslateOptions, Translator
    from devtools.bench.batch import write_corpus
    from devtools.bench.translate import bench_package

    installed = bench_package(package, settings)
    options = TranslateOptions(beam_size=beam_size, threads=threads, pin_output_length=True)
    translator = Translator.load(installed, options)
    base = BatchOptions(formats=("csv",), translate=options, estimate=False)
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        in_dir = Path(tmp) / "in"
        write_corpus(in_dir, files, per_file, seed)
        run_batch(in_dir, Path(tmp) / "warm", base, settings, translator=translator)  # warm caches and the model

        ray.init(address="local", num_cpus=os.cpu_count() or 2, include_dashboard=False, log_to_driver=False)
        try:
            for label, workers in (("local", 0), ("1 worker", 1), ("2 workers", 2)):
                cluster = {"cluster": "ray", "cluster_workers": workers} if workers else {}
                batch = BatchOptions(**{**base.__dict__, **cluster})
                wall = time.perf_counter()
                summary = run_batch(in_dir, Path(tmp) / label.replace(" ", "-"), batch, settings, translator=translator)
                seconds = time.perf_counter() - wall
                if not summary.ok:
                    raise RuntimeError(summary.format())
                rates[label] = summary.sentences / seconds
                log.info("%s: %d sentences in %.1f s", label, summary.sentences, seconds)
        finally:
            ray.shutdown()
    local = rates["local"]
    lines = [
        f"package: {installed.name}; corpus {files} files x ~{per_file} sentences; threads={threads} (driver and each "
        f"worker) beam={beam_size}; {os.cpu_count()} CPU cores; CSV only, no estimate; Ray start not timed",
        *(f"{label:>10}: {rate:8.1f} sentences/s  ({rate / local:.2f} x local)" for label, rate in rates.items()),
        "one machine: gains only from cores the local run leaves idle (cores / threads); a cluster scales with its workers",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default=None, help="bench package folder or .argosmodel (default: build once)")
    parser.add_argument("--home", default=None, help="data folder (the built bench package is cached there)")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="CTranslate2 threads of the driver and of each worker")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = run_cluster_benchmark(
        Path(args.package) if args.package else None,
        load_settings(home=args.home),
        files=args.files,
        per_file=args.per_file,
        threads=args.threads,
    )
    print(report)  # noqa: T201 - a script's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
