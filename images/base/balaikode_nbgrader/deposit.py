"""Put a learner's submission into the course's inbound folder, within her
share of the exchange; list and remove submissions for the course's people.

Learners cannot write the exchange: it is mounted read-only in their servers,
because one learner could otherwise fill it for the whole class. Their
`nbgrader submit` sends the files to the grader service, which knows who is
calling (her hub token) and runs this as root in a throwaway container with no
network and the course's exchange at /exchange.

Each learner has a quota in each course. Before counting, her older
submissions of the same assignment beyond the newest KEEP_PER_ASSIGNMENT - 1
are removed (the collector only ever takes the newest good one), so a learner
who submits again and again does not use up her share. A submission is
written into a root-only staging folder and renamed into inbound/ only when
complete: a full disk leaves nothing half-copied behind. In inbound/ it is
owned by the learner (the collector checks that) and group-writable by the
course's trainers, who can remove it from their terminal.
"""

from __future__ import annotations

import argparse
import base64
import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys

from balaikode import names

from .inbound import MAX_BYTES, MAX_FILES, parse_entry

KEEP_PER_ASSIGNMENT = 3
STAGING = ".masuk"
# Matched whole (fullmatch): "$" alone would let a final newline through.
STAMP_PATTERN = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?( UTC)?")
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_DEPTH = 8          # folders in a submission (nbgrader assignments use one or two)
# Each file or folder is charged at least this much of her share: ext4 makes
# one inode per 16 KiB of disk (mke2fs's default inode_ratio), so shares that
# add up to the disk's size also add up to no more than its inodes; empty
# files cannot use the inodes up for the class.
INODE_COST = 16384
MAX_NAME_BYTES = 255   # one name in a path (the filesystem's limit)

FULL = ("Pengumpulan GAGAL: ruang pengumpulan kursus ini penuh. Pekerjaanmu tetap aman "
        "di foldermu. Beri tahu pelatih, lalu kirim lagi nanti. "
        "(The course's exchange is full; nothing was submitted.)")


class Refused(Exception):
    """The submission is not accepted; `kind` and the (Indonesian) message say why."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(1, round(size / 1024))} KB"


# ------------------------------------------------------------ the request

def checked_files(files) -> tuple[dict[str, bytes], set[str]]:
    """({relative path: content}, folders) from the request: every path a
    plain relative one, at most MAX_DEPTH folders deep, files and folders
    together at most MAX_FILES (a folder takes disk space and an inode too)."""
    if not isinstance(files, dict) or not files:
        raise Refused("bad", "kiriman kosong: tidak ada berkas")
    decoded, total = {}, 0
    for path, content in files.items():
        parts = path.split("/") if isinstance(path, str) else []
        if (not parts or len(path) > 1000 or path.startswith("/")
                or any(part in ("", ".", "..") or not part.isprintable()
                       or len(part.encode("utf-8", "replace")) > MAX_NAME_BYTES for part in parts)):
            raise Refused("bad", f"nama berkas tidak sah: {path!r}")
        if len(parts) > MAX_DEPTH:
            raise Refused("bad", f"folder terlalu dalam ({path!r}; batas {MAX_DEPTH} tingkat)")
        try:
            decoded[path] = base64.b64decode(content, validate=True)
        except (TypeError, ValueError):
            raise Refused("bad", f"isi berkas {path!r} rusak") from None
        total += len(decoded[path])
        if total > MAX_BYTES:
            raise Refused("too-big", f"kiriman terlalu besar (batas {megabytes(MAX_BYTES)})")
    folders = {"/".join(p.split("/")[:i]) for p in decoded for i in range(1, p.count("/") + 1)}
    if len(decoded) + len(folders) > MAX_FILES:
        raise Refused("bad", f"terlalu banyak berkas dan folder (batas {MAX_FILES})")
    if folders & decoded.keys():
        raise Refused("bad", "sebuah nama dipakai untuk berkas dan folder sekaligus")
    return decoded, folders


def entry_name(learner: str, assignment: str, timestamp: str, token: str) -> str:
    for value, pattern, what in ((learner, names.USER, "nama pelajar"),
                                 (assignment, names.ASSIGNMENT, "nama tugas"),
                                 (timestamp, STAMP_PATTERN, "waktu kirim"),
                                 (token, TOKEN_PATTERN, "penanda kiriman")):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise Refused("bad", f"{what} tidak sah: {value!r}")
    return f"{learner}+{assignment}+{timestamp}+{token}"


# ---------------------------------------------------------- what she holds

def disk_use(inbound: str, name: str) -> int:
    """Bytes an inbound entry takes. Walked with a list, not recursion (an
    old, learner-written entry may be thousands of folders deep), never
    following a link."""
    used, pending = 0, [os.path.join(inbound, name)]
    while pending:
        path = pending.pop()
        try:
            info = os.lstat(path)
        except OSError:
            continue  # gone meanwhile, or a path too long to name: not counted
        used += max(info.st_blocks * 512, INODE_COST)
        if stat.S_ISDIR(info.st_mode):
            try:
                with os.scandir(path) as entries:
                    pending.extend(entry.path for entry in entries)
            except OSError:
                continue
    return used


def entries_of(inbound: str, learner: str | None = None) -> list[tuple[str, str, str]]:
    """(learner, assignment, entry) of inbound entries, oldest first per learner."""
    found = []
    for entry in os.listdir(inbound):
        parsed = parse_entry(entry)
        if parsed and (learner is None or parsed[0] == learner):
            found.append((parsed[3], parsed[0], parsed[1], entry))
    return [(who, assignment, entry) for _, who, assignment, entry in sorted(found)]


def remove(inbound: str, entry: str) -> None:
    # GNU rm walks any depth without recursion limits and removes links, not
    # what they point at; `entry` is one name inside inbound/.
    if "/" in entry or entry in (".", ".."):
        raise ValueError(f"not an inbound entry: {entry!r}")
    result = subprocess.run(["rm", "-rf", "--one-file-system", "--", entry], cwd=inbound,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise OSError(f"rm {entry!r}: {result.stderr.strip()}")


def usage(exchange: str) -> dict[str, dict]:
    """Per learner: number of submissions and bytes they take."""
    inbound = os.path.join(exchange, "inbound")
    if not os.path.isdir(inbound):
        return {}
    report: dict[str, dict] = {}
    for learner, _, entry in entries_of(inbound):
        row = report.setdefault(learner, {"submissions": 0, "bytes": 0})
        row["submissions"] += 1
        row["bytes"] += disk_use(inbound, entry)
    return report


def remove_submissions(exchange: str, learner: str | None, assignment: str | None = None) -> list[str]:
    """Remove a learner's submissions (everyone's with learner None)."""
    inbound = os.path.join(exchange, "inbound")
    if not os.path.isdir(inbound):
        return []
    removed = []
    for _, of_assignment, entry in entries_of(inbound, learner):
        if assignment is None or of_assignment == assignment:
            remove(inbound, entry)
            removed.append(entry)
    return removed


# ----------------------------------------------------------------- writing

def ensure_folder(parent_fd: int, name: str, uid: int, gid: int, mode: int) -> int:
    try:
        os.mkdir(name, mode, dir_fd=parent_fd)
    except FileExistsError:
        pass
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
    os.fchown(fd, uid, gid)
    os.fchmod(fd, mode)
    return fd


def write_tree(top_fd: int, files: dict[str, bytes], uid: int, gid: int) -> None:
    for path, content in sorted(files.items()):
        *folders, name = path.split("/")
        fd = os.dup(top_fd)
        try:
            for folder in folders:
                inner = ensure_folder(fd, folder, uid, gid, 0o2770)
                os.close(fd)
                fd = inner
            handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640, dir_fd=fd)
            try:
                os.fchown(handle, uid, gid)
                os.fchmod(handle, 0o640)
                view = memoryview(content)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)
        finally:
            os.close(fd)


def deposit(exchange: str, request: dict) -> dict:
    """Write one submission; returns what was written and her use of her quota."""
    learner, assignment = request.get("learner"), request.get("assignment")
    entry = entry_name(learner, assignment, request.get("timestamp"), request.get("token"))
    uid, gid, quota = request.get("uid"), request.get("gid"), request.get("quota")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (uid, gid, quota)):
        raise Refused("bad", "uid, gid dan quota harus bilangan bulat")
    files, folders = checked_files(request.get("files"))
    if "submission_secret.txt" not in files:
        raise Refused("bad", "kiriman tanpa submission_secret.txt")
    if not os.path.isdir(os.path.join(exchange, "outbound", assignment)):
        raise Refused("unknown", f"tugas {assignment!r} belum dibagikan di kursus ini")

    try:
        return write_submission(exchange, learner, assignment, entry, uid, gid, quota, files, folders)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise Refused("full", FULL) from None
        raise


def write_submission(exchange: str, learner: str, assignment: str, entry: str, uid: int, gid: int,
                     quota: int, files: dict[str, bytes], folders: set[str]) -> dict:
    exchange_fd = os.open(exchange, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    inbound_fd = staging_fd = None
    try:
        inbound_fd = ensure_folder(exchange_fd, "inbound", 0, gid, 0o2770)
        staging_fd = ensure_folder(exchange_fd, STAGING, 0, 0, 0o700)
        inbound = os.path.join(exchange, "inbound")
        mine = entries_of(inbound, learner)
        same = [e for _, a, e in mine if a == assignment]
        pruned = same[:max(0, len(same) - (KEEP_PER_ASSIGNMENT - 1))]
        for old in pruned:
            remove(inbound, old)
        used = sum(disk_use(inbound, e) for _, _, e in mine if e not in pruned)
        # What the new one takes: its bytes rounded up to blocks, each file
        # and folder (its own included) at least INODE_COST.
        size = (sum(max(-(-len(c) // 4096) * 4096, INODE_COST) for c in files.values())
                + INODE_COST * (len(folders) + 1))
        if quota and used + size > quota:
            raise Refused("quota", (
                f"Pengumpulan GAGAL: jatah kirimanmu di kursus ini ({megabytes(quota)}) "
                f"sudah terpakai {megabytes(used)}, kiriman ini {megabytes(size)}. "
                "Hapus berkas besar yang tidak perlu dari folder tugas lalu kirim lagi, "
                "atau minta pelatih menghapus kiriman lamamu. Pekerjaanmu tetap aman di foldermu. "
                "(Your share of the course's exchange is used up; nothing was submitted.)"))
        if entry in os.listdir(staging_fd):
            shutil.rmtree(entry, dir_fd=staging_fd)
        try:
            top = ensure_folder(staging_fd, entry, uid, gid, 0o2770)
            try:
                write_tree(top, files, uid, gid)
                os.fsync(top)
            finally:
                os.close(top)
            os.rename(entry, entry, src_dir_fd=staging_fd, dst_dir_fd=inbound_fd)
        except OSError:
            shutil.rmtree(entry, dir_fd=staging_fd, ignore_errors=True)
            raise
        return {"entry": entry, "timestamp": entry.split("+")[2], "bytes": size,
                "used": used + size, "quota": quota, "removed": pruned}
    finally:
        for fd in (staging_fd, inbound_fd, exchange_fd):
            if fd is not None:
                os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exchange", default="/exchange")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--request", help="JSON file with one submission to write")
    action.add_argument("--usage", action="store_true", help="submissions and bytes per learner")
    action.add_argument("--remove", metavar="NAME", help="remove NAME's submissions ('*': everyone's)")
    parser.add_argument("--assignment", help="with --remove: only this assignment's")
    parser.add_argument("--text", action="store_true", help="lines for a person instead of JSON")
    args = parser.parse_args()
    try:
        if args.request:
            with open(args.request) as handle:
                report = deposit(args.exchange, json.load(handle))
        elif args.usage:
            report = usage(args.exchange)
        else:
            learner = None if args.remove == "*" else args.remove
            report = {"removed": remove_submissions(args.exchange, learner, args.assignment)}
    except Refused as refusal:
        if args.text:
            sys.exit(str(refusal))
        json.dump({"refused": refusal.kind, "message": str(refusal)}, sys.stdout)
        sys.exit(3)
    except FileNotFoundError as missing:
        json.dump({"refused": "missing", "message": f"tidak ada: {missing.filename}"}, sys.stdout)
        sys.exit(3)
    if args.text:
        print_text(report)
    else:
        json.dump(report, sys.stdout)


def print_text(report: dict) -> None:
    if "removed" in report:
        print(f"{len(report['removed'])} kiriman dihapus (submissions removed)")
        for entry in report["removed"]:
            print(f"  {entry}")
        return
    if not report:
        print("Belum ada kiriman (no submissions yet)")
        return
    print(f"{'PELAJAR (learner)':20}  {'KIRIMAN':>8}  {'UKURAN (size)':>14}")
    for learner, row in sorted(report.items(), key=lambda item: -item[1]["bytes"]):
        print(f"{learner:20}  {row['submissions']:8}  {megabytes(row['bytes']):>14}")


if __name__ == "__main__":
    main()
