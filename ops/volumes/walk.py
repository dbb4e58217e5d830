"""Walking a volume whose owners (learners) may change it while we look:
never following a symlink, skipping what vanishes."""

from __future__ import annotations

import os
import stat

from .messages import warn


def walk(root: str):
    """(relative path, lstat) of root ("") and everything below it, parents
    first, names sorted; never follows symlinks. Entries that vanish while we
    look (a learner deleting files) are skipped."""
    yield "", os.lstat(root)
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = sorted(os.scandir(os.path.join(root, rel) if rel else root),
                             key=lambda e: e.name)
        except OSError as error:
            warn(f"cannot list {root}/{rel}: {error}")
            continue
        subdirs = []
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            yield path, st
            if stat.S_ISDIR(st.st_mode):
                subdirs.append(path)
        pending.extend(reversed(subdirs))


def entry_type(mode: int) -> str | None:
    """The manifest's word for a file type; None for sockets and device
    files, which are not backed up."""
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "file"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo")):
        if test(mode):
            return name
    return None
