"""``align`` (a text with its translation) and ``eval-align`` (the aligner on benchmark folders)."""

from __future__ import annotations

import argparse
from pathlib import Path

from align.cli.common import EXIT_OK, Command, add_langs, doc_format, settings_of, shown
from align.cli.options import add_embedding_options, add_mt_option, align_options, embedder_of


def _format_or_beads(value: str) -> str:
    return "beads" if value.strip().lower() == "beads" else doc_format(value)


def add_align(p: argparse.ArgumentParser) -> None:
    from align.formats import FORMATS

    p.add_argument("src_file", help="the source text (e.g. German)")
    p.add_argument("tgt_file", help="its translation (e.g. English)")
    p.add_argument("-o", "--output", required=True, help="output file (bead lines, or a pair format with --format)")
    add_langs(p)
    p.add_argument("--split-lines", action="store_true", help="each line is one sentence (no segmentation)")
    p.add_argument(
        "--format",
        type=_format_or_beads,
        default="beads",
        help=f"beads (one bead a line, [0, 1]:[2]) or a document format: {', '.join(FORMATS)} (default %(default)s)",
    )
    add_mt_option(p, default=False)
    add_embedding_options(p)


def cmd_align(args: argparse.Namespace) -> int:
    from align.pipeline import align_files

    out = align_files(
        Path(args.src_file),
        Path(args.tgt_file),
        Path(args.output),
        settings=settings_of(args),
        src_lang=args.src,
        tgt_lang=args.tgt,
        split_lines=args.split_lines,
        fmt=args.format,
        use_mt=args.mt,
        embedder=embedder_of(args),
        options=align_options(args),
    )
    print(f"wrote {shown(out)}")
    return EXIT_OK


ALIGN = Command(
    "align",
    "align a source file with its translation",
    add_align,
    cmd_align,
    reads=("src_file", "tgt_file"),
    writes=("output",),
)


def add_eval_align(p: argparse.ArgumentParser) -> None:
    p.add_argument("bench_dirs", nargs="+", metavar="bench_dir", help="folder with src/NNN, tgt/NNN and gold/NNN files")
    add_mt_option(p, default=False)
    p.add_argument(
        "--mt-from",
        metavar="DIR",
        help="machine translations made elsewhere as the MT signal: DIR/NNN holds one line per line of "
        "src/NNN (a name such as mt-VolcTrans-GLAT is also looked for inside each bench folder)",
    )
    p.add_argument("--errors", action="store_true", help="list each document's wrong beads (test and gold)")
    add_embedding_options(p)


def cmd_eval_align(args: argparse.Namespace) -> int:
    from align.evaluate.alignment import evaluate_dir, format_report

    settings, embedder, options = settings_of(args), embedder_of(args), align_options(args)
    for k, bench_dir in enumerate(args.bench_dirs):
        report = evaluate_dir(
            Path(bench_dir),
            settings=settings,
            use_mt=args.mt,
            mt_from=Path(args.mt_from) if args.mt_from else None,
            embedder=embedder,
            options=options,
        )
        if len(args.bench_dirs) > 1:
            print(("\n" if k else "") + f"== {bench_dir}")
        print(format_report(report, show_errors=args.errors))
    return EXIT_OK


EVAL_ALIGN = Command(
    "eval-align",
    "score the aligner on Text+Berg-layout folders (src/, tgt/, gold/)",
    add_eval_align,
    cmd_eval_align,
)
