"""``convert`` (an aligned file into another format) and ``export-doc`` (its targets in the
structure of the source document)."""

from __future__ import annotations

import argparse
from pathlib import Path

from align.cli.common import EXIT_OK, Command, add_langs, doc_format, settings_of, shown


def _convert_help() -> str:
    from align.formats import FORMATS

    return f"convert an aligned file between formats ({', '.join(FORMATS)})"


def add_convert(p: argparse.ArgumentParser) -> None:
    from align.formats import ALIGNED_SUFFIXES, FORMATS

    p.add_argument("input", help=f"aligned file written by this tool: {', '.join(sorted(ALIGNED_SUFFIXES))}")
    p.add_argument("output", help="file to write; the format follows the extension unless --format is given")
    p.add_argument(
        "--format", type=doc_format, default=None, help=f"output format: {', '.join(FORMATS)} (default: from the extension)"
    )
    add_langs(p)  # for inputs that do not name their languages (CSV, TSV)
    p.add_argument("--confirmed-only", action="store_true", help="write confirmed rows only")
    p.add_argument(
        "--keep-formulas",
        action="store_true",
        help="do not neutralise cells starting with = + - @ in spreadsheet formats",
    )


def cmd_convert(args: argparse.Namespace) -> int:
    from align.formats import read_aligned, write_document

    doc = read_aligned(Path(args.input), src_lang=args.src, tgt_lang=args.tgt)
    out = write_document(
        doc,
        Path(args.output),
        fmt=args.format,
        confirmed_only=args.confirmed_only,
        neutralise_formulas=not args.keep_formulas,
    )
    print(f"wrote {shown(out)}")
    return EXIT_OK


CONVERT = Command("convert", _convert_help, add_convert, cmd_convert, reads=("input",), writes=("output",))


def add_export_doc(p: argparse.ArgumentParser) -> None:
    from align.formats import ALIGNED_SUFFIXES

    p.add_argument(
        "aligned", help=f"aligned file written by this tool ({', '.join(sorted(ALIGNED_SUFFIXES))}) or a project's name or number"
    )
    p.add_argument("source", help="the source document the rows were made from (.docx, .md, .html, .txt, .pdf)")
    p.add_argument("-o", "--output", required=True, help="the translated document: the source's kind (.docx for a PDF) or .txt")
    p.add_argument(
        "--unconfirmed",
        choices=("source", "mt", "marker"),
        default="mt",
        help="what unconfirmed or empty rows put in: their source text, their target as it is, or "
        "[untranslated: source] (default %(default)s)",
    )
    add_langs(p)  # for inputs that do not name their languages (CSV, TSV)


def cmd_export_doc(args: argparse.Namespace) -> int:
    from align.docout import write_translated
    from align.docout.inputs import load_aligned

    doc = load_aligned(args.aligned, settings_of(args), src_lang=args.src, tgt_lang=args.tgt)
    out = write_translated(doc, Path(args.source), Path(args.output), unconfirmed=args.unconfirmed)
    print(f"wrote {shown(out)}")
    return EXIT_OK


EXPORT_DOC = Command(
    "export-doc",
    "write the target text of an aligned file (or page project) in the structure of its source document",
    add_export_doc,
    cmd_export_doc,
    reads=("aligned", "source"),
    writes=("output",),
)
