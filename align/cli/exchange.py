"""``pseudo``: a CAT tool's job file (XLIFF 1.2, SDLXLIFF, XLIFF 2.0, PO) pseudo-translated, the
check that it survives the round trip before real work (``align.exchange``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from align.cli.common import EXIT_OK, Command, shown


def add_pseudo(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input",
        help="job file: XLIFF 1.2 or 2.0 (.xlf, .xliff, .sdlxliff, .mqxliff) or PO (.po, .pot); or a document "
        "(.docx, .html, .md, .txt) pseudo-translated in its own structure, every part, formatting kept",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="the pseudo-translated job to write, in the input's format: every translatable segment gets an "
        "accented text about 30%% longer, with its tags in place, as a draft; locked segments stay as they are",
    )


def cmd_pseudo(args: argparse.Namespace) -> int:
    from align.exchange import is_job_file, read_job, write_job_file
    from align.exchange.pseudo import pseudo_text, pseudo_translate

    if not is_job_file(Path(args.input)):
        from align.docout import write_pseudo

        written, count = write_pseudo(Path(args.input), Path(args.output), pseudo_text)
        print(f"wrote {shown(written)}: {count} sentences pseudo-translated, formatting kept")
        return EXIT_OK
    job = read_job(Path(args.input))
    done = pseudo_translate(job)
    locked = len(job.segments()) - done
    out = write_job_file(job, Path(args.output))
    print(f"wrote {shown(out)} ({job.kind.value}): {done} segments pseudo-translated, {locked} locked left as they were")
    return EXIT_OK


PSEUDO = Command(
    "pseudo",
    "pseudo-translate a job (XLIFF, PO) or a document: accented text about 30%% longer, tags kept, to check the round trip",
    add_pseudo,
    cmd_pseudo,
    reads=("input",),
    writes=("output",),
)
