"""What the aligner's word check (crossing beads, ``align.aligner.wordcheck``) changes, set by set.

    python -m devtools.bench.word_check [--bench DIR] [--sets NAME ...] [--cache DIR]
    (``python -m devtools bench word-check`` once devtools/cli.py lists it)

Each document of each set is aligned with and without the check (the same cached embeddings):
strict and lax F1 of both, the neighbouring pairs the check word-aligned, the pairs it joined, and
how many of those joined beads are gold beads and how many of the pairs were two gold beads (a
join that broke them). Then the seconds the check added (the word model already converted; on a
cold data folder its conversion adds a one-time ~10 s). The CPU's int8 kernels are named, since
results that flip with them are bugs (run it again with CT2_FORCE_CPU_ISA=AVX2, CT2_USE_MKL=1).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "bench"
SETS = ("textberg-dev", "align-dev", "align-mt-dev", "align-sample")

log = logging.getLogger(__name__)


@dataclass
class SetResult:
    """One set's figures with and without the check."""

    name: str
    before: tuple[float, float] = (0.0, 0.0)
    after: tuple[float, float] = (0.0, 0.0)
    checked: int = 0
    joined: int = 0
    joined_gold: int = 0
    broke_gold: int = 0
    seconds_before: float = 0.0
    seconds_after: float = 0.0
    flips: list[str] = field(default_factory=list)


def run_set(bench: Path, embedder) -> SetResult:
    """Align every document of ``bench`` with and without the word check."""
    from align.aligner import AlignOptions, align_sentences
    from align.aligner.search import as_compared
    from align.aligner.wordcheck import checked_pairs
    from align.evaluate.alignment import Counts, count_beads, read_beads, read_lines, scores_from_counts

    result = SetResult(bench.name)
    totals = {False: (Counts(), Counts()), True: (Counts(), Counts())}
    for name in sorted(p.name for p in (bench / "src").iterdir() if p.is_file()):
        src, tgt = read_lines(bench / "src" / name), read_lines(bench / "tgt" / name)
        gold = {(tuple(a), tuple(b)) for a, b in read_beads(bench / "gold" / name)}
        # sentence vectors and joined spans cached: the timings are the aligner's (the first set's include loading the word model)
        align_sentences(src, tgt, embedder=embedder, options=AlignOptions(word_check=False))
        runs = {}
        for check in (False, True):
            start = time.perf_counter()
            runs[check] = align_sentences(src, tgt, embedder=embedder, options=AlignOptions(word_check=check))
            elapsed = time.perf_counter() - start
            if check:
                result.seconds_after += elapsed
            else:
                result.seconds_before += elapsed
            p, r = count_beads(gold, runs[check])
            totals[check] = (totals[check][0] + p, totals[check][1] + r)
        plain, checked = runs[False], {(b.src, b.tgt) for b in runs[True]}
        result.checked += len(
            checked_pairs(plain, [as_compared(x) for x in src], [as_compared(y) for y in tgt], AlignOptions().word_check_moved)
        )
        for first, second in zip(plain, plain[1:], strict=False):
            merged = (first.src + second.src, first.tgt + second.tgt)
            if merged in checked and (first.src, first.tgt) not in checked:
                result.joined += 1
                result.joined_gold += merged in gold
                result.broke_gold += (first.src, first.tgt) in gold and (second.src, second.tgt) in gold
                result.flips.append(f"{name} {list(merged[0])}:{list(merged[1])} {'gold' if merged in gold else ''}")
    for check in (False, True):
        scores = scores_from_counts(*totals[check])
        if check:
            result.after = (scores.f1_strict, scores.f1_lax)
        else:
            result.before = (scores.f1_strict, scores.f1_lax)
    return result


def report(results: list[SetResult]) -> list[str]:
    """The table the bench prints."""
    kernels = ", ".join(f"{key}={os.environ[key]}" for key in ("CT2_FORCE_CPU_ISA", "CT2_USE_MKL") if key in os.environ)
    lines = [
        f"word check, int8 kernels: {kernels or 'CTranslate2 default'}",
        "set            strict before  after   lax before  after   checked joined (gold, broke)  s before  s after",
    ]
    for r in results:
        lines.append(
            f"{r.name:<14} {r.before[0]:>13.4f} {r.after[0]:>6.4f} {r.before[1]:>11.4f} {r.after[1]:>6.4f}"
            f" {r.checked:>9} {r.joined:>6} ({r.joined_gold}, {r.broke_gold}){'':>10}"
            f"{r.seconds_before:>9.1f} {r.seconds_after:>8.1f}"
        )
    for r in results:
        lines += [f"  {r.name} joined: {flip}" for flip in r.flips]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench word-check", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(BENCH), help="folder holding the sets (default ../shared/bench)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="sets to align")
    parser.add_argument("--cache", default=None, help="cache for the embeddings and the word model (default: the data folder's)")
    args = parser.parse_args(argv)
    from align.embed import Embedder
    from align.settings import load_settings

    cache = Path(args.cache) if args.cache else load_settings().cache_dir
    embedder = Embedder(cache)
    results = [run_set(Path(args.bench) / name, embedder) for name in args.sets]
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    raise SystemExit(main())
