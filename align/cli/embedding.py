"""``embed`` (sentence vectors of a text, as a NumPy .npy file: for users and for checks)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from align.cli.common import EXIT_OK, Command, shown, stderr_bar
from align.cli.options import add_embedding_options, embedder_of
from align.errors import InputError
from align.mt.langcodes import DEFAULT_SOURCE


def add_embed(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Write the sentence vectors the aligner uses: a float32 .npy array, one L2-normalised row per sentence "
        "(segmented as `align` does) or, with --split-lines, per line (blank lines included, so row k is line k)."
    )
    p.add_argument("file", help="the text (any format `align` reads; UTF-8 text with --split-lines)")
    p.add_argument("-o", "--output", required=True, help="the .npy file to write (numpy.load reads it)")
    p.add_argument("--split-lines", action="store_true", help="one row per line (no segmentation)")
    p.add_argument("--lang", default=DEFAULT_SOURCE, help="the text's language, for segmentation (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_embedding_options(p)


def _texts(args: argparse.Namespace) -> list[str]:
    """The rows: the file's lines, or its sentences."""
    path = Path(args.file)
    if args.split_lines:
        try:
            return path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as error:
            raise InputError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8") from error
    from align.text.readers import read_text
    from align.text.segment import segment

    return [sentence.text for sentence in segment(read_text(path), args.lang)]


def cmd_embed(args: argparse.Namespace) -> int:
    import numpy as np

    from align.formats import atomic_write_bytes

    texts = _texts(args)
    embedder = embedder_of(args)
    with stderr_bar("embedding", "%", percent=True, disable=args.quiet) as bar:
        vectors = embedder.encode(texts, progress=bar)
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    atomic_write_bytes(Path(args.output), buffer.getvalue())
    print(f"wrote {shown(args.output)}: {len(texts)} x {embedder.dim} ({embedder.engine})", file=sys.stderr)
    return EXIT_OK


EMBED = Command(
    "embed",
    "write the sentence vectors of a text (.npy, one row per sentence or line)",
    add_embed,
    cmd_embed,
    reads=("file",),
    writes=("output",),
)
