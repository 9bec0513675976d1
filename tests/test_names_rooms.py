"""One name per thing (issue 22, section 5): the document readers, the batch's worker count and
planned files, the page's background tasks, the re-estimation callable, figures cited from
devtools/RESULTS.md, the model builder as a package, the QE bench's corruptions in their own module."""

from __future__ import annotations

import importlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ALIGN = REPO / "align"


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in ([root] if root.is_file() else root.rglob("*.py")))


# ---- the readers ---------------------------------------------------------------------------------


def test_documents_are_read_by_align_text_readers(tmp_path: Path) -> None:
    readers = importlib.import_module("align.text.readers")
    path = tmp_path / "a.md"
    path.write_text("# Titel\n\nEin Satz.\n", encoding="utf-8")
    assert readers.read_text(path) == "Titel\n\nEin Satz.\n"
    with pytest.raises(ModuleNotFoundError):  # no second name: review/sources.py is a project's kept files
        importlib.import_module("align.text.sources")


# ---- "job": one word each ------------------------------------------------------------------------


def _names(path: Path) -> set[str]:
    """The identifiers a Python file uses (names, attributes, parameters), not its prose."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return {t.string for t in tokens if t.type == tokenize.NAME}


#: Where "job" has its one meaning, a CAT tool's job file (XLIFF, PO) as translators use the word:
#: the exchange room and the command and page modules that hand such files to it.
JOB_ROOMS = ("align/exchange/", "align/cli/exchange.py", "align/cli/files.py", "align/cli/translating.py", "align/ui/exchange.py")


def test_no_identifier_in_the_product_says_job() -> None:
    """A batch input is a planned file, the page's background work a task, the parallel count
    workers: "job" named all three. It is kept for what translators call a job: the XLIFF or PO
    file a CAT tool hands out (``JOB_ROOMS``)."""
    found = {
        str(path.relative_to(REPO)): sorted(n for n in _names(path) if "job" in n.lower())
        for path in _python_files(ALIGN, REPO / "app.py")
        if not str(path.relative_to(REPO)).startswith(JOB_ROOMS)
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_page_task_runs_in_the_background_and_reports_progress() -> None:
    from align.ui.tasks import Tasks

    def work(progress) -> int:
        for done in range(1, 4):
            progress(done, 3)
        return 7

    tasks = Tasks()
    task = tasks.start("Translating", 3, work)
    deadline = time.monotonic() + 30
    while task.state == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (task.state, task.result, task.fraction) == ("done", 7, 1.0)
    assert tasks.get(task.key) is task
    tasks.forget(task.key)
    assert tasks.get(task.key) is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("align.ui.jobs")


def _batch(in_dir: Path, out: Path, settings, *option: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "align", "batch", str(in_dir), str(out), "--formats", "csv", "--quiet"]
    command += ["--threads", "1", "--beam-size", "1", "--no-estimate", *option]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ALIGN_HOME": str(settings.home)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_batch_workers_and_the_hidden_jobs_alias_give_the_same_files(tmp_path: Path, installed_settings) -> None:
    from devtools.models import load_fixture_pairs

    in_dir = tmp_path / "in"
    in_dir.mkdir()
    pairs = load_fixture_pairs()
    for n in range(3):
        (in_dir / f"f{n}.txt").write_text(" ".join(de for de, _ in pairs[3 * n : 3 * n + 3]) + "\n", encoding="utf-8")
    outputs = {}
    for option in ("--workers", "--jobs"):
        out = tmp_path / option.strip("-")
        proc = _batch(in_dir, out, installed_settings, option, "2")
        assert proc.returncode == 0, proc.stderr
        assert "translated 3 file(s)" in proc.stdout
        outputs[option] = {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}
    assert len(outputs["--workers"]) == 3 and outputs["--workers"] == outputs["--jobs"]
    help_text = subprocess.run(
        [sys.executable, "-m", "align", "batch", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout
    assert "--workers" in help_text and "--jobs" not in help_text  # the alias keeps old scripts working, unlisted


def test_batch_refuses_zero_workers_under_either_name(tmp_path: Path, installed_settings) -> None:
    (tmp_path / "in").mkdir()
    for option in ("--workers", "--jobs"):
        proc = _batch(tmp_path / "in", tmp_path / "out", installed_settings, option, "0")
        assert proc.returncode == 2 and f"argument {option}: '0' is less than 1" in proc.stderr, proc.stderr


# ---- Estimate and Estimator ----------------------------------------------------------------------


def test_the_page_re_estimates_with_an_estimator_not_a_second_estimate() -> None:
    from align.quality import Estimate
    from align.ui import actions

    assert not hasattr(actions, "Estimate")  # Estimate is the quality module's row result only
    assert actions.Context.__dataclass_fields__["estimate"].type == "Estimator | None"
    assert actions.estimator(None, None).__name__ == "estimate" and Estimate.__module__ == "align.quality.estimate"


# ---- figures live in devtools/RESULTS.md ---------------------------------------------------------

CITATION = re.compile(r'devtools/RESULTS\.md(?:,\s*#?\s*"(?P<title>[^"]+)")?')


def _section_titles() -> set[str]:
    text = (REPO / "devtools" / "RESULTS.md").read_text(encoding="utf-8")
    return {m.group(1).strip() for m in re.finditer(r"^## (.*?) \{#[\w-]+\}$", text, re.M)}


def test_every_citation_of_results_names_a_section_that_exists() -> None:
    titles = _section_titles()
    bad = []
    for path in _python_files(ALIGN, REPO / "app.py"):
        text = re.sub(r"\s*\n\s*(?:#\s*)?", " ", path.read_text(encoding="utf-8"))  # a citation may wrap
        for match in CITATION.finditer(text):
            if match.group("title") not in titles:
                bad.append(f"{path.relative_to(REPO)}: {match.group(0)!r}")
    assert bad == [], f"cite a section by its title, one of {sorted(titles)}"


#: Measured figures in prose: F1 and cosine values, milliseconds, seconds per megabyte.
FIGURE = re.compile(r"F1 (?:from )?0\.\d{3}|cosine (?:down to |within )?0\.9\d+|\d+ ms\b|\d+ s per MB|\d+(?:\.\d+)?x faster")


def test_no_measured_figure_is_quoted_in_the_code() -> None:
    quoted = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in _python_files(ALIGN, REPO / "app.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FIGURE.search(line)
    ]
    assert quoted == [], "measured figures belong in devtools/RESULTS.md; cite its section"


def test_results_keep_the_figures_cited_by_hand_when_rewritten(tmp_path: Path) -> None:
    """``python -m devtools results`` rewrites the measured sections and keeps the hand-kept one
    (figures of a past design or an incident, which no script can measure again)."""
    if not (REPO.parent / "shared" / "bench" / "sbd-dev").is_dir():
        pytest.skip("../shared/bench/sbd-dev is not there")
    from devtools.results import KEPT_BY_HAND, write_results

    path = tmp_path / "RESULTS.md"
    hand = "## Figures cited by the code {#cited}\n\nKept by hand.\n\n- a figure: 1.5 s on a past design.\n"
    path.write_text("# Measured results\n\n## Sentence splitting {#segmentation}\n\nold\n\n" + hand, encoding="utf-8")
    write_results(["segmentation"], path)
    text = path.read_text(encoding="utf-8")
    assert "cited" in KEPT_BY_HAND and text.endswith(hand) and "\nold\n" not in text


# ---- devtools.models is a package ----------------------------------------------------------------


def test_model_builder_is_a_package_and_its_key_covers_every_module(tmp_path: Path) -> None:
    import devtools.models as models

    package = Path(models.__file__).parent
    assert package.name == "models" and (package / "__init__.py").is_file()
    assert not (REPO / "devtools" / "models.py").exists()
    copy = tmp_path / "models"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    key = models.builder_key(copy)
    assert key == models.builder_key()
    for module in sorted(copy.glob("*.py")):
        original = module.read_bytes()
        module.write_bytes(original + b"\n# changed\n")
        assert models.builder_key(copy) != key, module.name
        module.write_bytes(original.replace(b"\n", b"\r\n"))  # a Windows checkout: the same source
        assert models.builder_key(copy) == key, module.name
        module.write_bytes(original)


def test_kernel_report_runs_as_a_module_of_the_package(fixture_package_file: Path, tmp_path: Path) -> None:
    from align.mt.packages import unpack_package
    from devtools.models import check_kernel_paths, kernel_paths

    report = check_kernel_paths(unpack_package(fixture_package_file, tmp_path), kernel_paths()[:1], workers=1)
    assert report.passed, report.format()


# ---- the QE bench's corruptions ------------------------------------------------------------------


def test_corruptions_have_their_own_module() -> None:
    from devtools.bench import corruptions, qe

    assert corruptions.corrupt.__module__ == "devtools.bench.corruptions"
    assert qe.corrupt is corruptions.corrupt  # the bench uses them; it does not define them
    assert not [
        name for name, value in vars(qe).items() if getattr(value, "__module__", "") == qe.__name__ and name in vars(corruptions)
    ]
