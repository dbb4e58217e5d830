"""How much of a disk a volume takes, said the way an admin reads it."""

from __future__ import annotations

import os

from .walk import walk


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def disk_use(root: str) -> int:
    """Bytes of disk blocks under root, hard-linked files counted once."""
    seen, total = set(), 0
    for entry in walk(root):
        st = entry.st
        if st.st_nlink > 1:
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
        total += st.st_blocks * 512
    return total


def disk_cell(root: str) -> tuple[int, str]:
    """Bytes used, and "used / size (pct)" when the volume is a size-limited
    disk of its own (the disks service), else just "used"."""
    used = disk_use(root)
    own, shared = os.statvfs(root), os.statvfs("/")
    if own.f_blocks == shared.f_blocks and own.f_frsize == shared.f_frsize:
        return used, human(used)  # on the host's own filesystem: no limit
    size = own.f_blocks * own.f_frsize
    taken = (own.f_blocks - own.f_bfree) * own.f_frsize
    return used, f"{human(used)} / {human(size)} ({100 * taken // max(size, 1)}% full)"
