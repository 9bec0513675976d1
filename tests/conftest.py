"""Shared fixtures: real Argos-format packages, temporary data folders, one embedder.

The fixture package (a tiny trained de->en model) is shipped, built, in ``data/models/``: tests
use it and train nothing. ``test_devtools_models`` fails when its builder or training data change
without the artifact being rebuilt. The bench package (random weights, seconds to build) is
built once per machine into ``.devmodels/<key>/`` at the repository root, where ``<key>`` hashes
the builder's source (and any forced CPU-kernel settings: the build's bytes depend on them); a
file lock keeps parallel test runs from building it twice.
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
FIXTURE_FILE = REPO / "data" / "models" / "translate-de_en-fixture.argosmodel"


# Variables that force other CPU kernels; the bench package's bytes depend on the kernels that
# built it, so a package built under other settings is not reused (its rebuild would differ).
KERNEL_ENV = ("CT2_FORCE_CPU_ISA", "CT2_USE_MKL", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS")


def _kernel_tag() -> str:
    forced = ";".join(f"{name}={os.environ[name]}" for name in KERNEL_ENV if os.environ.get(name))
    return "-" + hashlib.sha256(forced.encode("utf-8")).hexdigest()[:8] if forced else ""


def _build_bench_once() -> Path:
    """Build (or reuse) the bench package built under these kernel settings; return its .argosmodel."""
    from filelock import FileLock

    from devtools.models import build_bench_package, builder_key

    root = Path(os.environ.get("ALIGN_DEVMODELS_DIR", REPO / ".devmodels")) / (builder_key() + _kernel_tag())
    target = root / "bench"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "bench.lock")):
        found = sorted(target.glob("*.argosmodel")) if target.is_dir() else []
        if not found:
            tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=root))
            try:
                build_bench_package(tmp, seed=1)
                if target.exists():
                    shutil.rmtree(target)
                tmp.rename(target)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            found = sorted(target.glob("*.argosmodel"))
        assert found, f"build-models produced no .argosmodel in {target}"
        return found[0]


@pytest.fixture(scope="session")
def fixture_package_file() -> Path:
    """The tiny trained de->en package (.argosmodel) that reproduces its training pairs."""
    if not FIXTURE_FILE.is_file():
        pytest.fail(f"{FIXTURE_FILE} is missing: rebuild it with python -m devtools build-models data/models --which fixture")
    return FIXTURE_FILE


@pytest.fixture(scope="session")
def bench_package_file() -> Path:
    """The random-weight package shaped like Argos de->en 1.0 (for speed, not quality)."""
    return _build_bench_once()


@pytest.fixture
def settings(tmp_path: Path):
    """An empty data folder: no packages, no projects."""
    from align.settings import load_settings

    return load_settings(home=tmp_path / "home")


@pytest.fixture(scope="session")
def installed_settings(tmp_path_factory: pytest.TempPathFactory, fixture_package_file: Path):
    """A data folder with the fixture de->en package installed through the normal install path."""
    from align.mt.packages import install_from_path
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


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):
    """One sentence embedder for the alignment tests, its vectors cached on disk for the session."""
    from align.embed import Embedder

    return Embedder(tmp_path_factory.mktemp("embeddings"))
