"""The backup reads volumes while learners work, as root, with every volume
mounted beside hers (ops/volumes/walk.py). A learner who swaps a folder or a
file for a symlink at the right moment (inotify tells her when) must never
get another volume's files into the archive as hers. The swaps happen here
exactly between the walk's looking and its opening."""

from __future__ import annotations

import os
import sqlite3

import pytest

from ops.volumes import sqlite_copy
from ops.volumes.walk import walk


@pytest.fixture
def volumes(tmp_path):
    """/volumes/home-ani (hers) and /volumes/hub-data (a secret beside it)."""
    home, hub = tmp_path / "home-ani", tmp_path / "hub-data"
    (home / "race" / "a").mkdir(parents=True)
    (home / "race" / "b").mkdir()
    (home / "race" / "b" / "mine.txt").write_text("punyaku")
    (home / "race" / "f.txt").write_text("punyaku")
    hub.mkdir()
    (hub / "admin-cli-token").write_text("SECRET")
    return home, hub


def swap_for_link(path, target):
    """What the learner does: a symlink renamed over a folder or file."""
    link = path.with_name(path.name + ".link")
    os.symlink(target, link)
    if path.is_dir() and not path.is_symlink():
        os.rename(path, path.with_name(path.name + ".old"))
    os.rename(link, path)


def test_a_folder_swapped_for_a_link_while_the_walk_is_beside_it_is_skipped(volumes):
    home, hub = volumes
    seen = []
    for entry in walk(str(home)):
        seen.append(entry.rel)
        if entry.rel == "race/a":  # listed; race/b is listed too but not yet entered
            swap_for_link(home / "race" / "b", hub)
    assert "race/b/admin-cli-token" not in seen
    assert not any(rel.startswith("race/b/") for rel in seen), seen


def test_a_file_swapped_for_a_link_after_it_was_listed_is_not_read(volumes):
    home, hub = volumes
    for entry in walk(str(home)):
        if entry.rel == "race/f.txt":
            swap_for_link(home / "race" / "f.txt", hub / "admin-cli-token")
            with pytest.raises(OSError):
                entry.open_file()


def test_a_folder_above_a_file_swapped_after_listing_does_not_redirect_the_open(volumes):
    home, hub = volumes
    (hub / "mine.txt").write_text("SECRET")  # same name as hers, in the other volume
    for entry in walk(str(home)):
        if entry.rel == "race/b/mine.txt":
            swap_for_link(home / "race" / "b", hub)
            fd = entry.open_file()  # the folder she had, held open: her own file
            with os.fdopen(fd, "rb") as handle:
                assert handle.read() == b"punyaku"


def make_db(path, value):
    with sqlite3.connect(path) as db:
        db.execute("create table t (v text)")
        db.execute("insert into t values (?)", (value,))


def test_a_trainers_database_is_copied_from_the_file_opened_not_from_its_name(tmp_path):
    hers, secret = tmp_path / "gradebook.db", tmp_path / "jupyterhub.sqlite"
    make_db(hers, "nilai")
    make_db(secret, "SECRET")
    with open(hers, "rb") as handle:
        swap_for_link(hers, secret)
        copy = sqlite_copy.snapshot("course", handle, str(hers), str(tmp_path))
    assert copy is not None
    with sqlite3.connect(copy) as db:
        assert db.execute("select v from t").fetchall() == [("nilai",)]


def test_a_learners_database_is_never_opened_by_sqlite(tmp_path):
    hers = tmp_path / "punyaku.db"
    make_db(hers, "punyaku")
    with open(hers, "rb") as handle:
        assert sqlite_copy.snapshot("home", handle, str(hers), str(tmp_path)) is None
        assert sqlite_copy.snapshot("exchange", handle, str(hers), str(tmp_path)) is None
