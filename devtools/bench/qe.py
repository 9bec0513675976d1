"""Quality estimation against real and corrupted machine translation: does ``align.quality`` find
the broken rows, how well does its score follow chrF on real output, and what does it cost.

    python -m devtools bench qe [--data TSV] [--rate 0.12] [--seed 1] [--systems NAME ...]
        [--limit N] [--threads 2] [--package FILE.argosmodel] [--json PATH] [--errors K] [--cache DIR]

The data is qe-dev (``../shared/bench/qe-dev/newstest2021.de-en.systems.tsv``): 19 WMT21 systems'
English translations of the same 1,000 German news sentences, with the reference translation.
Each system's lines are one document: ``estimate_rows`` is called once per system, in line order.

1. The corruption set (``devtools.bench.corruptions``, where the kinds are described): about
   ``--rate`` of the rows get exactly one corruption of six kinds (repetition, untranslated,
   dropped_clause, wrong_sentence, number, negation); every other row stays as its system wrote it.
2. Detection (``measure``, on plain score arrays): the threshold is the 5th percentile (numpy's
   linear interpolation) of the unchanged rows' scores; a corrupted row is caught when its score
   is strictly below it (ties count as missed; the unchanged rows strictly below it are the false
   alarms actually raised, printed beside it). Per kind: rows, recall at that threshold and AUROC
   against the unchanged rows (the chance that an unchanged row scores higher than a corrupted
   one, ties counted half); the same over all corrupted rows. The trivial length-ratio score
   (``min(q, 1/q)`` of the MT/source character ratio over its median) runs beside it as the
   baseline of a weak signal.
3. Ranking real output: Kendall's tau-b between the score and sentence chrF against the
   reference over the unchanged rows of all systems, beside the tau of the source length and of
   the length-ratio score.
4. Signals: where the estimates carry ``evidence``, per kind the share of caught rows in which
   each signal carries the most evidence.
5. Speed of ``estimate_rows`` without the model signal, ``--threads`` threads: cold (a fresh,
   empty embedding cache; the embedding model loaded before the clock starts) and warm (every
   vector already cached), in sentences per second over all rows scored.
6. The model signal (``--package`` only): the package's translation of one system's sources
   timed once, then ``estimate_rows`` on that system's rows with and without the translator (warm
   embedding cache, best of two), and the extra time as a fraction of the translation time. A
   random-weight package (the bench package of ``python -m devtools build-models DIR --which
   bench``) translates with its outputs pinned to the input length, as in ``bench translate``:
   random weights stop at random points, real models near the source's length.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.bench.corruptions import KINDS, Case, Row, corrupt

if TYPE_CHECKING:
    import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "bench" / "qe-dev" / "newstest2021.de-en.systems.tsv"
COLUMNS = ("system", "line", "source", "mt", "reference")
FALSE_ALARM = 0.05  # the share of unchanged rows the detection threshold flags

log = logging.getLogger(__name__)


# ---- the data -------------------------------------------------------------------------------------
def read_rows(path: Path) -> list[Row]:
    """Every row of a qe-dev TSV. The file was written by a CSV writer: a field with a double
    quote in it is wrapped in quotes, its own quotes doubled (8,033 fields of qe-dev), so it is
    read with CSV quoting, and checked to be one record a line (no quote swallows a tab or a line
    break). Raises ValueError on a row without the five columns, and when the systems do not
    cover the same lines."""
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        physical = sum(1 for _ in handle)
        handle.seek(0)
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise ValueError(f"{path}: expected the header {' '.join(COLUMNS)}, got {header}")
        for number, fields in enumerate(reader, start=2):
            if reader.line_num != number or len(fields) != len(COLUMNS) or not fields[1].isdigit():
                raise ValueError(f"{path}:{number}: expected {len(COLUMNS)} tab-separated fields on one line, got {fields}")
            rows.append(Row(fields[0], int(fields[1]), fields[2], fields[3], fields[4]))
    if len(rows) + 1 != physical:
        raise ValueError(f"{path}: {physical} lines but {len(rows)} rows after the header")
    lines: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        lines[row.system].add(row.line)
    if len({frozenset(v) for v in lines.values()}) > 1:
        raise ValueError(f"{path}: the systems do not translate the same lines")
    return rows


def select(rows: Sequence[Row], systems: Sequence[str] | None = None, limit: int | None = None) -> list[Row]:
    """The rows of ``systems`` (all when None), the first ``limit`` lines of each."""
    known = {row.system for row in rows}
    missing = sorted(set(systems or ()) - known)
    if missing:
        raise ValueError(f"unknown systems {', '.join(missing)} (known: {', '.join(sorted(known))})")
    lines = sorted({row.line for row in rows})
    keep = set(lines[:limit]) if limit else set(lines)
    return [row for row in rows if (not systems or row.system in systems) and row.line in keep]


# ---- the figures ----------------------------------------------------------------------------------
def auroc(good: Sequence[float] | np.ndarray, bad: Sequence[float] | np.ndarray) -> float:
    """The chance that a good row scores higher than a bad one (ties count half); nan if empty."""
    import numpy as np
    from scipy.stats import rankdata

    good, bad = np.asarray(good, dtype=float), np.asarray(bad, dtype=float)
    if not len(good) or not len(bad):
        return float("nan")
    ranks = rankdata(np.concatenate([good, bad]))
    u = ranks[: len(good)].sum() - len(good) * (len(good) + 1) / 2
    return float(u / (len(good) * len(bad)))


@dataclass(frozen=True)
class KindFigures:
    kind: str  # a corruption kind, or "all"
    count: int
    caught: int
    recall: float  # caught / count at the threshold
    auroc: float


@dataclass(frozen=True)
class Detection:
    unchanged: int
    threshold: float  # the FALSE_ALARM quantile of the unchanged rows' scores
    false_alarm: float  # share of unchanged rows strictly below it
    kinds: list[KindFigures]  # one per kind present, then "all"

    def of(self, kind: str) -> KindFigures:
        return next(k for k in self.kinds if k.kind == kind)


def measure(cases: Sequence[Case], scores: Sequence[float] | np.ndarray, false_alarm: float = FALSE_ALARM) -> Detection:
    """Recall at ``false_alarm`` on the unchanged rows and AUROC, per kind and over all corrupted
    rows. A row is caught when its score is strictly below the threshold (ties are misses)."""
    import numpy as np

    scores = np.asarray(scores, dtype=float)
    if len(scores) != len(cases):
        raise ValueError(f"{len(scores)} scores for {len(cases)} cases")
    kinds = np.array([c.kind or "" for c in cases])
    good = scores[kinds == ""]
    if not len(good):
        raise ValueError("no unchanged rows to set the threshold on")
    threshold = float(np.quantile(good, false_alarm))
    figures = []
    present = [k for k in KINDS if (kinds == k).any()] + sorted(set(kinds) - set(KINDS) - {""})
    for kind in [*present, "all"]:
        bad = scores[kinds != ""] if kind == "all" else scores[kinds == kind]
        caught = int((bad < threshold).sum())
        recall = caught / len(bad) if len(bad) else float("nan")
        figures.append(KindFigures(kind, len(bad), caught, recall, auroc(good, bad)))
    return Detection(len(good), threshold, float((good < threshold).mean()), figures)


def kendall(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """Kendall's tau-b (scipy), nan when undefined."""
    from scipy.stats import kendalltau

    return float(kendalltau(x, y).statistic)


def length_ratio_scores(cases: Sequence[Case]) -> np.ndarray:
    """The weak baseline: min(q, 1/q) where q is the MT/source character ratio over its median."""
    import numpy as np

    ratio = np.array([len(c.mt) / max(len(c.source), 1) for c in cases], dtype=float)
    q = np.maximum(ratio / float(np.median(ratio)), 1e-9)
    return np.minimum(q, 1 / q)


def chrf_scores(cases: Sequence[Case]) -> np.ndarray:
    """Sentence chrF (sacrebleu's defaults) of each case's MT against its reference, 0..100."""
    import numpy as np
    from sacrebleu import sentence_chrf

    return np.array([sentence_chrf(c.mt, [c.reference]).score for c in cases], dtype=float)


def top_signals(
    cases: Sequence[Case], scores: np.ndarray, evidence: Sequence[dict[str, float]], threshold: float
) -> dict[str, dict[str, float]]:
    """Per kind, among its caught rows: the share in which each signal carries the most evidence
    (the largest value of the row's ``evidence``, in nats for a fix; "(none)" when no signal
    speaks for a fix)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case, score, ev in zip(cases, scores, evidence, strict=True):
        if case.kind is not None and score < threshold:
            top = max(ev, key=lambda name: (ev[name], name)) if ev else "(none)"
            top = top if ev and ev[top] > 0 else "(none)"
            counts[case.kind][top] += 1
    return {
        kind: {name: n / sum(counts[kind].values()) for name, n in counts[kind].most_common()} for kind in KINDS if kind in counts
    }


# ---- scoring --------------------------------------------------------------------------------------
#: estimate_rows(sources, targets, *, src_lang, tgt_lang, embedder, translator, progress) -> report
Estimator = Callable[..., Any]


@dataclass
class Scored:
    scores: np.ndarray
    reasons: list[tuple[str, ...]]
    evidence: list[dict[str, float]]
    seconds: float  # wall time of the estimate calls alone
    calls: int


def documents(cases: Sequence[Case]) -> dict[str, list[int]]:
    """Case indices per system, in line order (one system's lines are one document)."""
    docs: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        docs[case.system].append(i)
    return {system: sorted(idx, key=lambda i: cases[i].line) for system, idx in docs.items()}


def score_cases(cases: Sequence[Case], estimate: Estimator, embedder: Any, translator: Any = None) -> Scored:
    """One ``estimate`` call per system on its rows in line order; results in the cases' order."""
    import numpy as np

    scores = np.zeros(len(cases), dtype=float)
    reasons: list[tuple[str, ...]] = [()] * len(cases)
    evidence: list[dict[str, float]] = [{}] * len(cases)
    seconds = 0.0
    docs = documents(cases)
    for idx in docs.values():
        start = time.perf_counter()
        report = estimate(
            [cases[i].source for i in idx],
            [cases[i].mt for i in idx],
            src_lang="de",
            tgt_lang="en",
            embedder=embedder,
            translator=translator,
            progress=None,
        )
        seconds += time.perf_counter() - start
        if len(report.estimates) != len(idx):
            raise ValueError(f"estimate_rows returned {len(report.estimates)} estimates for {len(idx)} rows")
        for i, est in zip(idx, report.estimates, strict=True):
            scores[i] = float(est.score)
            reasons[i] = tuple(getattr(est, "reasons", ()) or ())
            evidence[i] = {str(k): float(v) for k, v in (getattr(est, "evidence", None) or {}).items()}
    return Scored(scores, reasons, evidence, seconds, len(docs))


def load_estimate() -> Estimator:
    from align.quality import estimate_rows

    return estimate_rows


# ---- the report -----------------------------------------------------------------------------------
@dataclass
class Speed:
    rows: int
    calls: int
    threads: int
    cold_s: float  # a fresh, empty embedding cache (model loaded before the clock)
    warm_s: float  # every vector cached
    same_scores: bool  # the cold and warm runs gave the scores of the scoring run
    # one system's rows alone with a fresh cache: every source, translation and clause embedded,
    # what a new document costs (in the cold run above the 19 systems share their sources)
    single_rows: int = 0
    single_s: float = 0.0

    @property
    def single_rate(self) -> float:
        return self.single_rows / self.single_s if self.single_s else float("nan")

    @property
    def cold_rate(self) -> float:
        return self.rows / self.cold_s

    @property
    def warm_rate(self) -> float:
        return self.rows / self.warm_s


@dataclass
class ModelSignal:
    package: str
    pinned: bool  # a random-weight package: translation outputs pinned to the input length
    system: str
    rows: int
    translate_s: float
    without_s: float
    with_s: float

    @property
    def extra_fraction(self) -> float:
        return (self.with_s - self.without_s) / self.translate_s


@dataclass
class Miss:
    kind: str
    system: str
    line: int
    score: float
    reasons: tuple[str, ...]
    mt: str
    original_mt: str


@dataclass
class Report:
    setup: dict[str, Any]
    detection: Detection
    baseline: Detection  # the length-ratio score
    tau: dict[str, float]  # score, source length, length ratio -> tau-b with chrF
    tau_rows: int
    signals: dict[str, dict[str, float]] = field(default_factory=dict)
    speed: Speed | None = None
    model: ModelSignal | None = None
    misses: list[Miss] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.speed is not None:
            out["speed"].update(
                cold_rate=self.speed.cold_rate, warm_rate=self.speed.warm_rate, single_rate=self.speed.single_rate
            )
        if self.model is not None:
            out["model"]["extra_fraction"] = self.model.extra_fraction
        return out

    def table(self) -> tuple[list[str], list[list[str]]]:
        header = ["kind", "rows", "caught", "recall @5% FA", "AUROC", "length-ratio AUROC"]
        rows = [
            [k.kind, str(k.count), str(k.caught), f"{k.recall:.3f}", f"{k.auroc:.3f}", f"{self.baseline.of(k.kind).auroc:.3f}"]
            for k in self.detection.kinds
        ]
        return header, rows

    def lines(self) -> list[str]:
        """Everything but the table, as sentences (the printed report and the results section)."""
        d = self.detection
        out = [
            f"threshold: {d.threshold:.4f} = the {FALSE_ALARM:.0%} quantile of the {d.unchanged} unchanged rows' scores; "
            f"caught = score strictly below it (ties are misses); false alarms raised: {d.false_alarm:.2%}",
            f"Kendall tau-b with sentence chrF over the {self.tau_rows} unchanged rows: score {self.tau['score']:+.3f}, "
            f"source length {self.tau['source length']:+.3f}, length-ratio score {self.tau['length ratio']:+.3f}",
        ]
        if self.speed is not None:
            s = self.speed
            out += [
                f"speed of estimate_rows, {s.threads} threads, no model signal, {s.rows} rows in {s.calls} calls:",
                f"  cold (fresh empty embedding cache): {s.cold_s:.1f} s = {s.cold_rate:.1f} sentences/s",
                f"  warm (every vector cached):        {s.warm_s:.1f} s = {s.warm_rate:.1f} sentences/s "
                f"(warm/cold rate {s.warm_rate / s.cold_rate:.1f}x; scores identical across runs: {s.same_scores})",
                f"  one document alone, cold (its sources not shared): {s.single_rows} rows in {s.single_s:.1f} s = "
                f"{s.single_rate:.1f} sentences/s",
            ]
        if self.model is not None:
            m = self.model
            out += [
                f"model signal ({m.package}{', random weights, outputs pinned to input length' if m.pinned else ''}), "
                f"{m.system}'s {m.rows} rows: translating the sources {m.translate_s:.1f} s; "
                f"estimate_rows without translator {m.without_s:.2f} s, with {m.with_s:.2f} s (warm cache, best of 2)",
                f"  the model signal's extra time = {m.extra_fraction:.2f} x the translation time",
            ]
        return out

    def format(self, errors: bool = True) -> str:
        out = [f"{k}: {v}" for k, v in self.setup.items()]
        header, rows = self.table()
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        out.append("")
        for r in [header, *rows]:
            out.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        out.append("")
        out += self.lines()
        if self.signals:
            out.append("signal carrying the most evidence, share of the caught rows:")
            for kind, shares in self.signals.items():
                out.append(f"  {kind:<15} " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()))
        if errors and self.misses:
            out.append("missed corrupted rows (a seeded sample per kind):")
            for m in self.misses:
                out.append(f"  [{m.kind}] {m.system} line {m.line}: score {m.score:.3f}, reasons {list(m.reasons)}")
                out.append(f"      mt:  {m.mt}")
                if m.mt != m.original_mt:
                    out.append(f"      was: {m.original_mt}")
        return "\n".join(out)

    def markdown(self) -> str:
        """The results section's body."""
        header, rows = self.table()
        lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)] + [f"| {' | '.join(r)} |" for r in rows]
        setup = "; ".join(f"{k}: {v}" for k, v in self.setup.items() if k != "CPU")
        body = [f"`python -m devtools bench qe`: {setup}.", "", *lines, "", "```", *self.lines()]
        if self.signals:
            body.append("signal carrying the most evidence, share of the caught rows:")
            body += [f"  {k:<15} " + ", ".join(f"{n} {s:.0%}" for n, s in v.items()) for k, v in self.signals.items()]
        return "\n".join([*body, "```"])


def sample_misses(cases: Sequence[Case], scored: Scored, threshold: float, per_kind: int, seed: int) -> list[Miss]:
    """Up to ``per_kind`` missed corrupted rows of each kind, a seeded random sample, by score."""
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        missed = [i for i, c in enumerate(cases) if c.kind == kind and scored.scores[i] >= threshold]
        picked = sorted(rng.sample(missed, min(per_kind, len(missed))), key=lambda i: -scored.scores[i])
        for i in picked:
            c = cases[i]
            out.append(Miss(kind, c.system, c.line, float(scored.scores[i]), scored.reasons[i], c.mt, c.original_mt))
    return out


def _embedder(cache: Path, threads: int, models_dir: Path | None = None) -> Any:
    from align.embed import Embedder

    embedder = Embedder(cache, threads=threads, models_dir=models_dir)
    embedder.encode(["Modell laden, bevor die Uhr läuft."])  # load the model before any clock starts
    return embedder


def model_signal(package: Path, cases: Sequence[Case], estimate: Estimator, embedder: Any, threads: int) -> ModelSignal:
    """Translation of one system's sources against estimate_rows with and without the translator."""
    from align.mt.packages import install_from_path
    from align.mt.translate import TranslateOptions, Translator
    from align.settings import load_settings

    system = cases[0].system
    rows = [c for c in cases if c.system == system]
    with tempfile.TemporaryDirectory(prefix="bench-qe-home-") as home:
        installed = install_from_path(Path(package), load_settings(home=home))
        # random weights stop at random points: pin their outputs to the input length, as bench translate does
        pinned = "random-weight" in str(installed.metadata.get("description", "")).lower()
        translator = Translator.load(installed, TranslateOptions(threads=threads, pin_output_length=pinned))
        translator.translate([rows[0].source])  # warm-up
        start = time.perf_counter()
        translator.translate([c.source for c in rows])
        translate_s = time.perf_counter() - start
        timings: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(2):
            for use in (False, True):
                timings[use].append(score_cases(rows, estimate, embedder, translator if use else None).seconds)
    return ModelSignal(installed.name, pinned, system, len(rows), translate_s, min(timings[False]), min(timings[True]))


def run(
    data: Path = DEFAULT_DATA,
    *,
    rate: float = 0.12,
    seed: int = 1,
    systems: Sequence[str] | None = None,
    limit: int | None = None,
    threads: int = 2,
    cache: Path | None = None,
    package: Path | None = None,
    errors: int = 0,
    speed: bool = True,
    estimate: Estimator | None = None,
) -> Report:
    """The whole benchmark. ``cache``: the embedding cache kept between runs (default: the data
    folder's, ``Settings.cache_dir``)."""
    import numpy as np

    from align.settings import load_settings
    from devtools.models import cpu_flags, cpu_model_name

    estimate = estimate or load_estimate()
    every = read_rows(data)
    rows = select(every, systems, limit)
    cases = corrupt(rows, rate, seed)
    cache = Path(cache) if cache is not None else load_settings().cache_dir
    embedder = _embedder(cache, threads)
    scored = score_cases(cases, estimate, embedder)
    detection = measure(cases, scored.scores)
    baseline_scores = length_ratio_scores(cases)
    baseline = measure(cases, baseline_scores)

    real = np.array([c.kind is None for c in cases])
    chrf = chrf_scores([c for c, keep in zip(cases, real, strict=True) if keep])
    tau = {
        "score": kendall(scored.scores[real], chrf),
        "source length": kendall(np.array([len(c.source) for c in cases])[real], chrf),
        "length ratio": kendall(baseline_scores[real], chrf),
    }
    counts = Counter(c.kind for c in cases if c.kind)
    setup = {
        "data": f"{data.name}: {len(every)} rows read; {len({r.system for r in rows})} systems x "
        f"{len({r.line for r in rows})} lines = {len(rows)} rows scored",
        "corrupted": f"{sum(counts.values())} rows ({sum(counts.values()) / len(rows):.1%}; rate {rate}, seed {seed})",
        "CPU": f"{cpu_model_name()}; avx512_vnni: {'yes' if 'avx512_vnni' in cpu_flags() else 'no'}",
        "embedder": f"{embedder.engine}, {threads} threads",
    }
    report = Report(setup, detection, baseline, tau, int(real.sum()))
    report.signals = top_signals(cases, scored.scores, scored.evidence, detection.threshold)
    if speed:
        warm = score_cases(cases, estimate, embedder)
        with tempfile.TemporaryDirectory(prefix="bench-qe-cold-") as scratch:
            cold = score_cases(cases, estimate, _embedder(Path(scratch), threads, models_dir=cache / "models"))
        same = bool(np.array_equal(warm.scores, scored.scores) and np.allclose(cold.scores, scored.scores, atol=1e-6))
        first = [c for c in cases if c.system == cases[0].system]
        with tempfile.TemporaryDirectory(prefix="bench-qe-single-") as scratch:
            single = score_cases(first, estimate, _embedder(Path(scratch), threads, models_dir=cache / "models"))
        report.speed = Speed(len(cases), scored.calls, threads, cold.seconds, warm.seconds, same, len(first), single.seconds)
    if package is not None:
        report.model = model_signal(package, cases, estimate, embedder, threads)
    if errors:
        report.misses = sample_misses(cases, scored, detection.threshold, errors, seed)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench qe", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the qe-dev TSV (default %(default)s)")
    parser.add_argument("--rate", type=float, default=0.12, help="share of rows corrupted (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corruptions (default %(default)s)")
    parser.add_argument("--systems", nargs="+", default=None, help="score these systems only (default all)")
    parser.add_argument("--limit", type=int, default=None, help="the first N lines of each system only")
    parser.add_argument("--threads", type=int, default=2, help="embedding and translation threads (default %(default)s)")
    parser.add_argument("--package", default=None, help="an .argosmodel: also time the model signal against translation")
    parser.add_argument("--cache", default=None, help="embedding cache kept between runs (default: the data folder's)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--errors", type=int, default=0, metavar="K", help="print K missed corrupted rows per kind")
    parser.add_argument("--no-speed", action="store_true", help="skip the cold and warm speed runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    report = run(
        Path(args.data),
        rate=args.rate,
        seed=args.seed,
        systems=args.systems,
        limit=args.limit,
        threads=args.threads,
        cache=Path(args.cache) if args.cache else None,
        package=Path(args.package) if args.package else None,
        errors=args.errors,
        speed=not args.no_speed,
    )
    print(report.format())  # noqa: T201 - a script's output
    if args.json:
        Path(args.json).write_text(
            json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
        )
    return 0
