"""The backup archive: its layout, its header, and the rules every member
must follow. Backup writes it; inspect and restore read it with the same
rules, so that an archive restore would refuse is refused by inspect first,
before anything on the server is changed.

A gzip-compressed tar stream in PAX format, members in this order:

    BALAIKODE-BACKUP.json   format, version, date, project, volumes, settings
    volumes/KEY             each volume's root folder, then everything in it,
                            every folder before what it holds
    settings/env            the site's settings file (.env), if there is one
    MANIFEST.json           the header's fields plus, for every entry, its
                            type, numeric owner, mode, mtime, size and sha256;
                            last, so that an archive cut short has none

FORMAT 1 is the only format so far; the header of every backup carries it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
import tarfile
import zlib

from .keys import kind_of
from .messages import Refused

FORMAT = 1
HEADER_NAME = "BALAIKODE-BACKUP.json"
MANIFEST_NAME = "MANIFEST.json"
SETTINGS_NAME = "settings/env"
VOLUMES_PREFIX = "volumes/"
CHUNK = 1 << 20

# restore.sh reads inspect's `project P`, `version V` and `date D` lines with
# sed: none of them may hold a space, a newline or anything the shell could
# take for more than a word.
HEADER_WORDS = {
    "project": re.compile(r"[a-z0-9][a-z0-9_-]*"),  # a compose project name
    "version": re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"),  # a Docker image tag
    "date": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)?"),
}

INCOMPLETE = "the archive has no MANIFEST.json at its end: it is incomplete"


@contextlib.contextmanager
def damage_is_refused():
    """Whatever a cut-short or garbled gzip or tar stream raises becomes one
    refusal the admin can read."""
    try:
        yield
    except (EOFError, tarfile.TarError, zlib.error, gzip.BadGzipFile) as error:
        raise Refused(f"the archive is damaged or cut short ({error})") from None


def open_for_reading(stream) -> tarfile.TarFile:
    """The archive as a tar stream, read once from start to end (stdin)."""
    return tarfile.open(fileobj=gzip.GzipFile(fileobj=stream, mode="rb"), mode="r|")


def read_json(tar: tarfile.TarFile, member: tarfile.TarInfo):
    try:
        return json.load(tar.extractfile(member))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(f"{member.name} in the archive is not valid JSON") from None


def read_header(tar: tarfile.TarFile) -> tuple[dict, tarfile.TarInfo]:
    """The header, checked, and its member (a stream lists it again when
    iterated: members() leaves it out)."""
    first = tar.next()
    if first is None or first.name != HEADER_NAME or not first.isreg():
        raise Refused("this is not a Balai Kode backup (no BALAIKODE-BACKUP.json first)")
    header = read_json(tar, first)
    if not isinstance(header, dict):
        raise Refused("this is not a Balai Kode backup (its header is not a JSON object)")
    if header.get("format") != FORMAT:
        raise Refused(f"backup format {header.get('format')!r} is not supported here "
                      f"(this version reads format {FORMAT})")
    for field, pattern in HEADER_WORDS.items():
        value = header.get(field)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise Refused(f"the backup's header has an invalid {field}: {value!r}")
    if not isinstance(header.get("settings"), bool):
        raise Refused("the backup's header does not say whether it holds settings")
    volumes = header.get("volumes")
    if not isinstance(volumes, list) or not all(isinstance(v, dict) for v in volumes):
        raise Refused("the backup's header has no list of volumes")
    keys = [v.get("key") for v in volumes]
    for key in keys:
        kind_of(key)  # refuses keys that are not ours
    if len(set(keys)) != len(keys):
        raise Refused("the backup's header lists a volume twice")
    return header, first


def volume_keys(header: dict) -> list[str]:
    return [volume["key"] for volume in header["volumes"]]


def members(tar: tarfile.TarFile, header_member: tarfile.TarInfo):
    """Every member after the header."""
    for member in tar:
        if member is not header_member:
            yield member


def volume_part(name: str) -> tuple[str, str]:
    """(KEY, path inside the volume) of `volumes/KEY/...`; refuses names
    that are not in a volume or could leave it."""
    if not name.startswith(VOLUMES_PREFIX):
        raise Refused(f"refused archive member {name!r}: it is not inside volumes/")
    parts = name[len(VOLUMES_PREFIX):].split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise Refused(f"refused archive member {name!r}: unsafe path")
    return parts[0], "/".join(parts[1:])


def member_type(member: tarfile.TarInfo) -> str | None:
    """The manifest's word for a member's type; None for device files and
    anything else a backup never holds."""
    for test, name in ((member.isdir, "dir"), (member.isreg, "file"), (member.issym, "symlink"),
                       (member.islnk, "hardlink"), (member.isfifo, "fifo")):
        if test():
            return name
    return None


def sha256_of(source) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class MemberRules:
    """The rules for the members after the header, checked one by one in
    archive order: only the backup's volumes, the settings file and the
    manifest, each once; only folders, files, symlinks, hard links and
    FIFOs; every member's folder earlier in the archive (so nothing is ever
    written through a symlink); hard links only to a file earlier in the same
    volume; nothing after the manifest. Symlinks may point anywhere: learners
    make them, and they are recreated, never followed."""

    def __init__(self, keys):
        self.keys = set(keys)
        self.types: dict[str, str] = {}  # member name -> manifest type
        self.finished = False

    def check(self, member: tarfile.TarInfo) -> str:
        """The member's manifest type, or "manifest"; refuses the member."""
        name = member.name

        def refuse(why: str):
            raise Refused(f"refused archive member {name!r}: {why}")

        if self.finished:
            refuse("it comes after MANIFEST.json, which must be last")
        if name in self.types or name == HEADER_NAME:
            refuse("it is in the archive twice")
        if name in (MANIFEST_NAME, SETTINGS_NAME):
            if not member.isreg():
                refuse("it must be a regular file")
            if name == MANIFEST_NAME:
                self.finished = True
                return "manifest"
            self.types[name] = "file"
            return "file"
        key, rel = volume_part(name)
        if key not in self.keys:
            refuse("it is not in one of the volumes the header lists")
        kind = member_type(member)
        if kind is None:
            refuse("device files and other special files are never restored")
        if not rel and kind != "dir":
            refuse("a volume's root must be a folder")
        if rel and self.types.get(name.rsplit("/", 1)[0]) != "dir":
            refuse("its folder is not earlier in the archive")
        if kind == "hardlink" and (self.types.get(member.linkname) != "file"
                                   or not member.linkname.startswith(f"{VOLUMES_PREFIX}{key}/")):
            refuse("a hard link must point to a file earlier in the same volume")
        self.types[name] = kind
        return kind


def compare_with_manifest(manifest, types: dict[str, str], hashes: dict[str, str]) -> list[str]:
    """Differences between the members read (their types, and the sha256 of
    the files) and the manifest: every member is listed in it with its type,
    every file's content matches, nothing listed is missing."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(isinstance(e, dict) for e in files.values()):
        raise Refused("MANIFEST.json in the archive has no list of files")
    problems = []
    for name, kind in types.items():
        entry = files.get(name)
        if entry is None:
            problems.append(f"{name}: in the archive but not in its manifest")
        elif entry.get("type") != kind:
            problems.append(f"{name}: a {kind} in the archive, the manifest says {entry.get('type')}")
        elif kind == "file" and hashes.get(name) != entry.get("sha256"):
            problems.append(f"{name}: content does not match the manifest's sha256")
    problems += [f"{name}: in the manifest but not in the archive"
                 for name in sorted(files.keys() - types.keys())]
    return problems
