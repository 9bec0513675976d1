"""The development command line: building and checking the project's own Argos packages, and
the benchmarks. One entry point for all of them: ``python -m devtools COMMAND``.

    python -m devtools build-models DIR [--which all|fixture|bench] [--seed N]
    python -m devtools check-fixture [FILE]
    python -m devtools bench NAME [ARGS...]     (NAME: translate, batch, align-scaling, app-rerun, mt-signal, qe, tm,
                                                 cluster, tags, codes, docx, word-check, words;
                                                 ARGS go to the benchmark: bench NAME --help)
    python -m devtools results [--only SECTION ...]   (rewrites devtools/RESULTS.md)
    python -m devtools build-checkpoint DIR [--family marian|m2m100|nllb] [--shape tiny|base]
    python -m devtools walkthrough OUT_DIR   (the page in a real browser: screenshots of TM, glossary, repeats, .docx)
    python -m devtools check-platforms [--only windows macos-arm64 ...]   (requirements.txt resolved by pip per platform)
    python -m devtools fuzz [--per-reader N] [--seed S] [--readers NAME ...] [--save DIR]   (mutated files through every reader)
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from align.errors import AlignError

REPO = Path(__file__).resolve().parents[1]
SHIPPED_FIXTURE = REPO / "data" / "models" / "translate-de_en-fixture.argosmodel"
#: benchmark name -> module under devtools.bench with a ``main(argv) -> int``
BENCHMARKS = {
    "translate": "devtools.bench.translate",
    "batch": "devtools.bench.batch",
    "align-scaling": "devtools.bench.align_scaling",
    "app-rerun": "devtools.bench.app_rerun",
    "mt-signal": "devtools.bench.mt_signal",
    "qe": "devtools.bench.qe",
    "tm": "devtools.bench.tm",
    "cluster": "devtools.bench.cluster",
    "tags": "devtools.bench.tags",
    "docx": "devtools.bench.docx",
    "codes": "devtools.bench.codes",
    "word-check": "devtools.bench.word_check",
    "words": "devtools.bench.words",
}


def cmd_build_models(args: argparse.Namespace) -> int:
    from devtools.models import build_dev_packages

    for path in build_dev_packages(Path(args.out_dir), which=args.which, seed=args.seed):
        print(path)
    return 0


def cmd_check_fixture(args: argparse.Namespace) -> int:
    from align.mt.packages import unpack_package
    from devtools.models import check_kernel_paths, kernel_paths

    with tempfile.TemporaryDirectory(prefix="check-fixture-") as tmp:
        report = check_kernel_paths(unpack_package(Path(args.package), Path(tmp)), kernel_paths())
    print(report.format())
    return 0 if report.passed else 1


def cmd_bench(args: argparse.Namespace) -> int:
    module = importlib.import_module(BENCHMARKS[args.name])
    return int(module.main(args.args) or 0)


def cmd_results(args: argparse.Namespace) -> int:
    from devtools.results import write_results

    print(write_results(args.only, Path(args.output)))
    return 0


def cmd_build_checkpoint(args: argparse.Namespace) -> int:
    from devtools import checkpoints

    builders = {"marian": checkpoints.build_marian, "m2m100": checkpoints.build_m2m100, "nllb": checkpoints.build_nllb}
    shape = checkpoints.MARIAN_BASE if args.shape == "base" else checkpoints.Shape()
    if args.shape == "base" and args.family != "marian":
        raise AlignError("--shape base is built for the Marian family only (the OPUS-MT de-en shape)")
    print(builders[args.family](Path(args.out_dir), shape=shape))
    return 0


def cmd_walkthrough(args: argparse.Namespace) -> int:
    from devtools.walkthrough import main as walkthrough

    return walkthrough([args.out_dir])


def cmd_check_platforms(args: argparse.Namespace) -> int:
    from devtools.platforms import main as check_platforms

    return check_platforms(args.args)


def cmd_fuzz(args: argparse.Namespace) -> int:
    from devtools import fuzz

    def finished(report: fuzz.ReaderReport) -> None:
        print(
            f"{report.reader}: {report.tried} inputs, {len(report.findings)} finding(s), {report.seconds:.1f} s", file=sys.stderr
        )

    reports = fuzz.run(
        args.readers,
        args.per_reader,
        args.seed,
        memory_mb=args.memory_mb,
        timeout=args.timeout,
        inflate_mb=args.inflate_mb,
        bench=Path(args.bench) if args.bench else None,
        save=Path(args.save) if args.save else None,
        progress=finished,
    )
    print(fuzz.format_table(reports))
    return 1 if any(report.findings for report in reports) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devtools", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "build-models",
        help="build the development packages into DIR: the tiny trained de->en fixture (minutes; "
        "data/models holds the shipped one) and the random-weight bench package shaped like Argos de->en 1.0",
    )
    p.add_argument("out_dir", help="folder that receives the .argosmodel files (and the fixture's .build.json)")
    p.add_argument("--which", choices=["all", "fixture", "bench"], default="all", help="which package to build (default all)")
    p.add_argument("--seed", type=int, default=1, help="random seed; the same seed on the same CPU rebuilds identical packages")
    p.set_defaults(func=cmd_build_models)

    p = sub.add_parser(
        "check-fixture",
        help="translate the fixture's training pairs under every CTranslate2 kernel path of this CPU "
        "(instruction sets x MKL/oneDNN; int8 and float32, beam 1 and 2): misses, logit margins, deviations",
    )
    p.add_argument(
        "package", nargs="?", default=str(SHIPPED_FIXTURE), help="the fixture's .argosmodel file (default: the shipped one)"
    )
    p.set_defaults(func=cmd_check_fixture)

    p = sub.add_parser("bench", help=f"run a benchmark: {', '.join(BENCHMARKS)} (bench NAME --help for its options)")
    p.add_argument("name", choices=sorted(BENCHMARKS), help="which benchmark")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own options")
    p.set_defaults(func=cmd_bench)

    from devtools.results import RESULTS, SECTIONS

    p = sub.add_parser("results", help="measure the project's figures and rewrite devtools/RESULTS.md (several minutes)")
    p.add_argument("--only", nargs="+", choices=list(SECTIONS), default=[], help="measure these sections only")
    p.add_argument("-o", "--output", default=str(RESULTS), help="the results file (default %(default)s)")
    p.set_defaults(func=cmd_results)

    p = sub.add_parser(
        "build-checkpoint",
        help="write a random-weight Hugging Face checkpoint (for models import): tiny ones for the conformance tests, "
        "or a transformer-base Marian shaped like opus-mt-de-en (58k vocabulary) for speed",
    )
    p.add_argument("out_dir", help="the checkpoint folder to write")
    p.add_argument("--family", choices=["marian", "m2m100", "nllb"], default="marian", help="architecture (default marian)")
    p.add_argument("--shape", choices=["tiny", "base"], default="tiny", help="tiny (tests) or base (speed; marian only)")
    p.set_defaults(func=cmd_build_checkpoint)

    p = sub.add_parser(
        "walkthrough",
        help="drive the page in Chromium: import a TMX, set a glossary, translate a .docx with repeats, fix and "
        "propagate a sentence, export the .docx; screenshots into OUT_DIR",
    )
    p.add_argument("out_dir", help="folder for the screenshots and the exported .docx")
    p.set_defaults(func=cmd_walkthrough)

    p = sub.add_parser(
        "check-platforms",
        help="ask pip whether requirements.txt installs as wheels on Windows, macOS (arm64, x86_64) and Linux, "
        "without torch or CUDA (ARGS go to it: check-platforms --help)",
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="--requirements FILE, --only NAME ...")
    p.set_defaults(func=cmd_check_platforms)

    from devtools.fuzz import BENCH, READERS

    p = sub.add_parser(
        "fuzz",
        help="mutated real files through every reader (documents, aligned files, memory import, glossaries, packages) "
        "in a memory-capped worker: anything but the product's own errors is a finding (exit 1)",
    )
    p.add_argument("--per-reader", type=int, default=300, help="mutated inputs per reader (default %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same inputs (default %(default)s)")
    p.add_argument(
        "--readers",
        nargs="+",
        choices=list(READERS),
        default=list(READERS),
        metavar="NAME",
        help=f"of {', '.join(READERS)} (default all)",
    )
    p.add_argument("--memory-mb", type=int, default=1536, help="address-space cap of the worker (default %(default)s)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds one read may take (default %(default)s)")
    p.add_argument("--inflate-mb", type=int, default=64, help="size inflating mutations grow a file to (default %(default)s)")
    p.add_argument("--bench", default=str(BENCH) if BENCH.is_dir() else "", help="shared bench folder for real seeds")
    p.add_argument("--save", default=None, metavar="DIR", help="keep the input of every finding here")
    p.set_defaults(func=cmd_fuzz)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2), format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except AlignError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
