"""Batch on Ray workers: a real local Ray, real actors with the fixture package, a real worker death.

Every output must be byte-identical to the local batch's with the same options: the workers decode
exactly the batches the driver's translator planned (align.cluster).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import _text

from align.batch import MANIFEST_NAME, BatchOptions, run_batch
from align.cluster import CRASH_FLAG_ENV
from align.mt.translate import TranslateOptions

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
OPTIONS = TranslateOptions(threads=1, beam_size=1, max_batch_tokens=64)  # many small batches to spread


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One local Ray (2 CPUs) for the module; yields the crash-flag path its workers watch."""
    flag = tmp_path_factory.mktemp("ray-flags") / "crash"
    before = os.environ.get(CRASH_FLAG_ENV)
    os.environ[CRASH_FLAG_ENV] = str(flag)  # workers inherit the environment of ray.init
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield flag
    finally:
        ray.shutdown()
        if before is None:
            os.environ.pop(CRASH_FLAG_ENV, None)
        else:
            os.environ[CRASH_FLAG_ENV] = before


def _corpus(in_dir: Path) -> None:
    """Several files, one large enough to be split over both workers, and a bad one."""
    for n, (rel, count) in enumerate([("a.txt", 5), ("sub/b.txt", 40), ("sub/deep/c.md", 7), ("d.txt", 3)]):
        path = in_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_text(11 * n, count)[0], encoding="utf-8")
    (in_dir / "broken.docx").write_bytes(b"not a zip")


def _options(**changes) -> BatchOptions:
    return BatchOptions(
        **{"quiet": True, "translate": OPTIONS, "formats": ("csv", "tmx", "jsonl"), "window_sentences": 20, **changes}
    )


def _outputs(out_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out_dir).as_posix(): p.read_bytes()
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


def _compare(tmp_path: Path, settings, **cluster) -> None:
    in_dir = tmp_path / "in"
    _corpus(in_dir)
    local = run_batch(in_dir, tmp_path / "local", _options(), settings)
    remote = run_batch(in_dir, tmp_path / "cluster", _options(**cluster), settings)
    for summary in (local, remote):
        assert [r.rel for r in summary.failed] == ["broken.docx"], summary.format()
        assert len(summary.done) == 4, summary.format()
    expected, got = _outputs(tmp_path / "local"), _outputs(tmp_path / "cluster")
    assert len(expected) == 12 and sorted(got) == sorted(expected)
    for rel, data in expected.items():
        assert got[rel] == data, rel
    assert remote.sentences == local.sentences


def test_two_workers_byte_identical_to_local(tmp_path: Path, local_ray: Path, installed_settings) -> None:
    _compare(tmp_path, installed_settings, cluster="ray", cluster_workers=2)


def test_killed_worker_is_retried(tmp_path: Path, local_ray: Path, installed_settings) -> None:
    local_ray.write_text("die", encoding="utf-8")  # the first worker to decode a batch exits
    _compare(tmp_path, installed_settings, cluster="ray", cluster_workers=2)
    assert not local_ray.exists(), "no worker died: the retry path was not exercised"


def test_command_line_starts_a_local_ray(tmp_path: Path, installed_settings) -> None:
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    (in_dir / "good.txt").write_text(_text(5, 6)[0], encoding="utf-8")
    common = ["--formats", "csv,tmx", "--quiet", "--threads", "1", "--beam-size", "1", "--max-batch-tokens", "64"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "ALIGN_HOME": str(installed_settings.home)}
    env.pop(CRASH_FLAG_ENV, None)
    for out, extra in (("local", []), ("cluster", ["--cluster", "ray", "--cluster-workers", "2"])):
        proc = subprocess.run(
            [sys.executable, "-m", "align", "batch", str(in_dir), str(tmp_path / out), *common, *extra],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "translated 1 file(s)" in proc.stdout
    assert _outputs(tmp_path / "cluster") == _outputs(tmp_path / "local")


def test_missing_ray_is_one_line(tmp_path: Path, installed_settings) -> None:
    (tmp_path / "in").mkdir()
    code = (
        "import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
        "from align.cli import main\n"
        f"sys.exit(main(['batch', {str(tmp_path / 'in')!r}, {str(tmp_path / 'out')!r}, '--cluster', 'ray']))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "ALIGN_HOME": str(installed_settings.home)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "pip install '.[cluster]'" in proc.stderr
