"""Size-limited Docker volumes: one ext4 image file per volume, on a loop device.

Docker's `local` volumes on the host's ext4 have no size limit, so one learner
could fill the server's disk. Here each learner home (and each course
exchange) is a sparse image file `NAME.img` in the `disks` volume, formatted
ext4, attached to a loop device; the Docker volume NAME is a `local` volume of
type ext4 on that device, so dockerd itself mounts it when a container needs
it and unmounts it afterwards. A learner who writes too much gets ENOSPC in
their own home; nobody else notices.

Loop devices do not survive a reboot and their numbers are not stable, so the
image file is the source of truth: `ensure` (run before every server start)
and `attach_all` (at service start) re-attach images and re-create a volume
whose device changed. Each image is attached to at most one loop device:
two loops on one ext4 image would corrupt it.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from ..paths import DISK_IMAGES

log = logging.getLogger("balaikode.disks")

DISKS_DIR = DISK_IMAGES
KINDS = ("home", "exchange")
# DockerSpawner's escaped user names and course ids: letters, digits, - _ .
SUFFIX_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,120}")
# A fresh sparse image reads as zeros, so the journal and inode tables need no
# zeroing (mkfs) and no lazy initialisation after mounting (noinit_itable):
# a new disk costs a few MiB of the host's disk, not its full size.
MKFS_OPTIONS = ["-q", "-t", "ext4", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard"]
MOUNT_OPTIONS = "nosuid,nodev,noinit_itable"
LABEL_KIND = "balaikode.disk"
# Images of removed volumes wait here (a folder of the disks volume) before
# they are deleted.
REMOVED = "removed"
KEEP_REMOVED_DAYS = 7


IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*-(home|exchange)-[A-Za-z0-9][A-Za-z0-9_.-]*\.img$")


def orphaned_loops(losetup_list: str) -> list[tuple[str, str]]:
    """(device, file) of `losetup --list --output NAME,BACK-FILE` lines whose
    file is a Balai Kode disk image that no longer exists."""
    found = []
    for line in losetup_list.splitlines():
        parts = line.split(None, 1)
        if len(parts) != 2 or not parts[1].endswith(" (deleted)"):
            continue
        device, back_file = parts[0], parts[1][:-len(" (deleted)")]
        if device.startswith("/dev/loop") and IMAGE_NAME.match(os.path.basename(back_file)):
            found.append((device, back_file))
    return found


class DiskError(Exception):
    """A problem an admin can act on; the message says what to do."""


@dataclass(frozen=True)
class Disk:
    volume: str
    device: str
    size: int
    limited: bool = True

    def as_dict(self) -> dict:
        return {"volume": self.volume, "device": self.device, "size": self.size,
                "limited": self.limited}


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DiskError(f"{' '.join(command)} failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def without_lost_found(target: str) -> None:
    # A learner would only see a folder they cannot open.
    run("debugfs", "-w", "-R", "rmdir lost+found", target)


def check(device: str) -> None:
    """e2fsck before resizing; it puts lost+found back, which is taken out again."""
    result = subprocess.run(["e2fsck", "-f", "-p", device], capture_output=True, text=True)
    # 0: clean, 1: problems corrected (a missing lost+found counts as one).
    if result.returncode not in (0, 1):
        raise DiskError(f"e2fsck {device} found problems it could not fix ({result.returncode}): "
                        f"{(result.stdout + result.stderr).strip()}; run e2fsck -f {device} by hand")
    without_lost_found(device)


class DiskStore:
    def __init__(self, project: str, sizes: dict[str, int], *, directory: Path = DISKS_DIR,
                 client: docker.DockerClient | None = None):
        self.project = project
        self.sizes = sizes  # kind -> bytes (0: that kind gets plain, unlimited volumes)
        self.directory = directory
        self.docker = client or docker.from_env()

    # ------------------------------------------------------------- naming

    def kind_of(self, volume: str) -> str:
        for kind in KINDS:
            prefix = f"{self.project}-{kind}-"
            if volume.startswith(prefix) and SUFFIX_PATTERN.fullmatch(volume[len(prefix):]):
                return kind
        raise DiskError(f"{volume!r} is not a home or exchange volume of project {self.project}")

    def image(self, volume: str) -> Path:
        return self.directory / f"{volume}.img"

    # ------------------------------------------------------- loop devices

    def loops_of(self, image: Path) -> list[str]:
        """Loop devices attached to this very file (matched by inode)."""
        listed = run("losetup", "--noheadings", "--output", "NAME", "--associated", str(image))
        return [line.strip() for line in listed.splitlines() if line.strip()]

    def attach(self, image: Path) -> str:
        loops = self.loops_of(image)
        if loops:
            return loops[0]
        # Several stacks on one machine may look for a free device at once.
        for attempt in range(5):
            try:
                return run("losetup", "--find", "--show", "--direct-io=on", str(image)).strip()
            except DiskError as error:
                last = error
                time.sleep(0.2 * (attempt + 1))
        raise DiskError(f"no free loop device for {image.name}: {last}. Is the loop module "
                        "loaded (modprobe loop)? BALAIKODE_HOME_DISK_SIZE=0 turns size "
                        "limits off.")

    # ----------------------------------------------------------- volumes

    def volume(self, name: str):
        try:
            return self.docker.volumes.get(name)
        except NotFound:
            return None

    def create_volume(self, name: str, kind: str, device: str):
        return self.docker.volumes.create(
            name, driver="local",
            driver_opts={"type": "ext4", "device": device, "o": MOUNT_OPTIONS},
            labels={"balaikode.project": self.project, LABEL_KIND: kind})

    def point_volume_at(self, name: str, kind: str, device: str, volume=None) -> None:
        """Make volume `name` (the Docker object if the caller has it) use `device`."""
        volume = volume or self.volume(name)
        if volume is not None:
            if (volume.attrs.get("Options") or {}).get("device") == device:
                return
            try:
                # Not mounted anywhere (its old loop device is gone), so this
                # removes only Docker's record: the files are in the image.
                volume.remove()
            except APIError as error:
                raise DiskError(f"volume {name} points at an old loop device and is still used "
                                f"by a stopped container; remove that container: {error}") from None
        self.create_volume(name, kind, device)

    # -------------------------------------------------------------- disks

    def create_image(self, image: Path, size: int, owner: int) -> None:
        partial = image.with_suffix(".new")
        with open(partial, "wb") as handle:
            handle.truncate(size)
        run("mkfs.ext4", *MKFS_OPTIONS, "-E", f"root_owner={owner}:{owner}", str(partial))
        without_lost_found(str(partial))
        os.replace(partial, image)

    def grow(self, image: Path, device: str, size: int) -> None:
        """Enlarge an unmounted disk to `size` (the setting was raised)."""
        try:
            # The kernel refuses O_EXCL on a block device that is mounted, in
            # any mount namespace: the only safe "not in use" test from here.
            holder = os.open(device, os.O_RDONLY | os.O_EXCL)
        except OSError as error:
            if error.errno == errno.EBUSY:
                log.info("%s is in use; it grows at its next start", image.name)
                return
            raise
        os.close(holder)
        with open(image, "r+b") as handle:
            handle.truncate(size)
        run("losetup", "--set-capacity", device)
        check(device)
        run("resize2fs", device)
        log.info("%s grown to %d MiB", image.name, size // 2**20)

    def ensure(self, volume: str, *, owner: int = 0, min_size: int = 0) -> Disk:
        """Make `volume` a size-limited disk (idempotent; before every start)."""
        kind = self.kind_of(volume)
        size = max(self.sizes.get(kind, 0), min_size)
        existing = self.volume(volume)
        if size == 0 or (existing is not None and LABEL_KIND not in (existing.attrs.get("Labels") or {})):
            # Limits off, or a volume from before limits (kept as it is: its
            # files live in Docker's own directory, not in an image).
            return Disk(volume, "", 0, limited=False)
        image = self.image(volume)
        if not image.exists():
            if existing is not None:
                raise DiskError(f"the disk image {image.name} of volume {volume} is missing "
                                "(was the disks volume removed?); restore it from a backup")
            self.directory.mkdir(parents=True, exist_ok=True)
            self.create_image(image, size, owner)
            log.info("created %s (%d MiB, owner %d)", image.name, size // 2**20, owner)
        device = self.attach(image)
        if image.stat().st_size < size:
            self.grow(image, device, size)
        self.point_volume_at(volume, kind, device, existing)
        return Disk(volume, device, image.stat().st_size)

    def attach_all(self) -> list[Disk]:
        """After a reboot: every image back on a loop device, every volume on
        it; the images of volumes removed while the service was stopped go
        to removed/ (forget)."""
        disks = []
        self.purge_removed()
        for image in sorted(self.directory.glob(f"{self.project}-*.img")):
            volume = image.name[:-len(".img")]
            try:
                if self.volume(volume) is None and self.forget(volume):
                    continue
                kind = self.kind_of(volume)
                device = self.attach(image)
                self.point_volume_at(volume, kind, device)
                disks.append(Disk(volume, device, image.stat().st_size))
            except DiskError as error:
                log.error("%s: %s", image.name, error)
        return disks

    def release_orphans(self) -> list[str]:
        """Detach loop devices whose disk image was deleted, by any Balai Kode
        stack on this machine (`docker compose down -v` removes the disks
        volume, not the kernel's loop devices). Such a device can never be
        used again; left attached, it holds the deleted file's space and a
        loop device each, until the server runs out of them."""
        listed = run("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE")
        released = []
        for device, back_file in orphaned_loops(listed):
            try:
                run("losetup", "--detach", device)
            except DiskError as error:
                log.warning("could not detach %s (%s): %s", device, back_file, error)
                continue
            released.append(device)
        if released:
            log.info("detached %d loop devices of deleted disk images", len(released))
        return released

    def forget(self, volume: str) -> Path | None:
        """Volume `volume` was removed from Docker (a deleted learner, an
        admin's `docker volume rm` or `docker volume prune`): its loop device
        is detached at once, and its image moves to removed/, where it is
        kept for KEEP_REMOVED_DAYS (a mistake can be undone: docs/operations.md)
        and then deleted. Not if a volume of that name exists again (this
        service re-points volumes by removing and re-creating them).
        Returns where the image went, or None."""
        try:
            self.kind_of(volume)
        except DiskError:
            return None  # not one of ours
        image = self.image(volume)
        if self.volume(volume) is not None or not image.exists():
            return None
        for device in self.loops_of(image):
            # A device still mounted somewhere detaches when it is unmounted.
            run("losetup", "--detach", device)
        removed = self.directory / REMOVED / f"{volume}.{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.img"
        removed.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(image, removed)
        os.utime(removed)  # the days are counted from now
        log.info("volume %s was removed: its disk is kept in %s for %d days", volume, removed,
                 KEEP_REMOVED_DAYS)
        self.purge_removed()
        return removed

    def purge_removed(self, now: float | None = None) -> list[Path]:
        """Delete the images of removed volumes older than KEEP_REMOVED_DAYS."""
        now = time.time() if now is None else now
        purged = []
        for image in sorted((self.directory / REMOVED).glob(f"{self.project}-*.img")):
            if now - image.stat().st_mtime > KEEP_REMOVED_DAYS * 86400:
                image.unlink()
                purged.append(image)
        if purged:
            log.info("deleted %d disks of volumes removed more than %d days ago", len(purged),
                     KEEP_REMOVED_DAYS)
        return purged

    def release(self) -> list[str]:
        """Detach every loop device of this store (a busy one detaches when its
        last user unmounts it). For tearing a stack down, not for daily use."""
        released = []
        for image in sorted(self.directory.glob("*.img")):
            for device in self.loops_of(image):
                run("losetup", "--detach", device)
                released.append(device)
        return released
