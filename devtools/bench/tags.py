"""Tag placement through the word aligner: does a code around a source phrase land around the
phrase's rendering in the translation?

    python -m devtools bench tags [--gold FILE ...] [--texts DIR] [--threads 2] [--cache DIR] [--json PATH]

The cases come from the human word alignment gold (``tests/data/wordalign/de-en.gold``): every
source phrase of 1 to 4 consecutive words whose **sure** gold links form a contiguous target span
(every target word from the first linked to the last linked is linked to the phrase) is one case;
its expected placement is that span. A paired code is put around the phrase's characters and
placed by ``align.words.tags.place_codes`` with the **predicted** alignment (the product's
``WordAligner``, method ``tags.METHOD``) of the pair's real sentences (the gold's words joined by spaces
where the shared text is not found). Per case: exact (the placed span holds exactly the gold
span's words) and word-overlap F1 (0 for a code placed around nothing); means over all cases,
per phrase length, and per half of the gold (pairs at even and at odd positions: a change to the
placement rules is kept only when it does better on both, so that it is not fitted to the dev
gold). The gold alignment itself, placed the same way, is the ceiling (1.0 by
construction: a check of the bench, not of the aligner).

Targets (issue 23): exact >= 0.80, F1 >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from align.evaluate.words import GoldPair
    from align.words.model import WordAlignment

REPO = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = REPO / "tests" / "data" / "wordalign" / "de-en.gold"
DEFAULT_TEXTS = REPO.parent / "shared" / "bench"
MAX_PHRASE = 4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Case:
    """A source phrase (word indices ``[start, end)``) and the target words its sure links cover."""

    pair: int
    start: int
    end: int
    expected: frozenset[int]


@dataclass(frozen=True)
class Figures:
    cases: int
    exact: float
    f1: float


def cases_of(gold: Sequence[GoldPair]) -> list[Case]:
    """Every phrase of 1..MAX_PHRASE words whose sure links form a contiguous target span."""
    out = []
    for index, pair in enumerate(gold):
        for start in range(len(pair.src)):
            for end in range(start + 1, min(start + MAX_PHRASE, len(pair.src)) + 1):
                linked = {j for i, j in pair.sure if start <= i < end}
                if linked and max(linked) - min(linked) + 1 == len(linked):
                    out.append(Case(index, start, end, frozenset(linked)))
    return out


def placed_words(alignment: WordAlignment, source: str, target: str, start: int, end: int) -> frozenset[int]:
    """The target words inside the paired code placed around source words ``[start, end)``."""
    from align.codes import Code, CodeKind
    from align.words.tags import place_codes

    src = alignment.src_words
    code = Code("b", CodeKind.PAIRED, src[start].start, src[end - 1].end)
    (placed,) = place_codes(source, target, [code], alignment)
    return frozenset(k for k, w in enumerate(alignment.tgt_words) if placed.start <= w.start and w.end <= placed.end)


def score(cases: Sequence[Case], placed: Sequence[frozenset[int]]) -> Figures:
    """Exact-span rate and mean word-overlap F1 of placements against the expected spans."""
    exact = f1 = 0.0
    for case, got in zip(cases, placed, strict=True):
        exact += got == case.expected
        f1 += 2 * len(got & case.expected) / (len(got) + len(case.expected))
    n = max(len(cases), 1)
    return Figures(len(cases), exact / n, f1 / n)


def halves(cases: Sequence[Case]) -> dict[str, list[int]]:
    """Indices of the cases from gold pairs at even and at odd positions."""
    return {name: [k for k, c in enumerate(cases) if c.pair % 2 == parity] for name, parity in (("even", 0), ("odd", 1))}


def gold_alignment(pair: GoldPair, predicted: WordAlignment) -> WordAlignment:
    """The gold's sure links over the predicted alignment's words (same words, the gold's links)."""
    from align.words.model import Link, WordAlignment

    links = tuple(Link(i, j, 1.0) for i, j in sorted(pair.sure))
    return WordAlignment(predicted.src_words, predicted.tgt_words, links)


def run(gold_paths: Sequence[Path], texts: Path, threads: int, models: Path) -> dict:
    from align.evaluate.words import read_golds
    from align.words import WordAligner
    from devtools.bench.words import align_gold, gold_texts

    gold = read_golds(gold_paths)
    inputs = gold_texts(gold, texts)
    from align.words import WordAlignOptions
    from align.words.tags import METHOD

    aligner = WordAligner(models_dir=models, threads=threads, options=WordAlignOptions(method=METHOD))
    started = time.perf_counter()
    predicted = align_gold(aligner, inputs)
    align_s = time.perf_counter() - started
    cases = cases_of(gold)
    started = time.perf_counter()
    got = [placed_words(predicted[c.pair], *inputs[c.pair][:2], c.start, c.end) for c in cases]
    place_s = time.perf_counter() - started
    ceiling = [placed_words(gold_alignment(gold[c.pair], predicted[c.pair]), *inputs[c.pair][:2], c.start, c.end) for c in cases]
    by_length: dict[int, list[int]] = defaultdict(list)
    for k, case in enumerate(cases):
        by_length[case.end - case.start].append(k)
    return {
        "gold": [str(p) for p in gold_paths],
        "pairs": len(gold),
        "method": METHOD,
        "predicted": asdict(score(cases, got)),
        "gold_alignment": asdict(score(cases, ceiling)),
        "by_length": {n: asdict(score([cases[k] for k in idx], [got[k] for k in idx])) for n, idx in sorted(by_length.items())},
        "by_half": {name: asdict(score([cases[k] for k in idx], [got[k] for k in idx])) for name, idx in halves(cases).items()},
        "align_s": align_s,
        "place_ms_per_case": 1000 * place_s / max(len(cases), 1),
    }


def format_report(report: dict) -> str:
    p, g = report["predicted"], report["gold_alignment"]
    lines = [
        f"gold: {', '.join(report['gold'])}: {report['pairs']} pairs, {p['cases']} phrases of 1-{MAX_PHRASE} words "
        "whose sure links form a contiguous target span",
        f"predicted alignment (WordAligner, method {report['method']}): exact span {p['exact']:.3f}, "
        f"word-overlap F1 {p['f1']:.3f} (targets: >= 0.80, >= 0.90)",
        f"gold alignment (the bench's ceiling): exact span {g['exact']:.3f}, F1 {g['f1']:.3f}",
        "by phrase length: "
        + "; ".join(
            f"{n} words: {f['cases']} cases, exact {f['exact']:.3f}, F1 {f['f1']:.3f}" for n, f in report["by_length"].items()
        ),
        "by half of the gold: "
        + "; ".join(
            f"{name} pairs: {f['cases']} cases, exact {f['exact']:.3f}, F1 {f['f1']:.3f}" for name, f in report["by_half"].items()
        ),
        f"aligning the pairs {report['align_s']:.1f} s; placing a code {report['place_ms_per_case']:.3f} ms per case",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench tags", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", nargs="+", type=Path, default=[DEFAULT_GOLD], help="gold files (default %(default)s)")
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS, help="shared bench folder of the gold's sentences")
    parser.add_argument("--threads", type=int, default=2, help="encoder threads (default %(default)s)")
    parser.add_argument("--cache", type=Path, help="models folder kept between runs (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="bench-tags-") as scratch:
        report = run(args.gold, args.texts, args.threads, args.cache or Path(scratch))
    print(format_report(report))  # noqa: T201 - a script's output
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8", newline="\n")
    return 0
