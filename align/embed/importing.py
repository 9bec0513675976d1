"""Import a Hugging Face sentence encoder (LaBSE, multilingual-e5 base/large, BGE-M3) for the aligner.

``python -m align models import-embedder PATH_OR_NAME [--name NAME] [--quantization int8]
[--pooling cls|mean|pooler]`` converts a ``BertModel`` or ``XLMRobertaModel`` checkpoint with
CTranslate2's ``TransformersConverter`` into ``<data folder>/embedders/NAME`` (layout:
``align.embed.encoders``), as ``models import`` does for translation models: built in a hidden
staging folder, checked there, renamed into place at the end; on any error the staging folder
goes and a one-line error says why.

How a sentence becomes a vector is read from the checkpoint where sentence-transformers wrote it
(``modules.json``: the Pooling module's ``1_Pooling/config.json``, Dense layers, Normalize;
``sentence_bert_config.json``: the maximum length; ``config_sentence_transformers.json``: the
"query" prompt), else from ``--pooling``, else from the model's name (LaBSE: BERT's pooler;
multilingual-e5: mean; BGE-M3: CLS). e5 models get their "query: " prefix (e5's choice for
bitext mining) by name. The staged encoder must reproduce transformers' own vectors on a few
sentences (``MIN_COSINE``, int8 included) before it is installed.

The word aligner (``words --embedder NAME``) reads a middle layer, and CTranslate2 returns only an
encoder's last one: so the import also converts the checkpoint's first ``word_layers(L)`` layers
(7 of 12, as for e5-small) into ``NAME/words/``, loading the model with a config of fewer layers
(transformers then leaves the later layers' weights unread); ``embedder.json``'s
``extra["words"]`` records the count (``layers`` of ``of``) and the state width (``dim``).

transformers and torch (the ``import`` extra) are needed here only, imported lazily.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from align.embed import ENGINES
from align.embed.encoders import (
    CONFIG_NAME,
    POOLINGS,
    WORDS_FOLDER,
    Dense,
    EncoderConfig,
    EncoderEngine,
    InstalledEncoder,
    embedders_dir,
    read_config,
    word_layers,
)
from align.errors import AlignError, NetworkError, PackageError
from align.mt.importer import EXTRA_HINT, QUANTIZATIONS, package_slug, read_license
from align.mt.importer import convert as convert_checkpoint
from align.mt.packages import _TMP_PREFIX, _clean_leftovers, _swap_into_place, package_folder, portable_name
from align.settings import Settings

log = logging.getLogger(__name__)

ARCHITECTURES = {"bert": "BertModel", "xlm-roberta": "XLMRobertaModel"}
SUPPORTED = "BertModel (LaBSE), XLMRobertaModel (multilingual-e5 base/large, BGE-M3)"
TOKENIZER_FILES = {"bert": ("tokenizer.json", "vocab.txt"), "xlm-roberta": ("tokenizer.json", "sentencepiece.bpe.model")}
SAMPLES = (
    "Guten Morgen, wie geht es Ihnen heute?",
    "The committee approved the budget for 2024.",
    "Grenzüberschreitende Zusammenarbeit – ein Überblick.",
)
MIN_COSINE = 0.99
_HUB_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_E5 = re.compile(r"(^|[-_/])e5($|[-_])", re.IGNORECASE)
_DOWNLOAD_PATTERNS = [
    "*.json",
    "*.txt",
    "*.model",
    "model.safetensors",
    "pytorch_model.bin",
    "README.md",
    "1_Pooling/*",
    "2_Dense/*",
]
_ACTIVATIONS = {"torch.nn.modules.activation.Tanh": "tanh", "torch.nn.modules.linear.Identity": "identity"}


# ---- names and sources --------------------------------------------------------------------------------
def check_name(name: str, root: Path) -> Path:
    """The folder an encoder called ``name`` goes to, or PackageError for a name that cannot be one
    (a path, a device name) or that is an engine's (``--embedder ct2`` must keep meaning the engine)."""
    if name in ENGINES or not portable_name(name) or name.startswith("."):
        raise PackageError(f"{name!r} cannot name an encoder (use letters, digits, . _ -; not {', '.join(ENGINES)})")
    return package_folder(root, name)


def resolve_source(source: str, staging: Path) -> Path:
    """The checkpoint folder for ``source``: a folder, else a hub name downloaded (needs internet)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise PackageError(f"{source}: not a folder; give a Hugging Face checkpoint folder (config.json, weights, tokenizer)")
    if not _HUB_NAME.match(source) or source.startswith((".", "~")):
        raise PackageError(
            f"{source}: no such folder (give a checkpoint folder, or a hub name such as sentence-transformers/LaBSE)"
        )
    offline = "to import offline, copy the checkpoint folder to this machine and import it from the folder"
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise AlignError(f"{source}: not a folder, and downloading needs huggingface_hub: {EXTRA_HINT}; or {offline}") from None
    try:
        return Path(snapshot_download(source, local_dir=str(staging / "download"), allow_patterns=_DOWNLOAD_PATTERNS))
    except Exception as err:  # the hub client raises many kinds (offline mode, HTTP, DNS, unknown repo)
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise NetworkError(
            f"{source}: not a folder, and cannot download it from the Hugging Face hub ({reason}); {offline}"
        ) from None


def _json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise PackageError(f"{path}: cannot read it ({type(err).__name__}: {str(err)[:100]})") from None
    if not isinstance(value, dict):
        raise PackageError(f"{path}: must hold a JSON object")
    return value


def model_type(folder: Path) -> tuple[str, dict[str, Any]]:
    """The checkpoint's model type (bert or xlm-roberta) and its config; PackageError for anything else."""
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise PackageError(f"{folder}: no config.json; not a Hugging Face checkpoint folder")
    config = _json(config_path)
    kind = str(config.get("model_type") or "")
    if kind not in ARCHITECTURES:
        shown = str((config.get("architectures") or [kind or "unknown"])[0])[:80]
        raise PackageError(f"{folder}: architecture {shown} cannot be imported as a sentence encoder (supported: {SUPPORTED})")
    if str(config.get("position_embedding_type") or "absolute") != "absolute":
        raise PackageError(
            f"{folder}: position embeddings {config.get('position_embedding_type')!r} are not supported (only absolute)"
        )
    if not any((folder / name).is_file() for name in TOKENIZER_FILES[kind]):
        raise PackageError(
            f"{folder}: missing tokenizer file (a {ARCHITECTURES[kind]} checkpoint needs {' or '.join(TOKENIZER_FILES[kind])})"
        )
    return kind, config


# ---- how a sentence becomes a vector ------------------------------------------------------------------
def _modules(folder: Path) -> list[dict[str, Any]] | None:
    """sentence-transformers' module list, or None when the folder has none."""
    path = folder / "modules.json"
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise PackageError(f"{path}: cannot read it ({type(err).__name__})") from None
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise PackageError(f"{path}: must hold a list of modules")
    return value


def _module_folder(folder: Path, module: dict[str, Any]) -> Path:
    """A module's folder, kept inside the checkpoint (modules.json is data, not a path to follow)."""
    sub = str(module.get("path") or "")
    if sub.startswith(("/", "\\")) or ".." in Path(sub).parts:
        raise PackageError(f"{folder / 'modules.json'}: module path {sub[:60]!r} leaves the checkpoint")
    return folder / sub


def _pooling_of(config: dict[str, Any], where: Path) -> str:
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_mean_tokens"):
        return "mean"
    modes = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    raise PackageError(f"{where}: pooling {', '.join(modes) or 'none'} is not supported (cls or mean); give --pooling")


def _dense_weights(folder: Path) -> dict[str, np.ndarray]:
    """A Dense module's tensors (linear.weight, linear.bias), from safetensors or a torch file."""
    if (folder / "model.safetensors").is_file():
        from safetensors.numpy import load_file

        return {k: np.asarray(v, np.float32) for k, v in load_file(str(folder / "model.safetensors")).items()}
    if (folder / "pytorch_model.bin").is_file():
        import torch

        state = torch.load(str(folder / "pytorch_model.bin"), map_location="cpu", weights_only=True)
        return {k: v.float().numpy() for k, v in state.items()}
    raise PackageError(f"{folder}: a Dense module without weights (model.safetensors or pytorch_model.bin)")


def _dense(folder: Path, index: int, out: Path) -> Dense:
    """Copy a sentence-transformers Dense module into ``out`` as ``dense_<index>.npz``."""
    config = _json(folder / "config.json")
    activation = _ACTIVATIONS.get(str(config.get("activation_function") or ""))
    if activation is None:
        raise PackageError(f"{folder}: Dense activation {config.get('activation_function')!r} is not supported (Tanh, Identity)")
    tensors = _dense_weights(folder)
    weight = tensors.get("linear.weight")
    if weight is None or weight.ndim != 2:
        raise PackageError(f"{folder}: the Dense module has no linear.weight matrix")
    bias = tensors.get("linear.bias", np.zeros(weight.shape[0], np.float32))
    name = f"dense_{index}.npz"
    np.savez(out / name, weight=weight.astype(np.float32), bias=bias.astype(np.float32))
    return Dense(name, activation)


def sentence_transformers_head(folder: Path, out: Path) -> tuple[str, tuple[Dense, ...], bool] | None:
    """(pooling, Dense layers, normalise) from modules.json, Dense weights copied into ``out``;
    None without modules.json. PackageError for a module this workbench cannot run."""
    modules = _modules(folder)
    if modules is None:
        return None
    pooling, normalize = "", False
    dense: list[Dense] = []
    for module in modules:
        kind = str(module.get("type") or "").rsplit(".", 1)[-1]
        where = _module_folder(folder, module)
        if kind == "Transformer":
            continue
        if kind == "Pooling":
            pooling = _pooling_of(_json(where / "config.json"), where)
        elif kind == "Dense":
            dense.append(_dense(where, len(dense), out))
        elif kind == "Normalize":
            normalize = True
        else:
            raise PackageError(f"{folder / 'modules.json'}: module {kind[:60]!r} is not supported (Pooling, Dense, Normalize)")
    if not pooling:
        raise PackageError(f"{folder / 'modules.json'}: no Pooling module; give --pooling")
    return pooling, tuple(dense), normalize


def default_pooling(name: str, kind: str) -> str | None:
    """The pooling a well-known model family uses, by name: LaBSE pooler, e5 mean, BGE-M3 CLS."""
    lowered = name.lower()
    if "labse" in lowered and kind == "bert":
        return "pooler"
    if _E5.search(lowered):
        return "mean"
    if "bge" in lowered:
        return "cls"
    return None


def query_prefix(folder: Path, name: str) -> str:
    """The text put before every sentence: sentence-transformers' "query" prompt, else e5's "query: "."""
    path = folder / "config_sentence_transformers.json"
    if path.is_file():
        prompts = _json(path).get("prompts")
        if isinstance(prompts, dict) and isinstance(prompts.get("query"), str):
            return str(prompts["query"])
    return "query: " if _E5.search(name) else ""


def max_length(folder: Path, kind: str, config: dict[str, Any], tokenizer: Any) -> int:
    """Tokens a sentence is cut to: sentence-transformers' max_seq_length, else the tokenizer's
    limit, never more than the model's position table holds (XLM-R's starts after padding_idx)."""
    positions = int(config.get("max_position_embeddings") or 512)
    if kind == "xlm-roberta":
        positions -= int(config.get("pad_token_id") or 1) + 1
    limit = positions
    st_config = folder / "sentence_bert_config.json"
    st_values = _json(st_config) if st_config.is_file() else {}
    if st_values.get("do_lower_case"):
        raise PackageError(f"{st_config}: do_lower_case is not supported (the model's tokenizer must see the text as it is)")
    if isinstance(st_values.get("max_seq_length"), int):
        limit = int(st_values["max_seq_length"])
    elif 0 < int(getattr(tokenizer, "model_max_length", 0) or 0) < 1_000_000:
        limit = int(tokenizer.model_max_length)
    return max(2, min(limit, positions))


# ---- the tokenizer -----------------------------------------------------------------------------------
def load_tokenizer(folder: Path) -> Any:
    """The checkpoint's fast tokenizer (the one ``tokenizers`` runs later)."""
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise AlignError(f"importing an encoder needs transformers: {EXTRA_HINT}") from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True)
    except Exception as err:  # tokenizer loading fails in many library-specific ways
        raise PackageError(f"{folder}: cannot load the tokenizer ({type(err).__name__}: {str(err).strip()[:160]})") from None
    if not getattr(tokenizer, "is_fast", False):
        raise PackageError(f"{folder}: the tokenizer has no fast (tokenizers) version; this workbench cannot run it")
    return tokenizer


def check_tokenizer(tokenizer: Any, staged: Path, prefix: str, limit: int) -> None:
    """PackageError unless the saved tokenizer.json, as the runtime runs it, gives the model's ids."""
    from tokenizers import Tokenizer

    ours = Tokenizer.from_file(str(staged / "tokenizer.json"))
    ours.no_padding()
    ours.enable_truncation(limit)
    for text in SAMPLES:
        expected = tokenizer(prefix + text, truncation=True, max_length=limit)["input_ids"]
        if ours.encode(prefix + text).ids != list(expected):
            raise PackageError(f"{staged.name}: the saved tokenizer does not reproduce the model's own on {text!r}")


# ---- the reference and the check ---------------------------------------------------------------------------
def reference_vectors(folder: Path, config: EncoderConfig, staged: Path, texts: list[str]) -> np.ndarray:
    """transformers' own vectors for ``texts`` with ``config``'s pooling (float32, torch)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True)
    model = AutoModel.from_pretrained(str(folder), dtype=torch.float32).eval()
    rows = []
    with torch.no_grad():
        for text in texts:
            batch = tokenizer([config.prefix + text], return_tensors="pt", truncation=True, max_length=config.max_length)
            output = model(**batch)
            if config.pooling == "pooler":
                pooled = output.pooler_output[0]
            elif config.pooling == "cls":
                pooled = output.last_hidden_state[0, 0]
            else:
                pooled = output.last_hidden_state[0].mean(dim=0)
            vector = pooled.numpy().astype(np.float32)
            for dense in config.dense:
                layer = np.load(staged / dense.file)
                vector = layer["weight"] @ vector + layer["bias"]
                vector = np.tanh(vector) if dense.activation == "tanh" else vector
            rows.append(vector)
    out = np.stack(rows)
    if config.normalize:
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def check_vectors(folder: Path, staged: Path) -> float:
    """The lowest cosine between the staged encoder's vectors and transformers' own on the samples;
    PackageError below ``MIN_COSINE`` (something the conversion does not carry over)."""
    config = read_config(staged)
    try:
        ours = EncoderEngine(InstalledEncoder(staged, config), threads=1).encode(list(SAMPLES))
    except Exception as err:  # CTranslate2 and tokenizers raise many kinds for a damaged model
        raise PackageError(f"{folder}: the converted encoder does not load ({type(err).__name__}: {str(err)[:160]})") from None
    reference = reference_vectors(folder, config, staged, list(SAMPLES))
    unit = ours / np.maximum(np.linalg.norm(ours, axis=1, keepdims=True), 1e-12)
    ref = reference / np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-12)
    worst = float(np.min(np.sum(unit * ref, axis=1)))
    if worst < MIN_COSINE:
        raise PackageError(f"{folder}: the converted encoder does not reproduce the model (cosine {worst:.3f} < {MIN_COSINE})")
    return worst


# ---- the import -------------------------------------------------------------------------------------------
def _describe(
    folder: Path, staged: Path, source: str, name: str, quantization: str | None, pooling: str | None, prefix: str | None
) -> tuple[EncoderConfig, str]:
    """Read the checkpoint (architecture, tokenizer, pooling) into its description; the model type."""
    kind, hf_config = model_type(folder)
    display = package_slug(source if not Path(source).expanduser().is_dir() else str(folder.resolve()))
    tokenizer = load_tokenizer(folder)
    head = sentence_transformers_head(folder, staged)
    dense: tuple[Dense, ...] = ()
    normalize = True
    if head is not None:
        found, dense, normalize = head
        if pooling and pooling != found:
            log.warning("%s: modules.json pools by %s; using --pooling %s as asked", folder, found, pooling)
        pooling = pooling or found
    pooling = pooling or default_pooling(f"{source} {display}", kind)
    if pooling is None:
        raise PackageError(f"{folder}: no modules.json says how to pool; give --pooling ({', '.join(POOLINGS)})")
    if pooling == "pooler" and kind != "bert":
        raise PackageError(
            f"{folder}: --pooling pooler needs a BERT checkpoint (CTranslate2 keeps no XLM-R pooler); use cls or mean"
        )
    if pooling == "pooler" and not has_pooler(folder):
        raise PackageError(f"{folder}: the checkpoint has no pooler weights (pooler.dense); use --pooling cls or mean")
    text_prefix = query_prefix(folder, f"{source} {display}") if prefix is None else prefix
    limit = max_length(folder, kind, hf_config, tokenizer)
    tokenizer.backend_tokenizer.save(str(staged / "tokenizer.json"))
    check_tokenizer(tokenizer, staged, text_prefix, limit)
    dim = int(np.load(staged / dense[-1].file)["weight"].shape[0]) if dense else int(hf_config["hidden_size"])
    config = EncoderConfig(
        name=name,
        source_model=source,
        architecture=ARCHITECTURES[kind],
        pooling=pooling,
        normalize=normalize,
        prefix=text_prefix,
        max_length=limit,
        dim=dim,
        quantization=quantization or "float32",
        license=read_license(folder),
        dense=dense,
        import_id=uuid.uuid4().hex,
    )
    return config, kind


def has_pooler(folder: Path) -> bool:
    """Whether the checkpoint's weights hold BERT's pooler (transformers would make a random one)."""
    if (folder / "model.safetensors").is_file():
        from safetensors import safe_open

        with safe_open(str(folder / "model.safetensors"), framework="numpy") as handle:
            return any(key.endswith("pooler.dense.weight") for key in handle.keys())  # noqa: SIM118
    if (folder / "pytorch_model.bin").is_file():
        import torch

        state = torch.load(str(folder / "pytorch_model.bin"), map_location="cpu", weights_only=True)
        return any(key.endswith("pooler.dense.weight") for key in state)
    return False


def import_embedder(
    source: str,
    settings: Settings,
    *,
    name: str | None = None,
    quantization: str | None = None,
    pooling: str | None = None,
    prefix: str | None = None,
) -> InstalledEncoder:
    """Convert a checkpoint folder (or hub name) into ``<data folder>/embedders/NAME`` and return it.

    ``name`` defaults to the model's (``sentence-transformers/LaBSE`` -> ``labse``) and replaces only
    an encoder of that name. ``quantization`` (int8: a quarter of the size) applies to the stored
    weights and to how they run; None keeps float32. ``pooling`` overrides modules.json; ``prefix``
    the text put before each sentence.
    """
    if quantization is not None and quantization not in QUANTIZATIONS:
        raise AlignError(f"unknown quantization {quantization!r}; choose one of {', '.join(QUANTIZATIONS)}")
    if pooling is not None and pooling not in POOLINGS:
        raise AlignError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
    root = embedders_dir(settings)
    final = check_name(name, root) if name is not None else None
    root.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(root)
    staging = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=root))
    try:
        folder = resolve_source(source, staging)
        if final is None:
            final = check_name(package_slug(source if folder.is_relative_to(staging) else str(folder.resolve())), root)
        staged = staging / "encoder"
        staged.mkdir()
        config, _kind = _describe(folder, staged, source, final.name, quantization, pooling, prefix)
        config = _with_converter(config, convert_checkpoint(folder, staged / "model", quantization))
        config = _with_words(config, folder, staged / WORDS_FOLDER, quantization)
        (staged / CONFIG_NAME).write_text(config.to_json(), encoding="utf-8", newline="\n")
        worst = check_vectors(folder, staged)
        log.info("%s: cosine to transformers' own vectors %.5f (lowest of %d sentences)", folder, worst, len(SAMPLES))
        _swap_into_place(staged, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = InstalledEncoder(final, read_config(final))
    log.info("imported %s as encoder %s at %s", source, installed.name, final)
    return installed


def _with_converter(config: EncoderConfig, version: str) -> EncoderConfig:
    from dataclasses import replace

    return replace(config, converter_version=version)


def _with_words(config: EncoderConfig, folder: Path, out: Path, quantization: str | None) -> EncoderConfig:
    """``config`` recording the word copy converted into ``out`` (its layer count, of how many)."""
    from dataclasses import replace

    hf_config = model_type(folder)[1]
    total = int(hf_config.get("num_hidden_layers") or 0)
    if total < 1:
        raise PackageError(f"{folder / 'config.json'}: no num_hidden_layers; cannot cut the encoder for word alignment")
    layers = word_layers(total)
    convert_first_layers(folder, out, quantization, layers)
    return replace(config, extra={**config.extra, "words": {"layers": layers, "of": total, "dim": int(hf_config["hidden_size"])}})


def convert_first_layers(folder: Path, out: Path, quantization: str | None, layers: int) -> None:
    """Convert the checkpoint's first ``layers`` layers into ``out`` (a CTranslate2 encoder whose
    last state is the full model's ``hidden_states[layers]``)."""
    import ctranslate2

    class FirstLayers(ctranslate2.converters.TransformersConverter):
        """Loads the model with a config of ``layers`` layers: the spec is built from what it holds."""

        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            config = copy.deepcopy(kwargs.pop("config"))
            config.num_hidden_layers = layers
            return super().load_model(model_class, model_name_or_path, config=config, **kwargs)

    try:
        FirstLayers(str(folder)).convert(str(out), quantization=quantization)
    except Exception as err:  # the converter and transformers raise many kinds for a broken checkpoint
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        raise PackageError(f"{folder}: converting the first {layers} layers failed ({type(err).__name__}: {detail})") from None
