"""Issue 14: the volume tool in pieces still reads and writes the same
archive. fixtures/backup-format1.tar.gz was written by ops/voltool.py as it
was before the split (commit 52232c6) from a small stack: hub database,
proxy token, a learner's home with a hard link, a symlink pointing out of
it and a FIFO, a course folder with its gradebook, an exchange with the
setgid inbound, the settings file. Numeric owners are restored as they were
(learner UIDs), so these tests run as root, like the throwaway containers."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest

from ops.volumes import archive_check, backup, restore, verify

FIXTURE = Path(__file__).parent / "fixtures" / "backup-format1.tar.gz"
KEYS = ["hub-data", "proxy-secret", "home-ani", "course-kelas", "exchange-kelas"]


def restored(tmp_path: Path, archive: Path, keys) -> tuple[Path, list[str]]:
    volumes, out = tmp_path / "restored", tmp_path / "out"
    out.mkdir()
    for key in keys:
        (volumes / key).mkdir(parents=True)
    with open(archive, "rb") as stream:
        problems = restore.restore_archive(stream, str(volumes), str(out))
    return volumes, problems


def test_an_archive_of_the_tool_before_the_split_is_inspected_as_before():
    with open(FIXTURE, "rb") as stream:
        summary = archive_check.check_archive(stream)
    assert archive_check.inspect_lines(summary) == [
        "project balaikode", "version 0.1.0", "date 2026-12-04T07:02:41+00:00", "settings yes",
        *(f"volume {key}" for key in KEYS),
        "bytes hub-data 8192", "bytes proxy-secret 8", "bytes home-ani 28",
        "bytes course-kelas 8192", "bytes exchange-kelas 0", "files 17"]


def test_an_archive_of_the_tool_before_the_split_restores_exactly(tmp_path):
    volumes, problems = restored(tmp_path, FIXTURE, KEYS)
    assert problems == []
    manifest = json.loads((tmp_path / "out" / "MANIFEST.json").read_text())
    assert verify.verify_volumes(manifest, str(volumes)) == ([], 16)
    assert (tmp_path / "out" / "site.env").read_text() == "BALAIKODE_DOMAIN=\n"

    home = volumes / "home-ani"
    st = home.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (10001, 100, 0o700)
    assert (home / "catatan.md").stat().st_ino == (home / "salinan.md").stat().st_ino
    assert os.readlink(home / "ke-luar") == "/etc/passwd"
    assert stat.S_ISFIFO((home / "pipa").lstat().st_mode)
    assert (home / "proyek" / "skrip.py").read_text() == "print('halo')\n"
    assert stat.S_IMODE((volumes / "exchange-kelas/kelas/inbound").stat().st_mode) == 0o2770
    assert (home / "catatan.md").stat().st_mtime == 1700000000.25
    db = sqlite3.connect(volumes / "course-kelas" / "gradebook.db")
    assert db.execute("SELECT name FROM assignment").fetchall() == [("01-variabel",)]


def test_verify_names_every_difference(tmp_path):
    volumes, _ = restored(tmp_path, FIXTURE, KEYS)
    manifest = json.loads((tmp_path / "out" / "MANIFEST.json").read_text())
    home = volumes / "home-ani"
    (home / "proyek" / "skrip.py").write_text("print('diubah')\n")
    os.chmod(home / "proyek", 0o777)
    (home / "pipa").unlink()
    (home / "salinan.md").unlink()
    (home / "salinan.md").write_text("# Catatan Ani\n")
    os.utime(home / "catatan.md", (1, 1))
    problems, checked = verify.verify_volumes(manifest, str(volumes))
    assert checked == 16
    assert [line.split()[0:2] for line in problems] == [
        ["MTIME", "volumes/home-ani:"],  # its entries changed
        ["MTIME", "volumes/home-ani/catatan.md:"],
        ["MISSING", "volumes/home-ani/pipa"],
        ["MODE", "volumes/home-ani/proyek:"],
        ["MTIME", "volumes/home-ani/proyek/skrip.py:"],
        ["SHA256", "volumes/home-ani/proyek/skrip.py:"],
        ["LINK", "volumes/home-ani/salinan.md"],
    ]
    assert "MODE     volumes/home-ani/proyek: 777, manifest says 750" in problems


@pytest.fixture
def live(tmp_path):
    """Volumes as a running class leaves them, with a database in use."""
    root = tmp_path / "live"
    home = root / "home-siti-2en"
    (home / "proyek").mkdir(parents=True)
    (home / "proyek" / "skrip.py").write_text("print(sum([1, 2, 3]))\n")
    os.link(home / "proyek" / "skrip.py", home / "salinan.py")
    (home / "ke-luar").symlink_to("/etc/passwd")
    os.mkfifo(home / "pipa")
    os.chmod(home, 0o700)
    data = root / "hub-data"
    data.mkdir()
    db = sqlite3.connect(data / "jupyterhub.sqlite")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE users (name TEXT, admin BOOL)")
    db.execute("INSERT INTO users VALUES ('siti.n', 0)")
    db.commit()
    yield root, db  # kept open: the hub does not stop for a backup
    db.close()


def test_backup_then_restore_gives_back_the_same_volumes(live, tmp_path):
    root, _ = live
    settings = tmp_path / "site.env"
    settings.write_text("BALAIKODE_HOME_DISK_SIZE=2G\n")
    archive = tmp_path / "kelas.tar.gz"
    keys = ["hub-data", "home-siti-2en"]
    with open(archive, "wb") as out:
        backup.write_backup(out, project="bkt1a2b3c4d", version="0.1.0",
                            volumes=[(key, f"bkt1a2b3c4d-{key}") for key in keys],
                            volumes_root=str(root), site_env=str(settings))

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        head = json.load(tar.extractfile("BALAIKODE-BACKUP.json"))
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert names[0] == "BALAIKODE-BACKUP.json" and names[-1] == "MANIFEST.json"
    assert sorted(head) == ["date", "format", "project", "settings", "version", "volumes"]
    assert head["format"] == 1 and head["settings"] is True
    assert manifest["format"] == 1 and manifest["project"] == "bkt1a2b3c4d"
    assert manifest["sqlite_online_backup"] == ["volumes/hub-data/jupyterhub.sqlite"]
    assert manifest["files"]["volumes/home-siti-2en/proyek/skrip.py"]["type"] == "hardlink"

    with open(archive, "rb") as stream:
        summary = archive_check.check_archive(stream)
    assert summary["volumes"] == keys and summary["settings"] is True
    volumes, problems = restored(tmp_path, archive, keys)
    assert problems == []
    assert verify.verify_volumes(manifest, str(volumes)) == ([], len(manifest["files"]) - 1)
    db = sqlite3.connect(volumes / "hub-data" / "jupyterhub.sqlite")
    assert db.execute("SELECT name FROM users").fetchall() == [("siti.n",)]
    assert (tmp_path / "out" / "site.env").read_text() == "BALAIKODE_HOME_DISK_SIZE=2G\n"
