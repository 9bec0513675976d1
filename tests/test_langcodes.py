"""``align.mt.langcodes.base_lang``: the one rule for the language part of a code, and its users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from align.docout.policy import joiner_for
from align.mt.langcodes import base_lang
from align.quality import textsignals
from align.review.checks import number_values
from align.text.segment import rules_for


@pytest.mark.parametrize(
    ("code", "base"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("de-DE", "de"),
        ("de_AT", "de"),
        ("pt_BR", "pt"),
        ("zh-Hant-TW", "zh"),
        (" en-GB ", "en"),
        ("", ""),
        (None, ""),
    ],
)
def test_base_lang(code, base):
    assert base_lang(code) == base


def test_regional_codes_with_an_underscore_reach_the_language_rules():
    """Every copy now goes through base_lang: ``en_GB`` reads like ``en`` and ``en-GB``."""
    for code in ("en", "en-GB", "en_GB", "EN_us"):
        assert textsignals.negation("Das ist nicht gut.", "That is good.", "de", code) is not None, code
        assert textsignals.negation("Das ist nicht gut.", "That is good.", "de_DE", code) is not None, code
        assert textsignals.truncation("Er ging.", "He went to the", code).evidence == 4.0, code  # dangling "the"
        assert number_values("1,500", code) == number_values("1,500", "en") != number_values("1,500", "de"), code
    assert rules_for("de_CH") == rules_for("de")
    assert joiner_for("ja_JP") == joiner_for("ja") == ""


def test_base_lang_is_defined_once():
    """The rule has one home: no other module of the package defines or inlines its own copy."""
    package = Path(__file__).resolve().parents[1] / "align"
    copies = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "def base_lang" in line or _INLINED.search(line)
    ]
    assert copies == ["mt/langcodes.py:" + str(_definition_line())], copies


# an inlined copy: a language code cut at "-" or "_" by hand
_INLINED = re.compile(r"lang\w*\b.*\.(?:split|partition)\(\s*[\"'][-_][\"']")


def _definition_line() -> int:
    import inspect

    from align.mt import langcodes

    return inspect.getsourcelines(langcodes.base_lang)[1]
