"""One shape for progress reports, used by every long library call (translate, embed, align,
download): ``progress(done, total)`` with cumulative counts of one task; ``total`` is None only
where it is unknown (a download without a Content-Length).

``in_stages`` splits one report into stages, ``Tally`` counts work whose total grows as it is
found, ``BatchProgress`` is where a batch run reports (files, sentences). The library draws no
bars: its callers (the command line, the page) turn reports into what they show."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int, "int | None"], None]


def as_increments(step: Callable[[int], object]) -> Progress:
    """A ``Progress`` that feeds a counter taking increments, such as a tqdm bar's ``update``."""
    last = 0

    def report(done: int, total: int | None) -> None:
        nonlocal last
        if done > last:
            step(done - last)
            last = done

    return report


def in_stages(progress: Progress | None, sizes: list[int]) -> list[Progress | None]:
    """One ``Progress`` per stage of work shown on one bar: stage k covers ``sizes[k]``
    units of a total of ``sum(sizes)``, whatever totals the stage itself reports. So aligning with
    machine translation shows the translation first, then the embeddings, on one bar that only
    moves forward."""
    if progress is None:
        return [None for _ in sizes]
    total = max(sum(sizes), 1)
    out: list[Progress | None] = []
    offset = 0
    for size in sizes:

        def report(done: int, stage_total: int | None, offset: int = offset, size: int = size) -> None:
            share = min(done / stage_total, 1.0) if stage_total else 0.0
            progress(offset + round(share * size), total)

        out.append(report)
        offset += size
    return out


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch run reports: finished files, and sentences (translated, or pairs aligned).

    The sentences' total grows as files are read ahead, so a reporter must take each report's
    ``total`` as the new one. The library draws nothing itself: the command line turns these into
    its bars, another caller into whatever it shows.
    """

    files: Progress | None = None
    sentences: Progress | None = None


class Tally:
    """A cumulative count reported as ``Progress`` whose total may grow while it runs."""

    def __init__(self, progress: Progress | None, total: int = 0) -> None:
        self.progress = progress
        self.done = 0
        self.total = total
        self.lock = threading.Lock()  # files finish on writer threads
        self._report()

    def grow(self, count: int) -> None:
        """More work found (a file read ahead)."""
        with self.lock:
            self.total += count
            self._report()

    def add(self, count: int) -> None:
        """Work finished."""
        with self.lock:
            self.done += count
            self._report()

    def part(self) -> Progress:
        """A ``Progress`` for the next piece of work, whose own counts add to this tally."""
        return as_increments(self.add)

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)
