"""``python -m align words``: Pharaoh lines per sentence pair, through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from align.cli import main

SRC = "Der Kreml lehnt es ab, sich zu äußern.\nRussland hat Berichte nicht dementiert.\n\nDie Ukraine ist bereit.\n"
TGT = "The Kremlin declines to comment.\nRussia has not denied reports.\n\nUkraine is ready.\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("words-home")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    src, tgt = tmp_path / "de.txt", tmp_path / "en.txt"
    src.write_text(SRC, encoding="utf-8")
    tgt.write_text(TGT, encoding="utf-8")
    return src, tgt


def _links(line: str) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in (item.split("-") for item in line.split())}


def test_split_lines_one_pharaoh_line_per_line(home, files, tmp_path, capsys):
    out = tmp_path / "links.txt"
    code = main(["--home", str(home), "words", *map(str, files), "--split-lines", "-o", str(out), "--quiet"])
    assert code == 0
    lines = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert len(lines) == 4 and lines[2] == ""
    assert {(0, 0), (1, 1), (2, 2), (4, 2)} <= _links(lines[0])  # Der-The Kreml-Kremlin lehnt/ab-declines
    assert {(0, 0), (1, 1), (2, 4), (3, 2), (4, 3)} <= _links(lines[1])
    assert "wrote" in capsys.readouterr().err


def test_stdout_and_methods(home, files, capsys):
    assert main(["--home", str(home), "words", *map(str, files), "--split-lines", "--method", "match", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert all(item.count("-") == 1 for item in lines[0].split())


def test_pretokenized_implies_split_lines(home, tmp_path, capsys):
    src, tgt = tmp_path / "s.tok", tmp_path / "t.tok"
    src.write_text("Der Kreml lehnt es ab .\n", encoding="utf-8")
    tgt.write_text("The Kremlin declines .\n", encoding="utf-8")
    assert main(["--home", str(home), "words", str(src), str(tgt), "--pretokenized", "--quiet"]) == 0
    assert {(0, 0), (1, 1), (2, 2), (5, 3)} <= _links(capsys.readouterr().out.strip())


def test_different_line_counts_is_one_line_error(home, files, tmp_path, capsys):
    short = tmp_path / "short.txt"
    short.write_text("The Kremlin declines.\n", encoding="utf-8")
    assert main(["--home", str(home), "words", str(files[0]), str(short), "--split-lines"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "4 lines" in err and "1" in err


def test_without_split_lines_one_line_per_bead(home, tmp_path, capsys):
    src, tgt = tmp_path / "de.txt", tmp_path / "en.txt"
    src.write_text("Der Kreml lehnt es ab, sich zu äußern. Russland hat Berichte nicht dementiert.\n", encoding="utf-8")
    tgt.write_text("The Kremlin declines to comment. Russia has not denied reports.\n", encoding="utf-8")
    assert main(["--home", str(home), "words", str(src), str(tgt), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert {(0, 0), (1, 1)} <= _links(lines[0]) and {(0, 0), (3, 2)} <= _links(lines[1])


def test_help_names_the_format():
    done = subprocess.run([sys.executable, "-m", "align", "words", "--help"], capture_output=True, text=True, check=True)
    for needle in ("i-j", "--split-lines", "--pretokenized", "--method", "bead", "0-based"):
        assert needle in done.stdout
