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
