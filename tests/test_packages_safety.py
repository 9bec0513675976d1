"""Installing a package must be safe whatever the package holds (issue 20): nothing outside the
packages folder is touched, nothing inflates past the limits, and a package that does not load
never replaces one that does. Real archives, real folders, the real fixture model."""

from __future__ import annotations

import json
import logging
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from test_packages import NO_ARGOS, package_files, visible, write_folder, write_zip

from align import cli
from align.errors import ModelNotInstalled, PackageError
from align.mt import packages
from align.mt.packages import find_package, install_from_path, list_packages, remove_package
from align.mt.translate import TranslateOptions, Translator

ONE_THREAD = TranslateOptions(threads=1)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders): to prove nothing changed."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def working_package(tmp_path: Path, settings):
    """A de->en package that loads and translates, installed; returns it."""
    return install_from_path(write_zip(tmp_path / "good.argosmodel", package_files()), settings)


def still_translates(settings) -> None:
    translator = Translator.load(find_package("de", "en", settings, env=NO_ARGOS), ONE_THREAD)
    assert translator.translate(["Guten Morgen."])[0]


# ---- item 1: metadata cannot name a folder outside the packages folder -------------------------------
def test_from_code_cannot_replace_a_folder_outside_packages(tmp_path, settings):
    """The issue's attack: an installed translate-de_en-1_0 and a from_code that walks from it to a
    user's folder; the install used to move the victim aside and delete it."""
    working_package(tmp_path, settings)
    victim = write_folder(settings.home.parent / "victim_en-1_0", {"precious.txt": b"my thesis"})
    bad = write_zip(tmp_path / "bad.argosmodel", package_files(src="de_en-1_0/../../../victim"), top="x")
    before = snapshot(settings.home.parent)
    with pytest.raises(PackageError, match=r"from_code") as err:
        install_from_path(bad, settings)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
    assert (victim / "precious.txt").read_bytes() == b"my thesis"
    assert snapshot(settings.home.parent) == before


@pytest.mark.parametrize(
    ("field", "meta"),
    [
        ("from_code", {"src": "../../victim"}),
        ("to_code", {"tgt": "en/../../../victim"}),
        ("to_code", {"tgt": "en\\..\\..\\victim"}),
        ("package_version", {"version": "1/../../x"}),
        ("package_version", {"version": "1.0 beta"}),
        ("from_code", {"src": "d" * 300}),
    ],
)
def test_unsafe_metadata_names_are_refused(tmp_path, settings, field, meta):
    bad = write_zip(tmp_path / "bad.argosmodel", package_files(**meta), top="x")
    with pytest.raises(PackageError, match=field) as err:
        install_from_path(bad, settings)
    assert str(bad) in str(err.value)
    assert visible(settings) == []


def test_imported_package_name_is_checked(tmp_path, settings):
    files = package_files(source_model="someone/model", name="n" * 300)
    with pytest.raises(PackageError, match="unusable name"):
        install_from_path(write_zip(tmp_path / "bad.argosmodel", files, top="x"), settings)
    assert visible(settings) == []


def test_installed_folder_with_unsafe_metadata_is_skipped_and_never_removed(tmp_path, settings, caplog):
    """A folder someone put into the packages folder by hand: listed as skipped, never used."""
    bad = write_folder(settings.packages_dir / "odd", package_files(src="../../victim"))
    with caplog.at_level(logging.WARNING, logger="align.mt.packages"):
        assert list_packages(settings, env=NO_ARGOS) == []
    assert "skipping" in caplog.text and "from_code" in caplog.text
    with pytest.raises(ModelNotInstalled):
        remove_package("../../victim", "en", settings)
    assert (bad / "metadata.json").is_file()


# ---- item 3: decompressed size and free disk space --------------------------------------------------
def zip_bomb(path: Path, size: int) -> Path:
    """A package whose model.bin inflates to ``size`` zero bytes (a few hundred kB compressed)."""
    files = package_files()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            if name != "model/model.bin":
                zf.writestr(f"translate-de_en-1_0/{name}", data)
        with zf.open("translate-de_en-1_0/model/model.bin", "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            for _ in range(size >> 20):
                out.write(block)
    return path


def test_zip_bomb_is_refused_before_inflating(tmp_path, settings):
    working_package(tmp_path, settings)
    before = snapshot(settings.home)
    bomb = zip_bomb(tmp_path / "bomb.argosmodel", 64 << 20)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(PackageError, match="zip bomb") as err:
        install_from_path(bomb, settings)
    assert str(bomb) in str(err.value)
    assert snapshot(settings.home) == before
    still_translates(settings)


def test_free_disk_space_is_checked(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    packages.check_free_space(tmp_path, 1 << 20, "pkg.argosmodel")
    with pytest.raises(PackageError, match=r"pkg.argosmodel: .*needs .* free") as err:
        packages.check_free_space(tmp_path, free + (10 << 30), "pkg.argosmodel")
    assert str(tmp_path) in str(err.value) and "\n" not in str(err.value)


# ---- item 4: a package that does not load never replaces one that does -------------------------------
BROKEN_MODELS = {
    "random model.bin": {"model/model.bin": os.urandom(200_000)},
    "zeroed model.bin": {"model/model.bin": bytes(4096)},
    "random sentencepiece": {"sentencepiece.model": os.urandom(50_000)},
}


@pytest.mark.parametrize("case", sorted(BROKEN_MODELS))
def test_package_that_does_not_load_keeps_the_installed_one(tmp_path, settings, case):
    working_package(tmp_path, settings)
    before = snapshot(settings.home)
    bad = write_zip(tmp_path / "bad.argosmodel", {**package_files(version="2.0"), **BROKEN_MODELS[case]}, top="x")
    with pytest.raises(PackageError, match="does not load") as err:
        install_from_path(bad, settings)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
    assert snapshot(settings.home) == before
    still_translates(settings)


def test_broken_folder_package_keeps_the_installed_one(tmp_path, settings):
    working_package(tmp_path, settings)
    before = snapshot(settings.home)
    folder = write_folder(tmp_path / "translate-de_en-2_0", {**package_files(version="2.0"), "model/model.bin": bytes(64)})
    with pytest.raises(PackageError, match="does not load"):
        install_from_path(folder, settings)
    assert snapshot(settings.home) == before


@pytest.mark.parametrize("as_folder", [False, True])
def test_top_folder_name_that_contradicts_metadata_is_refused(tmp_path, settings, as_folder):
    """translate-fr_en-9 whose metadata says de->en used to replace the installed de->en package."""
    working_package(tmp_path, settings)
    before = snapshot(settings.home)
    if as_folder:
        source = write_folder(tmp_path / "translate-fr_en-9", package_files(version="9"))
    else:
        source = write_zip(tmp_path / "fr_en.argosmodel", package_files(version="9"), top="translate-fr_en-9")
    with pytest.raises(PackageError, match=r"translate-fr_en-9.*de->en"):
        install_from_path(source, settings)
    assert snapshot(settings.home) == before


def test_replacing_a_package_is_reported(tmp_path, settings, caplog):
    old = working_package(tmp_path, settings)
    with caplog.at_level(logging.WARNING, logger="align.mt.packages"):
        report = packages.install_package(write_zip(tmp_path / "new.argosmodel", package_files(version="1.1"), top="x"), settings)
    assert report.replaced == (old,)
    assert report.package.version == "1.1" and visible(settings) == ["translate-de_en-1_1"]
    assert "replaces" in caplog.text and old.name in caplog.text
    fresh = packages.install_package(write_zip(tmp_path / "fr.argosmodel", package_files(tgt="fr"), top="x"), settings)
    assert fresh.replaced == ()


# ---- weak cases: one-line errors, not tracebacks -----------------------------------------------------
def test_deeply_nested_metadata_is_a_package_error(tmp_path, settings):
    nested = b"[" * 100_000 + b"]" * 100_000
    bad = write_zip(tmp_path / "deep.argosmodel", {**package_files(), "metadata.json": nested}, top="x")
    with pytest.raises(PackageError, match="nested too deeply"):
        install_from_path(bad, settings)
    write_folder(settings.packages_dir / "deep", {**package_files(), "metadata.json": nested})
    assert list_packages(settings, env=NO_ARGOS) == []  # skipped with a warning, not a traceback


def test_huge_metadata_is_refused_unread(tmp_path, settings):
    meta = json.loads(package_files()["metadata.json"])
    big = json.dumps({**meta, "description": os.urandom(1 << 20).hex()}).encode()  # 2 MB, incompressible
    with pytest.raises(PackageError, match="metadata.json is too large"):
        install_from_path(write_zip(tmp_path / "big.argosmodel", {**package_files(), "metadata.json": big}, top="x"), settings)


def test_folder_with_a_symlink_is_refused(tmp_path, settings):
    secret = write_folder(tmp_path / "secret", {"passwords.txt": b"hunter2"})
    folder = write_folder(tmp_path / "pkg", package_files())
    (folder / "model" / "extra").symlink_to(secret / "passwords.txt")
    with pytest.raises(PackageError, match="symbolic link") as err:
        install_from_path(folder, settings)
    assert "extra" in str(err.value)
    assert not settings.packages_dir.exists() or visible(settings) == []


def test_folder_with_a_symlink_loop_is_a_package_error(tmp_path, settings):
    folder = write_folder(tmp_path / "pkg", package_files())
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "up").symlink_to(folder)
    with pytest.raises(PackageError, match="symbolic link"):
        install_from_path(folder, settings)
    assert visible(settings) == []


def test_cli_refuses_unsafe_package_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    bad = write_zip(tmp_path / "bad.argosmodel", package_files(src="../../../victim"), top="x")
    assert cli.main(["--home", str(tmp_path / "home"), "models", "install", "--from", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: ") and "from_code" in err and err.count("\n") == 1


# ---- Windows: replacing and removing never leave a traceback or visible debris -----------------------
def test_leftover_trash_is_cleaned_by_the_next_install(tmp_path, settings):
    """A folder that could not be deleted (open files on Windows) stays hidden as .removing-*; the
    next install or removal deletes it."""
    trash = write_folder(settings.packages_dir / ".removing-translate-de_en-0_9-123-ab", package_files())
    link = settings.packages_dir / ".removing-link-1-cd"
    keep = write_folder(tmp_path / "keep", {"a.txt": b"a"})
    link.symlink_to(keep)
    stale = write_folder(settings.packages_dir / ".installing-killed", {"x": b"x"})  # an install killed 2 days ago
    os.utime(stale, (stale.stat().st_atime, stale.stat().st_mtime - 2 * 86400))
    running = write_folder(settings.packages_dir / ".installing-running", {"x": b"x"})  # another install, now
    working_package(tmp_path, settings)
    assert not trash.exists() and not link.is_symlink() and not stale.exists()
    assert (keep / "a.txt").read_bytes() == b"a"  # a link is removed, never followed
    assert visible(settings) == [".installing-running", "translate-de_en-1_0"] and running.is_dir()


def test_removing_a_linked_package_keeps_its_target(tmp_path, settings):
    target = write_folder(tmp_path / "shared-pkg", package_files())
    (settings.packages_dir).mkdir(parents=True)
    (settings.packages_dir / "translate-de_en-1_0").symlink_to(target)
    remove_package("de", "en", settings)
    assert visible(settings) == [] and (target / "metadata.json").is_file()


def test_installed_package_damaged_later_is_a_one_line_error(tmp_path, settings, capsys):
    """A package that loaded at install time and was damaged on disk afterwards (a zeroed
    model.bin: a full disk, a bad copy) is a PackageError naming it, not CTranslate2's IndexError."""
    pkg = working_package(tmp_path, settings)
    (pkg.model_dir / "model.bin").write_bytes(bytes(4096))
    with pytest.raises(PackageError, match="cannot load the CTranslate2 model"):
        Translator.load(find_package("de", "en", settings, env=NO_ARGOS), ONE_THREAD)
    source = tmp_path / "in.txt"
    source.write_text("Guten Morgen.\n", encoding="utf-8")
    code = cli.main(["--home", str(settings.home), "translate", str(source), "-o", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "cannot load the CTranslate2 model" in err and "\n" not in err
