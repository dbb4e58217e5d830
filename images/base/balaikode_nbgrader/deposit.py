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
import sys

from .inbound import MAX_BYTES, MAX_FILES, parse_entry

KEEP_PER_ASSIGNMENT = 3
STAGING = ".masuk"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
ASSIGNMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
STAMP_PATTERN = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?( UTC)?$")
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

FULL = ("Pengumpulan GAGAL: ruang pengumpulan kursus ini penuh. Pekerjaanmu tetap aman "
        "di foldermu. Beri tahu pelatih, lalu kirim lagi nanti. "
        "(The course's exchange is full; nothing was submitted.)")


class Refused(Exception):
    """The submission is not accepted; `kind` and the (Indonesian) message say why."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


# ------------------------------------------------------------ the request

def checked_files(files) -> dict[str, bytes]:
    """{relative path: content} from the request, every path a plain relative one."""
    if not isinstance(files, dict) or not files:
        raise Refused("bad", "kiriman kosong: tidak ada berkas")
    if len(files) > MAX_FILES:
        raise Refused("bad", f"terlalu banyak berkas (batas {MAX_FILES})")
    decoded, total = {}, 0
    for path, content in files.items():
        parts = path.split("/") if isinstance(path, str) else []
        if (not parts or len(path) > 1000 or path.startswith("/")
                or any(part in ("", ".", "..") or not part.isprintable() for part in parts)):
            raise Refused("bad", f"nama berkas tidak sah: {path!r}")
        try:
            decoded[path] = base64.b64decode(content, validate=True)
        except (TypeError, ValueError):
            raise Refused("bad", f"isi berkas {path!r} rusak") from None
        total += len(decoded[path])
        if total > MAX_BYTES:
            raise Refused("too-big", f"kiriman terlalu besar (batas {megabytes(MAX_BYTES)})")
    folders = {"/".join(p.split("/")[:i]) for p in decoded for i in range(1, p.count("/") + 1)}
    if folders & decoded.keys():
        raise Refused("bad", "sebuah nama dipakai untuk berkas dan folder sekaligus")
    return decoded


def entry_name(learner: str, assignment: str, timestamp: str, token: str) -> str:
    for value, pattern, what in ((learner, NAME_PATTERN, "nama pelajar"),
                                 (assignment, ASSIGNMENT_PATTERN, "nama tugas"),
                                 (timestamp, STAMP_PATTERN, "waktu kirim"),
                                 (token, TOKEN_PATTERN, "penanda kiriman")):
        if not isinstance(value, str) or not pattern.match(value):
            raise Refused("bad", f"{what} tidak sah: {value!r}")
    return f"{learner}+{assignment}+{timestamp}+{token}"


# ---------------------------------------------------------- what she holds

def disk_use(dir_fd: int, name: str) -> int:
    """Bytes an inbound entry takes, walked through descriptors (never
    following a link someone left there in an older, learner-written entry)."""
    info = os.lstat(name, dir_fd=dir_fd)
    used = info.st_blocks * 512
    if not stat.S_ISDIR(info.st_mode):
        return used
    child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    try:
        return used + sum(disk_use(child, inner) for inner in os.listdir(child))
    finally:
        os.close(child)


def entries_of(inbound_fd: int, learner: str | None = None) -> list[tuple[str, str, str]]:
    """(learner, assignment, entry) of inbound entries, oldest first per learner."""
    found = []
    for entry in os.listdir(inbound_fd):
        parsed = parse_entry(entry)
        if parsed and (learner is None or parsed[0] == learner):
            found.append((parsed[3], parsed[0], parsed[1], entry))
    return [(who, assignment, entry) for _, who, assignment, entry in sorted(found)]


def remove(inbound_fd: int, entry: str) -> None:
    if stat.S_ISDIR(os.lstat(entry, dir_fd=inbound_fd).st_mode):
        # rmtree with dir_fd works on descriptors: a link inside is removed, not followed.
        shutil.rmtree(entry, dir_fd=inbound_fd)
    else:
        os.unlink(entry, dir_fd=inbound_fd)


def usage(exchange: str) -> dict[str, dict]:
    """Per learner: number of submissions and bytes they take."""
    if not os.path.isdir(os.path.join(exchange, "inbound")):
        return {}
    inbound_fd = open_inbound(exchange)
    try:
        report: dict[str, dict] = {}
        for learner, _, entry in entries_of(inbound_fd):
            row = report.setdefault(learner, {"submissions": 0, "bytes": 0})
            row["submissions"] += 1
            row["bytes"] += disk_use(inbound_fd, entry)
        return report
    finally:
        os.close(inbound_fd)


def remove_submissions(exchange: str, learner: str | None, assignment: str | None = None) -> list[str]:
    """Remove a learner's submissions (everyone's with learner None)."""
    if not os.path.isdir(os.path.join(exchange, "inbound")):
        return []
    inbound_fd = open_inbound(exchange)
    try:
        removed = []
        for _, of_assignment, entry in entries_of(inbound_fd, learner):
            if assignment is None or of_assignment == assignment:
                remove(inbound_fd, entry)
                removed.append(entry)
        return removed
    finally:
        os.close(inbound_fd)


# ----------------------------------------------------------------- writing

def open_inbound(exchange: str) -> int:
    return os.open(os.path.join(exchange, "inbound"), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)


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
    files = checked_files(request.get("files"))
    if "submission_secret.txt" not in files:
        raise Refused("bad", "kiriman tanpa submission_secret.txt")
    if not os.path.isdir(os.path.join(exchange, "outbound", assignment)):
        raise Refused("unknown", f"tugas {assignment!r} belum dibagikan di kursus ini")

    try:
        return write_submission(exchange, learner, assignment, entry, uid, gid, quota, files)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise Refused("full", FULL) from None
        raise


def write_submission(exchange: str, learner: str, assignment: str, entry: str, uid: int, gid: int,
                     quota: int, files: dict[str, bytes]) -> dict:
    exchange_fd = os.open(exchange, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    inbound_fd = staging_fd = None
    try:
        inbound_fd = ensure_folder(exchange_fd, "inbound", 0, gid, 0o2770)
        staging_fd = ensure_folder(exchange_fd, STAGING, 0, 0, 0o700)
        mine = entries_of(inbound_fd, learner)
        same = [e for _, a, e in mine if a == assignment]
        pruned = same[:max(0, len(same) - (KEEP_PER_ASSIGNMENT - 1))]
        for old in pruned:
            remove(inbound_fd, old)
        used = sum(disk_use(inbound_fd, e) for _, _, e in mine if e not in pruned)
        # What the new one takes on disk: its bytes rounded up to blocks.
        size = sum(-(-len(c) // 4096) * 4096 for c in files.values()) + 4096
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
