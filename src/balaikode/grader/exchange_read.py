"""What a learner reads from her course's exchange, for a server that does
not mount it (swarm mode: her server may run on another machine than the
exchange volume). The three reads nbgrader's Assignments tab makes:

- the released assignments (names and their notebooks' names),
- one released assignment's files (fetch),
- feedback pages by their secret names (a learner knows the names of her own
  only: nbgrader derives each from her submission's secret; feedback/ is
  not listable on one machine either, start-learner makes it 2771).

The volume is read through a container that is created and never started:
Docker mounts the volume for the copy out (`get_archive`), resolves paths
inside the container, and nothing of the course runs. Only regular files
come back, under names checked here (no symlink, no "..", no device).
"""

from __future__ import annotations

import io
import re
import tarfile
from typing import Iterator

import docker
from docker.errors import NotFound

from .. import names

# What one answer may carry (the grader holds it in memory, base64 in JSON
# on the way out; its memory limit is 1 GB).
MAX_FETCH_BYTES = 64 * 2**20
MAX_FEEDBACK_BYTES = 64 * 2**20
MAX_HASHES = 500
# nbgrader.utils.notebook_hash: an MD5 hex digest.
FEEDBACK_NAME = re.compile(r"[0-9a-f]{32}")
ROOT = "/exchange"

TOO_BIG = ("Tugas ini lebih dari {mb} MB; minta pelatihmu membaginya. "
           "(The released assignment is larger than {mb} MB.)")


class TooBig(Exception):
    pass


class ChunkReader(io.RawIOBase):
    """Docker's archive stream (an iterator of byte chunks) as a file that
    tarfile can read in stream mode, so a large folder is never held whole."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = iter(chunks)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def relative_name(member: tarfile.TarInfo) -> str | None:
    """The member's path below the folder that was asked for (Docker names
    them "FOLDER/..."), or None for the folder itself and for names that
    could step out of wherever the client writes them."""
    parts = member.name.split("/")[1:]
    if not parts or any(part in ("", ".", "..") for part in parts):
        return None
    return "/".join(parts)


def regular_files(archive: tarfile.TarFile, max_bytes: int) -> dict[str, bytes]:
    files, total = {}, 0
    for member in archive:
        name = relative_name(member)
        if name is None or not member.isfile():
            continue
        total += member.size
        if total > max_bytes:
            raise TooBig(TOO_BIG.format(mb=max_bytes // 2**20))
        files[name] = archive.extractfile(member).read()
    return files


def released(archive: tarfile.TarFile) -> dict[str, list[str]]:
    """{assignment: [notebook file names]} of an archive of outbound/
    (contents are skipped, not read)."""
    found: dict[str, list[str]] = {}
    for member in archive:
        name = relative_name(member)
        if name is None:
            continue
        assignment, _, rest = name.partition("/")
        if not names.is_valid("assignment", assignment):
            continue
        if member.isdir() and not rest:
            found.setdefault(assignment, [])
        elif member.isfile() and rest.endswith(".ipynb") and "/" not in rest:
            found.setdefault(assignment, []).append(rest)
    return {name: sorted(notebooks) for name, notebooks in sorted(found.items())}


class ExchangeReader:
    """Reads one course's exchange volume; use as a context manager (the
    container is removed on the way out)."""

    def __init__(self, client: docker.DockerClient, image: str, project: str, course: str,
                 labels: dict[str, str]):
        self.client, self.image, self.labels = client, image, labels
        self.volume = f"{project}-exchange-{course}"
        self.container = None

    def __enter__(self) -> "ExchangeReader":
        self.client.volumes.get(self.volume)  # NotFound: no exchange yet
        self.container = self.client.containers.create(
            self.image, entrypoint=["true"], network_disabled=True,
            volumes={self.volume: {"bind": ROOT, "mode": "ro"}},
            labels={**self.labels, "balaikode.role": "exchange-reader"})
        return self

    def __exit__(self, *exc) -> None:
        self.container.remove(force=True)

    def archive(self, path: str) -> tarfile.TarFile | None:
        try:
            stream, _ = self.container.get_archive(f"{ROOT}/{path}")
        except NotFound:
            return None
        return tarfile.open(fileobj=io.BufferedReader(ChunkReader(stream)), mode="r|")

    def released(self) -> dict[str, list[str]]:
        archive = self.archive("outbound")
        return {} if archive is None else released(archive)

    def assignment(self, assignment: str) -> dict[str, bytes] | None:
        archive = self.archive(f"outbound/{assignment}")
        return None if archive is None else regular_files(archive, MAX_FETCH_BYTES)

    def feedback(self, hashes: list[str]) -> dict[str, bytes]:
        found, total = {}, 0
        for name in hashes:
            archive = self.archive(f"feedback/{name}.html")
            if archive is None:
                continue
            for member in archive:
                # A single file's archive holds just that file, named by it.
                if member.isfile() and member.name == f"{name}.html":
                    total += member.size
                    if total > MAX_FEEDBACK_BYTES:
                        raise TooBig(TOO_BIG.format(mb=MAX_FEEDBACK_BYTES // 2**20))
                    found[name] = archive.extractfile(member).read()
        return found


def valid_hashes(value) -> list[str] | None:
    """The feedback names a request asks for, or None if it is not a list of them."""
    if not isinstance(value, list) or len(value) > MAX_HASHES:
        return None
    if not all(isinstance(name, str) and FEEDBACK_NAME.fullmatch(name) for name in value):
        return None
    return sorted(set(value))
