"""The command line: parse arguments, make one library call, print the result.

``COMMANDS`` is the table of commands, in ``--help`` order; each entry (``common.Command``, or a
``common.Group`` of actions such as ``models install``) sits in its module beside the function
that adds its arguments (``add_*``) and the one that runs it (``cmd_*``):

- ``segmenting``: segment, eval-sbd
- ``packages``: models (list, install, import, import-embedder, remove), embedder (status, install)
- ``translating``: translate, estimate, batch
- ``aligning``: align, eval-align
- ``files``: convert, export-doc
- ``memory``: tm (import, export, stats)
- ``exchange``: pseudo (CAT tool jobs: XLIFF, PO)
- ``words``: words (word alignment, Pharaoh lines)
- ``embedding``: embed (sentence vectors out)
- ``options``: the options several commands share (translation settings, glossary, embedder)
- ``common``: the table's entries, exit codes, argument types, path checks and message escapes

Each ``cmd_*`` function is small: it calls into the library and returns an exit code. Library
errors (``AlignError``) and the system's (``OSError``: a full disk, no permission) become a one-line
message on stderr and exit code 1, never a traceback; bad numbers are usage errors (exit code 2).
An output that is a folder or one of the command's own inputs is refused before any work
(``check_output``). Names in messages are escaped (``align.filenames.printable``): a file name can
hold terminal escape sequences. Heavy modules are imported inside the command functions so
``python -m align --help`` is instant.
"""

from __future__ import annotations

import argparse
import codecs
import io
import logging
import os
import sys
from collections.abc import Sequence

from align import __version__
from align.cli import aligning, embedding, exchange, files, memory, packages, segmenting, translating, words
from align.cli.common import EXIT_ERROR, EXIT_OK, Command, Group, Run, check_output, check_paths, os_error, shown
from align.errors import AlignError

__all__ = ["COMMANDS", "EXIT_ERROR", "EXIT_OK", "build_parser", "check_output", "main"]

log = logging.getLogger("align")

#: Every command, in the order ``--help`` lists them.
COMMANDS: tuple[Command | Group, ...] = (
    segmenting.SEGMENT,
    segmenting.EVAL_SBD,
    packages.MODELS,
    translating.TRANSLATE,
    aligning.ALIGN,
    translating.ESTIMATE,
    aligning.EVAL_ALIGN,
    files.CONVERT,
    files.EXPORT_DOC,
    translating.BATCH,
    packages.EMBEDDER,
    memory.TM,
    words.WORDS,
    exchange.PSEUDO,
    embedding.EMBED,
)


def build_parser() -> argparse.ArgumentParser:
    """The global options, then each entry of ``COMMANDS`` adds its own parser."""
    parser = argparse.ArgumentParser(
        prog="python -m align",
        description="Offline translation and alignment workbench: segment, translate with Argos packages, align, export.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--home",
        default=None,
        help="data folder for packages, caches and projects (default $ALIGN_HOME, else ~/.local/share/align-workbench)",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for entry in COMMANDS:
        entry.register(sub)
    return parser


def utf8_output() -> None:
    """Write stdout and stderr in UTF-8 where they are not: Windows gives a redirected stream its
    ANSI code page (cp1252: no Ł, no Greek), and ``segment x.txt > out.txt`` stopped with a
    UnicodeEncodeError. A console shows UTF-8 either way; PYTHONIOENCODING, when set, decides."""
    if os.environ.get("PYTHONIOENCODING"):
        return
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
            stream.reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    utf8_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    func: Run = args.func
    try:
        check_paths(args)
        return func(args)
    except AlignError as err:
        print(f"error: {shown(err)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into head: not an error
        return EXIT_OK
    except OSError as err:  # the system's refusal (permissions, a full disk, a file where a folder should be)
        log.debug("%s", type(err).__name__, exc_info=True)
        print(f"error: {shown(os_error(err))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
