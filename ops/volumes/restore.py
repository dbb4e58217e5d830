"""restore: write an archive into the mounted volumes (emptied first), with
numeric owners, modes and times as they were, and the settings file and the
manifest into the output folder for restore.sh.

The archive is read once, as a stream. Every member is checked with the
same rules as inspect before it is written, and written only inside its own
volume: a member that breaks a rule stops the restore with a refusal.
restore.sh runs inspect first, so a bad archive is normally refused before
anything is changed; these checks hold even without it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tarfile

from .archive_format import (CHUNK, INCOMPLETE, MANIFEST_NAME, SETTINGS_NAME, MemberRules,
                             compare_with_manifest, damage_is_refused, members, open_for_reading,
                             read_header, read_json, volume_keys, volume_part)
from .messages import Refused

SETTINGS_OUT = "site.env"


def safe_target(root: str, rel: str) -> str:
    """The path of rel inside the volume at root; refuses a path that could
    leave it (its folder, with symlinks resolved, must be inside root)."""
    parts = rel.split("/") if rel else []
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise Refused(f"unsafe path in archive: {rel!r}")
    target = os.path.join(root, *parts) if parts else root
    parent = os.path.realpath(os.path.dirname(target)) if parts else root
    if parent != root and not parent.startswith(root + "/"):
        raise Refused(f"archive path {rel!r} would leave its volume")
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


def copy_out(tar, member, target: str, mode: int = 0o600) -> str:
    """Writes a file member to a new file (never through an existing name);
    returns its sha256."""
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as handle:
        source = tar.extractfile(member)
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def restore_member(tar, member, kind: str, root: str, rel: str, directories: list) -> str | None:
    """Creates one member inside the volume at root; the sha256 of a file."""
    target = safe_target(root, rel)
    digest = None
    if kind == "dir":
        if target != root:
            os.mkdir(target, 0o700)
        directories.append((target, member))  # attributes once its contents are in
        return None
    if kind == "file":
        digest = copy_out(tar, member, target)
    elif kind == "symlink":
        os.symlink(member.linkname, target)  # recreated, never followed
    elif kind == "hardlink":
        os.link(safe_target(root, volume_part(member.linkname)[1]), target, follow_symlinks=False)
        return None  # same inode: its attributes are already set
    elif kind == "fifo":
        os.mkfifo(target)
    apply_attrs(target, member)
    return digest


def restore_archive(stream, volumes_root: str, out_dir: str) -> list[str]:
    """Restores the archive read from stream into volumes_root/KEY for each
    of its volumes (which must be mounted; their contents are deleted first),
    writes the settings file as out_dir/site.env and the manifest as
    out_dir/MANIFEST.json. Returns the differences from the manifest."""
    volumes_root = os.path.realpath(volumes_root)  # safe_target compares resolved paths
    with damage_is_refused():
        tar = open_for_reading(stream)
        header, first = read_header(tar)
        keys = volume_keys(header)
        missing = set(keys) - set(os.listdir(volumes_root))
        if missing:
            raise Refused(f"volumes not mounted: {sorted(missing)}")
        for key in sorted(keys):
            wipe(os.path.join(volumes_root, key))
        rules = MemberRules(keys)
        hashes: dict[str, str] = {}
        directories: list[tuple[str, tarfile.TarInfo]] = []
        manifest = None
        for member in members(tar, first):
            kind = rules.check(member)
            if kind == "manifest":
                manifest = read_json(tar, member)
            elif member.name == SETTINGS_NAME:
                target = os.path.join(out_dir, SETTINGS_OUT)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)  # from an earlier run into the same folder
                hashes[member.name] = copy_out(tar, member, target)
                give_to_out_owner(target)
            else:
                key, rel = volume_part(member.name)
                digest = restore_member(tar, member, kind, os.path.join(volumes_root, key), rel,
                                        directories)
                if digest:
                    hashes[member.name] = digest
    for target, member in reversed(directories):  # children first
        apply_attrs(target, member)
    if manifest is None:
        raise Refused(INCOMPLETE)
    problems = compare_with_manifest(manifest, rules.types, hashes)
    manifest_path = os.path.join(out_dir, MANIFEST_NAME)
    with open(manifest_path, "w") as handle:
        json.dump(manifest, handle)
    give_to_out_owner(manifest_path)
    return problems
