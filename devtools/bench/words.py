"""Word alignment: AER, precision and recall per method and layer on human gold, and speed.

    python -m devtools bench words [--gold FILE ...]  (default: tests/data/wordalign/de-en.gold) [--layers 4 5 6 7 8 9 10 12]
        [--methods argmax itermax match] [--pairs 500] [--threads 2] [--cache DIR] [--json PATH]

1. Quality: every gold pair (``align.evaluate.words.read_gold``: sure and possible links, Och &
   Ney) aligned by each method on each layer, with and without the many-to-one links (German
   compounds, separable verbs), the other options at their defaults (``WordAlignOptions``); AER,
   precision, recall over all pairs. The sentences are taken from the shared texts the ids name
   (``align-dev/012:65-63``: ``--texts/align-dev/src/012`` line 65 and ``tgt/012`` line 63) when
   splitting them gives the gold's words, so the aligner sees the text as written; otherwise the
   gold's words joined by spaces, aligned ``pretokenized``.
2. Errors of the default options, by kind: each sure link missed and each link outside the
   possible ones, as a compound (a source word with two or more sure links, or one of 12 letters
   or more), a function word (either word in a short list of German and English articles,
   pronouns, prepositions, auxiliaries and particles), punctuation, reordering (relative
   positions more than 0.25 apart), or other; the first kind that applies.
3. Speed of ``WordAligner.align_pairs`` with the defaults on ``--pairs`` 1-1 beads of align-dev
   (``--texts/align-dev``, gold beads with one sentence a side, in file order), ``--threads``
   threads: cold (an empty models folder: conversion of the encoder, loading, the first call) and
   warm (the same pairs again, best of two), in pairs per second by the clock, and by CPU time
   (pairs per CPU second times the threads: the clock's figure on idle cores).

The converted encoders (one per layer, about 100 MB each) go to ``--cache`` (default: a temporary
folder removed at the end).
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / "tests" / "data" / "wordalign" / "de-en.gold"
DEFAULT_TEXTS = Path(__file__).resolve().parents[3] / "shared" / "bench"
FUNCTION_WORDS = frozenset(
    """der die das den dem des ein eine einen einem einer eines und oder aber in im ins an am auf aus bei
    mit nach von vom zu zum zur für über unter um vor es sich er sie wir ich ihr man ist sind war waren hat
    haben hatte wird werden wurde wurden sei nicht auch noch schon nur so wie als dass ob ja doch
    the a an and or but in on at to of for from with by about as is are was were be been has have had
    will would do does did not it its this that these those he she they we i you there which who""".split()
)
COMPOUND_LETTERS = 12
REORDER = 0.25

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    layer: int
    method: str
    many_to_one: bool
    aer: float
    precision: float
    recall: float


def gold_texts(gold, texts: Path) -> list[tuple[str, str, bool]]:
    """(source, target, pretokenized) for each gold pair: the shared sentence when its split
    gives the gold's words, else the gold's words joined by spaces."""
    from align.words.split import split_words

    out = []
    for pair in gold:
        found = _shared_sentences(pair.id, texts)
        if found is not None:
            src, tgt = found
            if tuple(w.text for w in split_words(src)) == pair.src and tuple(w.text for w in split_words(tgt)) == pair.tgt:
                out.append((src, tgt, False))
                continue
        out.append((" ".join(pair.src), " ".join(pair.tgt), True))
    return out


def _shared_sentences(pair_id: str, texts: Path) -> tuple[str, str] | None:
    match = re.fullmatch(r"([\w.-]+)/([\w.-]+):(\d+)-(\d+)", pair_id)
    if match is None:
        return None
    folder, doc, a, b = match[1], match[2], int(match[3]), int(match[4])
    try:
        src = (texts / folder / "src" / doc).read_text(encoding="utf-8").splitlines()
        tgt = (texts / folder / "tgt" / doc).read_text(encoding="utf-8").splitlines()
        return src[a], tgt[b]
    except (OSError, IndexError):
        return None


def align_gold(aligner, inputs: list[tuple[str, str, bool]]):
    """Alignments of the gold pairs, as written and pretokenized ones each in one batch."""
    out: list = [None] * len(inputs)
    for pre in (False, True):
        index = [k for k, (_, _, p) in enumerate(inputs) if p == pre]
        if index:
            for k, result in zip(index, aligner.align_pairs([inputs[k][:2] for k in index], pretokenized=pre), strict=True):
                out[k] = result
    return out


def quality(gold, inputs, layers: Sequence[int], method_names: Sequence[str], models: Path, threads: int) -> list[Row]:
    from align.evaluate.words import score
    from align.words import WordAligner, WordAlignOptions

    rows = []
    for layer in layers:
        base = WordAligner(models_dir=models, threads=threads, options=WordAlignOptions(layer=layer))
        vectors = None
        for method in method_names:
            for many in (False, True):
                aligner = WordAligner(
                    models_dir=models, threads=threads, options=replace(base.options, method=method, many_to_one=many)
                )
                if vectors is None:
                    vectors = align_gold(aligner, inputs)  # warms the encoder of this layer
                result = align_gold(aligner, inputs)
                s = score(gold, [a.pairs() for a in result])
                rows.append(Row(layer, method, many, s.aer, s.precision, s.recall))
                print(
                    f"layer {layer:2d} {method:8s} many-to-one {'on ' if many else 'off'}  AER {s.aer:.3f}  "
                    f"P {s.precision:.3f}  R {s.recall:.3f}",
                    flush=True,
                )
    return rows


def error_kinds(gold, results) -> dict[str, Counter]:
    """Missed sure links and links outside the possible ones, by kind (module docstring)."""
    missed: Counter = Counter()
    wrong: Counter = Counter()
    for pair, result in zip(gold, results, strict=True):
        links = result.pairs()
        fan = Counter(i for i, _ in pair.sure)
        for i, j in pair.sure - links:
            missed[_kind(pair, i, j, fan)] += 1
        for i, j in links - pair.possible:
            wrong[_kind(pair, i, j, fan)] += 1
    return {"missed sure links": missed, "links outside the possible": wrong}


def _kind(pair, i: int, j: int, fan: Counter) -> str:
    src, tgt = pair.src[i], pair.tgt[j]
    if fan[i] >= 2 or len(src) >= COMPOUND_LETTERS:
        return "compound"
    if not any(c.isalnum() for c in src + tgt):
        return "punctuation"
    if src.lower() in FUNCTION_WORDS or tgt.lower() in FUNCTION_WORDS:
        return "function word"
    if abs(i / max(len(pair.src) - 1, 1) - j / max(len(pair.tgt) - 1, 1)) > REORDER:
        return "reordering"
    return "other"


def dev_pairs(texts: Path, count: int) -> list[tuple[str, str]]:
    """The first ``count`` 1-1 beads of align-dev (gold files in name order)."""
    out: list[tuple[str, str]] = []
    folder = texts / "align-dev"
    for gold in sorted((folder / "gold").iterdir()):
        src = (folder / "src" / gold.name).read_text(encoding="utf-8").splitlines()
        tgt = (folder / "tgt" / gold.name).read_text(encoding="utf-8").splitlines()
        for line in gold.read_text(encoding="utf-8").splitlines():
            a, b = (ast.literal_eval(part) for part in line.split(":"))
            if len(a) == 1 and len(b) == 1 and src[a[0]].strip() and tgt[b[0]].strip():
                out.append((src[a[0]], tgt[b[0]]))
                if len(out) == count:
                    return out
    return out


def speed(pairs: list[tuple[str, str]], threads: int) -> dict[str, float]:
    """Cold (empty models folder) and warm (best of two) pairs per second of the defaults, by the
    clock and by CPU time (``warm_cpu_pairs_per_s``: pairs per CPU second times ``threads``, what
    the clock gives on that many idle cores; less sensitive to other load on a shared machine)."""
    from align.words import WordAligner

    with tempfile.TemporaryDirectory(prefix="bench-words-cold-") as scratch:
        start = time.perf_counter()
        aligner = WordAligner(models_dir=Path(scratch), threads=threads)
        aligner.align_pairs(pairs)
        cold = time.perf_counter() - start
        warm, cpu = [], []
        for _ in range(2):
            start, cpu_start = time.perf_counter(), time.process_time()
            aligner.align_pairs(pairs)
            warm.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    best = min(warm)
    return {
        "pairs": len(pairs),
        "threads": threads,
        "cold_s": cold,
        "warm_s": best,
        "warm_pairs_per_s": len(pairs) / best,
        "warm_cpu_s": min(cpu),
        "warm_cpu_pairs_per_s": len(pairs) * threads / min(cpu),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench words", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", nargs="+", type=Path, default=[DEFAULT_GOLD], help="gold files (default: the dev gold)")
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS, help="the shared bench folder (default %(default)s)")
    parser.add_argument("--layers", nargs="+", type=int, default=[4, 5, 6, 7, 8, 9, 10, 12])
    parser.add_argument("--methods", nargs="+", default=["argmax", "itermax", "match"])
    parser.add_argument("--pairs", type=int, default=500, help="align-dev 1-1 beads for the speed (0: no speed)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="models folder kept between runs (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from align.evaluate.words import read_golds
    from align.words import WordAligner, WordAlignOptions
    from devtools.models import cpu_model_name

    gold = read_golds(args.gold)
    inputs = gold_texts(gold, args.texts)
    print(
        f"{len(gold)} gold pairs ({sum(p for _, _, p in inputs)} pretokenized), {sum(len(g.sure) for g in gold)} sure "
        f"links; CPU {cpu_model_name()}; defaults {WordAlignOptions()}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-words-") as scratch:
        models = args.cache or Path(scratch)
        rows = quality(gold, inputs, args.layers, args.methods, models, args.threads)
        results = align_gold(WordAligner(models_dir=models, threads=args.threads), inputs)
    kinds = error_kinds(gold, results)
    for name, counts in kinds.items():
        print(f"{name} (defaults): " + ", ".join(f"{k} {v}" for k, v in counts.most_common()) + f"; total {sum(counts.values())}")
    figures: dict = {"rows": [asdict(r) for r in rows], "errors": {k: dict(v) for k, v in kinds.items()}}
    if args.pairs:
        pairs = dev_pairs(args.texts, args.pairs)
        figures["speed"] = speed(pairs, args.threads)
        s = figures["speed"]
        print(
            f"speed: {s['pairs']} align-dev pairs, {s['threads']} threads: cold {s['cold_s']:.1f} s "
            f"(conversion, load, first pass), warm {s['warm_s']:.2f} s = {s['warm_pairs_per_s']:.0f} pairs/s; "
            f"{s['warm_cpu_s']:.1f} CPU s = {s['warm_cpu_pairs_per_s']:.0f} pairs/s on {s['threads']} idle cores"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
