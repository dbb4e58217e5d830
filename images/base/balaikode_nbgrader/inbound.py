"""Collect submissions from a course's inbound folder into its course folder.

Run by the grader service as root in a throwaway container with no network,
the course's exchange volume at /exchange (read-only) and its course volume at
/course. Prints a JSON report. Only the newest submission per learner is
kept; a submission is rejected when its folder's owner is not the learner it
names (someone submitting as somebody else), when it contains anything but
plain files and folders, or when it is too large. Files Python could import
are kept under a name it cannot (IMPORTABLE).
"""

import argparse
import errno
import importlib.machinery
import json
import os
import shutil
import stat
import sys
from datetime import datetime

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 200


def parse_entry(name: str):
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        return None
    student, assignment, timestamp = parts[0], parts[1], parts[2]
    try:
        when = datetime.fromisoformat(timestamp.replace(" UTC", "").replace(" ", "T"))
    except ValueError:
        return None
    return student, assignment, timestamp, when


class Rejected(Exception):
    """The submission cannot be collected; the message is for the trainer."""


# O_NOFOLLOW: a name the learner swapped for a symlink is refused, not followed.
# O_NONBLOCK: opening a FIFO she left there must not hang the collector.
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def skipped(name: str) -> bool:
    return not name.isprintable() or name.startswith(".")


# A kernel the trainer starts on her submitted notebook (opening it in
# JupyterLab starts one) runs in its folder, and IPython puts that folder on
# sys.path before the installed packages: her `numpy.py` would run, as the
# trainer, at the trainer's first `import numpy` there (with the trainer's
# token, gradebook and hidden tests at hand). So nothing Python can import is
# written as such: `numpy.py` becomes `numpy.py.txt`, still there to read.
# Grading needs none of them (the sandbox gets the notebook only).
IMPORTABLE = tuple(importlib.machinery.all_suffixes())
INERT = ".txt"


def inert_name(path: str) -> str:
    return path + INERT if path.endswith(IMPORTABLE) else path


def read_submission(inbound_fd: int, entry: str, owner: int) -> tuple[list[str], dict[str, bytes]]:
    """Her submitted folder, read once through file descriptors: its folders
    and file contents, exactly what is later written for the trainer.

    Checking a path and then copying it by path again (the old way) let her
    swap a file for a symlink in between and have the trainer's source copied
    as her work. Here nothing is looked up by path twice: each name is opened
    relative to its folder's descriptor without following links, checked on
    the open descriptor (kind, owner) and read from it. Everything must be
    hers: a hard link to somebody else's file keeps its owner and is refused.
    """
    folders: list[str] = []
    files: dict[str, bytes] = {}
    budget = {"bytes": MAX_BYTES, "count": MAX_FILES}

    def visit(fd: int, relative: str) -> None:
        for name in sorted(os.listdir(fd)):
            if skipped(name):
                continue
            path = os.path.join(relative, name) if relative else name
            try:
                child = os.open(name, OPEN_FLAGS, dir_fd=fd)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise Rejected(f"berisi tautan simbolik ({path!r})") from None
                raise Rejected(f"berkas {path!r} tidak bisa dibaca ({error.strerror})") from None
            try:
                info = os.fstat(child)
                if info.st_uid != owner:
                    raise Rejected(f"berkas {path!r} bukan milik pengirim")
                budget["count"] -= 1
                if budget["count"] < 0:
                    raise Rejected(f"terlalu banyak berkas (batas {MAX_FILES})")
                if stat.S_ISDIR(info.st_mode):
                    folders.append(path)
                    visit(child, path)
                elif stat.S_ISREG(info.st_mode):
                    kept = inert_name(path)
                    if kept in files:  # her a.py and a.py.txt
                        raise Rejected(f"nama berkas {kept!r} dipakai dua kali")
                    files[kept] = read_limited(child, path, budget)
                else:
                    raise Rejected(f"berisi berkas khusus ({path!r})")
            finally:
                os.close(child)

    try:
        top = os.open(entry, OPEN_FLAGS | os.O_DIRECTORY, dir_fd=inbound_fd)
    except OSError:
        raise Rejected("bukan folder kiriman") from None
    try:
        if os.fstat(top).st_uid != owner:
            raise Rejected("folder kiriman bukan milik pengirim")
        visit(top, "")
    finally:
        os.close(top)
    return folders, files


def read_limited(fd: int, path: str, budget: dict) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1024 * 1024)
        if not chunk:
            return b"".join(chunks)
        budget["bytes"] -= len(chunk)
        if budget["bytes"] < 0:
            raise Rejected(f"terlalu besar (batas {MAX_BYTES // 1024 // 1024} MB)")
        chunks.append(chunk)


def write_submission(dest: str, folders: list[str], files: dict[str, bytes], gid: int) -> None:
    """Write what read_submission read, owned by root and the course group."""
    os.makedirs(dest)
    for path in [""] + folders:
        folder = os.path.join(dest, path)
        os.makedirs(folder, exist_ok=True)
        os.chown(folder, 0, gid, follow_symlinks=False)
        os.chmod(folder, 0o2775)
    for path, content in files.items():
        fd = os.open(os.path.join(dest, path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o664)
        try:
            os.fchown(fd, 0, gid)
            os.fchmod(fd, 0o664)
            os.write(fd, content)
        finally:
            os.close(fd)


def replace_submission(course: str, dest: str, gid: int, folders: list[str],
                       files: dict[str, bytes], timestamp: str) -> None:
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    for folder in (os.path.join(course, "submitted"), os.path.dirname(dest)):
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o2775)
    write_submission(dest, folders, files, gid)
    stamp_file = os.path.join(dest, "timestamp.txt")
    with open(stamp_file, "w") as handle:
        handle.write(timestamp)
    os.chown(stamp_file, 0, gid)
    os.chmod(stamp_file, 0o664)


def collect(exchange: str, course: str, assignment: str, uids: dict[str, int], gid: int) -> dict:
    inbound = os.path.join(exchange, "inbound")
    names_by_uid = {uid: name for name, uid in uids.items()}
    candidates: dict[str, list[tuple]] = {}
    rejected = []
    inbound_fd = os.open(inbound, os.O_RDONLY | os.O_DIRECTORY)
    for entry in sorted(os.listdir(inbound_fd)):
        parsed = parse_entry(entry)
        if not parsed or parsed[1] != assignment:
            continue
        student, _, timestamp, when = parsed
        info = os.lstat(entry, dir_fd=inbound_fd)
        if not stat.S_ISDIR(info.st_mode):
            rejected.append({"entry": entry, "reason": "bukan folder kiriman"})
            continue
        if student not in uids:
            rejected.append({"entry": entry, "reason": f"{student!r} bukan pelajar kursus ini"})
            continue
        if info.st_uid != uids[student]:
            owner = names_by_uid.get(info.st_uid, f"UID {info.st_uid}")
            rejected.append({"entry": entry,
                             "reason": f"dikirim oleh {owner}, bukan oleh {student}; diabaikan"})
            continue
        candidates.setdefault(student, []).append((when, entry, timestamp))

    collected = []
    for student, entries in sorted(candidates.items()):
        dest = os.path.join(course, "submitted", student, assignment)
        stamp_file = os.path.join(dest, "timestamp.txt")
        already = None
        if os.path.exists(stamp_file):
            with open(stamp_file) as handle:
                already = handle.read().strip()
        # Her newest acceptable submission; a rejected one does not hide an
        # older good one.
        for when, entry, timestamp in sorted(entries, reverse=True):
            if timestamp == already:
                break  # already collected
            try:
                folders, files = read_submission(inbound_fd, entry, uids[student])
            except Rejected as problem:
                rejected.append({"entry": entry, "reason": str(problem)})
                continue
            replace_submission(course, dest, gid, folders, files, timestamp)
            collected.append({"student": student, "timestamp": timestamp})
            break
    os.close(inbound_fd)
    return {"collected": collected, "rejected": rejected}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--course", required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--gid", type=int, required=True)
    parser.add_argument("--uids", required=True, help="JSON object: learner name -> UID")
    args = parser.parse_args()
    report = collect("/exchange", "/course", args.assignment, json.loads(args.uids), args.gid)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
