"""``eval-align`` on a system without the POSIX-only ``resource`` module (Windows): it used to
fail at import, so the command did not run at all (issue 21, item 3). Run here with ``resource``
made unimportable, the way Windows' standard library lacks it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WITHOUT_RESOURCE = textwrap.dedent(
    """
    import sys
    sys.modules["resource"] = None  # what `import resource` meets on Windows: ImportError
    from align.evaluate.alignment import EvalReport, format_report, peak_memory_mb
    from align.evaluate.alignment import Counts, scores_from_counts
    report = EvalReport(scores=scores_from_counts(Counts(1, 0, 1, 0), Counts(1, 0, 1, 0)), max_rss_mb=peak_memory_mb())
    print(format_report(report))
    """
)


def test_eval_report_without_the_resource_module():
    done = subprocess.run([sys.executable, "-c", WITHOUT_RESOURCE], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "peak memory: not measured on this system" in done.stdout


def test_eval_report_with_the_resource_module_measures_memory():
    from align.evaluate.alignment import Counts, EvalReport, format_report, peak_memory_mb, scores_from_counts

    peak = peak_memory_mb()
    assert peak is not None and 10 < peak < 100_000
    report = EvalReport(scores=scores_from_counts(Counts(1, 0, 1, 0), Counts(1, 0, 1, 0)), max_rss_mb=peak)
    assert f"peak memory: {peak:.0f} MB max RSS of the process" in format_report(report)


def test_bench_langs_file_is_read_as_utf8(tmp_path):
    """The ``langs`` file was read in the system's encoding (cp1252 on Windows)."""
    from align.evaluate.alignment import bench_languages

    (tmp_path / "langs").write_bytes("\ufeffde en\n".encode())  # Notepad's UTF-8 has a BOM
    assert bench_languages(tmp_path) == ("de", "en")
    (tmp_path / "langs").write_bytes(b"fr\r\n")
    assert bench_languages(tmp_path) == ("fr", "en")
    assert bench_languages(tmp_path / "none") == ("de", "en")
