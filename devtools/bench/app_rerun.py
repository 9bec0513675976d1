"""How long the review page takes to rerun after an edit on a 2,000-row project.

    python -m devtools bench app-rerun [--rows 2000] [--repeat 15]

Builds a project of ``--rows`` pairs in a temporary data folder, opens app.py with Streamlit's
AppTest and times whole reruns: after a cell edit, after a toolbar action (confirm, merge), after
undo, and a plain rerun. The target is under 0.5 s per rerun on this machine. As a reference
measured in the same run, it also times a trivial one-widget page, so the ratio shows what the
page itself costs above Streamlit's own overhead (CPU on a shared machine is noisy).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
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
    """Translate n sentences in a background job and time page reruns meanwhile."""
    from align.mt.packages import install_from_path
    from align.mt.translate import Translator
    from align.pipeline import translate_text
    from align.settings import load_settings
    from align.ui.jobs import Jobs
    from devtools.models import load_fixture_pairs

    settings = load_settings(home=home)
    translator = Translator.load(install_from_path(package_file, settings))
    german = [de for de, _ in load_fixture_pairs()]
    text = " ".join(german[i % len(german)] for i in range(n))
    start = time.perf_counter()
    job = Jobs().start("Translating", n, lambda progress: translate_text(text, translator, progress=progress))
    reruns = []
    while job.state == "running":
        reruns.append(timed(at.run))
    elapsed = time.perf_counter() - start
    assert job.state == "done", job.error
    print(
        f"background translation of {len(job.result.pairs)} sentences: {elapsed:.1f} s; "
        f"{len(reruns)} page reruns meanwhile, median {statistics.median(reruns) * 1000:.0f} ms, "
        f"max {max(reruns) * 1000:.0f} ms"
    )


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench app-rerun", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--translate-with",
        metavar="ARGOSMODEL",
        default=None,
        help="also translate --rows sentences with this package in a background job (as the page "
        "does) and time page reruns while it runs",
    )
    args = parser.parse_args(argv)

    from streamlit.testing.v1 import AppTest

    home = Path(tempfile.mkdtemp(prefix="align-bench-"))
    os.environ["ALIGN_HOME"] = str(home)
    make_project(home, args.rows)

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception

    def edit(k: int) -> None:
        key = at.session_state["page_state"].editor_key
        at.session_state[key] = {"edited_rows": {k % 100: {"target": f"edited {k}"}}, "added_rows": [], "deleted_rows": []}
        at.run()

    def tick(k: int) -> None:
        key = at.session_state["page_state"].editor_key
        at.session_state[key] = {"edited_rows": {k % 90: {"sel": True}}, "added_rows": [], "deleted_rows": []}
        at.run()

    def click(button: str) -> None:
        at.button(key=button).click().run()

    results: dict[str, list[float]] = {
        "plain rerun": [],
        "cell edit": [],
        "tick a row": [],
        "confirm": [],
        "merge": [],
        "undo": [],
        "segment: next": [],
        "segment: confirm": [],
    }

    def confirm_segment(k: int) -> None:
        (area,) = [a for a in at.text_area if a.key and a.key.startswith("segment_target")]
        area.input(f"confirmed in the segment editor {k}")
        click("segment_confirm")

    for k in range(args.repeat):
        results["plain rerun"].append(timed(at.run))
        results["cell edit"].append(timed(lambda k=k: edit(k)))
        results["tick a row"].append(timed(lambda k=k: tick(k)))
        results["confirm"].append(timed(lambda: click("act_confirm")))
        tick(k)
        results["merge"].append(timed(lambda: click("act_merge")))
        results["undo"].append(timed(lambda: click("undo")))
        results["segment: next"].append(timed(lambda: click("segment_next")))
        results["segment: confirm"].append(timed(lambda k=k: confirm_segment(k)))
        assert not at.exception, at.exception

    if args.translate_with:
        during_translation(home, Path(args.translate_with), args.rows, at, timed)

    trivial = AppTest.from_string("import streamlit as st\nst.text_input('x', key='x')\nst.write('hello')").run()
    reference = statistics.median(timed(trivial.run) for _ in range(args.repeat))

    print(f"review page, {args.rows} rows, {args.repeat} repeats (AppTest whole-script reruns; per rerun)")
    print(f"reference: trivial page rerun median {reference * 1000:.1f} ms")
    for name, values in results.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        verdict = "ok" if p90 < 0.5 else "OVER 0.5 s"
        print(
            f"{name:16s} median {median * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms  "
            f"x{median / reference:6.1f} reference  [{verdict}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
