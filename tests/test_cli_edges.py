"""The command line on bad input: one line on stderr and exit code 1 (2 for usage errors), never a
traceback, never a source file overwritten, never a raw control character on the terminal.

Each case runs the real ``python -m align`` in a subprocess with the fixture package installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HTML = "<html><body><p>Das ist ein Test.</p></body></html>"


def _align(*argv: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ALIGN_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "align", "--home", str(home), *argv],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        env=env,
        cwd=cwd,
        timeout=300,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], *words: str, code: int = 1) -> str:
    """The single stderr line of a failed command (progress bars aside); it names ``words``."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith(("error:", "usage:", "python -m align"))]
    message = lines[-1]
    assert len([line for line in proc.stderr.splitlines() if line.startswith("error:")]) <= 1, proc.stderr
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "same.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Das ist ein Test.\n", encoding="utf-8")
    (tmp_path / "pairs.tsv").write_text("Das ist ein Test.\tThis is a test.\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    return tmp_path


OUTPUTS = {"same path": "same.html", "other spelling": "./folder/../same.html", "symlink": "link.html", "hard link": "hard.html"}


@pytest.mark.parametrize("link", sorted(OUTPUTS))
def test_translate_refuses_to_write_over_its_input(work: Path, installed_settings, link: str) -> None:
    output = OUTPUTS[link]
    if link == "symlink":
        (work / "link.html").symlink_to(work / "same.html")
    if link == "hard link":
        os.link(work / "same.html", work / "hard.html")
    proc = _align("translate", "same.html", "-o", output, "--quiet", home=installed_settings.home, cwd=work)
    _one_line_error(proc, "same.html", "input")
    assert (work / "same.html").read_text(encoding="utf-8") == HTML


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "pairs.tsv", "pairs.tsv"],
        ["align", "a.txt", "pairs.tsv", "-o", "a.txt"],
        ["estimate", "a.txt", "pairs.tsv", "-o", "pairs.tsv"],
        ["export-doc", "pairs.tsv", "same.html", "-o", "same.html"],
    ],
)
def test_other_commands_refuse_to_write_over_an_input(work: Path, settings, argv: list[str]) -> None:
    before = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    proc = _align(*argv, home=settings.home, cwd=work)
    _one_line_error(proc, "input")
    assert {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "a.txt", "-o", "folder", "--quiet"],
        ["convert", "pairs.tsv", "folder", "--format", "csv"],
        ["align", "a.txt", "pairs.tsv", "-o", "folder", "--split-lines"],
        ["estimate", "a.txt", "pairs.tsv", "-o", "folder", "--split-lines", "--quiet", "--no-model-signal"],
        ["tm", "export", "folder"],
    ],
)
def test_an_output_that_is_a_folder_is_one_line(work: Path, installed_settings, argv: list[str]) -> None:
    proc = _align(*argv, home=installed_settings.home, cwd=work)
    _one_line_error(proc, "folder")
    assert list((work / "folder").iterdir()) == []


def test_batch_output_that_is_a_file_is_one_line(work: Path, settings) -> None:
    proc = _align("batch", ".", "a.txt", "--quiet", home=settings.home, cwd=work)
    _one_line_error(proc, "a.txt", "folder")


def test_an_unwritable_output_is_one_line(work: Path, settings) -> None:
    (work / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    proc = _align("convert", "pairs.tsv", "blocker/x.csv", home=settings.home, cwd=work)
    _one_line_error(proc, "blocker")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--beam-size", "0"),
        ("--threads", "-1"),
        ("--max-batch-tokens", "0"),
        ("--repetition-penalty", "0"),
        ("--no-repeat-ngram-size", "-2"),
        ("--jobs", "0"),
        ("--cluster-workers", "-1"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(work: Path, installed_settings, option: str, value: str) -> None:
    command = ["batch", ".", "out"] if option in ("--jobs", "--cluster-workers") else ["translate", "a.txt", "-o", "o.csv"]
    proc = _align(*command, option, value, "--quiet", home=installed_settings.home, cwd=work)
    _one_line_error(proc, option, value, code=2)
    assert not (work / "o.csv").exists() and not (work / "out").exists()


def test_control_characters_in_a_name_are_escaped_in_errors(work: Path, settings) -> None:
    proc = _align("segment", "evil\x1b[2J\x1b[31m.txt", home=settings.home, cwd=work)
    message = _one_line_error(proc, "evil\\x1b[2J\\x1b[31m.txt")
    assert "\x1b" not in proc.stderr and "\x1b" not in message


def test_batch_summary_escapes_control_characters(work: Path, installed_settings) -> None:
    (work / "in").mkdir()
    (work / "in" / "evil\x1b[2J.txt").write_bytes(b"")  # empty: fails, so the summary lists it
    proc = _align("batch", "in", "out", "--quiet", "--formats", "csv", home=installed_settings.home, cwd=work)
    assert proc.returncode == 1, proc.stderr
    assert "evil\\x1b[2J.txt" in proc.stdout
    assert "\x1b" not in proc.stdout + proc.stderr
