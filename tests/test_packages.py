"""Argos package management with real zips, real folders and a real local HTTP server."""

from __future__ import annotations

import functools
import http.server
import json
import socket
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align import cli
from align.errors import ModelNotInstalled, NetworkError, PackageError
from align.mt.packages import (
    InstalledPackage,
    find_package,
    install_from_index,
    install_from_path,
    list_packages,
    remove_package,
)
from align.settings import load_settings

NO_ARGOS = {"HOME": "/nonexistent-home-for-tests"}
FIXTURE = Path(__file__).resolve().parents[1] / "data" / "models" / "translate-de_en-fixture.argosmodel"


@functools.cache
def model_files() -> dict[str, bytes]:
    """The real CTranslate2 model and SentencePiece model of the fixture package (an install
    loads the package before it replaces anything, so test packages must load)."""
    top = "translate-de_en-fixture/"
    with zipfile.ZipFile(FIXTURE) as zf:
        names = [n for n in zf.namelist() if n.startswith(f"{top}model/") or n == f"{top}sentencepiece.model"]
        return {n.removeprefix(top): zf.read(n) for n in names if not n.endswith("/")}


def package_files(src="de", tgt="en", version="1.0", **meta) -> dict[str, bytes]:
    """The files of an Argos-layout package with a real (tiny) model; README.md names the version."""
    metadata = {"package_version": version, "argos_version": "1.0", "from_code": src, "to_code": tgt, **meta}
    return {
        "metadata.json": json.dumps(metadata).encode(),
        **model_files(),
        "README.md": f"A test package {version}.".encode(),
    }


def write_zip(path: Path, files: dict[str, bytes], top: str | None = "translate-de_en-1_0") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if top:
            zf.writestr(f"{top}/", b"")
        for name, data in files.items():
            zf.writestr(f"{top}/{name}" if top else name, data)
    return path


def write_folder(path: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


def visible(settings) -> list[str]:
    return sorted(p.name for p in settings.packages_dir.iterdir()) if settings.packages_dir.exists() else []


# ---- install from a file or folder -------------------------------------------------------------
def test_install_zip_then_list_find_remove(tmp_path, settings):
    pkg = install_from_path(write_zip(tmp_path / "de_en.argosmodel", package_files()), settings)
    assert (pkg.from_code, pkg.to_code, pkg.version, pkg.name) == ("de", "en", "1.0", "translate-de_en-1_0")
    assert pkg.path == settings.packages_dir / "translate-de_en-1_0"
    assert (pkg.path / "README.md").read_text() == "A test package 1.0."
    assert pkg.metadata["argos_version"] == "1.0"
    assert list_packages(settings, env=NO_ARGOS) == [pkg]
    assert find_package("de", "en", settings, env=NO_ARGOS) == pkg
    assert visible(settings) == ["translate-de_en-1_0"]  # no temp folders left behind

    removed = remove_package("de", "en", settings)
    assert removed == pkg
    assert visible(settings) == []
    assert list_packages(settings, env=NO_ARGOS) == []


def test_install_unpacked_folder(tmp_path, settings):
    folder = write_folder(tmp_path / "unpacked", package_files(version="1.9"))
    pkg = install_from_path(folder, settings)
    assert pkg.version == "1.9" and pkg.path.parent == settings.packages_dir
    assert (folder / "metadata.json").exists()  # the source folder is left as it was


def test_reinstall_replaces_other_version_of_same_pair(tmp_path, settings):
    install_from_path(write_zip(tmp_path / "a.argosmodel", package_files(version="1.0")), settings)
    install_from_path(write_zip(tmp_path / "b.argosmodel", package_files(tgt="fr"), top="x"), settings)
    new = install_from_path(write_zip(tmp_path / "c.argosmodel", package_files(version="1.1")), settings)
    assert visible(settings) == ["translate-de_en-1_1", "translate-de_fr-1_0"]
    assert find_package("de", "en", settings, env=NO_ARGOS) == new
    same = install_from_path(write_zip(tmp_path / "d.argosmodel", package_files(version="1.1")), settings)
    assert same.path == new.path and visible(settings) == ["translate-de_en-1_1", "translate-de_fr-1_0"]


BROKEN = {
    "not a zip": lambda p: p.write_bytes(b"this is plain text, not a zip archive"),
    "truncated zip": lambda p: p.write_bytes(write_zip(p, package_files()).read_bytes()[:300]),
    "zip slip": lambda p: write_zip(p, {**package_files(), "../../evil.txt": b"x"}),
    "absolute path": lambda p: write_zip(p, {"metadata.json": b"{}", "/etc/evil": b"x"}, top=None),
    "two top folders": lambda p: _two_tops(p),
    "file at top level": lambda p: write_zip(p, package_files(), top=None),
    "no metadata": lambda p: write_zip(p, {k: v for k, v in package_files().items() if k != "metadata.json"}),
    "bad json": lambda p: write_zip(p, {**package_files(), "metadata.json": b"{from_code: de"}),
    "no to_code": lambda p: write_zip(p, {**package_files(), "metadata.json": b'{"from_code": "de"}'}),
    "no model.bin": lambda p: write_zip(p, {k: v for k, v in package_files().items() if k != "model/model.bin"}),
    "no sentencepiece": lambda p: write_zip(p, {k: v for k, v in package_files().items() if k != "sentencepiece.model"}),
    "empty zip": lambda p: zipfile.ZipFile(p, "w").close(),
}
EXPECTED = {
    "not a zip": "must be a zip",
    "truncated zip": "zip",
    "zip slip": "unsafe path",
    "absolute path": "unsafe path",
    "two top folders": "one top folder",
    "file at top level": "one top folder",
    "no metadata": "missing translate-de_en-1_0/metadata.json",
    "bad json": "not valid JSON",
    "no to_code": "no to_code",
    "no model.bin": "missing translate-de_en-1_0/model/model.bin",
    "no sentencepiece": "missing translate-de_en-1_0/sentencepiece.model",
    "empty zip": "empty",
}


def _two_tops(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in package_files().items():
            zf.writestr(f"a/{name}", data)
        zf.writestr("b/extra.txt", b"x")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_archive_is_refused_and_nothing_is_visible(tmp_path, settings, case):
    install_from_path(write_zip(tmp_path / "good.argosmodel", package_files()), settings)
    before = {p.relative_to(settings.home) for p in settings.home.rglob("*")}
    bad = tmp_path / "bad.argosmodel"
    BROKEN[case](bad)
    with pytest.raises(PackageError) as err:
        install_from_path(bad, settings)
    assert str(bad) in str(err.value)
    assert EXPECTED[case] in str(err.value)
    assert {p.relative_to(settings.home) for p in settings.home.rglob("*")} == before
    assert not (tmp_path / "evil.txt").exists() and not (settings.home / "evil.txt").exists()


def test_zip_with_symlink_is_refused(tmp_path, settings):
    path = write_zip(tmp_path / "link.argosmodel", package_files())
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo("translate-de_en-1_0/model/link")
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(PackageError, match="symbolic link"):
        install_from_path(path, settings)


def test_folder_missing_files_names_them(tmp_path, settings):
    folder = write_folder(tmp_path / "half", {"metadata.json": b'{"from_code": "de", "to_code": "en"}'})
    with pytest.raises(PackageError, match=r"half: not an Argos package, missing model/model.bin, sentencepiece.model"):
        install_from_path(folder, settings)
    with pytest.raises(PackageError, match="no such file"):
        install_from_path(tmp_path / "missing.argosmodel", settings)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(alphabet="ab./\\:", min_size=1, max_size=12), min_size=1, max_size=4))
def test_any_member_names_install_fully_or_not_at_all(tmp_path_factory, names):
    """Whatever extra names an archive holds, nothing lands outside packages_dir and no temp is left."""
    root = tmp_path_factory.mktemp("prop")
    settings = load_settings(home=root / "home")
    archive = root / "x.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in package_files().items():
            zf.writestr(f"top/{name}", data)
        for name in names:
            zf.writestr(name, b"x")
    try:
        pkg = install_from_path(archive, settings)
    except PackageError:
        assert visible(settings) == []
    else:
        assert visible(settings) == [pkg.name]
    outside = {p for p in root.rglob("*")} - {archive} - set(settings.home.rglob("*")) - {settings.home}
    assert outside == set()


# ---- finding packages ---------------------------------------------------------------------------
def test_find_missing_pair_says_what_to_do(tmp_path, settings):
    install_from_path(write_zip(tmp_path / "fr.argosmodel", package_files(tgt="fr"), top="translate-de_fr-1_0"), settings)
    with pytest.raises(ModelNotInstalled) as err:
        find_package("de", "en", settings, env=NO_ARGOS)
    message = str(err.value)
    assert "no de->en package installed" in message
    assert "python -m align models install de en" in message and "--from FILE.argosmodel" in message
    assert "de->fr 1.0" in message


def test_argostranslate_folder_is_listed_read_only(tmp_path, settings):
    argos_home = tmp_path / "argoshome"
    argos_pkgs = argos_home / ".local" / "share" / "argos-translate" / "packages"
    write_folder(argos_pkgs / "translate-de_en-1_0", package_files())
    write_folder(argos_pkgs / "broken", {"README.md": b"not a package"})
    env = {"HOME": str(argos_home)}
    [theirs] = list_packages(settings, env=env)
    assert theirs.read_only and theirs.path == argos_pkgs / "translate-de_en-1_0"
    assert find_package("de", "en", settings, env=env) == theirs
    assert list_packages(settings, env={"ARGOS_PACKAGES_DIR": str(argos_pkgs)}) == [theirs]

    ours = install_from_path(write_zip(tmp_path / "a.argosmodel", package_files(version="0.9")), settings)
    assert find_package("de", "en", settings, env=env) == ours  # ours wins even when older
    assert [p.read_only for p in list_packages(settings, env=env)] == [False, True]


def test_remove_missing_or_foreign_package(settings):
    with pytest.raises(ModelNotInstalled):
        remove_package("de", "en", settings)


# ---- the package index over real HTTP ------------------------------------------------------------
@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def http_root(tmp_path, no_proxy):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields (folder, base URL)."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield www, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_install_from_index_downloads_newest(http_root, settings):
    www, base = http_root
    write_zip(www / "de_en_1_0.argosmodel", package_files(version="1.0"))
    write_zip(www / "de_en_1_2.argosmodel", package_files(version="1.2"))
    index = [
        {"from_code": "de", "to_code": "en", "package_version": "1.0", "links": [f"{base}/de_en_1_0.argosmodel"]},
        {
            "from_code": "de",
            "to_code": "en",
            "package_version": "1.2",
            "links": [f"{base}/gone.argosmodel", f"{base}/de_en_1_2.argosmodel"],
        },
        {"from_code": "en", "to_code": "de", "package_version": "9.0", "links": [f"{base}/x"]},
        {"from_code": "de", "to_code": "en", "package_version": "9.9", "type": "sbd", "links": [f"{base}/x"]},
    ]
    (www / "index.json").write_text(json.dumps(index))
    seen: list[tuple[int, int | None]] = []
    pkg = install_from_index("de", "en", settings, index_url=f"{base}/index.json", progress=lambda d, t: seen.append((d, t)))
    assert pkg.version == "1.2" and (pkg.path / "README.md").read_text() == "A test package 1.2."
    size = (www / "de_en_1_2.argosmodel").stat().st_size
    assert seen[-1] == (size, size)
    assert visible(settings) == ["translate-de_en-1_2"]

    with pytest.raises(PackageError, match=r"has no de->fr package; it has: de->en, en->de"):
        install_from_index("de", "fr", settings, index_url=f"{base}/index.json")


def test_index_errors(http_root, settings):
    www, base = http_root
    (www / "bad.json").write_text("{not json")
    with pytest.raises(PackageError, match="not valid JSON"):
        install_from_index("de", "en", settings, index_url=f"{base}/bad.json")
    (www / "index.json").write_text(json.dumps([{"from_code": "de", "to_code": "en", "links": [f"{base}/nope"]}]))
    with pytest.raises(NetworkError, match=r"cannot download the de->en package .*nope.*--from PATH"):
        install_from_index("de", "en", settings, index_url=f"{base}/index.json")
    assert visible(settings) == []


def test_index_package_of_another_pair_is_refused(http_root, settings):
    """The index promises de->en; a package that says de->fr must not be installed as if it were."""
    www, base = http_root
    write_zip(www / "x.argosmodel", package_files(tgt="fr"), top="x")
    entry = {"from_code": "de", "to_code": "en", "package_version": "1.0", "links": [f"{base}/x.argosmodel"]}
    (www / "index.json").write_text(json.dumps([entry]))
    with pytest.raises(PackageError, match=r"x.argosmodel: .*de->fr.*de->en"):
        install_from_index("de", "en", settings, index_url=f"{base}/index.json")
    assert visible(settings) == []


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/index.json"


def test_unreachable_index_is_a_network_error(settings, no_proxy):
    url = closed_port_url()
    with pytest.raises(NetworkError) as err:
        install_from_index("de", "en", settings, index_url=url, timeout=5)
    assert f"cannot reach the Argos package index ({url})" in str(err.value)
    assert "python -m align models install --from PATH" in str(err.value)


# ---- the command line -----------------------------------------------------------------------------
def test_cli_models_install_list_remove(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    home = str(tmp_path / "home")
    archive = write_zip(tmp_path / "de_en.argosmodel", package_files())
    assert cli.main(["--home", home, "models", "list"]) == 0
    assert "No Argos packages installed" in capsys.readouterr().out
    assert cli.main(["--home", home, "models", "install", "--from", str(archive)]) == 0
    assert capsys.readouterr().out.startswith("installed de->en 1.0 at ")
    assert cli.main(["--home", home, "models", "list"]) == 0
    assert capsys.readouterr().out.startswith("de->en\t1.0\ttranslate-de_en-1_0\t")
    assert cli.main(["--home", home, "models", "remove", "de", "en"]) == 0
    assert capsys.readouterr().out.startswith("removed de->en 1.0")
    assert cli.main(["--home", home, "models", "remove", "de", "en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no de->en package installed") and err.count("\n") == 1


def test_cli_install_unreachable_index(tmp_path, capsys, no_proxy):
    url = closed_port_url()
    assert cli.main(["--home", str(tmp_path), "models", "install", "de", "en", "--index-url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot reach the Argos package index ({url})") and err.count("\n") == 1


def test_installed_package_is_a_plain_record(tmp_path):
    pkg = InstalledPackage("de", "en", "1.0", "n", tmp_path, {"target_prefix": "__en__"})
    assert pkg.target_prefix == "__en__" and pkg.model_dir == tmp_path / "model"


def test_cli_install_from_index_shows_download_progress(http_root, tmp_path, capsys):
    www, base = http_root
    write_zip(www / "de_en.argosmodel", package_files(version="2.0"))
    index = [{"from_code": "de", "to_code": "en", "package_version": "2.0", "links": [f"{base}/de_en.argosmodel"]}]
    (www / "index.json").write_text(json.dumps(index))
    home = str(tmp_path / "home")
    assert cli.main(["--home", home, "models", "install", "de", "en", "--index-url", f"{base}/index.json"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("installed de->en 2.0 at ")
    assert "de->en" in captured.err and "100%" in captured.err


def test_cli_list_marks_argostranslate_packages(tmp_path, capsys, monkeypatch):
    argos_pkgs = tmp_path / "xdg" / "argos-translate" / "packages"
    write_folder(argos_pkgs / "translate-de_en-1_0", package_files())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    assert cli.main(["--home", str(tmp_path / "home"), "models", "list"]) == 0
    out = capsys.readouterr().out
    assert (
        out == f"de->en\t1.0\ttranslate-de_en-1_0\t{argos_pkgs / 'translate-de_en-1_0'}\t(argostranslate's folder, read-only)\n"
    )
