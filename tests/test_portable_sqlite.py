"""SQLite's WAL mode does not work on a network file system (its shared-memory index needs every
process on one host, https://www.sqlite.org/wal.html): a data folder on a network drive (a mapped
drive or a \\\\server\\share path on Windows, NFS/SMB/sshfs on Linux and macOS) gets a rollback
journal instead (issue 21, item 3). No network drive can be mounted here, so the detection is
run on real mount tables and Windows path forms; the local case runs for real."""

from __future__ import annotations

import sqlite3
from pathlib import PurePosixPath

import pytest

from align import sqlitedb
from align.sqlitedb import connect, journal_mode, network_mount, parse_mount_table

# /proc/self/mounts of a Linux machine with an NFS home, an SMB share with a space in its name
# (the kernel writes it as \040), WSL's Windows drive, a 9p mount that is not WSL's (gVisor), and
# a tmpfs mounted over the NFS home and the NFS home over that (the last mount on a point is in use)
LINUX_MOUNTS = """\
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid,nodev 0 0
nas:/export/home /home/team nfs4 rw,relatime,vers=4.2 0 0
//nas/Team\\040Files /mnt/team\\040files cifs rw,relatime,vers=3.1.1 0 0
C:\\134 /mnt/c 9p rw,noatime,dirsync,aname=drvfs;path=C:\\;uid=1000;gid=1000 0 0
/dev/nvme0n1p3 /home/team/local ext4 rw 0 0
none /sandbox 9p rw,trans=fd,rfdno=4,wfdno=4 0 0
tmpfs /home/team tmpfs rw 0 0
nas:/export/home /home/team nfs4 rw 0 0
"""

# `mount` on macOS
MACOS_MOUNTS = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
//translator@nas._smb._tcp.local/Projects on /Volumes/Projects (smbfs, nodev, nosuid, mounted by translator)
nas:/export on /Volumes/export (nfs, asynchronous)
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/home/team/align-workbench/projects.sqlite3", "nfs4"),
        ("/home/team/local/projects.sqlite3", None),  # a local disk mounted inside the NFS one
        ("/home/other/projects.sqlite3", None),
        ("/mnt/team files/align/tm.sqlite3", "cifs"),
        ("/mnt/c/Users/me/align/projects.sqlite3", "drvfs"),
        ("/sandbox/home/projects.sqlite3", None),  # 9p that is not WSL's (gVisor's root): local
        ("/tmp/x.sqlite3", None),
        ("/home/teamwork/x.sqlite3", None),  # a longer name, not under /home/team
    ],
)
def test_network_mounts_on_linux(path, kind):
    assert network_mount(PurePosixPath(path), parse_mount_table(LINUX_MOUNTS)) == kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/Volumes/Projects/align-workbench/projects.sqlite3", "smbfs"),
        ("/Volumes/export/x.sqlite3", "nfs"),
        ("/Users/me/.local/share/align-workbench/projects.sqlite3", None),
    ],
)
def test_network_mounts_on_macos(path, kind):
    assert network_mount(PurePosixPath(path), parse_mount_table(MACOS_MOUNTS)) == kind


@pytest.mark.parametrize(
    ("path", "remote"),
    [
        (r"\\nas\team\align-workbench\projects.sqlite3", True),
        ("//nas/team/align-workbench/projects.sqlite3", True),
        (r"\\?\UNC\nas\team\align\projects.sqlite3", True),
        ("relative\\projects.sqlite3", False),
    ],
)
def test_windows_unc_paths_are_network_paths(path, remote):
    assert sqlitedb.windows_unc(path) is remote


def test_a_local_file_gets_wal_for_real(tmp_path):
    path = tmp_path / "local.sqlite3"
    assert journal_mode(path) == "WAL"
    db = connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_rollback_journal_opens_and_writes_from_two_connections(tmp_path):
    """What a network drive gets: DELETE mode, still shared by the page's sessions (busy timeout)."""
    path = tmp_path / "shared.sqlite3"
    first = connect(path, journal="DELETE")
    second = connect(path, journal="DELETE")
    try:
        assert first.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        first.execute("CREATE TABLE t (x)")
        first.execute("INSERT INTO t VALUES (1)")
        assert second.execute("SELECT x FROM t").fetchall() == [(1,)]
        assert not path.with_name(path.name + "-wal").exists()
    finally:
        first.close()
        second.close()
    with pytest.raises(ValueError, match="journal"):
        connect(path, journal="MEMORY; DROP TABLE t")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (1,)
