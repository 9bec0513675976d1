"""Argos Translate packages: list, find, install (file, folder, index) and remove.

An Argos package (``.argosmodel``) is a zip of ONE top folder holding ``metadata.json``
(``from_code``, ``to_code``, ``package_version``, optional ``target_prefix``), a CTranslate2 model in
``model/`` (``model.bin`` and its vocabularies) and a ``sentencepiece.model``. The Argos index is a
JSON list of such metadata objects, each with ``links`` to download the package from.

Imported packages (``align.mt.importer``: OPUS-MT, NLLB-200, M2M-100 converted from Hugging Face
checkpoints) have the same layout, and their metadata.json says more: ``name`` (their folder
name), ``source_model``, ``license``, ``source_sentencepiece`` / ``target_sentencepiece`` (the
SentencePiece model that encodes the source and the one that decodes the target: Marian models
have two), ``source_prefix`` / ``source_suffix`` (tokens the model's tokenizer puts around the
source: a language token, ``</s>``) and ``target_prefix``. Argos packages have none of these, and
their single ``sentencepiece.model`` serves both sides.

We keep our own packages in ``settings.packages_dir`` and never import ``argostranslate`` (it
creates folders in the home directory at import time). Packages that argostranslate itself
installed are listed and used read-only, so a user who already has them need not download again.

Installation never leaves a half-installed package: the archive is checked, extracted into a
hidden temporary folder inside ``packages_dir`` and renamed into place only once it is complete.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from align.errors import ModelNotInstalled, NetworkError, PackageError
from align.progress import Progress
from align.settings import Settings

log = logging.getLogger(__name__)

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")
DEFAULT_SENTENCEPIECE = "sentencepiece.model"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TMP_PREFIX = ".installing-"
_TRASH_PREFIX = ".removing-"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class InstalledPackage:
    """A package folder on disk and what its metadata.json says about it.

    ``read_only`` packages live in argostranslate's own folder: we translate with them but never
    install over or remove them.
    """

    from_code: str
    to_code: str
    version: str
    name: str
    path: Path
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    read_only: bool = False

    @property
    def target_prefix(self) -> str:
        """A token the decoder must start with (multilingual packages), or ''."""
        return str(self.metadata.get("target_prefix") or "")

    @property
    def source_prefix(self) -> str:
        """A token the model's tokenizer puts before the source (NLLB/M2M-100 language token), or ''."""
        return str(self.metadata.get("source_prefix") or "")

    @property
    def source_suffix(self) -> str:
        """A token the model's tokenizer puts after the source (``</s>`` for imported models), or ''."""
        return str(self.metadata.get("source_suffix") or "")

    @property
    def imported(self) -> bool:
        """Converted from a Hugging Face checkpoint by ``models import`` (not an Argos package)."""
        return bool(self.metadata.get("source_model"))

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def source_sentencepiece_path(self) -> Path:
        """The SentencePiece model that encodes the source."""
        return self.path / str(self.metadata.get("source_sentencepiece") or DEFAULT_SENTENCEPIECE)

    @property
    def target_sentencepiece_path(self) -> Path:
        """The SentencePiece model that decodes the target (the same file as the source's in Argos packages)."""
        return self.path / str(self.metadata.get("target_sentencepiece") or DEFAULT_SENTENCEPIECE)

    @property
    def sentencepiece_path(self) -> Path:
        """The source SentencePiece model (kept for callers written for Argos packages)."""
        return self.source_sentencepiece_path


# ---- reading packages --------------------------------------------------------------------------
def package_name(from_code: str, to_code: str, version: str) -> str:
    """The argospm name, e.g. ``translate-de_en-1_0``: also our install folder name."""
    return f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"


def _load_json(data: bytes | str, what: str, expected: type) -> Any:
    """Parse JSON that must be of type ``expected``; PackageError names ``what`` otherwise."""
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise PackageError(f"{what} is not valid JSON ({err})") from None
    if not isinstance(value, expected):
        kind = "an object" if expected is dict else "a list"
        raise PackageError(f"{what} must hold a JSON {kind}, not {type(value).__name__}")
    return value


def parse_metadata(data: bytes | str, where: str) -> dict[str, Any]:
    """Parse metadata.json text, raising PackageError that names ``where`` if it is unusable."""
    meta = _load_json(data, f"{where}: metadata.json", dict)
    missing = [k for k in ("from_code", "to_code") if not isinstance(meta.get(k), str) or not meta[k].strip()]
    if missing:
        raise PackageError(f"{where}: metadata.json has no {' or '.join(missing)}")
    return meta


def required_files(meta: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The files a package with this metadata must hold: metadata.json, model/model.bin and its
    SentencePiece model(s) (``sentencepiece.model``, or the files the metadata names)."""
    names = []
    for key in ("source_sentencepiece", "target_sentencepiece"):
        name = str(meta.get(key) or DEFAULT_SENTENCEPIECE)
        if not _SAFE_NAME.match(name):
            raise PackageError(f"{where}: metadata.json names an unsafe {key} {name!r} (a plain file name is needed)")
        names.append(name)
    return ("metadata.json", "model/model.bin", *dict.fromkeys(names))


def _missing_message(where: object, missing: list[str], meta: Mapping[str, Any] | None = None) -> str:
    if meta and meta.get("source_model"):
        return f"{where}: incomplete imported package, missing {', '.join(missing)}; import the model again"
    return (
        f"{where}: not an Argos package, missing {', '.join(missing)} "
        "(this workbench needs a CTranslate2 model/ and a sentencepiece.model)"
    )


def _name(meta: Mapping[str, Any], version: str, where: str) -> str:
    """An imported package's own ``name`` (checked: it becomes a folder name), else the argospm name."""
    name = meta.get("name")
    if not meta.get("source_model") or not name:
        return package_name(meta["from_code"].strip(), meta["to_code"].strip(), version)
    if not isinstance(name, str) or not _SAFE_NAME.match(name):
        raise PackageError(f"{where}: metadata.json has an unusable name {name!r} (letters, digits, '.', '_', '-')")
    return name


def read_package(folder: Path, *, read_only: bool = False) -> InstalledPackage:
    """Describe an unpacked package folder after checking that every required file is there."""
    if not (folder / "metadata.json").is_file():
        raise PackageError(_missing_message(folder, [r for r in REQUIRED_FILES if not (folder / r).is_file()]))
    meta = parse_metadata((folder / "metadata.json").read_bytes(), str(folder))
    missing = [rel for rel in required_files(meta, str(folder)) if not (folder / rel).is_file()]
    if missing:
        raise PackageError(_missing_message(folder, missing, meta))
    version = str(meta.get("package_version") or "0")
    return InstalledPackage(
        from_code=meta["from_code"].strip(),
        to_code=meta["to_code"].strip(),
        version=version,
        name=_name(meta, version, str(folder)),
        path=folder,
        metadata=meta,
        read_only=read_only,
    )


def argos_package_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where argostranslate 1.x keeps packages: $ARGOS_PACKAGES_DIR, else XDG data/argos-translate."""
    env = os.environ if env is None else env
    if env.get("ARGOS_PACKAGES_DIR"):
        return [Path(env["ARGOS_PACKAGES_DIR"]).expanduser()]
    home = Path(env.get("HOME") or Path.home())
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [data / "argos-translate" / "packages"]


def _scan(folder: Path, *, read_only: bool) -> list[InstalledPackage]:
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") or not child.is_dir():
            continue
        try:
            found.append(read_package(child, read_only=read_only))
        except (PackageError, OSError) as err:
            log.warning("skipping %s: %s", child, err)
    return found


def list_packages(settings: Settings, *, env: Mapping[str, str] | None = None) -> list[InstalledPackage]:
    """Our installed packages, then (``read_only=True``) those in argostranslate's folder.

    ``env`` decides where argostranslate's folder is (default ``os.environ``); nothing is created.
    """
    ours = _scan(settings.packages_dir, read_only=False)
    theirs: list[InstalledPackage] = []
    for folder in argos_package_dirs(env):
        if folder.resolve() != settings.packages_dir.resolve():
            theirs.extend(_scan(folder, read_only=True))
    return ours + theirs


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)) or (0,)


def find_package(
    src: str, tgt: str, settings: Settings, *, env: Mapping[str, str] | None = None, model: str | None = None
) -> InstalledPackage:
    """The package that translates ``src`` -> ``tgt``.

    ``model`` (a package name, as ``models list`` shows it) picks one. Otherwise the choice is
    fixed, so a document's translations do not depend on folder order: ours before
    argostranslate's, Argos packages before imported ones (installing an import never changes what
    an existing set-up translates with; ``--model`` chooses it), newest version, then name.
    """
    packages = list_packages(settings, env=env)
    matches = [p for p in packages if p.from_code == src and p.to_code == tgt]
    if model:
        chosen = [p for p in matches if p.name == model]
        if not chosen:
            names = ", ".join(p.name for p in matches) or "none"
            raise ModelNotInstalled(
                f"no {src}->{tgt} package named {model!r} is installed ({src}->{tgt} packages: {names}); "
                "see `python -m align models list`"
            )
        return chosen[0]
    if not matches:
        have = ", ".join(f"{p.from_code}->{p.to_code} {p.version}" for p in packages) or "none"
        raise ModelNotInstalled(
            f"no {src}->{tgt} package installed (installed: {have}); run "
            f"`python -m align models install {src} {tgt}`, or "
            f"`python -m align models install --from FILE.argosmodel` offline"
        )
    return min(matches, key=lambda p: (p.read_only, p.imported, tuple(-n for n in _version_key(p.version)), p.name))


# ---- installing ----------------------------------------------------------------------------------
def _check_archive(path: Path, zf: zipfile.ZipFile) -> str:
    """Check an archive's member names; return its single top folder. Reads no file contents."""
    infos = zf.infolist()
    if not infos:
        raise PackageError(f"{path}: the archive is empty")
    for info in infos:  # safety first: nothing may point outside the package
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or not parts:
            raise PackageError(f"{path}: unsafe path in archive: {name!r} (points outside the package)")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(f"{path}: the archive contains a symbolic link ({name!r}); refusing it")
    tops = set()
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if len(parts) == 1 and not info.is_dir():
            raise PackageError(f"{path}: file {name!r} lies outside a package folder; expected one top folder")
        tops.add(parts[0])
    if len(tops) != 1:
        raise PackageError(f"{path}: expected one top folder in the archive, found {len(tops)}: {sorted(tops)[:5]}")
    top = tops.pop()
    names = {i.filename.rstrip("/") for i in infos}
    if f"{top}/metadata.json" not in names:
        raise PackageError(_missing_message(path, [f"{top}/{r}" for r in REQUIRED_FILES if f"{top}/{r}" not in names]))
    meta = parse_metadata(zf.read(f"{top}/metadata.json"), str(path))
    missing = [rel for rel in required_files(meta, str(path)) if f"{top}/{rel}" not in names]
    if missing:
        raise PackageError(_missing_message(path, [f"{top}/{m}" for m in missing], meta))
    return top


def unpack_package(source: Path, staging: Path) -> Path:
    """Copy or extract ``source`` (a folder or a checked .argosmodel) into ``staging``; return the
    unpacked package folder there."""
    if source.is_dir():
        read_package(source)  # check before copying
        dest = staging / "package"
        shutil.copytree(source, dest, symlinks=False)
        return dest
    if not zipfile.is_zipfile(source):
        raise PackageError(f"{source}: not an Argos package (.argosmodel must be a zip archive)")
    try:
        with zipfile.ZipFile(source) as zf:
            top = _check_archive(source, zf)
            zf.extractall(staging)  # CRC errors surface here, still in the hidden folder
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise PackageError(f"{source}: corrupt archive ({err})") from None
    return staging / top


def _swap_into_place(new: Path, final: Path) -> None:
    """Rename ``new`` to ``final``; an existing ``final`` is moved aside first, then deleted."""
    old = None
    if final.exists():
        old = final.with_name(f"{_TRASH_PREFIX}{final.name}-{os.getpid()}")
        final.rename(old)
    try:
        new.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def install_from_path(path: Path, settings: Settings) -> InstalledPackage:
    """Install a ``.argosmodel`` zip or an unpacked package folder into ``settings.packages_dir``.

    Everything is checked (zip integrity, no paths outside the package, one top folder,
    metadata.json, model/model.bin, sentencepiece.model) before the package becomes visible.
    An Argos package replaces the Argos package for the same language pair (any version); an
    imported package replaces only the package of its own name, so both kinds can be installed
    side by side (``find_package`` decides between them).
    """
    path = Path(path)
    if not path.exists():
        raise PackageError(f"{path}: no such file or folder")
    root = settings.packages_dir
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=root))
    try:
        unpacked = unpack_package(path, staging)
        staged = read_package(unpacked)
        final = root / staged.name
        replaced = [
            p
            for p in _scan(root, read_only=False)
            if (p.from_code, p.to_code) == (staged.from_code, staged.to_code) and not p.imported and not staged.imported
        ]
        _swap_into_place(unpacked, final)
        for old in replaced:
            if old.path != final:
                _remove_folder(old.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pkg = read_package(final)
    log.info("installed %s->%s %s at %s", pkg.from_code, pkg.to_code, pkg.version, pkg.path)
    return pkg


def _remove_folder(folder: Path) -> None:
    trash = folder.with_name(f"{_TRASH_PREFIX}{folder.name}-{os.getpid()}")
    folder.rename(trash)
    shutil.rmtree(trash, ignore_errors=True)


def remove_package(src: str, tgt: str, settings: Settings, *, model: str | None = None) -> InstalledPackage:
    """Remove our installed ``src`` -> ``tgt`` packages (only the one named ``model`` when given);
    argostranslate's packages are left alone."""
    ours = [p for p in _scan(settings.packages_dir, read_only=False) if (p.from_code, p.to_code) == (src, tgt)]
    if model:
        ours = [p for p in ours if p.name == model]
    if not ours:
        pkg = find_package(src, tgt, settings, model=model)  # raises ModelNotInstalled when there is none at all
        raise PackageError(
            f"the {src}->{tgt} package at {pkg.path} belongs to argostranslate and is read-only here; remove it with argospm"
        )
    for pkg in ours:
        _remove_folder(pkg.path)
        log.info("removed %s", pkg.path)
    return ours[0]


# ---- the package index ------------------------------------------------------------------------------
def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": "align-workbench"})
    return urllib.request.urlopen(request, timeout=timeout)


def fetch_index(index_url: str | None = None, *, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Download and parse the Argos package index (a JSON list of package metadata)."""
    url = index_url or ARGOS_INDEX_URL
    try:
        with _open(url, timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise NetworkError(
            f"cannot reach the Argos package index ({url}): {reason}; install from a file with "
            "`python -m align models install --from PATH`"
        ) from None
    index = _load_json(data, f"the package index at {url}", list)
    return [entry for entry in index if isinstance(entry, dict)]


def choose_entry(index: Iterable[Mapping[str, Any]], src: str, tgt: str, where: str) -> Mapping[str, Any]:
    """The newest translate package for ``src`` -> ``tgt`` in an index, or PackageError listing pairs."""
    entries = [e for e in index if e.get("type", "translate") == "translate"]
    matches = [e for e in entries if e.get("from_code") == src and e.get("to_code") == tgt and e.get("links")]
    if not matches:
        pairs = sorted({f"{e.get('from_code')}->{e.get('to_code')}" for e in entries})
        raise PackageError(f"the package index at {where} has no {src}->{tgt} package; it has: {', '.join(pairs) or 'none'}")
    return max(matches, key=lambda e: _version_key(str(e.get("package_version", "0"))))


def _download(url: str, dest: Path, timeout: float, progress: Progress | None) -> None:
    with _open(url, timeout) as response, open(dest, "wb") as out:
        total = response.headers.get("Content-Length")
        total_bytes = int(total) if total and total.isdigit() else None
        done = 0
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total_bytes)


def install_from_index(
    src: str,
    tgt: str,
    settings: Settings,
    index_url: str | None = None,
    *,
    timeout: float = 30.0,
    progress: Progress | None = None,
) -> InstalledPackage:
    """Download the newest ``src`` -> ``tgt`` package named in the index and install it.

    Each link of the entry is tried in turn; the download goes to a hidden file inside
    ``packages_dir`` and is installed with :func:`install_from_path`, then deleted.
    """
    url = index_url or ARGOS_INDEX_URL
    entry = choose_entry(fetch_index(url, timeout=timeout), src, tgt, url)
    settings.packages_dir.mkdir(parents=True, exist_ok=True)
    errors = []
    for link in entry["links"]:
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".argosmodel", dir=settings.packages_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            log.info("downloading %s", link)
            _download(str(link), tmp, timeout, progress)
            return install_from_path(tmp, settings)
        except (urllib.error.URLError, OSError, ValueError) as err:
            errors.append(f"{link}: {getattr(err, 'reason', err)}")
        finally:
            tmp.unlink(missing_ok=True)
    raise NetworkError(
        f"cannot download the {src}->{tgt} package ({'; '.join(errors)}); install from a file with "
        "`python -m align models install --from PATH`"
    )
