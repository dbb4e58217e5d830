"""Consistent copies of SQLite databases that the hub or nbgrader may be
writing to while we read them.

SQLite opens databases by name (and follows symlinks, even /proc/self/fd's),
so a name in a volume someone else can change is never given to it: a
learner or trainer who renames a symlink over her database at the right
moment would make SQLite read another volume's database as hers. Hence:

- the hub's own volume (hub-data; nobody but the hub writes it): SQLite's
  online backup, by name;
- course folders (nbgrader's gradebook.db; trainers write them): the bytes
  of the file we opened, copied privately, kept if SQLite finds the copy
  sound (a copy torn by a write in progress is taken again);
- homes and exchanges (learners'): their bytes as they are, like any file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile

from .messages import warn

SQLITE_MAGIC = b"SQLite format 3\x00"
# Files beside a database that its snapshot already accounts for.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")
ATTEMPTS = 3


def snapshot(kind: str, handle, path: str, workdir: str) -> str | None:
    """A consistent copy in workdir of the database open as `handle` in a
    volume of `kind` (path: for the name-based backup and messages); None
    where this kind of volume gets its bytes copied as they are, or if no
    sound copy could be made."""
    if kind == "hub-data":
        return online_backup(path, workdir)
    if kind == "course":
        return private_copy(handle, path, workdir)
    return None


def online_backup(path: str, workdir: str) -> str | None:
    copy = tempfile.mktemp(dir=workdir, suffix=".sqlite")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        try:
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return copy
    except sqlite3.Error as error:
        warn(f"{path}: SQLite online backup failed ({error}); copying the file as it is")
        if os.path.exists(copy):
            os.unlink(copy)
        return None


def private_copy(handle, path: str, workdir: str) -> str | None:
    for _ in range(ATTEMPTS):
        copy = tempfile.mktemp(dir=workdir, suffix=".sqlite")
        handle.seek(0)
        with open(copy, "wb") as target:
            shutil.copyfileobj(handle, target)
        try:
            with sqlite3.connect(copy) as db:
                if db.execute("PRAGMA quick_check").fetchone() == ("ok",):
                    return copy
        except sqlite3.Error:
            pass
        os.unlink(copy)
    warn(f"{path}: changed on every read ({ATTEMPTS} tries); copying the file as it is")
    return None
