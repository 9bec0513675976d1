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

Installation never leaves a half-installed package, and never touches anything outside
``packages_dir``: the archive's declared sizes are checked against the package limits and the free
disk space, it is extracted into a hidden temporary folder inside ``packages_dir``, its models are
loaded there, and only then is it renamed into place. Every name built from a package's content
(language codes, version, an imported package's name) is checked before it becomes a folder name.
A package folder that cannot be deleted at once (open files on Windows) stays hidden under a
``.removing-`` name and is deleted by the next install or removal.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from align.archive import PACKAGE_LIMITS, ZIP_READ_ERRORS, GiB, MiB, check_zip
from align.errors import ModelNotInstalled, NetworkError, PackageError
from align.progress import Progress
from align.settings import Settings, user_home, xdg_data_home

log = logging.getLogger(__name__)

ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")
DEFAULT_SENTENCEPIECE = "sentencepiece.model"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
# Language codes become part of folder names: ISO 639 codes, optionally with a script or region
# (de, en, zt, pt_BR, zh-Hant, NLLB's ace_Arab); never a path separator or a dot.
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{1,8}){0,3}$")
_VERSION = re.compile(r"^[0-9]{1,9}(?:\.[0-9]{1,9}){0,5}$")  # 1.0, 1.9.1: also part of folder names
_ARGOS_TOP = re.compile(r"^translate-")  # an argospm folder name: translate-<from>_<to>[-<version>]
MAX_METADATA_BYTES = 1 * MiB  # real metadata.json files are a few hundred bytes
DISK_RESERVE = 100 * MiB  # left free after an install: the project store and memory live on the same disk
_TMP_PREFIX = ".installing-"
_TRASH_PREFIX = ".removing-"
_STALE_STAGING_S = 24 * 3600  # a staging folder this old belongs to an install that was killed
_PROBE_TEXT = "Hallo Welt, guten Morgen."
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


@dataclass(frozen=True)
class Installation:
    """What an install did: the package now installed and the installed packages it replaced (an
    older version of the pair, or a package of the same name), so that callers can say so."""

    package: InstalledPackage
    replaced: tuple[InstalledPackage, ...] = ()


# ---- reading packages --------------------------------------------------------------------------
def package_name(from_code: str, to_code: str, version: str) -> str:
    """The argospm name, e.g. ``translate-de_en-1_0``: also our install folder name."""
    return f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"


def is_language_code(code: str) -> bool:
    """Whether ``code`` is usable as a package's language code (it becomes part of folder names)."""
    return bool(_LANGUAGE_CODE.match(code))


def _load_json(data: bytes | str, what: str, expected: type) -> Any:
    """Parse JSON that must be of type ``expected``; PackageError names ``what`` otherwise."""
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise PackageError(f"{what} is not valid JSON ({err})") from None
    except RecursionError:
        raise PackageError(f"{what} is nested too deeply to be package metadata") from None
    if not isinstance(value, expected):
        kind = "an object" if expected is dict else "a list"
        raise PackageError(f"{what} must hold a JSON {kind}, not {type(value).__name__}")
    return value


def parse_metadata(data: bytes | str, where: str) -> dict[str, Any]:
    """Parse metadata.json text, raising PackageError that names ``where`` if it is unusable.

    The language codes and the version become the install folder's name, so they are checked
    here, for every package read (installed folders included), not only on install.
    """
    meta = _load_json(data, f"{where}: metadata.json", dict)
    missing = [k for k in ("from_code", "to_code") if not isinstance(meta.get(k), str) or not meta[k].strip()]
    if missing:
        raise PackageError(f"{where}: metadata.json has no {' or '.join(missing)}")
    for key in ("from_code", "to_code"):
        if not is_language_code(meta[key].strip()):
            raise PackageError(
                f"{where}: metadata.json has an unusable {key} {meta[key][:40]!r} (a language code such as de, en or pt_BR)"
            )
    version = meta.get("package_version")
    if version not in (None, "") and not _VERSION.match(str(version)):
        raise PackageError(
            f"{where}: metadata.json has an unusable package_version {str(version)[:40]!r} (numbers and dots, such as 1.0)"
        )
    return meta


def _check_metadata_size(size: int, where: object) -> None:
    """Refuse a metadata.json too large to be one before reading it into memory."""
    if size > MAX_METADATA_BYTES:
        raise PackageError(f"{where}: metadata.json is too large ({size:,} bytes) to be package metadata; refusing it")


def required_files(meta: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The files a package with this metadata must hold: metadata.json, model/model.bin and its
    SentencePiece model(s) (``sentencepiece.model``, or the files the metadata names)."""
    names = []
    for key in ("source_sentencepiece", "target_sentencepiece"):
        name = str(meta.get(key) or DEFAULT_SENTENCEPIECE)
        if not portable_name(name):
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
    if not isinstance(name, str) or not portable_name(name):
        shown = name[:40] if isinstance(name, str) else name
        raise PackageError(
            f"{where}: metadata.json has an unusable name {shown!r} (up to 120 letters, digits, '.', '_', '-'; "
            "not ending in '.', not a Windows device name such as aux or con)"
        )
    return name


def portable_name(name: str) -> bool:
    """Whether ``name`` (from a package's metadata) can be a file or folder name everywhere: a
    plain name (``_SAFE_NAME``) that Windows holds as it is, so no device name (``aux``,
    ``CON.txt``) and no trailing dot (``safe_file_name``, the one rule for such names)."""
    from align.filenames import safe_file_name

    return bool(_SAFE_NAME.match(name)) and safe_file_name(name, "") == name


def read_package(folder: Path, *, read_only: bool = False) -> InstalledPackage:
    """Describe an unpacked package folder after checking that every required file is there."""
    if not (folder / "metadata.json").is_file():
        raise PackageError(_missing_message(folder, [r for r in REQUIRED_FILES if not (folder / r).is_file()]))
    _check_metadata_size((folder / "metadata.json").stat().st_size, folder)
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


def argos_package_dirs(env: Mapping[str, str] | None = None, *, os_name: str = os.name) -> list[Path]:
    """Where argostranslate 1.x keeps packages: $ARGOS_PACKAGES_DIR, else XDG data/argos-translate
    under ``Path.home()``, which is %USERPROFILE% on Windows (its settings module, also there)."""
    env = os.environ if env is None else env
    if env.get("ARGOS_PACKAGES_DIR"):
        return [Path(env["ARGOS_PACKAGES_DIR"]).expanduser()]
    return [xdg_data_home(env, user_home(env, os_name)) / "argos-translate" / "packages"]


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
    """Check an archive's member names and metadata; return its single top folder. Reads no file
    contents but metadata.json."""
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
    _check_metadata_size(zf.getinfo(f"{top}/metadata.json").file_size, path)
    meta = parse_metadata(zf.read(f"{top}/metadata.json"), str(path))
    missing = [rel for rel in required_files(meta, str(path)) if f"{top}/{rel}" not in names]
    if missing:
        raise PackageError(_missing_message(path, [f"{top}/{m}" for m in missing], meta))
    _check_top_name(top, meta["from_code"].strip(), meta["to_code"].strip(), path)
    return top


def _check_top_name(top: str, from_code: str, to_code: str, where: object) -> None:
    """Refuse a package whose folder is named for another pair than its metadata.json says
    (``translate-fr_en-9`` holding de->en): installing it would silently replace the de->en package."""
    expected = f"translate-{from_code}_{to_code}"
    if _ARGOS_TOP.match(top) and top != expected and not top.startswith(f"{expected}-"):
        raise PackageError(
            f"{where}: the package folder is named {top!r} but its metadata.json says {from_code}->{to_code}; "
            "refusing it (correct the folder name or metadata.json)"
        )


def _size(n: int) -> str:
    return f"{n / GiB:.1f} GB" if n >= GiB else f"{n / MiB:.1f} MB"


def check_free_space(folder: Path, needed: int, where: object) -> None:
    """PackageError unless ``folder``'s disk has room for ``needed`` bytes and ``DISK_RESERVE`` more:
    a full disk half-way through extracting fails obscurely and starves the project store."""
    free = shutil.disk_usage(folder).free
    if needed + DISK_RESERVE > free:
        raise PackageError(
            f"{where}: installing needs {_size(needed)} of free disk space in {folder} "
            f"(and {_size(DISK_RESERVE)} to spare), but only {_size(free)} is free; free some space and try again"
        )


def _folder_size(folder: Path) -> int:
    """The bytes of the plain files under ``folder``; PackageError for a symbolic link or a special
    file (a link could copy any file of this machine into the package, or loop forever)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            entry = Path(dirpath) / name
            if entry.is_symlink():
                raise PackageError(
                    f"{folder}: {entry.relative_to(folder).as_posix()} is a symbolic link; a package folder must hold "
                    "plain files (copy the files it points to into it)"
                )
            if name in filenames and not entry.is_file():
                raise PackageError(f"{folder}: {entry.relative_to(folder).as_posix()} is not a plain file; refusing it")
        total += sum((Path(dirpath) / name).stat().st_size for name in filenames)
    return total


def unpack_package(source: Path, staging: Path) -> Path:
    """Copy or extract ``source`` (a checked folder or .argosmodel) into ``staging``; return the
    unpacked package folder there. Sizes are checked before anything is written."""
    if source.is_dir():
        total = _folder_size(source)
        found = read_package(source)  # check before copying
        _check_top_name(source.name, found.from_code, found.to_code, source)
        check_free_space(staging, total, source)
        dest = staging / "package"
        shutil.copytree(source, dest, symlinks=True)  # no links were found; never follow one made since
        return dest
    if not zipfile.is_zipfile(source):
        raise PackageError(f"{source}: not an Argos package (.argosmodel must be a zip archive)")
    try:
        with zipfile.ZipFile(source) as zf:
            total = check_zip(zf, source, PACKAGE_LIMITS, PackageError)
            top = _check_archive(source, zf)
            check_free_space(staging, total, source)
            zf.extractall(staging)  # CRC errors surface here, still in the hidden folder
    except ZIP_READ_ERRORS + (ValueError,) as err:
        raise PackageError(f"{source}: corrupt archive ({err})") from None
    except OSError as err:  # a truncated archive seeks before its start; a full disk while extracting
        raise PackageError(f"{source}: cannot unpack the archive ({err.strerror or err})") from None
    return staging / top


def _probe(package: InstalledPackage) -> None:
    """Load the package's SentencePiece model(s) and CTranslate2 model and translate a few words."""
    import ctranslate2
    import sentencepiece

    source_sp = sentencepiece.SentencePieceProcessor(model_file=str(package.source_sentencepiece_path))
    target_sp = sentencepiece.SentencePieceProcessor(model_file=str(package.target_sentencepiece_path))
    model = ctranslate2.Translator(str(package.model_dir), device="cpu", compute_type="default", inter_threads=1, intra_threads=1)
    tokens = source_sp.encode(_PROBE_TEXT, out_type=str)
    tokens = [t for t in (package.source_prefix, *tokens, package.source_suffix) if t]
    prefix = [[package.target_prefix]] if package.target_prefix else None
    result = model.translate_batch([tokens], target_prefix=prefix, beam_size=1, max_decoding_length=8)
    target_sp.decode_pieces(list(result[0].hypotheses[0]))


def check_loads(package: InstalledPackage, where: object) -> None:
    """PackageError unless the package loads and translates, checked while it is still staged: a
    package that cannot translate must never replace one that can."""
    try:
        _probe(package)
        return
    except Exception as err:  # the loaders raise many kinds for a damaged file (RuntimeError, IndexError, ...)
        detail = (str(err).strip().splitlines() or [""])[0][:200]
        problem = f"{type(err).__name__}: {detail}" if detail else type(err).__name__
    # raised outside the except block, so that no traceback keeps the half-loaded model alive
    raise PackageError(f"{where}: the package does not load ({problem}); nothing was installed")


def package_folder(root: Path, name: str) -> Path:
    """The install folder of a package named ``name``: a direct child of ``root``, or PackageError
    (names come from files' contents; read_package has checked them, this makes sure)."""
    folder = root / name
    if not portable_name(name) or Path(os.path.normpath(folder)).parent != Path(os.path.normpath(root)):
        raise PackageError(f"{name!r} cannot be a package folder name in {root}")
    return folder


def _trash_path(folder: Path) -> Path:
    return folder.with_name(f"{_TRASH_PREFIX}{folder.name}-{os.getpid()}-{secrets.token_hex(3)}")


def _delete(path: Path) -> None:
    """Delete a file, a link (never what it points to) or a folder tree. What cannot be deleted now
    (open files on Windows) stays, hidden, for :func:`_clean_leftovers`."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path)
    except OSError as err:
        log.info("cannot delete %s yet (%s); the next install or removal deletes it", path, err)


def _clean_leftovers(root: Path) -> None:
    """Delete what earlier installs and removals left: folders moved aside to be deleted (open on
    Windows at the time) and staging folders of installs killed more than a day ago."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.name.startswith(_TRASH_PREFIX) or (child.name.startswith(_TMP_PREFIX) and _age(child) > _STALE_STAGING_S):
            _delete(child)


def _age(path: Path) -> float:
    """Seconds since ``path`` last changed (0 when it is gone: another process cleaned it)."""
    try:
        return time.time() - path.lstat().st_mtime
    except OSError:
        return 0.0


def _swap_into_place(new: Path, final: Path) -> None:
    """Move ``new`` to ``final``; an existing ``final`` is moved aside first (a folder cannot be
    renamed over another), then deleted. PackageError, with the old package kept, when it cannot
    be moved (in use on Windows)."""
    old = None
    if final.exists() or final.is_symlink():
        old = _trash_path(final)
        try:
            os.replace(final, old)
        except OSError as err:
            raise PackageError(
                f"{final}: cannot replace the installed package ({err.strerror or err}); close what uses it "
                "(the page, a running translation) and try again"
            ) from None
    try:
        os.replace(new, final)
    except OSError as err:
        if old is not None:
            _put_back(old, final)
        raise PackageError(f"{final}: cannot install the package there ({err.strerror or err})") from None
    if old is not None:
        _delete(old)


def _put_back(old: Path, final: Path) -> None:
    """Move a package that was moved aside back to its place; PackageError saying where it is when
    even that fails (it must not wait under a trash name, where the next install deletes it)."""
    try:
        os.replace(old, final)
    except OSError as err:
        raise PackageError(
            f"{final}: the install failed and the previous package could not be put back ({err.strerror or err}); "
            f"rename {old} to {final.name} by hand before installing again"
        ) from None


def _remove_folder(folder: Path) -> None:
    """Move an installed package out of sight, then delete it; PackageError when it cannot be
    moved (in use on Windows); a trash folder that cannot be deleted yet goes later."""
    trash = _trash_path(folder)
    try:
        os.replace(folder, trash)
    except OSError as err:
        raise PackageError(
            f"{folder}: cannot remove the package ({err.strerror or err}); close what uses it and try again"
        ) from None
    _delete(trash)


def _replaced_by(staged: InstalledPackage, final: Path, root: Path) -> list[InstalledPackage]:
    """The installed packages an install of ``staged`` at ``final`` replaces: the package of that
    name and, between Argos packages, any other version of the same pair."""
    argos_pair = (staged.from_code, staged.to_code) if not staged.imported else None
    return [
        p for p in _scan(root, read_only=False) if p.path == final or (not p.imported and (p.from_code, p.to_code) == argos_pair)
    ]


def _check_pair(staged: InstalledPackage, pair: tuple[str, str] | None, where: object) -> None:
    if pair is not None and (staged.from_code, staged.to_code) != pair:
        raise PackageError(
            f"{where}: the package translates {staged.from_code}->{staged.to_code}, not {pair[0]}->{pair[1]} as the "
            "package index says; nothing was installed"
        )


def _report_replaced(package: InstalledPackage, replaced: Iterable[InstalledPackage]) -> None:
    for old in replaced:
        if old.name == package.name:
            log.info("reinstalled %s", package.name)
        else:
            log.warning(
                "%s replaces the installed %s->%s package %s (version %s)",
                package.name,
                old.from_code,
                old.to_code,
                old.name,
                old.version,
            )


def install_package(path: Path, settings: Settings, *, pair: tuple[str, str] | None = None, label: object = None) -> Installation:
    """Install a ``.argosmodel`` zip or an unpacked package folder into ``settings.packages_dir``.

    Everything is checked before the package becomes visible: zip integrity and inflated sizes,
    free disk space, no paths or links outside the package, one top folder named for the pair its
    metadata says, metadata.json's names, the required files, and that the models load and
    translate. An Argos package replaces the Argos package for the same language pair (any
    version); an imported package replaces only the package of its own name, so both kinds can be
    installed side by side (``find_package`` decides between them). The result names what was
    replaced. ``pair``: the (from, to) the package must translate (what an index promised);
    ``label``: how messages name the package (default ``path``).
    """
    path = Path(path)
    where = path if label is None else label
    if not path.exists():
        raise PackageError(f"{path}: no such file or folder")
    root = settings.packages_dir
    root.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(root)
    staging = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=root))
    try:
        unpacked = unpack_package(path, staging)
        staged = read_package(unpacked)
        _check_pair(staged, pair, where)
        check_loads(staged, where)
        final = package_folder(root, staged.name)
        replaced = _replaced_by(staged, final, root)
        _swap_into_place(unpacked, final)
        for old in replaced:
            if old.path != final:
                _retire(old)
    finally:
        _delete(staging)
    package = read_package(final)
    _report_replaced(package, replaced)
    log.info("installed %s->%s %s at %s", package.from_code, package.to_code, package.version, package.path)
    return Installation(package, tuple(replaced))


def _retire(old: InstalledPackage) -> None:
    """Remove a package an install replaced; one in use (Windows) stays listed, with a warning."""
    try:
        _remove_folder(old.path)
    except PackageError as err:
        log.warning("%s; it stays installed beside the new package until then", err)


def install_from_path(path: Path, settings: Settings) -> InstalledPackage:
    """Install a ``.argosmodel`` zip or an unpacked package folder; see :func:`install_package`."""
    return install_package(path, settings).package


def remove_package(src: str, tgt: str, settings: Settings, *, model: str | None = None) -> InstalledPackage:
    """Remove our installed ``src`` -> ``tgt`` packages (only the one named ``model`` when given);
    argostranslate's packages are left alone."""
    _clean_leftovers(settings.packages_dir)
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
            return install_package(tmp, settings, pair=(src, tgt), label=link).package
        except (urllib.error.URLError, OSError, ValueError) as err:
            errors.append(f"{link}: {getattr(err, 'reason', err)}")
        finally:
            tmp.unlink(missing_ok=True)
    raise NetworkError(
        f"cannot download the {src}->{tgt} package ({'; '.join(errors)}); install from a file with "
        "`python -m align models install --from PATH`"
    )
