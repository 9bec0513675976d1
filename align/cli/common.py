"""What every command shares: the ``Command`` and ``Group`` entries of the command table, exit
codes, argument types, and the checks and escapes for paths and messages."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.errors import InputError
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET

if TYPE_CHECKING:
    from align.progress import Progress
    from align.settings import Settings

EXIT_OK = 0
EXIT_ERROR = 1

#: A command's work: the parsed arguments in, the exit code out.
Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One command: its name and help in ``--help``, the function that adds its arguments, the
    function that runs it, and which arguments are files it reads and writes (``check_output``
    refuses an output that is one of the inputs before any work). ``help`` may be a function, for
    a help text naming what a library module lists (imported only when the parser is built)."""

    name: str
    help: str | Callable[[], str]
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Run
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()

    def register(self, sub: argparse._SubParsersAction[Any]) -> None:
        text = self.help if isinstance(self.help, str) else self.help()
        parser = sub.add_parser(self.name, help=text)
        self.add_arguments(parser)
        parser.set_defaults(func=self.run, reads=self.reads, writes=self.writes)


@dataclass(frozen=True)
class Group:
    """A command with actions of its own (``models list``, ``tm import``): ``dest`` names the
    attribute that holds the chosen action."""

    name: str
    help: str
    dest: str
    commands: tuple[Command, ...]

    def register(self, sub: argparse._SubParsersAction[Any]) -> None:
        actions = sub.add_parser(self.name, help=self.help).add_subparsers(dest=self.dest, metavar="ACTION")
        actions.required = True
        for command in self.commands:
            command.register(actions)


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``add_arguments`` of a command that takes none."""


# --------------------------------------------------------------------------------------------
# argument types
# --------------------------------------------------------------------------------------------
def whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{value!r} is less than {minimum}")
        return number

    return parse


def positive(value: str) -> float:
    """An argparse type: a number above 0."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not above 0")
    return number


def doc_format(value: str) -> str:
    """A document format by name or file suffix, any case (CSV, tmx, txt = tsv, ndjson = jsonl)."""
    from align.formats import ALIGNED_SUFFIXES, FORMATS

    name = value.strip().lower()
    name = ALIGNED_SUFFIXES.get(f".{name}", name)
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(FORMATS)}")
    return name


def doc_formats(value: str) -> tuple[str, ...]:
    """A comma-separated list of document formats."""
    chosen = tuple(doc_format(f) for f in value.split(",") if f.strip())
    if not chosen:
        raise argparse.ArgumentTypeError("name at least one format")
    return chosen


class DeprecatedSwitch(argparse.Action):
    """A retired spelling of an on/off option (``--model``/``--no-model``): it still sets the
    option, hidden from ``--help``, and warns with the spelling to use instead (``replacement``,
    the "on" form; the "off" form is its ``--no-`` twin)."""

    def __init__(self, option_strings: Sequence[str], dest: str, replacement: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)
        self.replacement = replacement

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        on = not (option_string or "").startswith("--no-")
        instead = self.replacement if on else "--no-" + self.replacement.removeprefix("--")
        print(f"warning: {option_string} is deprecated; use {instead}", file=sys.stderr)
        setattr(namespace, self.dest, on)


def add_langs(p: argparse.ArgumentParser, src: str = DEFAULT_SOURCE, tgt: str = DEFAULT_TARGET) -> None:
    p.add_argument("--src", default=src, help="source language code (default %(default)s)")
    p.add_argument("--tgt", default=tgt, help="target language code (default %(default)s)")


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of the data folder ``--home`` names (else $ALIGN_HOME, else the default)."""
    from align.settings import load_settings

    return load_settings(home=getattr(args, "home", None))


# --------------------------------------------------------------------------------------------
# paths and messages
# --------------------------------------------------------------------------------------------
def check_output(output: Path, inputs: Sequence[Path]) -> None:
    """Refuse an output that is a folder, or that is one of ``inputs`` under any spelling, link or
    hard link (``os.path.samefile``): ``translate same.html -o same.html`` would replace the source."""
    if output.is_dir():
        raise InputError(f"{output}: is a folder; name the output file, e.g. {output / 'translated.csv'}")
    for source in inputs:
        if _same_file(source, output):
            raise InputError(f"{output}: is the input {source}; write the output to another file")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def check_paths(args: argparse.Namespace) -> None:
    """``check_output`` for the paths a command names in ``writes`` and ``reads``."""
    inputs = [Path(getattr(args, dest)) for dest in getattr(args, "reads", ()) if getattr(args, dest, None)]
    for dest in getattr(args, "writes", ()):
        if getattr(args, dest, None):
            check_output(Path(getattr(args, dest)), inputs)


def shown(value: object) -> str:
    """A path or message as it may be printed (``align.filenames.printable``)."""
    from align.filenames import printable

    return printable(str(value))


def os_error(err: OSError) -> str:
    """An OSError as one line: the file(s), then the system's reason."""
    names = " -> ".join(str(name) for name in (err.filename, err.filename2) if name is not None)
    reason = err.strerror or str(err)
    return f"{names}: {reason}" if names else reason


@contextmanager
def stderr_bar(
    desc: str, unit: str, *, total: int | None = None, position: int = 0, percent: bool = False, disable: bool = False
) -> Iterator[Progress]:
    """A tqdm bar on stderr fed by the library's ``progress(done, total)`` callbacks: the library
    reports, the command line draws. The bar appears with the first report, so an error before
    any work stays the one line on stderr. ``total`` follows the reports; ``percent``: 0-100 %."""
    from tqdm import tqdm

    bars: list[tqdm] = []

    def report(done: int, new_total: int | None) -> None:
        if disable:
            return
        if not bars:
            bars.append(tqdm(total=100 if percent else total, unit=unit, file=sys.stderr, desc=desc, position=position))
        bar = bars[0]
        if percent:
            if new_total:
                bar.n = round(100 * done / new_total)
                bar.refresh()
            return
        if new_total is not None and new_total != bar.total:
            bar.total = new_total
            bar.refresh()
        if done > bar.n:
            bar.update(done - bar.n)

    try:
        yield report
    finally:
        for bar in bars:
            bar.close()
