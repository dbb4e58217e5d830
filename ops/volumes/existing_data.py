"""check: which mounted volumes already hold someone's data, so that a
restore does not overwrite work without --force."""

from __future__ import annotations

import os
import sqlite3
import tempfile

from . import sqlite_copy
from .keys import SECRET_KEYS
from .messages import warn
from .walk import walk


def hub_users(data_dir: str) -> tuple[list[str], int] | None:
    """(non-admin user names, number of groups) in a hub database, or None
    if it cannot be read."""
    path = os.path.join(data_dir, "jupyterhub.sqlite")
    if not os.path.exists(path):
        return [], 0
    with tempfile.TemporaryDirectory() as workdir:
        copy = sqlite_copy.online_backup(path, workdir)  # hub-data: only the hub writes it
        if copy is None:
            return None
        db = sqlite3.connect(copy)
        try:
            admins = {name for name, admin in db.execute("SELECT name, admin FROM users") if admin}
            names = {name for (name,) in db.execute("SELECT name FROM users")}
            try:
                names |= {name for (name,) in db.execute("SELECT username FROM users_info")}
            except sqlite3.Error:
                pass
            groups = db.execute("SELECT count(*) FROM groups").fetchone()[0]
        except sqlite3.Error as error:
            warn(f"cannot read {path}: {error}")
            return None
        finally:
            db.close()
    return sorted(names - admins), groups


def volume_state(key: str, root: str) -> str:
    """`empty`, `fresh` (only generated state: tokens, or a hub database with
    nothing but admin accounts) or `data WHAT`."""
    if not os.listdir(root):
        return "empty"
    if key in SECRET_KEYS:
        return "fresh"
    if key == "hub-data":
        found = hub_users(root)
        if found is None:
            return "data a hub database that could not be read"
        if found[0] or found[1]:
            return f"data {len(found[0])} user account(s) and {found[1]} group(s)"
        return "fresh"
    return f"data {sum(1 for _ in walk(root)) - 1} files and folders"


def check_lines(volumes_root: str) -> list[str]:
    """One line per mounted volume, `KEY STATE`, as restore.sh reads them."""
    return [f"{key} {volume_state(key, os.path.join(volumes_root, key))}"
            for key in sorted(os.listdir(volumes_root))]
