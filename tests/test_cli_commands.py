"""The command table: every command and action has help, exits 0 on ``--help`` and has a row in the
README's command table; each command's arguments sit beside the command (one module holds its
``add_*`` and ``cmd_*``), no function of the command line is over 80 lines; ``estimate``'s on/off
switch for the model signal is ``--model-signal`` (``--model`` names a package elsewhere), and the
old spelling still works, hidden, with a warning."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 80


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, tuple[str | None, argparse.ArgumentParser]]:
    """Every command and action ("models install") with its help text and parser."""
    found: dict[str, tuple[str | None, argparse.ArgumentParser]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                found[f"{prefix}{name}"] = (helps.get(name), sub)
                found.update(_commands(sub, prefix=f"{prefix}{name} "))
    return found


def _readme_table_rows() -> list[str]:
    """The first cells of the command table under the README's "## Command line"."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Command line", 1)[1].split("\n## ", 1)[0]
    return [line.split(" | ", 1)[0] for line in section.splitlines() if line.startswith("| `python -m align ")]


def _in_table(command: str, rows: list[str]) -> bool:
    """A row names the command ("python -m align models") and, for an action, the action's word
    ("install", also as "`python -m align embedder status` / `install ...`")."""
    *group, last = command.split()
    head = "python -m align " + " ".join(group or [last])
    return any(head in row and (not group or re.search(rf"[`\s]{re.escape(last)}\b", row)) for row in rows)


def _missing_help(parser: argparse.ArgumentParser) -> list[str]:
    return [name for name, (text, _) in _commands(parser).items() if not (text or "").strip()]


def _parser() -> argparse.ArgumentParser:
    from align.cli import build_parser

    return build_parser()


COMMANDS = sorted(_commands(_parser()))


def test_a_command_without_help_is_found() -> None:
    """The check below can fail: a parser with a help-less command is caught."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    sub.add_parser("documented", help="does things")
    sub.add_parser("silent")
    assert _missing_help(parser) == ["silent"]
    assert not _in_table("silent", _readme_table_rows())


def test_every_command_has_help() -> None:
    assert _missing_help(_parser()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_exits_0_and_is_in_the_readme_table(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    from align.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main([*command.split(), "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m align {command}")
    assert _in_table(command, _readme_table_rows()), f"README's command table has no row for `python -m align {command}`"


def test_each_command_is_added_beside_its_run() -> None:
    """The command table: each entry's argument adder and run function live in one module."""
    from align.cli import COMMANDS as TABLE
    from align.cli.common import Group, no_arguments

    entries = [c for e in TABLE for c in (e.commands if isinstance(e, Group) else (e,))]
    assert len(entries) == len([c for c in COMMANDS if c not in {"models", "embedder", "tm"}])
    for entry in entries:
        if entry.add_arguments is not no_arguments:
            assert entry.add_arguments.__module__ == entry.run.__module__, entry.name


def test_no_function_of_the_command_line_is_over_80_lines() -> None:
    folder = REPO / "align" / "cli"
    sources = sorted(folder.glob("*.py")) if folder.is_dir() else [REPO / "align" / "cli.py"]
    long = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{source.name}:{node.name} ({lines} lines)")
    assert long == []


# ---- estimate: --model-signal ------------------------------------------------------------------------
def _estimate(*options: str) -> argparse.Namespace:
    return _parser().parse_args(["estimate", "src.txt", "mt.txt", *options])


def test_estimate_switches_the_model_signal_with_model_signal() -> None:
    assert _estimate().model_signal is True
    assert _estimate("--no-model-signal").model_signal is False
    assert _estimate("--no-model-signal", "--model-signal").model_signal is True


@pytest.mark.parametrize(
    ("old", "new", "value"), [("--no-model", "--no-model-signal", False), ("--model", "--model-signal", True)]
)
def test_the_old_spelling_still_works_and_warns(old: str, new: str, value: bool, capsys: pytest.CaptureFixture[str]) -> None:
    default = "--model-signal" if old == "--no-model" else "--no-model-signal"
    assert _estimate(default, old).model_signal is value
    assert f"warning: {old} is deprecated; use {new}" in capsys.readouterr().err


def test_the_old_spelling_is_not_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    from align.cli import main

    with pytest.raises(SystemExit):
        main(["estimate", "--help"])
    out = capsys.readouterr().out
    assert "--model-signal" in out and "--no-model-signal" in out
    assert not re.search(r"--(no-)?model(?![-\w])", out), out


def test_estimate_without_the_model_signal_says_so(
    tmp_path: Path, installed_settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a de->en package installed, --no-model-signal still leaves the model's view out."""
    from align.cli import main

    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text("Das Haus ist rot.\nIch habe drei Katzen.\nEr kommt morgen.\n", encoding="utf-8")
    mt.write_text("The house is red.\nI have three cats.\nHe comes tomorrow.\n", encoding="utf-8")
    argv = ["--home", str(installed_settings.home), "estimate", str(src), str(mt), "--split-lines", "--quiet"]
    assert main([*argv, "--no-model-signal", "-o", str(tmp_path / "off.tsv")]) == 0
    assert "model signal left out: switched off" in capsys.readouterr().err
    assert main([*argv, "-o", str(tmp_path / "on.tsv")]) == 0
    assert "model signal left out" not in capsys.readouterr().err
