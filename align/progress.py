"""One shape for progress reports, used by every long library call (translate, embed, align,
download): ``progress(done, total)`` with cumulative counts of one task; ``total`` is None only
where it is unknown (a download without a Content-Length)."""

from __future__ import annotations

from collections.abc import Callable

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
