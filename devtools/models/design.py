"""What the development packages are made of and must survive: the fixture's training pairs,
the decoding options the project translates with, the smallest margin a fixture is accepted with,
and the shapes of both models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from align.errors import PackageError
from align.mt.translate import TranslateOptions

DEVDATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE_PAIRS = DEVDATA / "fixture_pairs.tsv"

#: Decoding options the project translates with by default; the fixture must survive them.
DEFAULT_DECODING: dict[str, Any] = {
    "repetition_penalty": TranslateOptions.repetition_penalty,
    "no_repeat_ngram_size": TranslateOptions.no_repeat_ngram_size,
}
#: The smallest teacher-forced logit margin CTranslate2 must show before a fixture is accepted.
#: Kernels without saturation move these logits by less than 0.3 (int8 vs float32 included).
MIN_LOGIT_MARGIN = 2.0
LAYER_NORM_EPSILON = 1e-6
MAX_POSITIONS = 512


@dataclass(frozen=True)
class ModelShape:
    """The hyper-parameters a Transformer encoder-decoder needs to be laid out."""

    encoder_layers: int
    decoder_layers: int
    d_model: int
    heads: int
    ffn: int


#: Argos Translate's de->en 1.0 model (OpenNMT-py Transformer base, shared vocabulary).
BENCH_SHAPE = ModelShape(encoder_layers=6, decoder_layers=6, d_model=512, heads=8, ffn=2048)
BENCH_VOCAB_SIZE = 32000
#: Small enough to train in a few minutes on two busy cores, big enough to memorise the pairs.
FIXTURE_SHAPE = ModelShape(encoder_layers=2, decoder_layers=2, d_model=128, heads=4, ffn=512)
FIXTURE_VOCAB_SIZE = 1500


def load_fixture_pairs(path: Path = FIXTURE_PAIRS) -> list[tuple[str, str]]:
    """The (German, English) training pairs of the fixture model, in file order.

    The file is UTF-8, one pair a line, German TAB English; blank lines are skipped.
    """
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise PackageError(f"{path}:{number}: expected 'German<TAB>English', got {line!r}")
        source, target = parts[0].strip(), parts[1].strip()
        if source in seen:
            raise PackageError(f"{path}:{number}: German sentence already on line {seen[source]}")
        seen[source] = number
        pairs.append((source, target))
    return pairs
