"""How long the review page takes to rerun after an edit on a 2,000-row project.

    python -m devtools bench app-rerun [--rows 2000] [--repeat 15]

Builds a project of ``--rows`` pairs in a temporary data folder, opens app.py with Streamlit's
AppTest and times whole reruns: after a cell edit, after a toolbar action (confirm, merge), after
undo, and a plain rerun. The target is under 0.5 s per rerun on this machine. As a reference
measured in the same run, it also times a trivial one-widget page, so the ratio shows what the
page itself costs above Streamlit's own overhead (CPU on a shared machine is noisy). ``--compare
OLD/app.py`` times another page file in turns with this one (each over its own data folder) and
prints the ratio of their medians: a before/after check in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def make_project(home: Path, n: int) -> None:
    from align.document import AlignedDocument, Bead, Sentence
    from align.review.store import open_store
    from align.settings import load_settings

    src = [Sentence(f"Das ist der Satz Nummer {i} mit {i * 7}.{i % 1000:03d} Euro und etwas mehr Text.") for i in range(n)]
    tgt = [Sentence(f"This is sentence number {i} with {i * 7},{i % 1000:03d} euros and some more text.") for i in range(n)]
    beads = [Bead((i,), (i,), (i % 100) / 100) for i in range(n)]
    doc = AlignedDocument.from_beads("de", "en", src, tgt, beads, name="bench")
    with open_store(load_settings(home=home)) as store:
        store.create_project("bench", doc)


def during_translation(home: Path, package_file: Path, n: int, at, timed) -> None:
    """Translate n sentences in a background task and time page reruns meanwhile."""
    from align.mt.packages import install_from_path
    from align.mt.translate import Translator
    from align.pipeline import translate_text
    from align.settings import load_settings
    from align.ui.tasks import Tasks
    from devtools.models import load_fixture_pairs

    settings = load_settings(home=home)
    translator = Translator.load(install_from_path(package_file, settings))
    german = [de for de, _ in load_fixture_pairs()]
    text = " ".join(german[i % len(german)] for i in range(n))
    start = time.perf_counter()
    task = Tasks().start("Translating", n, lambda progress: translate_text(text, translator, progress=progress))
    reruns = []
    while task.state == "running":
        reruns.append(timed(at.run))
    elapsed = time.perf_counter() - start
    assert task.state == "done", task.error
    print(
        f"background translation of {len(task.result.pairs)} sentences: {elapsed:.1f} s; "
        f"{len(reruns)} page reruns meanwhile, median {statistics.median(reruns) * 1000:.0f} ms, "
        f"max {max(reruns) * 1000:.0f} ms"
    )


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


OPERATIONS = ("plain rerun", "cell edit", "tick a row", "confirm", "merge", "undo", "segment: next", "segment: confirm")


class Page:
    """One page file under AppTest, over its own data folder holding the bench project (pages
    compared in one run each get theirs; ``ALIGN_HOME`` is set around each of its reruns)."""

    def __init__(self, app: Path, rows: int) -> None:
        from streamlit.testing.v1 import AppTest

        self.app = app
        self.home = Path(tempfile.mkdtemp(prefix="align-bench-"))
        make_project(self.home, rows)
        self.results: dict[str, list[float]] = {name: [] for name in OPERATIONS}
        with self.data_folder():
            self.at = AppTest.from_file(str(app), default_timeout=120).run()
        assert not self.at.exception, self.at.exception

    @contextlib.contextmanager
    def data_folder(self) -> Iterator[None]:
        old = os.environ.get("ALIGN_HOME")
        os.environ["ALIGN_HOME"] = str(self.home)
        try:
            yield
        finally:
            if old is not None:
                os.environ["ALIGN_HOME"] = old

    def edit(self, cells: dict[int, dict[str, object]]) -> None:
        key = self.at.session_state["page_state"].editor_key
        self.at.session_state[key] = {"edited_rows": cells, "added_rows": [], "deleted_rows": []}
        self.at.run()

    def click(self, button: str) -> None:
        self.at.button(key=button).click().run()

    def confirm_segment(self, k: int) -> None:
        (area,) = [a for a in self.at.text_area if a.key and a.key.startswith("segment_target")]
        area.input(f"confirmed in the segment editor {k}")
        self.click("segment_confirm")

    def round(self, k: int) -> None:
        """Time each operation once (the k-th repeat)."""
        steps: dict[str, Callable[[], object]] = {
            "plain rerun": self.at.run,
            "cell edit": lambda: self.edit({k % 100: {"target": f"edited {k}"}}),
            "tick a row": lambda: self.edit({k % 90: {"sel": True}}),
            "confirm": lambda: self.click("act_confirm"),
            "merge": lambda: self.click("act_merge"),  # after an untimed tick, below
            "undo": lambda: self.click("undo"),
            "segment: next": lambda: self.click("segment_next"),
            "segment: confirm": lambda: self.confirm_segment(k),
        }
        with self.data_folder():
            for name, step in steps.items():
                if name == "merge":
                    self.edit({k % 90: {"sel": True}})
                self.results[name].append(timed(step))
            assert not self.at.exception, self.at.exception


def report(page: Page, reference: float, rows: int, repeat: int) -> None:
    print(f"{page.app}: {rows} rows, {repeat} repeats (AppTest whole-script reruns; per rerun)")
    for name, values in page.results.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        verdict = "ok" if p90 < 0.5 else "OVER 0.5 s"
        print(
            f"{name:16s} median {median * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms  "
            f"x{median / reference:6.1f} reference  [{verdict}]"
        )


def compare(page: Page, other: Page) -> None:
    """Each operation's median on ``page`` over its median on ``other`` (timed in turns, same run)."""
    print(f"ratio of medians, {page.app.name} / {other.app} (below 1: {page.app.name} is faster)")
    ratios = []
    for name in OPERATIONS:
        ratio = statistics.median(page.results[name]) / statistics.median(other.results[name])
        ratios.append(ratio)
        print(f"{name:16s} x{ratio:5.2f}")
    print(f"{'all (median)':16s} x{statistics.median(ratios):5.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench app-rerun", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--translate-with",
        metavar="ARGOSMODEL",
        default=None,
        help="also translate --rows sentences with this package in a background task (as the page "
        "does) and time page reruns while it runs",
    )
    parser.add_argument(
        "--compare",
        metavar="APP_PY",
        type=Path,
        default=None,
        help="also time this page file (say, app.py of an earlier commit copied elsewhere), in turns "
        "with app.py in the same run, and print the ratio of their medians",
    )
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    pages = [Page(REPO / "app.py", args.rows)] + ([Page(args.compare.resolve(), args.rows)] if args.compare else [])
    for k in range(args.repeat):
        for page in pages if k % 2 == 0 else pages[::-1]:  # in turns: neither always runs first
            page.round(k)

    if args.translate_with:
        with pages[0].data_folder():
            during_translation(pages[0].home, Path(args.translate_with), args.rows, pages[0].at, timed)

    trivial = AppTest.from_string("import streamlit as st\nst.text_input('x', key='x')\nst.write('hello')").run()
    reference = statistics.median(timed(trivial.run) for _ in range(args.repeat))
    print(f"reference: trivial page rerun median {reference * 1000:.1f} ms")
    for page in pages:
        report(page, reference, args.rows, args.repeat)
    if len(pages) == 2:
        compare(*pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
