"""Progress of a job in stages: one bar, forward only, whatever each stage reports."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from align.progress import in_stages


def test_two_stages_fill_one_bar():
    seen: list[tuple[int, int | None]] = []
    first, second = in_stages(lambda d, t: seen.append((d, t)), [10, 30])
    assert first is not None and second is not None
    first(0, 5)
    first(5, 5)
    second(0, 300)  # the embedder counts in its own units
    second(150, 300)
    second(300, 300)
    assert seen == [(0, 40), (10, 40), (10, 40), (25, 40), (40, 40)]


def test_no_progress_gives_no_callbacks():
    assert in_stages(None, [3, 4]) == [None, None]


@given(st.lists(st.integers(0, 50), min_size=1, max_size=4), st.data())
def test_never_moves_backwards_nor_past_the_end(sizes, data):
    seen: list[int] = []
    stages = in_stages(lambda d, t: seen.append(d), sizes)
    for stage in stages:
        assert stage is not None
        total = data.draw(st.integers(0, 20))
        for done in range(total + 1):
            stage(done, total)
    assert seen == sorted(seen)
    assert all(0 <= d <= max(sum(sizes), 1) for d in seen)


def test_tally_reports_a_growing_total_and_parts_that_add_up():
    """A batch's sentences: the total grows as files are read, each window reports its own counts."""
    from align.progress import Tally

    seen: list[tuple[int, int | None]] = []
    tally = Tally(lambda d, t: seen.append((d, t)))
    tally.grow(3)
    first = tally.part()
    first(2, 3)
    first(3, 3)
    tally.grow(4)
    second = tally.part()
    second(4, 4)
    assert seen == [(0, 0), (0, 3), (2, 3), (3, 3), (3, 7), (7, 7)]
