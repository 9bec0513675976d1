"""Names in a package's metadata become folder and file names: a name Windows cannot hold (a
device name such as ``aux`` or ``CON.txt``, a trailing dot it drops) is refused on every system,
so a package that installs on Linux also installs on Windows (issue 21, item 3). Real packages
(the fixture model), installed through the normal path."""

from __future__ import annotations

import pytest
from test_packages import package_files, visible, write_zip

from align.errors import PackageError
from align.mt.packages import install_from_path, package_folder


@pytest.mark.parametrize("name", ["aux", "CON", "nul.model", "com1", "LPT9.x", "model."])
def test_imported_package_name_windows_cannot_hold_is_refused(tmp_path, settings, name):
    files = package_files(source_model="someone/model", name=name)
    with pytest.raises(PackageError, match="unusable name") as err:
        install_from_path(write_zip(tmp_path / "odd.argosmodel", files, top="x"), settings)
    assert "\n" not in str(err.value)
    assert visible(settings) == []


@pytest.mark.parametrize("name", ["prn.model", "spm."])
def test_sentencepiece_file_name_windows_cannot_hold_is_refused(tmp_path, settings, name):
    files = package_files(source_model="someone/model", name="odd-de_en", source_sentencepiece=name)
    files[name] = files["sentencepiece.model"]
    with pytest.raises(PackageError, match="unsafe source_sentencepiece"):
        install_from_path(write_zip(tmp_path / "odd.argosmodel", files, top="x"), settings)
    assert visible(settings) == []


def test_ordinary_names_still_install(tmp_path, settings):
    files = package_files(source_model="someone/model", name="auxiliary.model-de_en")
    pkg = install_from_path(write_zip(tmp_path / "fine.argosmodel", files, top="x"), settings)
    assert pkg.path == settings.packages_dir / "auxiliary.model-de_en"


def test_package_folder_refuses_device_names(tmp_path):
    with pytest.raises(PackageError, match="cannot be a package folder name"):
        package_folder(tmp_path, "aux")
    assert package_folder(tmp_path, "aux-de_en") == tmp_path / "aux-de_en"
