"""Writing a backup archive (layout in archive_format) of volumes that may
be in use: learners keep working, the hub keeps its database open."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import re
import stat
import sys
import tarfile
import tempfile

from . import sqlite_copy
from .archive_format import FORMAT, HEADER_NAME, MANIFEST_NAME, SETTINGS_NAME, VOLUMES_PREFIX
from .keys import kind_of
from .messages import warn
from .sizes import human
from .walk import entry_type, walk


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
    """The manifest's entry for a member."""
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


def add_file(tar: tarfile.TarFile, info: tarfile.TarInfo, handle) -> HashingReader:
    """Adds an open file with its size as it is now; the reader says its
    sha256 and whether it changed meanwhile."""
    info.size = os.fstat(handle.fileno()).st_size
    reader = HashingReader(handle, info.size)
    tar.addfile(info, reader)
    return reader


def open_regular(entry, path: str):
    """A learner's file opened for reading, or None (with a warning) if it is
    no longer a regular file: learners control their homes, so never follow
    a symlink or block on a FIFO that replaced the file since we looked
    (walk.Entry.open_file opens it in the very folder it was listed in)."""
    try:
        return os.fdopen(entry.open_file(), "rb")
    except OSError as error:
        warn(f"skipped {path}: {error.strerror or error}")
        return None


def backup_volume(tar, root: str, key: str, files: dict, sqlite_done: list, workdir: str) -> dict:
    """Adds the volume mounted at root as volumes/KEY; records every member
    in files and every SQLite snapshot in sqlite_done."""
    links: dict[tuple[int, int], str] = {}
    snapshots: set[str] = set()
    count = size_total = 0
    for entry in walk(root):
        rel, st = entry.rel, entry.st
        arcname = f"{VOLUMES_PREFIX}{key}/{rel}" if rel else f"{VOLUMES_PREFIX}{key}"
        path = os.path.join(root, rel) if rel else root
        kind = entry_type(st.st_mode)
        if kind is None:
            warn(f"skipped {path}: sockets and device files are not backed up")
            continue
        if rel.endswith(sqlite_copy.SQLITE_COMPANIONS) and \
                re.sub(r"-(journal|wal|shm)$", "", rel) in snapshots:
            continue  # the snapshot already holds the committed data
        if kind == "file" and st.st_nlink > 1 and (st.st_dev, st.st_ino) in links:
            info = tarinfo_for(arcname, st, "hardlink")
            info.linkname = links[(st.st_dev, st.st_ino)]
            tar.addfile(info)
            files[arcname] = record(info, "hardlink", target=info.linkname)
            continue
        info = tarinfo_for(arcname, st, kind)
        if kind == "symlink":
            try:
                info.linkname = entry.read_link()
            except OSError as error:
                warn(f"skipped {path}: {error.strerror or error}")
                continue
            tar.addfile(info)
            files[arcname] = record(info, kind, target=info.linkname)
        elif kind in ("dir", "fifo"):
            tar.addfile(info)
            files[arcname] = record(info, kind)
        else:
            handle = open_regular(entry, path)
            if handle is None:
                continue
            note = {}
            try:
                if handle.read(16) == sqlite_copy.SQLITE_MAGIC and \
                        (copy := sqlite_copy.snapshot(kind_of(key), handle, path, workdir)):
                    handle.close()
                    handle = open(copy, "rb")
                    os.unlink(copy)  # freed when closed
                    snapshots.add(rel)
                    sqlite_done.append(arcname)
                    note["sqlite"] = "online-backup" if kind_of(key) == "hub-data" else "checked-copy"
                handle.seek(0)
                reader = add_file(tar, info, handle)
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


def write_backup(out, *, project: str, version: str, volumes: list[tuple[str, str]],
                 volumes_root: str, site_env: str) -> None:
    """Writes the archive of volumes [(KEY, docker volume name)], mounted at
    volumes_root/KEY, and of the settings file site_env if there is one, to
    the binary stream out."""
    volumes = [{"key": key, "name": name, "kind": kind_of(key)} for key, name in volumes]
    header = {"format": FORMAT, "version": version, "project": project,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "volumes": volumes, "settings": os.path.isfile(site_env)}
    files: dict[str, dict] = {}
    sqlite_done: list[str] = []
    compressed = gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6)
    with tempfile.TemporaryDirectory() as workdir, \
            tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        add_json(tar, HEADER_NAME, header)
        for volume in volumes:
            root = os.path.join(volumes_root, volume["key"])
            volume.update(backup_volume(tar, root, volume["key"], files, sqlite_done, workdir))
            print(f"  {volume['name']}: {volume['files']} files and folders, "
                  f"{human(volume['bytes'])}", file=sys.stderr, flush=True)
        if header["settings"]:
            info = tarinfo_for(SETTINGS_NAME, os.stat(site_env), "file")
            with open(site_env, "rb") as handle:
                reader = add_file(tar, info, handle)
            files[SETTINGS_NAME] = record(info, "file", size=info.size,
                                          sha256=reader.sha256.hexdigest())
        add_json(tar, MANIFEST_NAME, {**header, "files": files, "sqlite_online_backup": sqlite_done})
    compressed.close()
    out.flush()
