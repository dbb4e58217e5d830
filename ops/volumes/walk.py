"""Walking a volume whose owners (learners) may change it while we look.

Every step is taken from a directory descriptor we hold, with O_NOFOLLOW:
a learner who swaps a folder (or any folder above a file) for a symlink to
another volume while the walk runs gets a skipped entry, never the other
volume's files. Paths are never resolved by name from the volume's root
again, so there is no window between looking and opening."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from .messages import warn

DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass
class Entry:
    rel: str             # path below the volume's root ("" for the root)
    st: os.stat_result   # lstat, as listed
    dir_fd: int | None   # the folder it was listed in (valid while the walk stays there)
    name: str | None     # its name in that folder

    def open_file(self) -> int:
        """A descriptor of this regular file, opened in the folder it was
        listed in; raises OSError if it is no longer a regular file there."""
        fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=self.dir_fd)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(f"{self.rel} changed type during the backup")
        return fd

    def read_link(self) -> str:
        return os.readlink(self.name, dir_fd=self.dir_fd)


def open_folder(root_fd: int, rel: str) -> int:
    """The folder at rel below root_fd, each step without following links."""
    fd = os.dup(root_fd)
    try:
        for part in rel.split("/") if rel else []:
            below = os.open(part, DIRECTORY_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = below
    except OSError:
        os.close(fd)
        raise
    return fd


def walk(root: str):
    """Entry of root and of everything below it, parents first, names sorted;
    never follows symlinks. Entries that vanish or change while we look (a
    learner deleting or swapping files) are skipped with a warning."""
    root_fd = os.open(root, DIRECTORY_FLAGS)
    try:
        yield Entry("", os.fstat(root_fd), None, None)
        pending = [""]
        while pending:
            rel = pending.pop()
            try:
                folder = open_folder(root_fd, rel)
            except OSError as error:
                warn(f"skipped {root}/{rel}: {error.strerror or error} (changed during the backup)")
                continue
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
                subdirs = []
                for entry in entries:
                    path = f"{rel}/{entry.name}" if rel else entry.name
                    try:
                        st = os.lstat(entry.name, dir_fd=folder)
                    except FileNotFoundError:
                        continue
                    yield Entry(path, st, folder, entry.name)
                    if stat.S_ISDIR(st.st_mode):
                        subdirs.append(path)
                pending.extend(reversed(subdirs))
            except OSError as error:
                warn(f"cannot list {root}/{rel}: {error}")
            finally:
                os.close(folder)
    finally:
        os.close(root_fd)


def entry_type(mode: int) -> str | None:
    """The manifest's word for a file type; None for sockets and device
    files, which are not backed up."""
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "file"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo")):
        if test(mode):
            return name
    return None
