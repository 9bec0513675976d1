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


def in_stages(progress: Progress | None, sizes: list[int]) -> list[Progress | None]:
    """One ``Progress`` per stage of a job that reports as one task: stage k covers ``sizes[k]``
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
