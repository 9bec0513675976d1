"""``translate`` (a file), ``batch`` (a folder, translated or aligned) and ``estimate`` (the
quality of a machine translation made anywhere)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from align.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    Command,
    DeprecatedSwitch,
    add_langs,
    doc_formats,
    settings_of,
    shown,
    stderr_bar,
    whole,
)
from align.cli.options import (
    add_embedding_options,
    add_estimate_option,
    add_tm_option,
    add_translate_options,
    embedder_of,
    glossary_of,
    translate_options,
)

if TYPE_CHECKING:
    from align.document import AlignedDocument


# --------------------------------------------------------------------------------------------
# translate
# --------------------------------------------------------------------------------------------
def add_translate(p: argparse.ArgumentParser) -> None:
    from align.formats import FORMATS

    p.add_argument(
        "input",
        help="file to translate: a text or document (.txt, .docx, .md, .html, .pdf...), or a CAT tool's job: "
        "XLIFF 1.2 or 2.0 (.xlf, .xliff, .sdlxliff, .mqxliff) or PO (.po, .pot)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help=f"output file: sentence pairs as {', '.join('.' + f for f in FORMATS)} (CSV without one; .txt is TSV), "
        "or the translated document as .docx, .md or .html (the input's own kind; .docx for a PDF). For a job: the "
        "job in its own format (XLIFF as .xlf/.xliff/.sdlxliff/.mqxliff, PO as .po) with every empty, unlocked "
        "segment pre-translated as a draft (memory first, then the machine; tags placed on the translation) and "
        "nothing else changed, or its rows as .csv/.tsv/.xlsx/.jsonl/.tmx for review",
    )
    add_langs(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_estimate_option(p)
    add_tm_option(p)
    p.add_argument(
        "--fuzzy",
        type=_fuzzy_percent,
        default=None,
        metavar="PERCENT",
        help="jobs only: also insert the memory's best fuzzy match of at least PERCENT (75-99) as a draft "
        "before asking the machine (default: exact 101%%/100%% matches only)",
    )
    add_translate_options(p)


def _fuzzy_percent(value: str) -> int:
    """An argparse type: a fuzzy match percentage the memory offers (``align.tm.MIN_FUZZY`` to 99)."""
    from align.tm import MIN_FUZZY

    number = whole(MIN_FUZZY)(value)
    if number > 99:
        raise argparse.ArgumentTypeError(f"{value!r} is not a fuzzy match (below 100); exact matches are always taken")
    return number


def cmd_translate(args: argparse.Namespace) -> int:
    from align.exchange import is_job_file

    if is_job_file(Path(args.input)):
        return _translate_job(args)
    from align.pipeline import translate_file

    with stderr_bar(Path(args.input).name, "sentence", disable=args.quiet) as bar:
        out = translate_file(
            Path(args.input),
            Path(args.output),
            settings=settings_of(args),
            src_lang=args.src,
            tgt_lang=args.tgt,
            options=translate_options(args),
            progress=bar,
            estimate=args.estimate,
            glossary=glossary_of(args),
            use_tm=args.tm,
        )
    print(f"wrote {shown(out)}")
    return EXIT_OK


def _translate_job(args: argparse.Namespace) -> int:
    """``translate JOB.xlf -o OUT.xlf``: a CAT tool's job pre-translated (``align.exchange.project``)."""
    from align.exchange.project import translate_job_file

    with stderr_bar(Path(args.input).name, "segment", disable=args.quiet) as bar:
        out, filled = translate_job_file(
            Path(args.input),
            Path(args.output),
            settings=settings_of(args),
            src_lang=args.src,
            tgt_lang=args.tgt,
            options=translate_options(args),
            progress=bar,
            glossary=glossary_of(args),
            use_tm=args.tm,
            fuzzy=args.fuzzy,
        )
    print(f"wrote {shown(out)}: {filled.format()}")
    return EXIT_OK


TRANSLATE = Command(
    "translate",
    "segment and translate a file, or pre-translate an XLIFF or PO job; write sentence pairs (CSV, or by "
    "extension), the translated document, or the job",
    add_translate,
    cmd_translate,
    reads=("input",),
    writes=("output",),
)


# --------------------------------------------------------------------------------------------
# estimate
# --------------------------------------------------------------------------------------------
def add_estimate(p: argparse.ArgumentParser) -> None:
    from align.formats import FORMATS

    p.add_argument("src_file", help="the source text (e.g. German)")
    p.add_argument("mt_file", help="its machine translation, row for row (same number of lines or sentences)")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="scores.tsv (or .txt): line, quality, band, reasons, source, target; a document format "
        f"({', '.join(f for f in FORMATS if f != 'tsv')}) by extension writes the rows with quality and reasons "
        "columns; default: the table on stdout",
    )
    add_langs(p)
    p.add_argument("--split-lines", action="store_true", help="each line is one row (no segmentation)")
    p.add_argument(
        "--model-signal",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="rescore each row with the installed Argos package for the pair (its own token probabilities); "
        "without a package the model signal is left out and the summary says so (default: %(default)s)",
    )
    # the old spelling, kept working: --model names a package in translate and batch
    p.add_argument("--model", "--no-model", dest="model_signal", action=DeprecatedSwitch, replacement="--model-signal")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_embedding_options(p)


def cmd_estimate(args: argparse.Namespace) -> int:
    from align.pipeline import estimate_files
    from align.quality.report import summary

    with stderr_bar("estimating", "%", percent=True, disable=args.quiet) as bar:
        doc = estimate_files(
            Path(args.src_file),
            Path(args.mt_file),
            settings=settings_of(args),
            src_lang=args.src,
            tgt_lang=args.tgt,
            split_lines=args.split_lines,
            use_model=args.model_signal,
            model_off_reason="switched off (--no-model-signal)",
            embedder=embedder_of(args),
            progress=bar,
        )
    output = Path(args.output) if args.output else None
    _write_scores(doc, output)
    print(summary(doc), file=sys.stderr)
    if output is not None:
        print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _write_scores(doc: AlignedDocument, output: Path | None) -> None:
    """The score table on stdout (no output) or in a .tsv/.txt file; the rows with their quality
    and reasons columns in any other document format."""
    from align.quality.report import score_table

    if output is None:
        sys.stdout.write(score_table(doc))
    elif output.suffix.lower() in (".tsv", ".txt", ""):
        from align.formats import atomic_write_bytes

        atomic_write_bytes(output, score_table(doc).encode("utf-8"))
    else:
        from align.formats import format_from_path, write_document

        write_document(doc, output, format_from_path(output))


ESTIMATE = Command(
    "estimate",
    "quality estimate of a machine translation: a score per row (probability it needs no fix) and "
    "the reasons (repetition, untranslated, numbers, length, truncation, meaning, the model's own view)",
    add_estimate,
    cmd_estimate,
    reads=("src_file", "mt_file"),
    writes=("output",),
)


# --------------------------------------------------------------------------------------------
# batch
# --------------------------------------------------------------------------------------------
def add_batch(p: argparse.ArgumentParser) -> None:
    from align.formats import FORMATS

    p.add_argument("in_dir", help="folder of source files (searched recursively)")
    p.add_argument("out_dir", help="output folder; the input's folder structure is kept")
    add_langs(p)
    p.add_argument(
        "--formats", type=doc_formats, default="csv,tmx", help=f"comma-separated, of {','.join(FORMATS)} (default %(default)s)"
    )
    p.add_argument(
        "--align-with", default=None, metavar="TGT_DIR", help="align with same-named files here instead of translating"
    )
    p.add_argument(
        "--workers", type=whole(1), default=1, metavar="N", help="files read and written in parallel (default %(default)s)"
    )
    p.add_argument("--jobs", type=whole(1), dest="workers", help=argparse.SUPPRESS)  # the old name, for existing scripts
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="redo files the manifest says are finished")
    p.add_argument("--keep-formulas", action="store_true", help="do not neutralise formula-like cells")
    p.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="decode on Ray workers: 'ray' (a local Ray for this run) or 'ray://HOST:PORT' (needs pip install '.[cluster]')",
    )
    p.add_argument("--cluster-workers", type=whole(0), default=0, help="worker actors (default: one per --threads CPUs)")
    add_estimate_option(p)
    add_tm_option(p)
    add_translate_options(p)


def cmd_batch(args: argparse.Namespace) -> int:
    from align.batch import BatchOptions, run_batch

    options = BatchOptions(
        src_lang=args.src,
        tgt_lang=args.tgt,
        formats=args.formats,
        align_with=Path(args.align_with) if args.align_with else None,
        workers=args.workers,
        force=args.force,
        neutralise_formulas=not args.keep_formulas,
        translate=translate_options(args),
        estimate=args.estimate,
        glossary=None if args.align_with else glossary_of(args),
        tm=None if args.align_with else args.tm,
        cluster=args.cluster or "",
        cluster_workers=args.cluster_workers,
    )
    from align.progress import BatchProgress

    with (
        stderr_bar("files", "file", total=0, position=0, disable=args.quiet) as files,
        stderr_bar("sentences", "sentence", total=0, position=1, disable=args.quiet) as sentences,
    ):
        progress = BatchProgress(files=files, sentences=sentences)
        summary = run_batch(Path(args.in_dir), Path(args.out_dir), options, settings=settings_of(args), progress=progress)
    print(summary.format())
    return EXIT_OK if summary.ok else EXIT_ERROR


BATCH = Command("batch", "translate (or align) every supported file under a folder", add_batch, cmd_batch)
