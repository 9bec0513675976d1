"""One home for the default language pair: ``align.mt.langcodes.DEFAULT_SOURCE`` / ``DEFAULT_TARGET``.

Every place that assumes a pair when nobody names one (a function's default, a command-line
option, the page's form, a file without languages) uses the constants; tables that describe
German or English themselves (sentence rules, function words) are not defaults and keep their codes.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET

ROOT = Path(__file__).resolve().parents[1]
CODES = {"de", "en"}
_HELP_DEFAULT = re.compile(r"default:? (de|en)\b|\b(de|en) \(default\)")


def _is_code(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in CODES


def _defaults_written_out(tree: ast.AST) -> list[int]:
    """Lines where "de" or "en" is written as a default: of an argument or a dataclass field, an
    option's ``default=``/``value=``, the fallback of ``x or "de"`` / ``... else "de"``, or a help
    text that prints the default instead of asking argparse for it."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            found = [d for d in [*node.defaults, *node.kw_defaults] if _is_code(d)]
        elif isinstance(node, ast.ClassDef):
            found = [s.value for s in node.body if isinstance(s, ast.AnnAssign) and _is_code(s.value)]
        elif isinstance(node, ast.keyword):
            found = [node.value] if node.arg in ("default", "value") and _is_code(node.value) else []
        elif isinstance(node, ast.BoolOp):
            found = [node.values[-1]] if isinstance(node.op, ast.Or) and _is_code(node.values[-1]) else []
        elif isinstance(node, ast.IfExp):
            found = [node.orelse] if _is_code(node.orelse) else []
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found = [node] if _HELP_DEFAULT.search(node.value) else []
        else:
            found = []
        lines += [getattr(f, "lineno", 0) for f in found]
    return lines


def test_no_default_language_is_written_out_beside_the_constants():
    files = [*sorted((ROOT / "align").rglob("*.py")), ROOT / "app.py"]
    written = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        if path.name != "langcodes.py"
        for line in _defaults_written_out(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert not written, sorted(written)


def test_the_command_line_prints_the_default_pair_from_the_constants():
    for command, shown in (["translate", f"default {DEFAULT_SOURCE}"], ["segment", f"default {DEFAULT_SOURCE}"]):
        run = subprocess.run(
            [sys.executable, "-m", "align", command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0 and shown in " ".join(run.stdout.split()), run.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "align", "translate", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    ).stdout
    assert f"default {DEFAULT_TARGET}" in " ".join(help_text.split())


def test_a_file_without_languages_gets_the_default_pair(tmp_path: Path):
    from align.formats import read_aligned

    path = tmp_path / "rows.tsv"
    path.write_text("Hallo.\tHello.\n", encoding="utf-8")
    doc = read_aligned(path)
    assert (doc.src_lang, doc.tgt_lang) == (DEFAULT_SOURCE, DEFAULT_TARGET)
