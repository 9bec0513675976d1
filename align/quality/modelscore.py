"""The translation model's own view of a translation: each target token's log probability given
the source and the tokens before it (CTranslate2 ``score_batch``, teacher forcing).

Argos ranks its beams by a length-penalised *sum*; a post-editor needs the *per-token* values: the
mean says how fluent and expected the whole output is for this model, the minimum points at the
one word the model least expected (where a hallucination or a dropped clause starts). The
end-of-sentence token is scored too, so output that stops before the source is fully rendered
gets a low last value.

A row longer than the model's positions (``Translator.positions``: 512 for Argos and OPUS-MT
models) is scored in windows, as a long text's perplexity is: the target in spans of half the
decoder's room, each after up to the other half of the tokens before it (read as context, not
scored), against the window of the source around the span's place in it (the same share of the
way through the source; the model's prefix and suffix tokens kept). Every target token is scored
once and the end of sentence once, by the last window, which ends with the source's end.
Windows pay twice the decoding of a whole row: only rows that do not fit are cut.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from align.mt.translate import Translator, plan_batches
from align.progress import Progress

log = logging.getLogger(__name__)

EOS = "</s>"


@dataclass(frozen=True)
class TokenScores:
    """Per-token log probabilities of one target (``tokens[k]`` scored ``log_probs[k]``)."""

    tokens: tuple[str, ...] = ()
    log_probs: tuple[float, ...] = ()

    @property
    def mean(self) -> float | None:
        return sum(self.log_probs) / len(self.log_probs) if self.log_probs else None

    @property
    def weakest(self) -> tuple[str, float] | None:
        """The least expected token and its log probability."""
        if not self.log_probs:
            return None
        k = min(range(len(self.log_probs)), key=self.log_probs.__getitem__)
        return self.tokens[k], self.log_probs[k]


def score_translations(
    translator: Translator, sources: Sequence[str], targets: Sequence[str], progress: Progress | None = None
) -> list[TokenScores]:
    """Token log probabilities of each target as a translation of its source by this model.

    Rows with an empty side get empty scores, and so do rows whose source keeps no token (control
    characters only): the model has no view on a translation of nothing (it scores every token
    as certain). Inputs are never cut (``max_input_length=0``); rows longer than the model's
    positions are scored in windows (module docstring). Batches are token-counted and
    length-sorted, as in translation.
    """
    prefix = 1 if translator.package.target_prefix else 0
    windows: list[_Window] = []
    for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
        if source.strip() and target.strip():
            windows.extend(_row_windows(translator, i, source.strip(), target.strip()))
    scored: list[tuple[tuple[str, ...], tuple[float, ...]]] = [((), ())] * len(windows)
    remaining = Counter(w.row for w in windows)
    done = len(sources) - len(remaining)
    lengths = [max(len(w.source), len(w.target)) for w in windows]
    for batch in plan_batches(lengths, translator.options.max_batch_tokens):
        results = translator.model.score_batch(
            [windows[k].source for k in batch],
            [windows[k].target for k in batch],
            max_batch_size=translator.options.max_batch_tokens,
            batch_type="tokens",
            max_input_length=0,
            offset=prefix,
        )
        for k, result in zip(batch, results, strict=True):
            scored[k] = windows[k].take(prefix, [float(v) for v in result.log_probs])
            remaining[windows[k].row] -= 1
            done += remaining[windows[k].row] == 0
        if progress is not None:
            progress(done, len(sources))
    out = [TokenScores() for _ in sources]
    for window, (tokens, log_probs) in zip(windows, scored, strict=True):  # a row's windows in order
        found = out[window.row]
        out[window.row] = TokenScores(found.tokens + tokens, found.log_probs + log_probs)
    return out


@dataclass(frozen=True)
class _Window:
    """One ``score_batch`` example: ``target`` (the target prefix, ``context`` tokens read but not
    scored, then ``size`` scored tokens) against ``source``; ``last`` keeps the end of sentence."""

    row: int
    source: list[str]
    target: list[str]
    context: int
    size: int
    last: bool

    def take(self, prefix: int, log_probs: list[float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The scored tokens and their log probabilities, of a result for ``target`` whose first
        ``prefix`` tokens were not scored (``offset``)."""
        tokens = self.target[prefix + self.context : prefix + self.context + self.size]
        values = log_probs[self.context : self.context + self.size]
        if self.last:
            tokens, values = [*tokens, EOS], [*values, log_probs[-1]]
        return tuple(tokens), tuple(values)


def _row_windows(translator: Translator, row: int, source: str, target: str) -> list[_Window]:
    """A row as one window when it fits the model's positions, else its target in spans of half
    the decoder's room, each after up to the other half as context, against the source window
    around the span's place (module docstring)."""
    package, positions = translator.package, translator.positions
    src = translator.tokenize_source(source)
    if not src:
        return []
    tgt = translator.tokenize_target(target)
    prefix = [package.target_prefix] if package.target_prefix else []
    head, tail = (1 if package.source_prefix else 0), (1 if package.source_suffix else 0)
    core = src[head : len(src) - tail]
    src_room = None if positions.source is None else max(1, positions.source - head - tail)
    # the decoder's start token and the target prefix take a position each
    tgt_room = None if positions.target is None else max(2, positions.target - 1 - len(prefix))
    if (src_room is None or len(core) <= src_room) and (tgt_room is None or len(tgt) <= tgt_room):
        return [_Window(row, src, prefix + tgt, 0, len(tgt), True)]
    step = len(tgt) if tgt_room is None or len(tgt) <= tgt_room else tgt_room // 2
    reach = step if tgt_room is None else tgt_room  # the context and the scored span together
    windows = []
    for start in range(0, max(len(tgt), 1), max(step, 1)):
        end = min(start + step, len(tgt))
        context = min(start, reach - (end - start))
        lo, hi = _source_window(start - context, end, len(tgt), len(core), src_room)
        source_tokens = src[:head] + core[lo:hi] + src[len(src) - tail :]
        windows.append(_Window(row, source_tokens, prefix + tgt[start - context : end], context, end - start, end == len(tgt)))
    return windows


def _source_window(start: int, end: int, target_length: int, source_length: int, room: int | None) -> tuple[int, int]:
    """The ``room`` source tokens centred on the share of the source that target tokens
    [start, end) take of the target (all of them when they fit)."""
    if room is None or source_length <= room:
        return 0, source_length
    if target_length == 0:
        lo, hi = 0, source_length
    else:
        lo, hi = start * source_length // target_length, math.ceil(end * source_length / target_length)
    first = round((lo + hi - room) / 2)
    first = min(max(first, 0), source_length - room)
    return first, first + room


def token_text(token: str) -> str:
    """A SentencePiece piece as a reader sees it (the word-start mark removed)."""
    return "end of sentence" if token == EOS else token.replace("▁", " ").strip() or token
