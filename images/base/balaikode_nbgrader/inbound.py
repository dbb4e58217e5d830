"""Collect submissions from a course's inbound folder into its course folder.

Run by the grader service as root in a throwaway container with no network,
the course's exchange volume at /exchange (read-only) and its course volume at
/course. Prints a JSON report. Only the newest submission per learner is
kept; a submission is rejected when its folder's owner is not the learner it
names (someone submitting as somebody else), when it contains anything but
plain files and folders, or when it is too large.
"""

import argparse
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


def check_tree(path: str) -> str | None:
    """Why this submitted folder is unacceptable, or None."""
    total, count = 0, 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            if not name.isprintable() or name.startswith("."):
                continue  # hidden/odd names are skipped when copying
            info = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(info.st_mode):
                return f"berisi tautan simbolik ({name!r})"
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                return f"berisi berkas khusus ({name!r})"
            total += info.st_size
            count += 1
    if total > MAX_BYTES:
        return f"terlalu besar ({total // 1024 // 1024} MB; batas {MAX_BYTES // 1024 // 1024} MB)"
    if count > MAX_FILES:
        return f"terlalu banyak berkas ({count}; batas {MAX_FILES})"
    return None


def copy_tree(src: str, dest: str, gid: int) -> None:
    os.makedirs(dest)
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if d.isprintable() and not d.startswith(".")]
        rel = os.path.relpath(dirpath, src)
        target_dir = os.path.normpath(os.path.join(dest, rel))
        os.makedirs(target_dir, exist_ok=True)
        for name in filenames:
            if not name.isprintable() or name.startswith("."):
                continue
            target = os.path.join(target_dir, name)
            shutil.copyfile(os.path.join(dirpath, name), target, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(dest):
        os.chown(dirpath, 0, gid)
        os.chmod(dirpath, 0o2775)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), 0, gid)
            os.chmod(os.path.join(dirpath, name), 0o664)


def collect(exchange: str, course: str, assignment: str, uids: dict[str, int], gid: int) -> dict:
    inbound = os.path.join(exchange, "inbound")
    names_by_uid = {uid: name for name, uid in uids.items()}
    newest: dict[str, tuple] = {}
    rejected = []
    for entry in sorted(os.listdir(inbound)):
        parsed = parse_entry(entry)
        if not parsed or parsed[1] != assignment:
            continue
        student, _, timestamp, when = parsed
        path = os.path.join(inbound, entry)
        info = os.lstat(path)
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
        problem = check_tree(path)
        if problem:
            rejected.append({"entry": entry, "reason": problem})
            continue
        if student not in newest or when > newest[student][1]:
            newest[student] = (path, when, timestamp)

    collected = []
    for student, (path, when, timestamp) in sorted(newest.items()):
        dest = os.path.join(course, "submitted", student, assignment)
        stamp_file = os.path.join(dest, "timestamp.txt")
        if os.path.exists(stamp_file):
            with open(stamp_file) as handle:
                if handle.read().strip() == timestamp:
                    continue  # already collected
        if os.path.lexists(dest):
            shutil.rmtree(dest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        for folder in (os.path.join(course, "submitted"), os.path.dirname(dest)):
            os.chown(folder, 0, gid)
            os.chmod(folder, 0o2775)
        copy_tree(path, dest, gid)
        with open(stamp_file, "w") as handle:
            handle.write(timestamp)
        os.chown(stamp_file, 0, gid)
        os.chmod(stamp_file, 0o664)
        collected.append({"student": student, "timestamp": timestamp})
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
