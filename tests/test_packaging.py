"""The project installs as a package: a wheel with the library's data files, py.typed and an
``align`` command that works like ``python -m align``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the working tree (the build writes into its source folder)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".devmodels", "build", "*.egg-info", "__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = (root / "dist").glob("align_workbench-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_the_library_and_its_data(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "align/__init__.py",
        "align/cli/__init__.py",
        "align/py.typed",
        "align/resources/tmx14.dtd",
        "align/resources/background.txt",
    ]:
        assert required in names
    assert not [name for name in names if name.startswith(("tests/", "data/", "devtools/"))], "only the library ships"
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode("utf-8")
    assert "[console_scripts]" in text and "align = align.cli:main" in text


@pytest.mark.slow
def test_installed_align_command_runs(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # the installed copy, not the clone: run from elsewhere with only the target on the path
    env = {**os.environ, "PYTHONPATH": str(target)}
    command = [str(target / "bin" / "align"), "--help"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "translate" in done.stdout and "usage:" in done.stdout
    where = subprocess.run(
        [sys.executable, "-c", "import align; print(align.__file__)"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert Path(where.stdout.strip()).is_relative_to(target)
