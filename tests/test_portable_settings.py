"""Where the data folder and argostranslate's packages are on Windows (issue 21, item 3).

A Windows user's application data belongs in %LOCALAPPDATA% (not roaming: models are hundreds of
MB), not in a Unix-style ``~/.local/share``; a data folder an earlier version made there is kept,
so nobody loses their projects. argostranslate finds its own packages under ``Path.home()``,
which on Windows is %USERPROFILE% whatever $HOME says (Git Bash and MSYS set HOME). Both run
here on Linux with the environment a Windows process would see.
"""

from __future__ import annotations

from pathlib import Path

from align.mt.packages import argos_package_dirs
from align.settings import load_settings


def test_windows_data_folder_is_under_localappdata(tmp_path):
    local = tmp_path / "AppData" / "Local"
    env = {"LOCALAPPDATA": str(local), "USERPROFILE": str(tmp_path), "HOME": str(tmp_path / "msys-home")}
    assert load_settings(env=env, os_name="nt").home == local / "align-workbench"


def test_windows_data_folder_without_localappdata_is_under_the_profile(tmp_path):
    env = {"USERPROFILE": str(tmp_path)}
    assert load_settings(env=env, os_name="nt").home == tmp_path / "AppData" / "Local" / "align-workbench"


def test_windows_keeps_a_data_folder_an_earlier_version_made(tmp_path):
    """Versions before this one put it under HOME/.local/share on Windows too: still used."""
    old = tmp_path / ".local" / "share" / "align-workbench"
    (old / "packages").mkdir(parents=True)
    env = {"LOCALAPPDATA": str(tmp_path / "AppData" / "Local"), "USERPROFILE": str(tmp_path), "HOME": str(tmp_path)}
    assert load_settings(env=env, os_name="nt").home == old
    new = tmp_path / "AppData" / "Local" / "align-workbench"
    new.mkdir(parents=True)  # once the new one exists, it wins
    assert load_settings(env=env, os_name="nt").home == new


def test_align_home_still_wins_on_windows(tmp_path):
    env = {"ALIGN_HOME": str(tmp_path / "mine"), "LOCALAPPDATA": str(tmp_path)}
    assert load_settings(env=env, os_name="nt").home == tmp_path / "mine"


def test_posix_data_folder_is_unchanged():
    assert load_settings(env={"HOME": "/h"}, os_name="posix").home.as_posix() == "/h/.local/share/align-workbench"
    assert load_settings(env={"HOME": "/h", "XDG_DATA_HOME": "/x"}, os_name="posix").home.as_posix() == "/x/align-workbench"


def test_argos_folder_on_windows_follows_userprofile_like_argostranslate(tmp_path):
    """argostranslate.settings: ``Path.home() / '.local' / 'share' / 'argos-translate'``; on
    Windows Path.home() is %USERPROFILE%, not $HOME."""
    env = {"USERPROFILE": str(tmp_path / "profile"), "HOME": str(tmp_path / "msys-home")}
    assert argos_package_dirs(env, os_name="nt") == [tmp_path / "profile" / ".local" / "share" / "argos-translate" / "packages"]
    assert argos_package_dirs({"HOME": "/h"}, os_name="posix") == [Path("/h/.local/share/argos-translate/packages")]
    assert argos_package_dirs({"ARGOS_PACKAGES_DIR": str(tmp_path / "a")}, os_name="nt") == [tmp_path / "a"]
