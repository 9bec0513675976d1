"""Score the aligner on a Text+Berg-layout folder with the strict/lax metric of the papers.

Layout: ``src/NNN`` and ``tgt/NNN`` (one sentence a line) and ``gold/NNN`` (one bead a line,
``[3, 4]:[5]``, an empty side ``[]``). The metric follows Sennrich & Volk (2011) as Vecalign and
Bertalign compute it:

* precision: every test bead that is not empty on both sides (omissions and additions count);
  strict = the same bead is in gold; lax = some source sentence of the bead is linked in gold to
  some target sentence of the bead;
* recall: the gold beads non-empty on both sides, scored the same way against the test beads
  non-empty on both sides (precision with the roles swapped);
* counts are pooled over all documents before dividing.
"""

from __future__ import annotations

import ast
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from align.document import Bead
from align.errors import FormatError, InputError
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET

log = logging.getLogger(__name__)

BeadSides = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Counts:
    """True and false positives, strict and lax, of one direction (precision or recall)."""

    tp_strict: int = 0
    fp_strict: int = 0
    tp_lax: int = 0
    fp_lax: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp_strict + other.tp_strict,
            self.fp_strict + other.fp_strict,
            self.tp_lax + other.tp_lax,
            self.fp_lax + other.fp_lax,
        )


@dataclass(frozen=True)
class Scores:
    """Strict and lax precision, recall and F1 (0 where a denominator is 0)."""

    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float


@dataclass
class DocResult:
    name: str
    n_src: int
    n_tgt: int
    test: list[BeadSides]
    gold: list[BeadSides]
    scores: Scores


@dataclass
class EvalReport:
    """What ``eval-align`` prints: pooled scores, speed, memory and the wrong beads per document."""

    scores: Scores
    documents: list[DocResult] = field(default_factory=list)
    sentences: int = 0
    seconds: float = 0.0
    max_rss_mb: float | None = None  # None where the system does not say (Windows)
    mt_name: str = ""  # where the MT signal came from ("" without one)

    @property
    def use_mt(self) -> bool:
        return bool(self.mt_name)


def _sides(beads: Iterable[Bead | BeadSides]) -> list[BeadSides]:
    out = []
    for bead in beads:
        if isinstance(bead, Bead):
            out.append((tuple(bead.src), tuple(bead.tgt)))
        else:
            src, tgt = bead
            out.append((tuple(src), tuple(tgt)))
    return out


def _precision_counts(gold: Sequence[BeadSides], test: Sequence[BeadSides]) -> Counts:
    """Score ``test`` beads against ``gold`` (strict: same bead; lax: a linked sentence pair)."""
    gold_set = {b for b in gold if b[0] or b[1]}
    links: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for i in src:
            links[i].update(tgt)
    tp_s = fp_s = tp_l = fp_l = 0
    for bead in {b for b in test if b[0] or b[1]}:
        if bead in gold_set:
            tp_s += 1
            tp_l += 1
            continue
        fp_s += 1
        linked = set().union(*(links[i] for i in bead[0])) if bead[0] else set()
        if linked & set(bead[1]):
            tp_l += 1
        else:
            fp_l += 1
    return Counts(tp_s, fp_s, tp_l, fp_l)


def count_beads(gold: Iterable[Bead | BeadSides], test: Iterable[Bead | BeadSides]) -> tuple[Counts, Counts]:
    """(precision counts, recall counts) of one document."""
    gold, test = _sides(gold), _sides(test)
    precision = _precision_counts(gold, test)
    both_gold = [b for b in gold if b[0] and b[1]]
    both_test = [b for b in test if b[0] and b[1]]
    recall = _precision_counts(both_test, both_gold)
    return precision, recall


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def scores_from_counts(precision: Counts, recall: Counts) -> Scores:
    ps = _ratio(precision.tp_strict, precision.tp_strict + precision.fp_strict)
    pl = _ratio(precision.tp_lax, precision.tp_lax + precision.fp_lax)
    rs = _ratio(recall.tp_strict, recall.tp_strict + recall.fp_strict)
    rl = _ratio(recall.tp_lax, recall.tp_lax + recall.fp_lax)
    return Scores(ps, rs, _f1(ps, rs), pl, rl, _f1(pl, rl))


def score_documents(pairs: Iterable[tuple[Iterable[Bead | BeadSides], Iterable[Bead | BeadSides]]]) -> Scores:
    """Pooled strict/lax scores over (gold, test) bead lists, one pair per document."""
    p_total, r_total = Counts(), Counts()
    for gold, test in pairs:
        p, r = count_beads(gold, test)
        p_total, r_total = p_total + p, r_total + r
    return scores_from_counts(p_total, r_total)


def parse_bead_line(line: str, *, path: Path | str = "<gold>", lineno: int = 0) -> BeadSides:
    """Parse ``[0, 1]:[2]`` (either side may be ``[]``)."""
    try:
        left, right = line.split(":")
        src, tgt = ast.literal_eval(left.strip()), ast.literal_eval(right.strip())
        if not isinstance(src, list) or not isinstance(tgt, list):
            raise ValueError
        return tuple(int(i) for i in src), tuple(int(j) for j in tgt)
    except (ValueError, SyntaxError, TypeError):
        raise FormatError(f"{path}:{lineno}: not a bead like '[0, 1]:[2]' (empty side '[]'): {line.strip()!r}") from None


def read_beads(path: Path) -> list[BeadSides]:
    """Read a gold (or test) file in the bead notation; blank lines are skipped."""
    text = _read(path)
    return [parse_bead_line(line, path=path, lineno=n) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None


def read_lines(path: Path) -> list[str]:
    """One sentence a line, as the benchmark stores them (a trailing newline is not a sentence)."""
    return _read(path).splitlines()


def evaluate_dir(
    bench_dir: Path,
    *,
    settings=None,
    use_mt: bool = False,
    mt_from: Path | None = None,
    embedder=None,
    options=None,
) -> EvalReport:
    """Align every ``src/NNN`` with ``tgt/NNN`` and score against ``gold/NNN``.

    Embeddings are cached under ``settings.cache_dir`` when settings are given. With ``use_mt``
    the installed package for de->en (or the pair named in ``bench_dir/langs``) translates the
    source side first; time spent translating is counted. ``mt_from`` instead reads a machine
    translation made elsewhere: a folder of ``NNN`` files, line k the translation of source line k
    (a relative path that is not a folder is looked for inside ``bench_dir``, so ``mt-SYSTEM``
    names align-mt-dev's systems). It measures the MT signal with real systems' output, no package
    needed.
    """
    from align.aligner import align_sentences
    from align.embed import Embedder

    bench_dir = Path(bench_dir)
    src_dir, tgt_dir, gold_dir = bench_dir / "src", bench_dir / "tgt", bench_dir / "gold"
    for folder in (src_dir, tgt_dir, gold_dir):
        if not folder.is_dir():
            raise InputError(f"{bench_dir}: expected folders src/, tgt/ and gold/ (missing {folder.name}/)")
    names = sorted(p.name for p in src_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not names:
        raise InputError(f"{src_dir}: no documents to align")
    if embedder is None:
        embedder = Embedder(settings.cache_dir if settings is not None else None)
    if use_mt and mt_from is not None:
        raise InputError("use either an installed package (--mt) or a folder of translations (--mt-from), not both")
    mt_dir = resolve_mt_dir(bench_dir, mt_from) if mt_from is not None else None
    translator = _load_translator(settings, bench_dir) if use_mt else None

    # no tracemalloc here: it records every allocation and makes the aligner several times slower
    start = time.perf_counter()
    docs: list[DocResult] = []
    sentences = 0
    p_total, r_total = Counts(), Counts()
    for name in names:
        if not (tgt_dir / name).is_file() or not (gold_dir / name).is_file():
            raise InputError(f"{bench_dir}: {name} is in src/ but not in both tgt/ and gold/")
        src, tgt = read_lines(src_dir / name), read_lines(tgt_dir / name)
        gold = read_beads(gold_dir / name)
        mt = translator.translate(src) if translator is not None else None
        if mt_dir is not None:
            mt = read_mt(mt_dir / name, len(src))
        test = _sides(align_sentences(src, tgt, embedder=embedder, mt=mt, options=options))
        p, r = count_beads(gold, test)
        p_total, r_total = p_total + p, r_total + r
        sentences += len(src) + len(tgt)
        docs.append(DocResult(name, len(src), len(tgt), test, gold, scores_from_counts(p, r)))
        log.info("%s: strict F1 %.3f", name, docs[-1].scores.f1_strict)
    seconds = time.perf_counter() - start
    return EvalReport(
        scores=scores_from_counts(p_total, r_total),
        documents=docs,
        sentences=sentences,
        seconds=seconds,
        max_rss_mb=peak_memory_mb(),
        mt_name=mt_dir.name if mt_dir is not None else ("installed package" if use_mt else ""),
    )


def resolve_mt_dir(bench_dir: Path, mt_from: Path) -> Path:
    """``mt_from`` as given, else inside ``bench_dir`` (``mt-VolcTrans-GLAT``)."""
    for candidate in (Path(mt_from), Path(bench_dir) / mt_from):
        if candidate.is_dir():
            return candidate
    raise InputError(f"{mt_from}: no such folder of machine translations (looked here and in {bench_dir})")


def read_mt(path: Path, n_src: int) -> list[str]:
    """One machine translation per source line; a count that differs is an error, not a guess."""
    if not path.is_file():
        raise InputError(f"{path}: missing (every source document needs its machine translation)")
    lines = read_lines(path)
    if len(lines) != n_src:
        raise InputError(f"{path}: {len(lines)} lines for {n_src} source lines (line k must translate source line k)")
    return lines


def peak_memory_mb() -> float | None:
    """This process's peak resident memory in MB, or None where ``resource`` is missing (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # macOS counts bytes, Linux kB


def _load_translator(settings, bench_dir: Path):
    """The installed translator for the benchmark's pair (``bench_languages``)."""
    from align.mt.translate import load_translator

    return load_translator(*bench_languages(bench_dir), settings)


def bench_languages(bench_dir: Path) -> tuple[str, str]:
    """The benchmark's pair from its ``langs`` file ('de en', UTF-8 with or without BOM); the
    default pair without one, and the default target where it names only the source."""
    langs_file = bench_dir / "langs"
    named = langs_file.read_text(encoding="utf-8-sig").split() if langs_file.is_file() else []
    return (named[0] if named else DEFAULT_SOURCE), (named[1] if len(named) > 1 else DEFAULT_TARGET)


def _memory_line(peak_mb: float | None) -> str:
    if peak_mb is None:
        return "peak memory: not measured on this system"
    return f"peak memory: {peak_mb:.0f} MB max RSS of the process"


def wrong_beads(doc: DocResult) -> tuple[list[BeadSides], list[BeadSides]]:
    """(test beads not in gold, gold beads not in test), in document order."""
    gold, test = set(doc.gold), set(doc.test)
    return [b for b in doc.test if b not in gold], [b for b in doc.gold if b not in test]


def format_report(report: EvalReport, *, show_errors: bool = False) -> str:
    s = report.scores
    speed = report.sentences / report.seconds if report.seconds > 0 else float("inf")
    lines = [
        f"documents: {len(report.documents)}  sentences: {report.sentences}  mt: {report.mt_name or 'no'}",
        "             strict    lax",
        f"precision    {s.precision_strict:.4f}   {s.precision_lax:.4f}",
        f"recall       {s.recall_strict:.4f}   {s.recall_lax:.4f}",
        f"F1           {s.f1_strict:.4f}   {s.f1_lax:.4f}",
        f"time: {report.seconds:.1f} s ({speed:.1f} sentences/s, embeddings included unless cached)",
        _memory_line(report.max_rss_mb),
    ]
    if show_errors:
        for doc in report.documents:
            test_only, gold_only = wrong_beads(doc)
            if test_only or gold_only:
                lines.append(f"-- {doc.name}: strict F1 {doc.scores.f1_strict:.3f}")
                lines += [f"   test {b[0]}:{b[1]}" for b in test_only]
                lines += [f"   gold {b[0]}:{b[1]}" for b in gold_only]
    return "\n".join(lines)
