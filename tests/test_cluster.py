"""Batch on Ray workers: a real local Ray, real actors with the fixture package, a real worker death.

Every output must be byte-identical to the local batch's with the same options: the workers decode
exactly the batches the driver's translator planned (align.cluster).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import _text

from align.batch import MANIFEST_NAME, BatchOptions, run_batch
from align.cluster import CRASH_FLAG_ALWAYS, CRASH_FLAG_ENV
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
    return BatchOptions(**{"translate": OPTIONS, "formats": ("csv", "tmx", "jsonl"), "window_sentences": 20, **changes})


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


def test_workers_that_keep_dying_fail_each_file_in_one_line(
    tmp_path: Path, local_ray: Path, installed_settings, caplog: pytest.LogCaptureFixture
) -> None:
    """More deaths than the restart limit: every file fails, each with one line, no tracebacks."""
    in_dir = tmp_path / "in"
    _corpus(in_dir)
    local_ray.write_text(CRASH_FLAG_ALWAYS, encoding="utf-8")  # every worker exits on its first batch
    try:
        with caplog.at_level(logging.WARNING):
            summary = run_batch(in_dir, tmp_path / "out", _options(cluster="ray", cluster_workers=2), installed_settings)
    finally:
        local_ray.unlink(missing_ok=True)
    assert len(summary.failed) == 5 and not summary.done
    for result in summary.failed:
        assert "\n" not in result.error, result.error
    died = [r for r in summary.failed if r.rel != "broken.docx"]
    assert all("worker" in r.error and "died" in r.error for r in died), [r.error for r in died]
    text = summary.format()
    assert len(text.splitlines()) == 1 + 1 + 5 + 1  # the totals, 'failed:', one line per file, the manifest
    assert "Traceback" not in caplog.text
    assert len(caplog.text.splitlines()) <= 5 + 2, caplog.text  # one line per file, and a summary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def token_head(tmp_path: Path) -> Iterator[int]:
    """A Ray head on this machine that requires token authentication; yields its client port."""
    short = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # Ray's socket paths must stay short
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "a-secret-token-for-this-test", "HOME": str(tmp_path)}
    env.pop(CRASH_FLAG_ENV, None)
    client_port = _free_port()
    ports = {
        "--port": _free_port(),
        "--ray-client-server-port": client_port,
        "--dashboard-agent-listen-port": _free_port(),
        "--dashboard-agent-grpc-port": _free_port(),
        "--runtime-env-agent-port": _free_port(),
        "--metrics-export-port": _free_port(),
        "--object-manager-port": _free_port(),
        "--node-manager-port": _free_port(),
    }
    command = ["ray", "start", "--head", "--block", "--node-ip-address=127.0.0.1", "--include-dashboard=false"]
    command += [f"{flag}={port}" for flag, port in ports.items()]
    command += ["--num-cpus=1", f"--temp-dir={short}", "--disable-usage-stats"]
    head = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", client_port)) == 0:
                    break
            assert head.poll() is None, "ray start --head exited"
            time.sleep(0.5)
        else:
            pytest.fail("the Ray head did not open its client port in 120 s")
        yield client_port
    finally:
        os.killpg(head.pid, signal.SIGTERM)  # the head and the Ray processes it started, in its own session
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()


def test_a_head_that_requires_a_token_is_named_as_the_cause(tmp_path: Path, token_head: int, installed_settings) -> None:
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    (in_dir / "good.txt").write_text(_text(5, 2)[0], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "ALIGN_HOME": str(installed_settings.home), "HOME": str(tmp_path)}
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", CRASH_FLAG_ENV):
        env.pop(name, None)
    address = f"ray://127.0.0.1:{token_head}"
    proc = subprocess.run(
        [sys.executable, "-m", "align", "batch", str(in_dir), str(tmp_path / "out"), "--quiet", "--cluster", address],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert address in errors[0] and "RAY_AUTH_MODE=token" in errors[0] and "RAY_AUTH_TOKEN" in errors[0]
    assert "UserWarning" not in proc.stderr  # Ray's own multi-line hint is not repeated
