"""The word aligner: sentence pairs in, words with spans and scored links out.

One call per batch of pairs: every sentence of the batch goes through the encoder together
(``WordEncoder.states`` groups them by length), then each pair's similarity matrix is read by the
chosen method. ``WordAlignOptions`` holds every knob with its measured default
(``python -m devtools bench words``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from align.errors import AlignError
from align.progress import Progress
from align.words import methods
from align.words.encoder import ImportedWordEncoder, WordEncoder, load_encoder, load_imported, pool_words
from align.words.model import Link, Word, WordAlignment
from align.words.split import split_words

if TYPE_CHECKING:
    from align.embed.encoders import InstalledEncoder

log = logging.getLogger(__name__)

#: Pairs encoded per engine round (progress is reported after each).
CHUNK_PAIRS = 256


class WordAlignError(AlignError):
    """The word aligner's encoder cannot be made (the weights file unreadable, a full disk)."""


@dataclass(frozen=True)
class WordAlignOptions:
    """How words are aligned; the defaults are the best on the dev gold (devtools bench words).

    ``method``: argmax, itermax or match (``methods.METHODS``). ``layer``: how many of e5's 12
    layers the word states come from (an imported encoder's count was fixed at its import,
    ``align.embed.encoders.WORD_LAYER_SHARE``). ``pooling``: a word's vector from its pieces, mean or first.
    ``prefix``: text fed before the words (e5's "query: " instruction gained too little for its
    cost: devtools/RESULTS.md, "Figures cited by the code"; so none). ``centre``: subtract each sentence's
    mean word vector before the cosine. ``distortion``: weight of the relative-position prior
    (0: none). ``many_to_one``: let an unlinked word join the word it picks when that one is
    linked already and their score is at least ``grow_threshold`` (compounds, separable verbs).
    ``temperature``: of the softmaxes behind every link's score.
    """

    method: str = "argmax"
    layer: int = 7
    pooling: str = "mean"
    prefix: str = ""
    centre: bool = True
    distortion: float = 0.0
    many_to_one: bool = True
    temperature: float = 0.1
    grow_threshold: float = 0.3

    def __post_init__(self) -> None:
        if self.method not in methods.METHODS:
            raise ValueError(f"unknown word alignment method {self.method!r} (choose from {', '.join(methods.METHODS)})")
        if self.pooling not in ("mean", "first"):
            raise ValueError(f"unknown pooling {self.pooling!r} (mean or first)")
        if not 1 <= self.layer <= 12:
            raise ValueError(f"layer {self.layer} is not between 1 and 12")


class WordAligner:
    """Aligns the words of sentence pairs with the product's own e5-small, or with the word copy of
    an encoder imported with ``models import-embedder`` (``encoder``).

    ``cache_dir``: the data folder's cache (``settings.cache_dir``); the converted encoder lives
    in its ``models`` folder beside the sentence embedder's (``models_dir`` to put it elsewhere).
    None converts into a temporary folder for this process. ``threads``: engine threads (None:
    all cores). ``encoder``: an imported encoder to use instead of e5-small (its first layers,
    converted at import). The encoder is converted and loaded on the first alignment, not here.
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        models_dir: Path | None = None,
        threads: int | None = None,
        options: WordAlignOptions | None = None,
        encoder: InstalledEncoder | None = None,
    ):
        if models_dir is None and cache_dir is not None:
            models_dir = Path(cache_dir) / "models"
        self.models_dir = Path(models_dir) if models_dir is not None else None
        self.threads = threads
        self.options = options or WordAlignOptions()
        self.imported = encoder
        self._encoder: WordEncoder | ImportedWordEncoder | None = None
        self._lock = threading.Lock()

    def encoder(self) -> WordEncoder | ImportedWordEncoder:
        """The loaded encoder (converted once per models folder and layer count)."""
        from align.embed.e5ct2 import E5FormatError

        with self._lock:
            if self._encoder is None and self.imported is not None:
                self._encoder = load_imported(self.imported, self.threads, self.options.prefix)
            if self._encoder is None:
                try:
                    self._encoder = load_encoder(self.models_dir, self.options.layer, self.threads, self.options.prefix)
                except E5FormatError as error:
                    raise WordAlignError(f"{error}; delete the models folder and try again") from error
            return self._encoder

    def align(self, src: str, tgt: str, *, pretokenized: bool = False) -> WordAlignment:
        """The words of ``src`` and ``tgt`` and the links between them."""
        return self.align_pairs([(src, tgt)], pretokenized=pretokenized)[0]

    def align_pairs(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        pretokenized: bool = False,
        progress: Progress | None = None,
    ) -> list[WordAlignment]:
        """``align`` for many pairs, with batched encoder calls; ``progress(done, total)`` in pairs."""
        split = [(split_words(s, pretokenized=pretokenized), split_words(t, pretokenized=pretokenized)) for s, t in pairs]
        return self.align_split(split, progress=progress)

    def align_split(
        self,
        pairs: Sequence[tuple[tuple[Word, ...], tuple[Word, ...]]],
        *,
        progress: Progress | None = None,
    ) -> list[WordAlignment]:
        """``align_pairs`` for words already split (spans into the caller's sentences)."""
        out: list[WordAlignment] = []
        for start in range(0, len(pairs), CHUNK_PAIRS):
            chunk = pairs[start : start + CHUNK_PAIRS]
            vectors = self.word_vectors([side for pair in chunk for side in pair])
            # matrices of a few dozen rows: BLAS threads only wait on each other (and on the
            # encoder's); one thread is several times faster here
            with threadpool_limits(limits=1, user_api="blas"):
                for k, (src_words, tgt_words) in enumerate(chunk):
                    links = self.links(vectors[2 * k], vectors[2 * k + 1])
                    out.append(WordAlignment(tuple(src_words), tuple(tgt_words), links))
            if progress is not None:
                progress(len(out), len(pairs))
        return out

    def word_vectors(self, sentences: Sequence[Sequence[Word]]) -> list[np.ndarray]:
        """One (words, dim) array per sentence (384 for e5-small), pooled from the encoder's piece states."""
        encoder = self.encoder()
        pieces = encoder.pieces(sentences)
        states = encoder.states([ids for ids, _ in pieces])
        return [
            pool_words(state, owner, len(words), self.options.pooling)
            for state, (_, owner), words in zip(states, pieces, sentences, strict=True)
        ]

    def links(self, src_vectors: np.ndarray, tgt_vectors: np.ndarray) -> tuple[Link, ...]:
        """The scored links between two sentences' word vectors, by the options' method."""
        if not len(src_vectors) or not len(tgt_vectors):
            return ()
        opts = self.options
        sim = methods.cosine(src_vectors, tgt_vectors, opts.centre)
        sim = methods.distortion(sim, opts.distortion)
        scores = methods.link_scores(sim, opts.temperature)
        pairs = methods.METHODS[opts.method](sim)
        if opts.many_to_one:
            pairs = methods.grow_many(pairs, scores, opts.grow_threshold)
        return tuple(Link(i, j, round(float(scores[i, j]), 4)) for i, j in sorted(pairs))


_default_lock = threading.Lock()
_default: dict[WordAlignOptions, WordAligner] = {}


def default_aligner(options: WordAlignOptions | None = None) -> WordAligner:
    """A process-wide aligner per options, its encoder in a temporary folder (for callers that
    bring none; the page and the command line pass one with the data folder's cache)."""
    options = options or WordAlignOptions()
    with _default_lock:
        if options not in _default:
            _default[options] = WordAligner(options=options)
        return _default[options]


def align_words(
    src: str,
    tgt: str,
    *,
    pretokenized: bool = False,
    method: str | None = None,
    aligner: WordAligner | None = None,
) -> WordAlignment:
    """Align the words of one sentence pair: words with spans on both sides, links with scores.

    ``method`` (argmax, itermax, match) overrides the aligner's; ``aligner`` None uses a
    process-wide one (``default_aligner``).
    """
    return align_word_pairs([(src, tgt)], pretokenized=pretokenized, method=method, aligner=aligner)[0]


def align_word_pairs(
    pairs: Sequence[tuple[str, str]],
    *,
    pretokenized: bool = False,
    method: str | None = None,
    aligner: WordAligner | None = None,
    progress: Progress | None = None,
) -> list[WordAlignment]:
    """``align_words`` for many pairs in batched encoder calls."""
    aligner = _with_method(aligner, method)
    return aligner.align_pairs(pairs, pretokenized=pretokenized, progress=progress)


def _with_method(aligner: WordAligner | None, method: str | None) -> WordAligner:
    """The aligner to use: the given one (or the default), re-aimed at ``method`` if named."""
    if aligner is None:
        base = WordAlignOptions() if method is None else WordAlignOptions(method=method)
        return default_aligner(base)
    if method is None or method == aligner.options.method:
        return aligner
    from dataclasses import replace

    # the encoder is process-wide per folder and layer: the new aligner loads nothing again
    return WordAligner(
        models_dir=aligner.models_dir,
        threads=aligner.threads,
        options=replace(aligner.options, method=method),
        encoder=aligner.imported,
    )
