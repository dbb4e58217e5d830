"""Issue 14: hostile and broken archives are refused by `voltool inspect`
(before restore.sh changes anything) and by `voltool restore` itself, with
a sentence the admin can read, and nothing is written outside the volumes.
Real tar archives, built here with tarfile; real folders in tmp_path."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ops.volumes import archive_check, restore
from ops.volumes.messages import Refused

REPO = Path(__file__).resolve().parents[2]
ME, GID = os.getuid(), os.getgid()
KEYS = ("hub-data", "home-ani")
TYPES = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE, "chr": tarfile.CHRTYPE,
         "blk": tarfile.BLKTYPE}


def member(name: str, kind: str = "file", data: bytes = b"", linkname: str = ""):
    info = tarfile.TarInfo(name)
    info.type = TYPES[kind]
    info.uid, info.gid = ME, GID
    info.mode = 0o755 if kind == "dir" else 0o644
    info.mtime = 1700000000
    info.linkname = linkname
    info.size = len(data) if kind == "file" else 0
    if kind in ("chr", "blk"):
        info.devmajor, info.devminor = 1, 5
    return info, data


def header(keys=KEYS, **changes) -> dict:
    return {"format": 1, "version": "0.1.0", "project": "balaikode",
            "date": "2026-01-05T08:00:00+00:00", "settings": False,
            "volumes": [{"key": key, "name": f"balaikode-{key}"} for key in keys], **changes}


def manifest_entry(info: tarfile.TarInfo, data: bytes) -> dict:
    kind = next(k for k, t in TYPES.items() if t == info.type)
    entry = {"type": kind, "uid": info.uid, "gid": info.gid, "mtime": info.mtime, "mode": info.mode}
    if kind == "file":
        entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return entry


def add_bytes(tar, name: str, raw: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(raw), 0o600
    tar.addfile(info, io.BytesIO(raw))


def archive(path: Path, entries, head=None, *, manifest=True, first_raw: bytes | None = None) -> Path:
    """A backup as ops/voltool.py writes it: header, the entries, a manifest
    that lists exactly the entries (so only the rules can refuse them)."""
    head = header() if head is None else head
    with gzip.open(path, "wb") as compressed, \
            tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "BALAIKODE-BACKUP.json", first_raw or json.dumps(head).encode())
        files = {}
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
            files[info.name] = manifest_entry(info, data)
        if manifest:
            add_bytes(tar, "MANIFEST.json", json.dumps({**head, "files": files}).encode())
    return path


ROOTS = [member("volumes/hub-data", "dir"), member("volumes/home-ani", "dir")]


@pytest.fixture
def site(tmp_path):
    """Mounted volumes, the output folder, and a folder outside with a
    secret: what a hostile archive would aim at."""
    for key in KEYS:
        (tmp_path / "volumes" / key).mkdir(parents=True)
    (tmp_path / "out").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("asli\n")
    return tmp_path


def everything_outside(site: Path) -> dict[str, tuple]:
    """Every path under site except the volumes and the output folder,
    with its type, size and content hash."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) not in
                       (site / "volumes", site / "out")]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            found[str(path.relative_to(site))] = (st.st_mode, st.st_size, content)
    return found


def refused(site: Path, path: Path) -> tuple[str, str]:
    """Both inspect and restore refuse the archive, and nothing outside the
    volumes changes; their messages."""
    before = everything_outside(site)
    with pytest.raises(Refused) as inspected, open(path, "rb") as stream:
        archive_check.check_archive(stream)
    with pytest.raises(Refused) as restored, open(path, "rb") as stream:
        restore.restore_archive(stream, str(site / "volumes"), str(site / "out"))
    assert everything_outside(site) == before
    assert (site / "outside" / "secret.txt").read_text() == "asli\n"
    assert set(os.listdir(site / "out")) <= {"site.env", "MANIFEST.json"}
    return str(inspected.value), str(restored.value)


def test_a_well_formed_archive_passes_both(site):
    """The helpers' archives are good ones: the refusals below are the rules'."""
    path = archive(site / "a.tar.gz", [*ROOTS, member("volumes/home-ani/catatan.md", data=b"# hai\n"),
                                       member("volumes/home-ani/tautan", "symlink", linkname="/etc"),
                                       member("volumes/home-ani/salinan.md", "hardlink",
                                              linkname="volumes/home-ani/catatan.md")])
    with open(path, "rb") as stream:
        assert archive_check.check_archive(stream)["volumes"] == list(KEYS)
    with open(path, "rb") as stream:
        assert restore.restore_archive(stream, str(site / "volumes"), str(site / "out")) == []
    assert (site / "volumes/home-ani/salinan.md").read_text() == "# hai\n"


@pytest.mark.parametrize("name", [
    "volumes/home-ani/../../outside/owned.txt",
    "volumes/home-ani/./owned.txt",
    "volumes/home-ani//owned.txt",
    "volumes/../outside/owned.txt",
    "volumes//outside/owned.txt",
])
def test_dot_dot_and_empty_path_parts_are_refused(site, name):
    path = archive(site / "a.tar.gz", [*ROOTS, member(name, data=b"ditimpa\n")])
    for message in refused(site, path):
        assert f"refused archive member {name!r}" in message and "unsafe path" in message
    assert not (site / "outside" / "owned.txt").exists()


def test_absolute_paths_are_refused(site):
    name = str(site / "outside" / "owned.txt")
    path = archive(site / "a.tar.gz", [*ROOTS, member(name, data=b"ditimpa\n")])
    for message in refused(site, path):
        assert f"refused archive member {name!r}: it is not inside volumes/" in message
    assert not (site / "outside" / "owned.txt").exists()


def test_nothing_is_written_through_a_symlink_from_the_archive(site):
    """A learner's symlink is restored as it was, but a later member below
    it would be written wherever it points."""
    path = archive(site / "a.tar.gz", [
        *ROOTS, member("volumes/home-ani/pintu", "symlink", linkname=str(site / "outside")),
        member("volumes/home-ani/pintu/owned.txt", data=b"ditimpa\n")])
    for message in refused(site, path):
        assert "'volumes/home-ani/pintu/owned.txt': its folder is not earlier in the archive" \
            in message
    assert not (site / "outside" / "owned.txt").exists()


def test_safe_target_refuses_a_folder_that_resolves_outside_the_volume(site):
    """The second line of defence, on its own: the real folder on disk is
    checked with symlinks resolved."""
    root = site / "volumes" / "home-ani"
    (root / "pintu").symlink_to(site / "outside")
    with pytest.raises(Refused, match="'pintu/owned.txt' would leave its volume"):
        restore.safe_target(str(root), "pintu/owned.txt")
    assert restore.safe_target(str(root), "pintu") == str(root / "pintu")


@pytest.mark.parametrize("linkname", [
    "SITE/outside/secret.txt",                       # absolute, outside
    "volumes/home-ani/../../outside/secret.txt",     # climbs out
    "volumes/hub-data/jupyterhub.sqlite",            # another volume
    "volumes/home-ani/pintu",                        # a symlink (pointing outside)
    "volumes/home-ani/nanti.txt",                    # a file that comes later
])
def test_hard_links_only_to_an_earlier_file_of_the_same_volume(site, linkname):
    linkname = linkname.replace("SITE", str(site))
    path = archive(site / "a.tar.gz", [
        *ROOTS, member("volumes/hub-data/jupyterhub.sqlite", data=b"db"),
        member("volumes/home-ani/pintu", "symlink", linkname=str(site / "outside" / "secret.txt")),
        member("volumes/home-ani/h", "hardlink", linkname=linkname),
        member("volumes/home-ani/nanti.txt", data=b"nanti\n")])
    for message in refused(site, path):
        assert "'volumes/home-ani/h': a hard link must point to a file earlier in the same volume" \
            in message
    assert not (site / "volumes" / "home-ani" / "h").exists()
    assert os.stat(site / "outside" / "secret.txt").st_nlink == 1


@pytest.mark.parametrize("kind", ["chr", "blk"])
def test_device_files_are_refused(site, kind):
    path = archive(site / "a.tar.gz", [*ROOTS, member("volumes/home-ani/nol", kind)])
    for message in refused(site, path):
        assert "'volumes/home-ani/nol': device files and other special files are never restored" \
            in message
    assert not (site / "volumes" / "home-ani" / "nol").exists()


def test_members_outside_the_headers_volumes_are_refused(site):
    (site / "volumes" / "home-budi").mkdir()  # mounted, but not in this backup
    path = archive(site / "a.tar.gz", [*ROOTS, member("volumes/home-budi", "dir"),
                                       member("volumes/home-budi/x.txt", data=b"x")])
    for message in refused(site, path):
        assert "'volumes/home-budi': it is not in one of the volumes the header lists" in message
    assert os.listdir(site / "volumes" / "home-budi") == []


@pytest.mark.parametrize("key", ["../outside", "home-../../outside", "home-ani/../../x",
                                 "curriculum", "home-", "", 7])
def test_header_keys_that_are_not_balai_kode_volumes_are_refused(site, key):
    path = archive(site / "a.tar.gz", [], header(keys=("hub-data", key)))
    for message in refused(site, path):
        assert message == f"not a Balai Kode volume key: {key!r}"


def test_a_volume_root_that_is_not_a_folder_is_refused(site):
    path = archive(site / "a.tar.gz", [ROOTS[0], member("volumes/home-ani", "symlink",
                                                        linkname=str(site / "outside"))])
    for message in refused(site, path):
        assert "'volumes/home-ani': a volume's root must be a folder" in message


@pytest.mark.parametrize("entries,why", [
    ([*ROOTS, member("volumes/home-ani/a.txt", data=b"1"), member("volumes/home-ani/a.txt", data=b"2")],
     "it is in the archive twice"),
    ([*ROOTS, member("BALAIKODE-BACKUP.json", data=b"{}")], "it is in the archive twice"),
    ([*ROOTS, member("settings/env", "symlink", linkname="/etc/shadow")],
     "it must be a regular file"),
    ([*ROOTS, member("MANIFEST.json", data=b'{"files": {}}'), member("volumes/home-ani/a.txt")],
     "it comes after MANIFEST.json, which must be last"),
])
def test_duplicates_late_members_and_odd_special_members_are_refused(site, entries, why):
    path = archive(site / "a.tar.gz", entries)
    for message in refused(site, path):
        assert why in message


def test_content_that_differs_from_the_manifest_is_refused_by_inspect(site):
    """A member added or changed after the manifest was written."""
    path = site / "a.tar.gz"
    with gzip.open(path, "wb") as compressed, \
            tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        add_bytes(tar, "BALAIKODE-BACKUP.json", json.dumps(header()).encode())
        for info, data in ROOTS:
            tar.addfile(info)
        info, data = member("volumes/home-ani/a.txt", data=b"diubah\n")
        tar.addfile(info, io.BytesIO(data))
        files = {i.name: manifest_entry(i, b"") for i, _ in ROOTS}
        files["volumes/home-ani/a.txt"] = manifest_entry(info, b"asli\n")
        add_bytes(tar, "MANIFEST.json", json.dumps({**header(), "files": files}).encode())
    with pytest.raises(Refused) as inspected, open(path, "rb") as stream:
        archive_check.check_archive(stream)
    assert str(inspected.value) == ("1 entry of the archive do not match its manifest: "
                                    "it is damaged or was altered")
    assert inspected.value.details == [
        "volumes/home-ani/a.txt: content does not match the manifest's sha256"]
    with open(path, "rb") as stream:  # restore reports it (restore.sh runs inspect first)
        assert restore.restore_archive(stream, str(site / "volumes"), str(site / "out")) == \
            inspected.value.details


@pytest.mark.parametrize("changes,message", [
    ({"format": 2}, "backup format 2 is not supported here (this version reads format 1)"),
    ({"format": "1"}, "backup format '1' is not supported here (this version reads format 1)"),
    ({"format": None}, "backup format None is not supported here (this version reads format 1)"),
    ({"version": "0.1.0\nvolume hub-data"},
     "the backup's header has an invalid version: '0.1.0\\nvolume hub-data'"),
    ({"project": "x y"}, "the backup's header has an invalid project: 'x y'"),
    ({"date": "$(reboot)"}, "the backup's header has an invalid date: '$(reboot)'"),
    ({"volumes": "hub-data"}, "the backup's header has no list of volumes"),
    ({"volumes": [{"key": "hub-data"}, {"key": "hub-data"}]},
     "the backup's header lists a volume twice"),
])
def test_a_wrong_header_is_refused_before_any_volume_is_emptied(site, changes, message):
    kept = site / "volumes" / "home-ani" / "pekerjaan.py"
    kept.write_text("print('tetap')\n")
    path = archive(site / "a.tar.gz", ROOTS, header(**changes))
    assert refused(site, path) == (message, message)
    assert kept.read_text() == "print('tetap')\n"


@pytest.mark.parametrize("first,message", [
    (b"not json", "BALAIKODE-BACKUP.json in the archive is not valid JSON"),
    (b"[1, 2]", "this is not a Balai Kode backup (its header is not a JSON object)"),
])
def test_a_header_that_is_not_a_json_object_is_refused(site, first, message):
    path = archive(site / "a.tar.gz", ROOTS, first_raw=first)
    assert refused(site, path) == (message, message)


def test_an_archive_without_the_header_first_is_refused(site):
    path = site / "a.tar.gz"
    with gzip.open(path, "wb") as compressed, tarfile.open(fileobj=compressed, mode="w|") as tar:
        add_bytes(tar, "volumes/home-ani/a.txt", b"x")
    message = "this is not a Balai Kode backup (no BALAIKODE-BACKUP.json first)"
    assert refused(site, path) == (message, message)


def test_an_archive_cut_before_its_manifest_is_incomplete(site):
    path = archive(site / "a.tar.gz", [*ROOTS, member("volumes/home-ani/a.txt", data=b"x")],
                   manifest=False)
    message = "the archive has no MANIFEST.json at its end: it is incomplete"
    assert refused(site, path) == (message, message)


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.98])
def test_a_truncated_archive_is_refused(site, keep):
    whole = archive(site / "whole.tar.gz", [*ROOTS, member("volumes/home-ani/data.bin",
                                                           data=os.urandom(256 * 1024))])
    raw = whole.read_bytes()
    cut = site / "a.tar.gz"
    cut.write_bytes(raw[:int(len(raw) * keep)])
    for message in refused(site, cut):
        assert message.startswith("the archive is damaged or cut short (")


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, os.urandom(4096),
                                     gzip.compress(b"garbage" * 100), gzip.compress(os.urandom(4096))])
def test_garbage_is_refused(site, content):
    path = site / "a.tar.gz"
    path.write_bytes(content)
    for message in refused(site, path):
        assert message.startswith(("the archive is damaged or cut short (",
                                   "this is not a Balai Kode backup")), message


def voltool(*args: str, stdin: Path) -> subprocess.CompletedProcess:
    with open(stdin, "rb") as stream:
        return subprocess.run([sys.executable, str(REPO / "ops" / "voltool.py"), *args],
                              stdin=stream, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["inspect", "restore"])
def test_the_command_line_says_why_in_one_line_without_a_traceback(site, command):
    """What restore.sh shows the admin."""
    name = "volumes/home-ani/../../outside/owned.txt"
    path = archive(site / "a.tar.gz", [*ROOTS, member(name, data=b"ditimpa\n")])
    result = voltool("--volumes", str(site / "volumes"), command, *(
        ["--out", str(site / "out")] if command == "restore" else []), stdin=path)
    assert result.returncode == 1
    assert result.stderr == f"voltool: refused archive member {name!r}: unsafe path\n"
    assert result.stdout == ""
    assert not (site / "outside" / "owned.txt").exists()
