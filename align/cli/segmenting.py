"""``segment`` and ``eval-sbd``: sentence splitting and its benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from align.cli.common import EXIT_OK, Command
from align.mt.langcodes import DEFAULT_SOURCE


def add_segment(p: argparse.ArgumentParser) -> None:
    from align.text.readers import SUPPORTED_TEXT_SUFFIXES

    p.add_argument("file", help=f"text file ({', '.join(sorted(SUPPORTED_TEXT_SUFFIXES))})")
    p.add_argument("--lang", default=DEFAULT_SOURCE, help="language of the text (default %(default)s)")


def cmd_segment(args: argparse.Namespace) -> int:
    from align.text.readers import read_text
    from align.text.segment import format_segments, segment

    text = read_text(Path(args.file))
    sys.stdout.write(format_segments(segment(text, lang=args.lang)))
    return EXIT_OK


SEGMENT = Command(
    "segment", "split a text file into sentences, one a line, blank line between paragraphs", add_segment, cmd_segment
)


def add_eval_sbd(p: argparse.ArgumentParser) -> None:
    from align.evaluate.segmentation import SPLITTERS

    p.add_argument("bench_dir", help="folder of NNN.txt running texts and NNN.gold files (one sentence a line)")
    p.add_argument(
        "--splitter", choices=SPLITTERS, default=SPLITTERS[0], help="ours (align, the default) or pysbd, for comparison"
    )
    p.add_argument("--lang", default=DEFAULT_SOURCE, help="language of the texts: %(default)s (default), en, fr, ...")
    p.add_argument("--show-errors", action="store_true", help="list every missed and spurious boundary")


def cmd_eval_sbd(args: argparse.Namespace) -> int:
    from align.evaluate.segmentation import evaluate_dir, format_report

    report = evaluate_dir(Path(args.bench_dir), splitter=args.splitter, lang=args.lang)
    print(format_report(report, show_errors=args.show_errors))
    return EXIT_OK


EVAL_SBD = Command("eval-sbd", "score sentence splitting on a benchmark folder (NNN.txt + NNN.gold)", add_eval_sbd, cmd_eval_sbd)
