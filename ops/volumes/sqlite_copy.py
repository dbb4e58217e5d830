"""Consistent copies of SQLite databases that the hub or nbgrader may be
writing to while we read them."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import urllib.parse

from .messages import warn

SQLITE_MAGIC = b"SQLite format 3\x00"
# Files beside a database that its snapshot already accounts for.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


def snapshot(path: str, workdir: str) -> str | None:
    """A consistent copy made with SQLite's online backup API, in workdir;
    None if that is not possible."""
    copy = tempfile.mktemp(dir=workdir, suffix=".sqlite")
    try:
        source = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, timeout=60)
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
