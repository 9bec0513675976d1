"""``convert`` (an aligned file into another format) and ``export-doc`` (its targets in the
structure of the source document)."""

from __future__ import annotations

import argparse
from pathlib import Path

from align.cli.common import EXIT_OK, Command, add_langs, doc_format, settings_of, shown


def _convert_help() -> str:
    from align.formats import FORMATS

    return f"convert an aligned file between formats ({', '.join(FORMATS)}), or an XLIFF or PO job into rows"


def add_convert(p: argparse.ArgumentParser) -> None:
    from align.formats import ALIGNED_SUFFIXES, FORMATS

    p.add_argument(
        "input",
        help=f"aligned file written by this tool ({', '.join(sorted(ALIGNED_SUFFIXES))}), or a CAT tool's job "
        "(XLIFF .xlf/.xliff/.sdlxliff/.mqxliff, PO .po/.pot): one row per segment, its tags as <1>...</1> and <2/>, "
        "its note the segment's id (edit the targets, then put them back with export-doc)",
    )
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
    from align.exchange import is_job_file
    from align.formats import read_aligned, write_document

    if is_job_file(Path(args.input)):
        from align.exchange.project import job_rows_file

        out = job_rows_file(
            Path(args.input),
            Path(args.output),
            fmt=args.format,
            confirmed_only=args.confirmed_only,
            neutralise_formulas=not args.keep_formulas,
        )
        print(f"wrote {shown(out)}")
        return EXIT_OK

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
    p.add_argument(
        "source",
        help="the source document the rows were made from (.docx, .md, .html, .txt, .pdf), or the XLIFF or PO job "
        "they were made from (convert or translate)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="the translated document: the source's kind (.docx for a PDF) or .txt. For a job: the job in its "
        "own format with the rows' targets and states (confirmed: translated; others: needs review), nothing else "
        "changed; refused in one line when a row is not from the job, changes a locked segment or has tags its "
        "source lacks or that do not nest",
    )
    p.add_argument(
        "--unconfirmed",
        choices=("source", "mt", "marker"),
        default="mt",
        help="what unconfirmed or empty rows put in: their source text, their target as it is, or "
        "[untranslated: source] (default %(default)s; a job keeps every row's target, with its state)",
    )
    add_langs(p)  # for inputs that do not name their languages (CSV, TSV)


def cmd_export_doc(args: argparse.Namespace) -> int:
    from align.docout import write_translated
    from align.docout.inputs import load_aligned
    from align.exchange import is_job_file

    doc = load_aligned(args.aligned, settings_of(args), src_lang=args.src, tgt_lang=args.tgt)
    if is_job_file(Path(args.source)):
        from align.exchange.project import apply_rows

        out, changed = apply_rows(doc, Path(args.source), Path(args.output), where=str(args.aligned))
        print(f"wrote {shown(out)}: {changed} segments changed")
        return EXIT_OK
    from align.words import WordAligner

    aligner = WordAligner(Path(settings_of(args).cache_dir))  # formatting inside sentences placed on the translation
    out = write_translated(doc, Path(args.source), Path(args.output), unconfirmed=args.unconfirmed, aligner=aligner)
    print(f"wrote {shown(out)}")
    return EXIT_OK


EXPORT_DOC = Command(
    "export-doc",
    "write the target text of an aligned file (or page project) in the structure of its source document, or "
    "put edited rows back into their XLIFF or PO job",
    add_export_doc,
    cmd_export_doc,
    reads=("aligned", "source"),
    writes=("output",),
)
