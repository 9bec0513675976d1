"""Import OPUS-MT (Marian), NLLB-200 and M2M-100 checkpoints as workbench packages.

``python -m align models import PATH_OR_NAME --src de --tgt en`` converts a Hugging Face checkpoint
folder (or, with internet, a model downloaded by name) with CTranslate2's ``TransformersConverter``
into a package folder in ``settings.packages_dir``:

    <name>/metadata.json    from_code, to_code, name, source_model, license, converter, quantization,
                            languages, and how to tokenise (below)
    <name>/model/           the CTranslate2 model (model.bin, config.json, shared_vocabulary.json)
    <name>/source.spm       Marian: the SentencePiece model that encodes the source ...
    <name>/target.spm       ... and the one that decodes the target (vocab.json is kept beside them)
    <name>/sentencepiece.model   NLLB / M2M-100: one SentencePiece model for both sides

metadata.json's ``source_sentencepiece`` / ``target_sentencepiece`` name those files;
``source_prefix`` (NLLB/M2M-100: the source language token, ``deu_Latn`` / ``__de__``),
``source_suffix`` (``</s>``) and ``target_prefix`` (the target language token, which the decoder
is forced to start with, as transformers' ``forced_bos_token_id``) reproduce what the model's own
tokenizer does; an import checks that on a sample sentence before installing.

transformers (the ``import`` extra) is needed here only, and imported lazily: translating with an
imported package needs CTranslate2 and SentencePiece alone. Nothing is installed half: the package
is built in a hidden staging folder, loaded there, and renamed into place at the end; on any error
the staging folder is deleted. ``--src``/``--tgt`` must agree with the languages a one-pair (Marian)
checkpoint states (its tokenizer_config.json, else its OPUS-MT name), and a multilingual tokenizer
must list the language tokens it uses, or the import stops with a one-line error before converting.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.errors import AlignError, NetworkError, PackageError
from align.mt import langcodes
from align.mt.packages import (
    _TMP_PREFIX,
    InstalledPackage,
    _clean_leftovers,
    _swap_into_place,
    check_loads,
    is_language_code,
    package_folder,
    read_package,
)
from align.settings import Settings

log = logging.getLogger(__name__)

QUANTIZATIONS = ("int8", "int8_float32", "int16", "float16", "bfloat16", "float32")
EXTRA_HINT = "pip install 'align-workbench[import]' (or pip install -r requirements-dev.txt)"
_SAMPLE = "Guten Morgen, wie geht es Ihnen heute?"
_HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
# OPUS-MT names end with their pair: opus-mt-de-en, opus-mt-tc-big-en-de (not opus-mt-en-ROMANCE)
_OPUS_PAIR = re.compile(r"opus-mt-(?:[a-z]+-)*?([a-z]{2,3})-([a-z]{2,3})$")
_DOWNLOAD_PATTERNS = ["*.json", "*.spm", "*.model", "model.safetensors", "pytorch_model.bin", "README.md"]


@dataclass(frozen=True)
class Family:
    """What an architecture needs: its tokenizer files and which SentencePiece file serves which side."""

    name: str  # marian | m2m100 | nllb
    architecture: str
    tokenizer_files: tuple[str, ...]
    source_spm: str  # file in the checkpoint
    target_spm: str
    multilingual: bool


MARIAN = Family("marian", "MarianMTModel", ("source.spm", "target.spm", "vocab.json"), "source.spm", "target.spm", False)
M2M100 = Family(
    "m2m100",
    "M2M100ForConditionalGeneration",
    ("sentencepiece.bpe.model", "vocab.json"),
    "sentencepiece.bpe.model",
    "sentencepiece.bpe.model",
    True,
)
NLLB = Family(
    "nllb",
    "M2M100ForConditionalGeneration (NLLB)",
    ("sentencepiece.bpe.model",),
    "sentencepiece.bpe.model",
    "sentencepiece.bpe.model",
    True,
)
SUPPORTED = "MarianMTModel (OPUS-MT), M2M100ForConditionalGeneration (M2M-100, NLLB-200)"


@dataclass(frozen=True)
class Layout:
    """How the package tokenises: SentencePiece files in the package and the tokens around the source."""

    source_spm: str
    target_spm: str
    source_prefix: str
    source_suffix: str
    target_prefix: str


# ---- reading the checkpoint ------------------------------------------------------------------------
def _json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PackageError(f"{path}: cannot read it ({err})") from None
    except RecursionError:
        raise PackageError(f"{path}: cannot read it (nested too deeply)") from None
    if not isinstance(value, dict):
        raise PackageError(f"{path}: must hold a JSON object")
    return value


def detect_family(folder: Path) -> Family:
    """The supported architecture of a checkpoint folder, from config.json (and the tokenizer's
    class, which tells NLLB from M2M-100); PackageError names any other architecture."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise PackageError(f"{folder}: no config.json; not a Hugging Face checkpoint folder")
    config = _json(config_path)
    model_type = str(config.get("model_type") or "")
    architecture = str((config.get("architectures") or [model_type or "unknown"])[0])
    if model_type == "marian":
        family = MARIAN
    elif model_type == "m2m_100":
        tokenizer_class = str(config.get("tokenizer_class") or "")
        if (folder / "tokenizer_config.json").is_file():
            tokenizer_class = str(_json(folder / "tokenizer_config.json").get("tokenizer_class") or tokenizer_class)
        family = NLLB if tokenizer_class.startswith("Nllb") else M2M100
    else:
        raise PackageError(f"{folder}: architecture {architecture} cannot be imported (supported: {SUPPORTED})")
    missing = [name for name in family.tokenizer_files if not (folder / name).is_file()]
    if missing:
        raise PackageError(
            f"{folder}: missing tokenizer file {', '.join(missing)} (a {family.architecture} checkpoint needs "
            f"{', '.join(family.tokenizer_files)})"
        )
    return family


def read_license(folder: Path) -> str:
    """The licence the checkpoint's model card (README.md front matter) or config.json states, else 'unknown'."""
    readme = folder / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8", errors="replace")
        front = re.match(r"^---\s*\n(.*?)\n---", text, re.DOTALL)
        if front:
            found = re.search(r"^license:\s*['\"]?([^\s'\"]+)", front.group(1), re.MULTILINE)
            if found:
                return found.group(1)
    config = folder / "config.json"
    value = _json(config).get("license") if config.is_file() else None
    return str(value) if value else "unknown"


def package_slug(source: str) -> str:
    """A folder-name-safe short name of a model: ``Helsinki-NLP/opus-mt-de-en`` -> ``opus-mt-de-en``."""
    base = source.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-.").lower() or "model"


# ---- getting the checkpoint ----------------------------------------------------------------------
def download_checkpoint(name: str, dest: Path) -> Path:
    """Download a model by hub name into ``dest``; NetworkError says how to import offline."""
    offline = (
        "to import offline, copy the checkpoint folder (config.json, weights, tokenizer files) to this machine and run "
        "`python -m align models import FOLDER --src .. --tgt ..`, or import on a machine with internet and install "
        "the package folder here with `python -m align models install --from FOLDER`"
    )
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise AlignError(f"{name}: not a folder, and downloading needs huggingface_hub: {EXTRA_HINT}; or {offline}") from None
    try:
        return Path(snapshot_download(name, local_dir=str(dest), allow_patterns=_DOWNLOAD_PATTERNS))
    except Exception as err:  # the hub client raises many kinds (offline mode, HTTP, DNS, unknown repo)
        reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise NetworkError(
            f"{name}: not a folder, and cannot download it from the Hugging Face hub ({reason}); {offline}"
        ) from None


def resolve_source(source: str, staging: Path) -> tuple[Path, str]:
    """The checkpoint folder for ``source`` (a folder, else a hub name to download) and the model's name."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path, package_slug(str(path.resolve()))
    if path.exists():
        raise PackageError(f"{source}: not a folder; give a Hugging Face checkpoint folder (config.json, weights, tokenizer)")
    if not _HUB_NAME.match(source) or source.startswith((".", "~")):
        raise PackageError(
            f"{source}: no such folder (give a checkpoint folder, or a hub name such as Helsinki-NLP/opus-mt-de-en)"
        )
    return download_checkpoint(source, staging / "download"), source


# ---- languages and tokens ----------------------------------------------------------------------------
def _tokenizer_options(family: Family, folder: Path) -> dict[str, Any]:
    """Loading options that make the tokenizer tokenise as the model was trained.

    NLLB-200 was trained on ``[src_lang] X </s>``. transformers before 4.30 put the language token
    last (``X </s> [src_lang]``), and a tokenizer_config.json with ``legacy_behaviour: true`` still
    asks for that; a package built on it would translate worse, silently. So an NLLB tokenizer is
    always loaded with ``legacy_behaviour=False`` (transformers' default since 4.30).
    """
    if family is not NLLB:
        return {}
    config = folder / "tokenizer_config.json"
    if config.is_file() and _json(config).get("legacy_behaviour"):
        log.info("%s: tokenizer_config.json asks for NLLB's legacy token order; using the trained order instead", folder)
    return {"legacy_behaviour": False}


def _tokenizer(folder: Path, family: Family) -> Any:
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise AlignError(f"importing a model needs transformers: {EXTRA_HINT}") from None
    try:
        return AutoTokenizer.from_pretrained(str(folder), **_tokenizer_options(family, folder))
    except Exception as err:  # tokenizer loading fails in many library-specific ways
        raise PackageError(f"{folder}: cannot load the tokenizer ({type(err).__name__}: {str(err).strip()[:200]})") from None


def _known_tokens(tokenizer: Any) -> set[str]:
    known = set(tokenizer.get_vocab())
    known.update(getattr(tokenizer, "additional_special_tokens", None) or [])
    known.update(getattr(tokenizer, "lang_code_to_token", {}).values())
    return known


def language_layout(family: Family, tokenizer: Any, src: str, tgt: str, where: Path) -> tuple[Layout, str, str]:
    """The package's tokenisation and its (ISO) language codes; PackageError for a code the model lacks."""
    spm_names = ("source.spm", "target.spm") if family is MARIAN else ("sentencepiece.model", "sentencepiece.model")
    if not family.multilingual:
        return Layout(spm_names[0], spm_names[1], "", str(tokenizer.eos_token), ""), src, tgt
    known = set(langcodes.language_tokens(_known_tokens(tokenizer), family.name))
    tokens = []
    for code in (src, tgt):
        token = langcodes.language_token(code, family.name, known)
        if token is None:
            common = [langcodes.language_token(c, family.name, known) for c in ("en", "de", "fr", "es", "it")]
            some = ", ".join(list(dict.fromkeys([t for t in common if t] + sorted(known)))[:8])
            raise PackageError(
                f"{where}: the model does not know language {code!r} (it knows e.g. {some}; give an ISO code such as "
                "de or the model's own code)"
            )
        tokens.append(token)
    layout = Layout(spm_names[0], spm_names[1], tokens[0], str(tokenizer.eos_token), tokens[1])
    return layout, langcodes.iso_code(tokens[0], family.name), langcodes.iso_code(tokens[1], family.name)


def _aliases(code: str) -> set[str]:
    """A language code and its ISO 639-3 form (de -> deu), to compare codes written either way."""
    code = code.strip().lower()
    return {code, langcodes.base_lang(langcodes.NLLB_CODES.get(code, ""))} - {""}


def checkpoint_pair(tokenizer: Any, model_name: str) -> tuple[str, str, str] | None:
    """The (source, target) a one-pair (Marian) checkpoint states, and where: its tokenizer_config.json
    (``source_lang``/``target_lang``), else its OPUS-MT name; None when it states none."""
    source, target = getattr(tokenizer, "source_lang", None), getattr(tokenizer, "target_lang", None)
    if isinstance(source, str) and isinstance(target, str) and source and target:
        return source, target, "tokenizer_config.json"
    found = _OPUS_PAIR.search(package_slug(model_name))
    return (found.group(1), found.group(2), f"its name {found.group(0)}") if found else None


def check_languages(family: Family, tokenizer: Any, model_name: str, src: str, tgt: str, where: Path) -> None:
    """PackageError for --src/--tgt that cannot name a package, or that contradict the languages
    a one-pair checkpoint states: a de->en model installed as xx->en translates the wrong text."""
    for option, code in (("--src", src), ("--tgt", tgt)):
        if not is_language_code(code):
            raise PackageError(f"{option} {code[:40]!r} is not a language code (give one such as de or en)")
    stated = checkpoint_pair(tokenizer, model_name) if not family.multilingual else None
    if stated and not (_aliases(stated[0]) & _aliases(src) and _aliases(stated[1]) & _aliases(tgt)):
        raise PackageError(
            f"{where}: the checkpoint translates {stated[0]}->{stated[1]} ({stated[2]}), not {src}->{tgt}; "
            f"give --src {stated[0]} --tgt {stated[1]}"
        )


def check_language_tokens(tokenizer: Any, family: Family, layout: Layout, where: Path) -> None:
    """PackageError unless the tokenizer lists the language tokens the package uses among the tokens
    CTranslate2's converter takes (its vocabulary and ``additional_special_tokens``): without them
    the converted vocabulary is shorter than the model's and conversion fails obscurely."""
    if not family.multilingual:
        return
    listed = set(tokenizer.get_vocab()) | set(tokenizer.special_tokens_map.get("additional_special_tokens") or [])
    missing = [t for t in dict.fromkeys((layout.source_prefix, layout.target_prefix)) if t and t not in listed]
    if missing:
        raise PackageError(
            f"{where}: the tokenizer does not list the language tokens {', '.join(missing)} (tokenizer_config.json's "
            "additional_special_tokens is missing them), so the vocabulary would not match the model's; use the "
            "model's original tokenizer files, or save the tokenizer with additional_special_tokens set to its language tokens"
        )


def check_tokenization(tokenizer: Any, family: Family, layout: Layout, folder: Path, text: str = _SAMPLE) -> None:
    """PackageError unless our tokenisation of ``text`` (SentencePiece + prefix/suffix) equals the
    model's own tokenizer's: a tokenizer that adds other tokens would translate worse, silently."""
    import sentencepiece

    if family.multilingual:
        tokenizer.src_lang = layout.source_prefix if family is NLLB else langcodes.iso_code(layout.source_prefix, "m2m100")
    expected = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
    sp = sentencepiece.SentencePieceProcessor(model_file=str(folder / family.source_spm))
    vocab = tokenizer.get_vocab()
    unk = str(tokenizer.unk_token)
    pieces = [p if p in vocab else unk for p in sp.encode(text, out_type=str)]
    ours = ([layout.source_prefix] if layout.source_prefix else []) + pieces + [layout.source_suffix]
    if ours != list(expected):
        raise PackageError(
            f"{folder}: the tokenizer adds tokens this workbench does not reproduce (expected {expected[:4]}...{expected[-2:]}, "
            f"got {ours[:4]}...{ours[-2:]})"
        )


# ---- converting ----------------------------------------------------------------------------------------------
def convert(folder: Path, out: Path, quantization: str | None) -> str:
    """Convert the checkpoint into ``out`` (a CTranslate2 model folder); return ctranslate2's version."""
    import ctranslate2

    try:
        import transformers  # noqa: F401  (the converter needs it; say so before it fails obscurely)
    except ImportError:
        raise AlignError(f"importing a model needs transformers: {EXTRA_HINT}") from None
    try:
        ctranslate2.converters.TransformersConverter(str(folder)).convert(str(out), quantization=quantization)
    except Exception as err:  # the converter and transformers raise many kinds for a broken checkpoint
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        raise PackageError(f"{folder}: conversion failed ({type(err).__name__}: {detail})") from None
    return str(ctranslate2.__version__)


def _vocabulary(model_dir: Path) -> set[str]:
    for name in ("shared_vocabulary.json", "source_vocabulary.json"):
        if (model_dir / name).is_file():
            return set(json.loads((model_dir / name).read_text(encoding="utf-8")))
    return set()


def import_model(source: str, src: str, tgt: str, settings: Settings, *, quantization: str | None = None) -> InstalledPackage:
    """Convert a checkpoint folder (or hub name) into an installed package and return it.

    The package is named ``<model>-<src>_<tgt>[-<quantization>]`` and replaces only a package of
    that name. ``quantization`` (e.g. int8: a quarter of the size) is applied to the stored
    weights; None keeps the checkpoint's float32.
    """
    if quantization is not None and quantization not in QUANTIZATIONS:
        raise AlignError(f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}")
    root = settings.packages_dir
    root.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(root)
    staging = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=root))
    try:
        folder, model_name = resolve_source(source, staging)
        family = detect_family(folder)
        tokenizer = _tokenizer(folder, family)
        layout, from_code, to_code = language_layout(family, tokenizer, src, tgt, folder)
        check_languages(family, tokenizer, model_name, from_code, to_code, folder)
        check_tokenization(tokenizer, family, layout, folder)
        check_language_tokens(tokenizer, family, layout, folder)

        package = staging / "package"
        package.mkdir()
        version = convert(folder, package / "model", quantization)
        vocabulary = _vocabulary(package / "model")
        lost = [t for t in (layout.source_prefix, layout.source_suffix, layout.target_prefix) if t and t not in vocabulary]
        if lost:
            raise PackageError(f"{folder}: the converted vocabulary lacks {', '.join(lost)} (try the pinned transformers)")
        shutil.copyfile(folder / family.source_spm, package / layout.source_spm)
        if layout.target_spm != layout.source_spm:
            shutil.copyfile(folder / family.target_spm, package / layout.target_spm)
        if (folder / "vocab.json").is_file():
            shutil.copyfile(folder / "vocab.json", package / "vocab.json")

        name = "-".join(p for p in (package_slug(model_name), f"{from_code}_{to_code}", quantization) if p)
        import transformers

        metadata = {
            "from_code": from_code,
            "to_code": to_code,
            "package_version": "1.0",
            "name": name,
            "source_model": model_name,
            "source_path": "" if folder.resolve().is_relative_to(staging.resolve()) else str(folder.resolve()),
            "architecture": family.architecture,
            "family": family.name,
            "license": read_license(folder),
            "converter": "ctranslate2",
            "converter_version": version,
            "transformers_version": transformers.__version__,
            "quantization": quantization or "float32",
            "languages": {
                "source": from_code,
                "target": to_code,
                "source_token": layout.source_prefix,
                "target_token": layout.target_prefix,
            },
            "source_sentencepiece": layout.source_spm,
            "target_sentencepiece": layout.target_spm,
            "source_prefix": layout.source_prefix,
            "source_suffix": layout.source_suffix,
            "target_prefix": layout.target_prefix,
        }
        (package / "metadata.json").write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
        check_loads(read_package(package), folder)  # the same checks an install makes
        final = package_folder(root, name)
        _swap_into_place(package, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = read_package(final)
    log.info("imported %s as %s (%s->%s) at %s", model_name, installed.name, from_code, to_code, final)
    return installed
