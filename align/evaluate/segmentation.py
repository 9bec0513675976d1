"""Score a sentence splitter against a benchmark folder (``python -m align eval-sbd DIR``).

Layout: ``NNN.txt`` holds running text, ``NNN.gold`` the same text one sentence a line with a
blank line between paragraphs. Splitters may change whitespace, so a boundary is identified by
the number of non-whitespace characters before it. Paragraph ends are given by the layout and
are left out of the score: only sentence boundaries inside paragraphs count.

The metric is boundary precision, recall and F1 over all files together (micro average).
"pysbd" is scored the same way, one paragraph at a time, for comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from align.errors import AlignError, FormatError, InputError
from align.mt.langcodes import DEFAULT_SOURCE
from align.text.segment import split_paragraphs

log = logging.getLogger(__name__)

SPLITTERS = ("align", "pysbd")
CONTEXT = 40  # characters shown either side of a wrong boundary


@dataclass(frozen=True)
class BoundaryError:
    """A boundary one side has and the other has not, with where it is in the running text."""

    file: str
    line: int
    kind: str  # "missed" (in gold, not predicted) or "spurious" (predicted, not in gold)
    before: str
    after: str


@dataclass(frozen=True)
class Report:
    """Counts over all files; precision/recall/F1 are 1.0 when there is nothing to find or get wrong."""

    bench_dir: Path
    splitter: str
    lang: str
    files: int
    sentences: int
    true_positives: int
    false_positives: int
    false_negatives: int
    errors: tuple[BoundaryError, ...] = field(default=())

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


# --------------------------------------------------------------------------------------------
# boundaries
# --------------------------------------------------------------------------------------------
def _nonspace_count(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _ends(pieces: Iterable[str]) -> list[int]:
    """Cumulative non-whitespace count at the end of each piece."""
    total, ends = 0, []
    for piece in pieces:
        total += _nonspace_count(piece)
        ends.append(total)
    return ends


def read_gold(path: Path) -> list[list[str]]:
    """Paragraphs of sentences from a ``.gold`` file (one a line, blank line between paragraphs)."""
    paragraphs: list[list[str]] = [[]]
    for line in _read(path).splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def gold_boundaries(paragraphs: Sequence[Sequence[str]]) -> tuple[set[int], set[int]]:
    """(sentence boundaries inside paragraphs, paragraph ends) as non-whitespace counts."""
    inside: set[int] = set()
    para_ends: set[int] = set()
    offset = 0
    for sentences in paragraphs:
        ends = [offset + e for e in _ends(sentences)]
        inside.update(ends[:-1])
        para_ends.add(ends[-1])
        offset = ends[-1]
    return inside, para_ends


def _split_align(text: str, lang: str) -> list[str]:
    from align.text.segment import segment

    return [s.text for s in segment(text, lang=lang)]


def _pysbd_splitter(lang: str) -> Callable[[str, str], list[str]]:
    try:
        import pysbd
    except ImportError as err:  # a dev-only requirement
        raise AlignError("the pysbd splitter needs pysbd: pip install pysbd (or -r requirements-dev.txt)") from err
    try:
        seg = pysbd.Segmenter(language=lang, clean=False)
    except ValueError as err:
        raise AlignError(f"pysbd has no rules for language {lang!r}") from err

    def split(text: str, _lang: str) -> list[str]:
        # one paragraph at a time, as our splitter sees paragraphs (pysbd has no notion of them)
        return [s for start, end in split_paragraphs(text) for s in seg.segment(text[start:end]) if s.strip()]

    return split


def _splitter(name: str, lang: str) -> Callable[[str, str], list[str]]:
    if name == "align":
        return _split_align
    if name == "pysbd":
        return _pysbd_splitter(lang)
    raise AlignError(f"unknown splitter {name!r}; choose one of: {', '.join(SPLITTERS)}")


def predicted_boundaries(text: str, split: Callable[[str, str], list[str]], lang: str) -> tuple[set[int], set[int]]:
    """(boundaries the splitter puts into the text, paragraph ends of the text)."""
    ends = _ends(split(text, lang))
    para_ends = set(_ends(text[start:end] for start, end in split_paragraphs(text)))
    if ends and ends[-1] != _nonspace_count(text):
        log.warning("the splitter changed the text: %d vs %d characters", ends[-1], _nonspace_count(text))
    return set(ends), para_ends


# --------------------------------------------------------------------------------------------
# the folder
# --------------------------------------------------------------------------------------------
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err


def bench_files(bench_dir: Path) -> list[tuple[Path, Path]]:
    """The ``(NNN.txt, NNN.gold)`` pairs of a bench folder, sorted; errors name the folder."""
    if not bench_dir.is_dir():
        raise InputError(f"{bench_dir}: no such benchmark folder (expected NNN.txt and NNN.gold files)")
    pairs = []
    for txt in sorted(bench_dir.glob("*.txt")):
        gold = txt.with_suffix(".gold")
        if not gold.is_file():
            raise InputError(f"{txt}: no gold file {gold.name} beside it")
        pairs.append((txt, gold))
    if not pairs:
        raise InputError(f"{bench_dir}: no NNN.txt/NNN.gold pairs in this benchmark folder")
    return pairs


def _check_same_text(text: str, paragraphs: Sequence[Sequence[str]], gold: Path) -> None:
    want = "".join(ch for ch in text if not ch.isspace())
    got = "".join(ch for p in paragraphs for s in p for ch in s if not ch.isspace())
    if want == got:
        return
    at = next((k for k, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), min(len(want), len(got)))
    line = _gold_line_of(paragraphs, at)
    raise FormatError(
        f"{gold}:{line}: the gold text differs from the .txt file after {at} non-space characters; "
        "fix the gold file so that it has exactly the text's characters"
    )


def _gold_line_of(paragraphs: Sequence[Sequence[str]], count: int) -> int:
    line, total = 0, 0
    for p in paragraphs:
        for s in p:
            line += 1
            total += _nonspace_count(s)
            if total > count:
                return line
        line += 1
    return line


def _locate(text: str, count: int) -> tuple[int, int]:
    """(character index, 1-based line) of the point after ``count`` non-whitespace characters."""
    seen = 0
    for index, ch in enumerate(text):
        if seen == count:
            return index, text.count("\n", 0, index) + 1
        if not ch.isspace():
            seen += 1
    return len(text), text.count("\n") + 1


def _errors(name: str, text: str, positions: set[int], kind: str) -> list[BoundaryError]:
    found = []
    for count in sorted(positions):
        index, line = _locate(text, count)
        before = " ".join(text[max(0, index - CONTEXT) : index].split())
        after = " ".join(text[index : index + CONTEXT].split())
        found.append(BoundaryError(file=name, line=line, kind=kind, before=before, after=after))
    return found


def evaluate_dir(bench_dir: Path, splitter: str = "align", lang: str = DEFAULT_SOURCE) -> Report:
    """Score ``splitter`` on every ``NNN.txt``/``NNN.gold`` pair of ``bench_dir``."""
    split = _splitter(splitter, lang)
    pairs = bench_files(Path(bench_dir))
    tp = fp = fn = sentences = 0
    errors: list[BoundaryError] = []
    for txt, gold in pairs:
        text = _read(txt)
        paragraphs = read_gold(gold)
        _check_same_text(text, paragraphs, gold)
        sentences += sum(len(p) for p in paragraphs)
        want, gold_paras = gold_boundaries(paragraphs)
        got, text_paras = predicted_boundaries(text, split, lang)
        excluded = gold_paras | text_paras
        want, got = want - excluded, got - excluded
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        errors += _errors(txt.name, text, want - got, "missed") + _errors(txt.name, text, got - want, "spurious")
        log.debug("%s: %d gold boundaries, %d predicted", txt.name, len(want), len(got))
    return Report(
        bench_dir=Path(bench_dir),
        splitter=splitter,
        lang=lang,
        files=len(pairs),
        sentences=sentences,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        errors=tuple(sorted(errors, key=lambda e: (e.file, e.line, e.kind))),
    )


def format_report(report: Report, show_errors: bool = False) -> str:
    """A few lines: what was scored, then precision, recall and F1; optionally every error."""
    gold = report.true_positives + report.false_negatives
    lines = [
        f"sbd {report.bench_dir.name}: {report.files} files, {report.sentences} sentences, "
        f"{gold} boundaries inside paragraphs; splitter {report.splitter}, lang {report.lang}",
        f"precision {report.precision:.4f}  recall {report.recall:.4f}  F1 {report.f1:.4f}  "
        f"(tp {report.true_positives}, fp {report.false_positives}, fn {report.false_negatives})",
    ]
    if show_errors:
        for err in report.errors:
            lines.append(f"{err.file}:{err.line}: {err.kind:8} …{err.before} | {err.after}…")
    return "\n".join(lines)
