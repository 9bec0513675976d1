"""The development command line: every command has help and is shown in the README, and every
benchmark it names exists and takes its own arguments."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from devtools.cli import BENCHMARKS, build_parser, main

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ["build-models", "check-fixture", "bench", "results", "walkthrough", "build-checkpoint", "check-platforms", "fuzz"]


def test_the_parser_knows_the_documented_commands():
    choices = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert choices is not None and sorted(choices) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.startswith("usage: python -m devtools")
    assert f"python -m devtools {command}" in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_every_benchmark_has_its_own_help(name: str, capsys: pytest.CaptureFixture[str]):
    assert callable(importlib.import_module(BENCHMARKS[name]).main)
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", name, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: python -m devtools bench {name}" in capsys.readouterr().out
