"""Balai Kode's volume tool, run by ops/*.sh inside a throwaway container of
the hub image (it has python3 and sqlite3), so the server itself needs
nothing but Docker. The stack's volumes are mounted at /volumes/KEY, where KEY
is the volume name without the compose project: hub-data, proxy-secret,
grader-secret, home-NAME, course-COURSE, exchange-COURSE.

    backup   write a tar.gz of /volumes/* (+ /site/env) to stdout
    inspect  check a whole archive on stdin and print what it holds
    check    tell which mounted volumes already hold data
    restore  extract an archive from stdin into /volumes/*
    verify   compare /volumes/* with a manifest (sha256, owner, mode, mtime)
    status   the admin's table: stats from stdin, disk use of /volumes/*

Archive layout (members in this order):
    BALAIKODE-BACKUP.json   format, version, date, project, volumes
    volumes/KEY             the volume's root directory, then everything in it
    settings/env            the site's settings file (.env), if there is one
    MANIFEST.json           the header's fields plus, for every entry, its
                            type, numeric owner, mode, mtime, size and sha256;
                            last, so that an archive cut short has none
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import sys
import tarfile
import tempfile
import urllib.parse
import zlib

FORMAT = 1
VOLUMES = "/volumes"
HEADER_NAME = "BALAIKODE-BACKUP.json"
MANIFEST_NAME = "MANIFEST.json"
SETTINGS_NAME = "settings/env"
SITE_ENV = "/site/env"
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")
# Volumes with only generated tokens: a fresh stack's copies may be replaced.
SECRET_KEYS = ("proxy-secret", "grader-secret")
CHUNK = 1 << 20


def warn(message: str) -> None:
    print(f"voltool: {message}", file=sys.stderr, flush=True)


KEY_PATTERN = re.compile(r"(hub-data|proxy-secret|grader-secret|"
                         r"(home|course|exchange)-[A-Za-z0-9][A-Za-z0-9_.-]*)")


def kind_of(key: str) -> str:
    """hub-data, proxy-secret, grader-secret, home, course or exchange."""
    if not KEY_PATTERN.fullmatch(key) or ".." in key:
        raise SystemExit(f"voltool: not a Balai Kode volume key: {key!r}")
    return key.split("-", 1)[0] if key.startswith(("home-", "course-", "exchange-")) else key


# -- walking a volume ----------------------------------------------------------

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
    for test, name in ((stat.S_ISDIR, "dir"), (stat.S_ISREG, "file"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo")):
        if test(mode):
            return name
    return None  # sockets and device files are not backed up


# -- backup ----------------------------------------------------------------------

class HashingReader:
    """Gives tarfile exactly `size` bytes of a file that may change under us
    (zero-padded if it shrank, cut if it grew) and hashes what it gave."""

    def __init__(self, handle, size: int):
        self.handle, self.left = handle, size
        self.sha256 = hashlib.sha256()
        self.changed = False

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0 or n > self.left:
            n = self.left
        data = self.handle.read(n) if n else b""
        if len(data) < n:
            self.changed = True
            data += b"\0" * (n - len(data))
        self.left -= n
        self.sha256.update(data)
        return data


def sqlite_snapshot(path: str, workdir: str) -> str | None:
    """A consistent copy made with SQLite's online backup API (the database
    may be in use by the hub or nbgrader); None if that is not possible."""
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


def tarinfo_for(name: str, st: os.stat_result, kind: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE,
                 "fifo": tarfile.FIFOTYPE, "hardlink": tarfile.LNKTYPE}[kind]
    info.mode = stat.S_IMODE(st.st_mode)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.uname = info.gname = ""  # numeric owners only
    info.mtime = st.st_mtime
    return info


def record(info: tarfile.TarInfo, kind: str, **extra) -> dict:
    entry = {"type": kind, "uid": info.uid, "gid": info.gid, "mtime": info.mtime}
    if kind != "symlink":
        entry["mode"] = info.mode
    entry.update(extra)
    return entry


def add_json(tar: tarfile.TarFile, name: str, data: dict) -> None:
    raw = json.dumps(data, indent=1, sort_keys=True).encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(raw), 0o600, int(datetime.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(raw))


def backup_volume(tar, key: str, files: dict, sqlite_done: list, workdir: str) -> dict:
    root = os.path.join(VOLUMES, key)
    links: dict[tuple[int, int], str] = {}
    snapshots: set[str] = set()
    count = size_total = 0
    for rel, st in walk(root):
        arcname = f"volumes/{key}/{rel}" if rel else f"volumes/{key}"
        path = os.path.join(root, rel) if rel else root
        kind = entry_type(st.st_mode)
        if kind is None:
            warn(f"skipped {path}: sockets and device files are not backed up")
            continue
        if rel.endswith(SQLITE_COMPANIONS) and re.sub(r"-(journal|wal|shm)$", "", rel) in snapshots:
            continue  # the snapshot already holds the committed data
        if kind == "file" and st.st_nlink > 1 and (st.st_dev, st.st_ino) in links:
            info = tarinfo_for(arcname, st, "hardlink")
            info.linkname = links[(st.st_dev, st.st_ino)]
            tar.addfile(info)
            files[arcname] = record(info, "hardlink", target=info.linkname)
            continue
        info = tarinfo_for(arcname, st, kind)
        if kind == "symlink":
            info.linkname = os.readlink(path)
            tar.addfile(info)
            files[arcname] = record(info, kind, target=info.linkname)
        elif kind in ("dir", "fifo"):
            tar.addfile(info)
            files[arcname] = record(info, kind)
        else:
            # Learners control their homes: never follow a symlink or block on
            # a FIFO that replaced the file since we looked at it.
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError as error:
                warn(f"skipped {path}: {error.strerror}")
                continue
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                warn(f"skipped {path}: it changed type during the backup")
                continue
            handle = os.fdopen(fd, "rb")
            note = {}
            try:
                if handle.read(16) == SQLITE_MAGIC and (copy := sqlite_snapshot(path, workdir)):
                    handle.close()
                    handle = open(copy, "rb")
                    os.unlink(copy)  # freed when closed
                    snapshots.add(rel)
                    sqlite_done.append(arcname)
                    note["sqlite"] = "online-backup"
                handle.seek(0)
                info.size = os.fstat(handle.fileno()).st_size
                reader = HashingReader(handle, info.size)
                tar.addfile(info, reader)
            finally:
                handle.close()
            if reader.changed:
                warn(f"{path} changed while it was being copied; the archive has the bytes read")
            if st.st_nlink > 1:
                links[(st.st_dev, st.st_ino)] = arcname
            files[arcname] = record(info, kind, size=info.size, sha256=reader.sha256.hexdigest(),
                                    **note)
            size_total += info.size
        count += 1
    return {"files": count, "bytes": size_total}


def cmd_backup(args) -> int:
    volumes = []
    for item in args.volume:
        key, _, name = item.partition("=")
        volumes.append({"key": key, "name": name, "kind": kind_of(key)})
    header = {"format": FORMAT, "version": args.version, "project": args.project,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "volumes": volumes, "settings": os.path.isfile(SITE_ENV)}
    files: dict[str, dict] = {}
    sqlite_done: list[str] = []
    out = gzip.GzipFile(fileobj=sys.stdout.buffer, mode="wb", compresslevel=6)
    with tempfile.TemporaryDirectory() as workdir, \
            tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        add_json(tar, HEADER_NAME, header)
        for volume in volumes:
            volume.update(backup_volume(tar, volume["key"], files, sqlite_done, workdir))
            print(f"  {volume['name']}: {volume['files']} files and folders, "
                  f"{human(volume['bytes'])}", file=sys.stderr, flush=True)
        if header["settings"]:
            st = os.stat(SITE_ENV)
            info = tarinfo_for(SETTINGS_NAME, st, "file")
            with open(SITE_ENV, "rb") as handle:
                info.size = os.fstat(handle.fileno()).st_size
                reader = HashingReader(handle, info.size)
                tar.addfile(info, reader)
            files[SETTINGS_NAME] = record(info, "file", size=info.size,
                                          sha256=reader.sha256.hexdigest())
        add_json(tar, MANIFEST_NAME, {**header, "files": files, "sqlite_online_backup": sqlite_done})
    out.close()
    sys.stdout.buffer.flush()
    return 0


# -- reading an archive ------------------------------------------------------------

def open_archive():
    return tarfile.open(fileobj=gzip.GzipFile(fileobj=sys.stdin.buffer, mode="rb"), mode="r|")


def read_header(tar) -> dict:
    first = tar.next()
    if first is None or first.name != HEADER_NAME:
        raise SystemExit("voltool: this is not a Balai Kode backup (no BALAIKODE-BACKUP.json first)")
    header = json.load(tar.extractfile(first))
    if header.get("format") != FORMAT:
        raise SystemExit(f"voltool: backup format {header.get('format')} is not supported here")
    return header


def bytes_per_volume(manifest: dict) -> dict[str, int]:
    totals: dict[str, int] = {}
    for name, entry in manifest["files"].items():
        parts = name.split("/")
        if parts[0] == "volumes" and len(parts) > 1:
            totals[parts[1]] = totals.get(parts[1], 0) + (entry.get("size") or 0)
    return totals


def cmd_inspect(args) -> int:
    """Read the whole archive and check it before anything is changed: the
    manifest is there (the archive is complete) and every file's content
    matches its sha256. Prints lines for the shell: `project P`, `version V`,
    `date D`, `settings yes|no`, `volume KEY` for each volume, `bytes KEY N`
    (its files' total size), `files N`."""
    tar = open_archive()
    header = read_header(tar)
    for volume in header["volumes"]:
        kind_of(volume["key"])  # refuses keys that are not ours
    hashes, manifest = {}, None
    for member in tar:
        if member.name == MANIFEST_NAME:
            manifest = json.load(tar.extractfile(member))
        elif member.isreg() and member.name != HEADER_NAME:
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            while chunk := source.read(CHUNK):
                digest.update(chunk)
            hashes[member.name] = digest.hexdigest()
    if manifest is None:
        raise SystemExit("voltool: the archive has no MANIFEST.json at its end: it is incomplete")
    bad = [name for name, entry in manifest["files"].items()
           if entry["type"] == "file" and hashes.get(name) != entry["sha256"]]
    if bad:
        for name in bad[:20]:
            print(f"voltool: {name}: content does not match the manifest", file=sys.stderr)
        raise SystemExit(f"voltool: {len(bad)} file(s) in the archive are damaged")
    for field in ("project", "version", "date"):
        print(field, header[field])
    print("settings", "yes" if header["settings"] else "no")
    for volume in header["volumes"]:
        print("volume", volume["key"])
    for key, size in bytes_per_volume(manifest).items():
        print("bytes", key, size)
    print("files", len(manifest["files"]))
    return 0


# -- check ---------------------------------------------------------------------------

def hub_users(data_dir: str) -> tuple[list[str], int] | None:
    """(non-admin user names, number of groups) in a hub database, or None."""
    path = os.path.join(data_dir, "jupyterhub.sqlite")
    if not os.path.exists(path):
        return [], 0
    with tempfile.TemporaryDirectory() as workdir:
        copy = sqlite_snapshot(path, workdir)
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


def cmd_check(args) -> int:
    """One line per mounted volume: `KEY empty`, `KEY fresh` (only generated
    state: tokens, or a hub database with nothing but admin accounts) or
    `KEY data WHAT`."""
    for key in sorted(os.listdir(VOLUMES)):
        root = os.path.join(VOLUMES, key)
        if not os.listdir(root):
            print(key, "empty")
        elif key in SECRET_KEYS:
            print(key, "fresh")
        elif key == "hub-data":
            found = hub_users(root)
            if found is None:
                print(key, "data", "a hub database that could not be read")
            elif found[0] or found[1]:
                print(key, "data", f"{len(found[0])} user account(s) and {found[1]} group(s)")
            else:
                print(key, "fresh")
        else:
            used = sum(1 for _ in walk(root)) - 1
            print(key, "data", f"{used} files and folders")
    return 0


# -- restore ---------------------------------------------------------------------------

def safe_target(root: str, rel: str) -> str:
    parts = rel.split("/") if rel else []
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"unsafe path in archive: {rel!r}")
    target = os.path.join(root, *parts) if parts else root
    parent = os.path.realpath(os.path.dirname(target)) if parts else root
    if parent != root and not parent.startswith(root + "/"):
        raise ValueError(f"archive path {rel!r} would leave its volume")
    return target


def apply_attrs(path: str, member: tarfile.TarInfo) -> None:
    os.chown(path, member.uid, member.gid, follow_symlinks=False)
    if not member.issym():
        os.chmod(path, member.mode)  # after chown, which clears set-id bits
    os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)


def wipe(root: str) -> None:
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def give_to_out_owner(path: str) -> None:
    """Files for the host belong to whoever owns the host's temporary folder."""
    owner = os.stat(os.path.dirname(path))
    os.chown(path, owner.st_uid, owner.st_gid)


def cmd_restore(args) -> int:
    tar = open_archive()
    header = read_header(tar)
    keys = {v["key"] for v in header["volumes"]}
    missing = keys - set(os.listdir(VOLUMES))
    if missing:
        raise SystemExit(f"voltool: volumes not mounted: {sorted(missing)}")
    for key in sorted(keys):
        wipe(os.path.join(VOLUMES, key))
    extracted: dict[str, str] = {}
    directories: list[tuple[str, tarfile.TarInfo]] = []
    manifest = None
    problems = []
    for member in tar:
        name = member.name
        if name == HEADER_NAME:  # already read (stream mode lists it again)
            continue
        if name == MANIFEST_NAME:
            manifest = json.load(tar.extractfile(member))
            continue
        if name == SETTINGS_NAME:
            target = os.path.join(args.out, "site.env")
            digest = hashlib.sha256()
            with open(target, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                source = tar.extractfile(member)
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
            give_to_out_owner(target)
            extracted[name] = digest.hexdigest()
            continue
        key, _, rel = name[len("volumes/"):].partition("/")
        if not name.startswith("volumes/") or key not in keys:
            problems.append(f"unexpected member {name}")
            continue
        root = os.path.join(VOLUMES, key)
        target = safe_target(root, rel)
        if member.isdir():
            if target != root:
                os.mkdir(target, 0o700)
            directories.append((target, member))
            continue
        if member.isreg():
            digest = hashlib.sha256()
            with open(target, "xb") as handle:
                source = tar.extractfile(member)
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
            extracted[name] = digest.hexdigest()
        elif member.issym():
            os.symlink(member.linkname, target)
        elif member.islnk():
            link_key, _, link_rel = member.linkname[len("volumes/"):].partition("/")
            if link_key != key:
                problems.append(f"hard link {name} points into another volume")
                continue
            os.link(safe_target(root, link_rel), target)
            continue  # same inode: its attributes are already set
        elif member.isfifo():
            os.mkfifo(target)
        else:
            problems.append(f"skipped {name}: unsupported type")
            continue
        apply_attrs(target, member)
    for target, member in reversed(directories):  # children first
        apply_attrs(target, member)
    if manifest is None:
        raise SystemExit("voltool: the archive has no MANIFEST.json at its end: it is incomplete")
    for name, entry in manifest["files"].items():
        if entry["type"] == "file" and extracted.get(name) != entry["sha256"]:
            problems.append(f"{name}: archive content does not match the manifest's sha256")
    manifest_path = os.path.join(args.out, MANIFEST_NAME)
    with open(manifest_path, "w") as handle:
        json.dump(manifest, handle)
    give_to_out_owner(manifest_path)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


# -- verify ------------------------------------------------------------------------------

def cmd_verify(args) -> int:
    """Every entry of the manifest is in the mounted volumes with the same
    type, content (sha256), numeric owner, mode and mtime; prints one line per
    difference and returns 1 if there is any."""
    with open(args.manifest) as handle:
        manifest = json.load(handle)
    problems, checked = [], 0
    for name, entry in sorted(manifest["files"].items()):
        if not name.startswith("volumes/"):
            continue
        key, _, rel = name[len("volumes/"):].partition("/")
        root = os.path.join(VOLUMES, key)
        path = os.path.join(root, rel) if rel else root
        checked += 1
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            problems.append(f"MISSING  {name}")
            continue
        kind = "hardlink" if entry["type"] == "hardlink" else entry_type(st.st_mode)
        if entry["type"] == "hardlink":
            target = os.path.join(VOLUMES, entry["target"][len("volumes/"):])
            if not os.path.exists(target) or not os.path.samefile(path, target):
                problems.append(f"LINK     {name} is not a hard link to {entry['target']}")
            continue
        if kind != entry["type"]:
            problems.append(f"TYPE     {name}: {kind}, manifest says {entry['type']}")
            continue
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
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                problems.append(f"SHA256   {name}: content differs from the manifest")
    for problem in problems:
        print(problem)
    print(f"checked {checked} entries against the manifest: "
          f"{'all match' if not problems else f'{len(problems)} difference(s)'}")
    return 1 if problems else 0


# -- status ------------------------------------------------------------------------------

def disk_use(root: str) -> int:
    seen, total = set(), 0
    for _, st in walk(root):
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


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def unescape(name: str) -> str:
    """DockerSpawner's escaping of user names in volume names ('-' + hex)."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def parse_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("@@ "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None and line.strip():
            current.append(line)
    return sections


def json_lines(lines: list[str]) -> list[dict]:
    """Objects from JSON lines, or from one JSON array spread over lines."""
    text = "\n".join(lines).strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in lines if line.strip().startswith("{")]


def table(rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


def cmd_status(args) -> int:
    s = parse_sections(sys.stdin.read())
    first = lambda name, default="": (s.get(name) or [default])[0]  # noqa: E731
    stats = {row.get("Name", "").lstrip("/"): row for row in json_lines(s.get("stats", []))}
    address = first("url").replace("0.0.0.0", "SERVER-ADDRESS")
    print(f"Balai Kode {first('version', '?')}  (project {first('project', '?')})"
          + (f"  http://{address}/" if address else ""))

    health = first("hub-health", "fail")
    services = json_lines(s.get("services", []))
    hub = next((x for x in services if x.get("Service") == "hub"), {})
    if health == "ok":
        print("Hub: OK, it answers /hub/health")
    elif hub.get("State") == "running":
        print("Hub: PROBLEM, it runs but does not answer /hub/health (./balaikode logs hub)")
    else:
        print("Hub: STOPPED (start it with ./balaikode up; see ./balaikode logs hub)")

    rows = [["SERVICE", "STATE", "HEALTH", "CPU", "MEMORY"]]
    for svc in sorted(services, key=lambda x: x.get("Service", "")):
        st = stats.get(svc.get("Name", ""), {})
        rows.append([svc.get("Service", "?"), svc.get("State", "?"), svc.get("Health") or "-",
                     st.get("CPUPerc", "-"), st.get("MemUsage", "-")])
    print("\nServices:")
    print(table(rows) if len(rows) > 1 else "  (none: the stack is not created; ./balaikode up)")

    # Learners: hub accounts, learner containers and home volumes, by name.
    learners: dict[str, dict] = {}
    for line in s.get("users", []):
        parts = line.split("\t")
        if len(parts) == 3:
            learners.setdefault(parts[0], {})["role"] = parts[1]
            learners[parts[0]]["server"] = parts[2]
    for container in json_lines(s.get("containers", [])):
        env = dict(e.split("=", 1) for e in container.get("Config", {}).get("Env", []) if "=" in e)
        name = env.get("NB_USER") or container.get("Name", "").lstrip("/")
        row = learners.setdefault(name, {})
        row["container"] = container.get("Name", "").lstrip("/")
        row["docker_state"] = container.get("State", {}).get("Status", "?")
        role = env.get("BALAIKODE_ROLE")
        if role == "trainer":
            row["trainer"] = True
    homes = sorted(k for k in os.listdir(VOLUMES) if k.startswith("home-")) \
        if os.path.isdir(VOLUMES) else []
    total_disk = 0
    for key in homes:
        used, cell = disk_cell(os.path.join(VOLUMES, key))
        total_disk += used
        learners.setdefault(unescape(key[len("home-"):]), {})["disk"] = cell
    running = 0
    rows = [["USER", "ROLE", "SERVER", "CPU", "MEMORY (used / limit)", "MEM %", "DISK (home)"]]
    for name in sorted(learners):
        row = learners[name]
        st = stats.get(row.get("container", ""), {})
        server = row.get("server") or ("running" if row.get("docker_state") == "running" else "stopped")
        if row.get("docker_state") and row.get("docker_state") != "running":
            server = f"container {row['docker_state']}"
        running += server == "running"
        role = row.get("role", "-")
        if row.get("trainer"):
            role += "+trainer"
        rows.append([name, role, server, st.get("CPUPerc", "-"), st.get("MemUsage", "-"),
                     st.get("MemPerc", "-"),
                     row.get("disk", "-")])
    print(f"\nLearners: {len(learners)} account(s)/home(s), {running} server(s) running, "
          f"homes use {human(total_disk)} on disk")
    print(table(rows) if len(rows) > 1 else "  (none yet)")

    courses = sorted({k.split("-", 1)[1] for k in os.listdir(VOLUMES)
                      if k.startswith(("course-", "exchange-"))}) if os.path.isdir(VOLUMES) else []
    if courses:
        rows = [["COURSE", "DISK (course folder)", "DISK (exchange)"]]
        for course in courses:
            cells = []
            for kind in ("course", "exchange"):
                root = os.path.join(VOLUMES, f"{kind}-{course}")
                cells.append(disk_cell(root)[1] if os.path.isdir(root) else "-")
            rows.append([course, *cells])
        print("\nCourses:")
        print(table(rows))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="voltool", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("backup")
    p.add_argument("--project", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--volume", action="append", default=[], help="KEY=NAME, mounted at /volumes/KEY")
    sub.add_parser("inspect")
    sub.add_parser("check")
    p = sub.add_parser("restore")
    p.add_argument("--out", default="/out")
    p = sub.add_parser("verify")
    p.add_argument("--manifest", default="/out/MANIFEST.json")
    sub.add_parser("status")
    args = parser.parse_args(argv)
    try:
        return {"backup": cmd_backup, "inspect": cmd_inspect, "check": cmd_check,
                "restore": cmd_restore, "verify": cmd_verify, "status": cmd_status}[args.command](args)
    except (EOFError, tarfile.TarError, zlib.error, gzip.BadGzipFile) as error:
        raise SystemExit(f"voltool: the archive is damaged or cut short ({error})")


if __name__ == "__main__":
    sys.exit(main())
