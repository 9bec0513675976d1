"""Training the fixture's weights with torch until the CTranslate2 checks accept them."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.errors import PackageError
from devtools.models.design import (
    DEFAULT_DECODING,
    FIXTURE_PAIRS,
    LAYER_NORM_EPSILON,
    MAX_POSITIONS,
    MIN_LOGIT_MARGIN,
    ModelShape,
)
from devtools.models.vocabulary import sentencepiece_processor
from devtools.models.weights import sinusoid_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """One training pair as SentencePiece ids: source, and target without <s> or </s>."""

    source: tuple[int, ...]
    target: tuple[int, ...]


def encode_pairs(pairs: Sequence[tuple[str, str]], model_file: Path) -> list[Example]:
    """Encode the pairs; refuse pairs the model could never reproduce exactly.

    An English side must survive the SentencePiece round trip (normalisation may not change it)
    and must not repeat a 4-gram of pieces, which ``no_repeat_ngram_size=4`` would forbid.
    """
    processor = sentencepiece_processor(model_file)
    ngram = DEFAULT_DECODING["no_repeat_ngram_size"]
    examples = []
    for number, (source, target) in enumerate(pairs, start=1):
        target_ids = processor.encode(target)
        if processor.decode(target_ids) != target or "_" in target:
            raise PackageError(f"{FIXTURE_PAIRS}: pair {number}: {target!r} does not survive SentencePiece decoding")
        grams = [tuple(target_ids[i : i + ngram]) for i in range(len(target_ids) - ngram + 1)]
        if len(grams) != len(set(grams)):
            raise PackageError(f"{FIXTURE_PAIRS}: pair {number}: {target!r} repeats a {ngram}-gram of pieces")
        examples.append(Example(tuple(processor.encode(source)), tuple(target_ids)))
    return examples


MAX_EPOCHS = 500
DECAY_EPOCHS = 120
CHECK_EVERY = 10
BATCH_SIZE = 32
LEARNING_RATE = 3e-3
INPUT_NOISE = 0.1
#: Every right piece is trained to beat the best other piece by this many logits (a hinge loss),
#: so the 7-bit weights and every CPU's rounding leave the translation as it is.
TRAIN_MARGIN = 4.0
MARGIN_WEIGHT = 0.5
#: Teacher-forced logit margin (after the repetition penalty) before a CTranslate2 check is tried.
CHECK_MARGIN = 3.0


def _build_torch_model(shape: ModelShape, vocab_size: int):
    """A pre-norm Transformer whose parameter names are those ``transformer_spec`` reads."""
    import torch
    from torch import nn

    d = shape.d_model

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = nn.Embedding(vocab_size, d)
            self.output_bias = nn.Parameter(torch.zeros(vocab_size))
            common: dict[str, Any] = dict(
                dim_feedforward=shape.ffn, dropout=0.0, layer_norm_eps=LAYER_NORM_EPSILON, batch_first=True, norm_first=True
            )
            self.encoder = nn.TransformerEncoder(
                nn.TransformerEncoderLayer(d, shape.heads, **common),
                shape.encoder_layers,
                norm=nn.LayerNorm(d, eps=LAYER_NORM_EPSILON),
                enable_nested_tensor=False,
            )
            self.decoder = nn.TransformerDecoder(
                nn.TransformerDecoderLayer(d, shape.heads, **common),
                shape.decoder_layers,
                norm=nn.LayerNorm(d, eps=LAYER_NORM_EPSILON),
            )
            self.register_buffer("positions", torch.from_numpy(sinusoid_table(MAX_POSITIONS, d)), persistent=False)
            for name, parameter in self.named_parameters():
                if parameter.dim() > 1 and name != "embeddings.weight":
                    nn.init.xavier_uniform_(parameter)
            nn.init.normal_(self.embeddings.weight, 0.0, d**-0.5)

        def embed(self, ids):
            positions: torch.Tensor = self.get_buffer("positions")
            return self.embeddings(ids) * math.sqrt(d) + positions[: ids.shape[1]]

        def forward(self, source, source_pad, target_in, target_pad):
            memory = self.encoder(self.embed(source), src_key_padding_mask=source_pad)
            steps = target_in.shape[1]
            causal = torch.ones((steps, steps), dtype=torch.bool).triu(diagonal=1)
            hidden = self.decoder(
                self.embed(target_in),
                memory,
                tgt_mask=causal,
                tgt_is_causal=True,
                tgt_key_padding_mask=target_pad,
                memory_key_padding_mask=source_pad,
            )
            return hidden @ self.embeddings.weight.T + self.output_bias

    return Seq2Seq()


def _batch(examples: Sequence[Example]):
    """Padded tensors: source, source padding, decoder input (<s> + target), labels (target + </s>)."""
    import torch

    bos, eos, ignore = 1, 2, -100
    width_s = max(len(e.source) for e in examples)
    width_t = max(len(e.target) for e in examples) + 1
    source = torch.zeros((len(examples), width_s), dtype=torch.long)
    target_in = torch.zeros((len(examples), width_t), dtype=torch.long)
    labels = torch.full((len(examples), width_t), ignore, dtype=torch.long)
    for row, example in enumerate(examples):
        source[row, : len(example.source)] = torch.tensor(example.source)
        target_in[row, : len(example.target) + 1] = torch.tensor((bos,) + example.target)
        labels[row, : len(example.target) + 1] = torch.tensor(example.target + (eos,))
    source_pad = torch.arange(width_s)[None, :] >= torch.tensor([len(e.source) for e in examples])[:, None]
    target_pad = labels == ignore
    return source, source_pad, target_in, target_pad, labels


def _penalize_repeats(logits, target_in):
    """CTranslate2's repetition penalty: tokens already in the output have their logits divided
    (if positive) or multiplied (if negative) by the penalty, at every later step."""
    import torch

    penalty = DEFAULT_DECODING["repetition_penalty"]
    seen = torch.zeros_like(logits, dtype=torch.bool)
    seen.scatter_(2, target_in[..., None], True)
    seen = seen.cummax(dim=1).values
    return torch.where(seen, torch.where(logits > 0, logits / penalty, logits * penalty), logits)


def _margins(logits, labels):
    """The right piece's logit minus the best other's, at every position (padding included)."""
    index = labels.clamp(min=0)[..., None]
    right = logits.gather(2, index).squeeze(-1)
    others = logits.scatter(2, index, float("-inf")).max(dim=2).values
    return right - others


def _min_margin(model, batch) -> tuple[float, int, int]:
    """Smallest teacher-forced margin of the right token over the best other, after the
    repetition penalty, with the (pair index, piece index) where it occurs."""
    import torch

    source, source_pad, target_in, target_pad, labels = batch
    with torch.no_grad():
        logits = _penalize_repeats(model(source, source_pad, target_in, target_pad), target_in)
        margins = _margins(logits, labels)
        margins = torch.where(labels != -100, margins, torch.full_like(margins, float("inf")))
        worst = int(margins.argmin())
        row, step = divmod(worst, margins.shape[1])
        return float(margins[row, step]), row, step


def _learning_rate_factor(epoch: float) -> float:
    """Warm up for 3 epochs, then cosine decay to 5 % at DECAY_EPOCHS, then stay there."""
    if epoch < 3:
        return (epoch + 0.1) / 3
    progress = min(1.0, (epoch - 3) / (DECAY_EPOCHS - 3))
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


def train_fixture_weights(
    examples: Sequence[Example], vocab_size: int, shape: ModelShape, seed: int, accept: Callable[[dict], bool]
) -> int:
    """Train until ``accept(weights)`` (the CTranslate2 checks) says yes; return the epoch count.

    Deterministic for a seed on one CPU (not across CPUs: hence the shipped artifact): fixed
    initialisation, fixed batch order per epoch, one thread, deterministic algorithms. One thread
    on purpose: on a shared, busy two-core machine two torch threads spin-wait on each other and
    an epoch takes many times longer. The checks run once the teacher-forced margin is comfortable.
    """
    import torch

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    try:
        model = _build_torch_model(shape, vocab_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.98))
        # Batches of similar length (less padding), visited in a seeded order each epoch.
        by_length = sorted(examples, key=lambda e: (len(e.target), len(e.source), e.source))
        batches = [_batch(by_length[i : i + BATCH_SIZE]) for i in range(0, len(by_length), BATCH_SIZE)]
        steps_per_epoch = len(batches)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: _learning_rate_factor(step / steps_per_epoch))
        order = torch.Generator().manual_seed(seed)
        everything = _batch(examples)
        loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
        started = time.monotonic()
        for epoch in range(1, MAX_EPOCHS + 1):
            model.train()
            total = 0.0
            for index in torch.randperm(len(batches), generator=order).tolist():
                source, source_pad, target_in, target_pad, labels = batches[index]
                # Feed some wrong previous tokens and still ask for the right next one: the model
                # learns to return to its sentence after a slip instead of ending early, which
                # keeps beam search's second hypothesis from finishing before the right one
                # (CTranslate2 stops at beam_size finished hypotheses when length_penalty != 0).
                slips = (torch.rand(target_in.shape, generator=order) < INPUT_NOISE) & ~target_pad
                slips[:, 0] = False
                noise = torch.randint(3, vocab_size, target_in.shape, generator=order)
                target_in = torch.where(slips, noise, target_in)
                # Trained under the repetition penalty it will be decoded with, so a word that
                # must come twice is predicted with room to spare.
                logits = _penalize_repeats(model(source, source_pad, target_in, target_pad), target_in)
                loss = loss_fn(logits.reshape(-1, vocab_size), labels.reshape(-1))
                # Beam search (length_penalty != 0) stops after beam_size finished hypotheses, so
                # a "</s>" as runner-up before the true end can crowd out the right sentence:
                # push the probability of ending down wherever the sentence goes on.
                going_on = (labels != -100) & (labels != 2)
                p_end = logits.log_softmax(-1)[..., 2].exp()
                loss = loss - torch.log1p(-p_end.clamp(max=1 - 1e-6))[going_on].mean()
                # Cross-entropy stops pushing once a piece is likely enough; the hinge keeps
                # pushing until the right piece leads by TRAIN_MARGIN logits everywhere.
                margins = _margins(logits, labels)[labels != -100]
                loss = loss + MARGIN_WEIGHT * torch.relu(TRAIN_MARGIN - margins).mean()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                total += float(loss.detach())
            if epoch % CHECK_EVERY:
                continue
            model.eval()
            margin, row, step = _min_margin(model, everything)
            log.info(
                "epoch %d: loss %.4f, margin %.2f (pair %d, piece %d), %.0f s",
                epoch,
                total,
                margin,
                row + 1,
                step,
                time.monotonic() - started,
            )
            if margin < CHECK_MARGIN:
                continue
            weights = {name: value.detach().numpy().copy() for name, value in model.state_dict().items()}
            weights["embeddings"] = weights.pop("embeddings.weight")
            if accept(weights):
                return epoch
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.set_num_threads(threads)
    raise PackageError(
        f"the fixture model did not pass its checks ({len(examples)} pairs exact on every kernel path, "
        f"logit margin {MIN_LOGIT_MARGIN}) after {MAX_EPOCHS} epochs; try another --seed"
    )
