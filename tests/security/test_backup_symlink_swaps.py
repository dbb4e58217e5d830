"""a learner's home is walked by `./balaikode backup` as root while
she keeps working. Two races put other volumes' files into the archive under
HER home; a later restore (an upgrade's automatic rollback, or the admin's
restore after a failure) hands them to her.

1. ops/volumes/backup.py reads 16 bytes of her file through an O_NOFOLLOW
   descriptor, then lets SQLite reopen the file BY PATH for the online
   backup: a symlink renamed over it in between is followed (the archive
   then holds the hub database as her file, owned by her).
2. walk.py lists a folder by path after it was seen as a folder: a folder
   replaced by a symlink meanwhile is followed (another volume's files are
   listed, opened and archived under her home).

The learner learns the backup's moment from inotify (IN_OPEN on her own
folder). Both payloads are in payloads/.
"""

from __future__ import annotations

import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest

from support.hub_client import poll
from support.stack import REPO

PAYLOADS = Path(__file__).parent / "payloads"


def start_payload(learner, name: str, log: str) -> None:
    learner.write_file(f"{name}.py", (PAYLOADS / f"{name}.py").read_text())
    learner.run_code("import subprocess, sys\n"
                     f"subprocess.Popen([sys.executable, '{name}.py'], start_new_session=True,"
                     " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)")
    poll(f"{name} to start", lambda: "watching" in (learner.read_file(log) or ""), 60)


@pytest.fixture(scope="module")
def archive(stack, new_learner, tmp_path_factory):
    attacker = new_learner("maling")
    attacker.start_server()
    start_payload(attacker, "sqlite_swap", "race.log")
    start_payload(attacker, "folder_swap", "race2.log")
    path = tmp_path_factory.mktemp("redteam") / "backup.tar.gz"
    result = subprocess.run(["./balaikode", "backup", str(path)], cwd=REPO, capture_output=True,
                            text=True, timeout=600,
                            env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project})
    assert result.returncode == 0, result.stdout + result.stderr
    return attacker, path


def test_her_sqlite_files_in_the_backup_are_her_own(archive, tmp_path):
    attacker, path = archive
    stolen = []
    with tarfile.open(path) as tar:
        for member in tar:
            if f"home-{attacker.name}/race/f" in member.name and member.isfile():
                copy = tmp_path / "f.db"
                copy.write_bytes(tar.extractfile(member).read())
                tables = {row[0] for row in sqlite3.connect(copy).execute(
                    "select name from sqlite_master where type='table'")}
                if "users_info" in tables:  # the hub's database (NativeAuthenticator's hashes)
                    stolen.append(member.name)
    assert not stolen, f"the hub database is archived as {len(stolen)} of her files: {stolen[:3]}"


def test_her_folders_in_the_backup_hold_only_her_files(archive):
    attacker, path = archive
    with tarfile.open(path) as tar:
        names = [m.name for m in tar if f"home-{attacker.name}/race2/b/" in m.name]
    foreign = [n for n in names if not n.endswith("/mine.txt")]
    assert not foreign, f"another volume's files archived in her home: {foreign}"
