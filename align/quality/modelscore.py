"""The translation model's own view of a translation: each target token's log probability given
the source and the tokens before it (CTranslate2 ``score_batch``, teacher forcing).

Argos ranks its beams by a length-penalised *sum*; a post-editor needs the *per-token* values: the
mean says how fluent and expected the whole output is for this model, the minimum points at the
one word the model least expected (where a hallucination or a dropped clause starts). The
end-of-sentence token is scored too, so output that stops before the source is fully rendered
gets a low last value.
"""

from __future__ import annotations

import logging
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

    Rows with an empty side get empty scores. Inputs are never cut (``max_input_length=0``) and
    batches are token-counted and length-sorted, as in translation.
    """
    prefix = translator.package.target_prefix
    src_tokens, tgt_tokens, rows = [], [], []
    for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
        if source.strip() and target.strip():
            src_tokens.append(translator.tokenize_source(source.strip()))
            tgt_tokens.append(([prefix] if prefix else []) + translator.tokenize_target(target.strip()))
            rows.append(i)
    out = [TokenScores() for _ in sources]
    lengths = [max(len(s), len(t)) for s, t in zip(src_tokens, tgt_tokens, strict=True)]
    done = len(sources) - len(rows)
    for batch in plan_batches(lengths, translator.options.max_batch_tokens):
        results = translator.model.score_batch(
            [src_tokens[k] for k in batch],
            [tgt_tokens[k] for k in batch],
            max_batch_size=translator.options.max_batch_tokens,
            batch_type="tokens",
            max_input_length=0,
            offset=1 if prefix else 0,
        )
        for k, result in zip(batch, results, strict=True):
            tokens = tuple(tgt_tokens[k][1 if prefix else 0 :]) + (EOS,)
            log_probs = tuple(float(v) for v in result.log_probs)
            out[rows[k]] = TokenScores(tokens[-len(log_probs) :] if log_probs else (), log_probs)
        done += len(batch)
        if progress is not None:
            progress(done, len(sources))
    return out


def token_text(token: str) -> str:
    """A SentencePiece piece as a reader sees it (the word-start mark removed)."""
    return "end of sentence" if token == EOS else token.replace("▁", " ").strip() or token
