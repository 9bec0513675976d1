"""``tm``: the translation memory (tm.sqlite3 in the data folder): import, export, stats."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from align.cli.common import EXIT_OK, Command, Group, check_output, no_arguments, settings_of, shown
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET


def add_tm_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the file to import (.tmx, .csv, .tsv, .xlsx, .jsonl)")
    p.add_argument(
        "--src",
        default=None,
        help=f"source language (TMX: from the file, this picks the side; CSV/TSV: default {DEFAULT_SOURCE})",
    )
    p.add_argument(
        "--tgt", default=None, help=f"target language (TMX: every other language unless given; CSV/TSV: default {DEFAULT_TARGET})"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_tm_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from align.tm import import_file, open_tm

    with (
        open_tm(settings_of(args)) as tm,
        tqdm(total=100, unit="%", file=sys.stderr, disable=args.quiet, desc="importing") as bar,
    ):

        def percent(done: int, total: int | None) -> None:
            if total and round(100 * done / total) != bar.n:
                bar.n = round(100 * done / total)
                bar.refresh()

        result = import_file(tm, Path(args.file), src_lang=args.src, tgt_lang=args.tgt, progress=percent)
        path, total = tm.path, tm.count()
    left_out = f", {result.skipped} left out (a side missing)" if result.skipped else ""
    print(f"{args.file}: {result.added} unit(s) added, {result.updated} already there (updated){left_out}; {path} holds {total}")
    return EXIT_OK


TM_IMPORT = Command(
    "import",
    "add the units of a TMX (any tool's), CSV, TSV, XLSX or JSONL file; a unit already there is updated, not doubled",
    add_tm_import,
    cmd_tm_import,
)


def add_tm_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("output", help="the TMX file to write")
    p.add_argument("--src", default=None, help="only units of this source language (default: all)")
    p.add_argument("--tgt", default=None, help="only units of this target language (default: all)")


def cmd_tm_export(args: argparse.Namespace) -> int:
    from align.tm import export_tmx, open_tm, tm_path

    check_output(Path(args.output), [tm_path(settings_of(args))])
    with open_tm(settings_of(args)) as tm:
        count = export_tmx(tm, Path(args.output), src_lang=args.src, tgt_lang=args.tgt)
    print(f"wrote {count} unit(s) to {shown(args.output)}")
    return EXIT_OK


TM_EXPORT = Command("export", "write the memory (or one language pair) as TMX 1.4b", add_tm_export, cmd_tm_export)


def cmd_tm_stats(args: argparse.Namespace) -> int:
    from align.tm import TranslationMemory, tm_path

    path = tm_path(settings_of(args))
    if not path.is_file():
        print(f"no translation memory at {path} yet: import one with python -m align tm import FILE")
        return EXIT_OK
    with TranslationMemory(path) as tm:
        print(tm.stats().format())
    return EXIT_OK


TM_STATS = Command("stats", "units per language pair and per origin, and the file's size", no_arguments, cmd_tm_stats)

TM = Group(
    "tm",
    "the translation memory (tm.sqlite3 in the data folder): import, export, stats",
    "tm_command",
    (TM_IMPORT, TM_EXPORT, TM_STATS),
)
