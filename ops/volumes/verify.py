"""verify: after a restore, read the volumes back and compare every entry
with the manifest: type, content (sha256), numeric owner, mode and mtime."""

from __future__ import annotations

import os
import stat

from .archive_format import VOLUMES_PREFIX, sha256_of, volume_part
from .keys import kind_of
from .messages import Refused
from .walk import entry_type


def entry_problems(name: str, entry: dict, volumes_root: str) -> list[str]:
    """How the mounted volumes differ from one manifest entry."""
    key, rel = volume_part(name)
    kind_of(key)
    root = os.path.join(volumes_root, key)
    path = os.path.join(root, rel) if rel else root
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return [f"MISSING  {name}"]
    if entry["type"] == "hardlink":
        target_key, target_rel = volume_part(entry["target"])
        target = os.path.join(volumes_root, target_key, target_rel)
        try:
            other = os.lstat(target)
        except FileNotFoundError:
            other = None
        if other is None or (other.st_dev, other.st_ino) != (st.st_dev, st.st_ino):
            return [f"LINK     {name} is not a hard link to {entry['target']}"]
        return []
    kind = entry_type(st.st_mode)
    if kind != entry["type"]:
        return [f"TYPE     {name}: {kind}, manifest says {entry['type']}"]
    problems = []
    if (st.st_uid, st.st_gid) != (entry["uid"], entry["gid"]):
        problems.append(f"OWNER    {name}: {st.st_uid}:{st.st_gid}, "
                        f"manifest says {entry['uid']}:{entry['gid']}")
    if "mode" in entry and stat.S_IMODE(st.st_mode) != entry["mode"]:
        problems.append(f"MODE     {name}: {stat.S_IMODE(st.st_mode):o}, "
                        f"manifest says {entry['mode']:o}")
    if abs(st.st_mtime - entry["mtime"]) > 1e-5:
        problems.append(f"MTIME    {name}: {st.st_mtime}, manifest says {entry['mtime']}")
    if kind == "symlink" and os.readlink(path) != entry["target"]:
        problems.append(f"LINK     {name} points to {os.readlink(path)!r}")
    if kind == "file":
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            if sha256_of(handle) != entry["sha256"]:
                problems.append(f"SHA256   {name}: content differs from the manifest")
    return problems


def verify_volumes(manifest: dict, volumes_root: str) -> tuple[list[str], int]:
    """(one line per difference, number of entries checked) for the
    manifest's volume entries (restore checked the settings file's sha256)."""
    problems, checked = [], 0
    for name, entry in sorted(manifest["files"].items()):
        if not name.startswith(VOLUMES_PREFIX):
            continue
        checked += 1
        try:
            problems += entry_problems(name, entry, volumes_root)
        except (Refused, KeyError, TypeError) as error:
            problems.append(f"BAD      {name}: not a valid manifest entry ({error})")
    return problems, checked
