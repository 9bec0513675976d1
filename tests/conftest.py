"""Shared fixtures: real Argos-format packages built by the project, temporary data folders.

The development packages are built once per machine by ``align.devmodels`` (the same code as
``python -m align models build-dev``) into ``.devmodels/<key>/`` at the repository root, where
``<key>`` hashes the builder's source and training data: change the builder and the next test run
rebuilds them. A file lock keeps parallel test runs from building twice.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _builder_key() -> str:
    digest = hashlib.sha256()
    sources = [REPO / "align" / "devmodels.py"]
    sources += sorted((REPO / "align" / "devdata").glob("*")) if (REPO / "align" / "devdata").is_dir() else []
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _build_once(which: str) -> Path:
    """Build (or reuse) the dev package ``which`` ('fixture' or 'bench'); return its .argosmodel."""
    from filelock import FileLock

    from align.devmodels import build_dev_packages

    root = Path(os.environ.get("ALIGN_DEVMODELS_DIR", REPO / ".devmodels")) / _builder_key()
    target = root / which
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / f"{which}.lock")):
        found = sorted(target.glob("*.argosmodel")) if target.is_dir() else []
        if not found:
            tmp = Path(tempfile.mkdtemp(prefix=f"{which}-", dir=root))
            try:
                build_dev_packages(tmp, which=which, seed=1)
                if target.exists():
                    shutil.rmtree(target)
                tmp.rename(target)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            found = sorted(target.glob("*.argosmodel"))
        assert found, f"build-dev produced no .argosmodel in {target}"
        return found[0]


@pytest.fixture(scope="session")
def fixture_package_file() -> Path:
    """The tiny trained de->en package (.argosmodel) that reproduces its training pairs."""
    return _build_once("fixture")


@pytest.fixture(scope="session")
def bench_package_file() -> Path:
    """The random-weight package shaped like Argos de->en 1.0 (for speed, not quality)."""
    return _build_once("bench")


@pytest.fixture
def settings(tmp_path: Path):
    """An empty data folder: no packages, no projects."""
    from align.settings import load_settings

    return load_settings(home=tmp_path / "home")


@pytest.fixture(scope="session")
def installed_settings(tmp_path_factory: pytest.TempPathFactory, fixture_package_file: Path):
    """A data folder with the fixture de->en package installed through the normal install path."""
    from align.packages import install_from_path
    from align.settings import load_settings

    settings = load_settings(home=tmp_path_factory.mktemp("installed-home"))
    install_from_path(fixture_package_file, settings)
    return settings


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the clone (samples and benchmarks); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED
