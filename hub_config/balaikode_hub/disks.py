"""Before a learner server starts, its home and course exchanges become
size-limited disks: the hub asks the disks service (src/balaikode/disks)
over its Unix socket. With both sizes 0 the service is not asked at all."""

from __future__ import annotations

import asyncio
import logging

from balaikode.disks_socket import request

from .courses import make_pre_spawn_hook, user_uid
from .refusal import StartRefused

log = logging.getLogger("balaikode.disks")


class DiskNotReady(StartRefused):
    """Her disk could not be made ready."""


def volumes_to_limit(spawner, project: str, sizes: dict[str, int]) -> list[tuple[str, int]]:
    """(volume, owner uid) of the spawner's home and exchanges that get a size limit."""
    wanted = []
    for volume in spawner.volumes:
        name = spawner.format_volume_name(volume, spawner)
        if name.startswith(f"{project}-home-") and sizes["home"]:
            wanted.append((name, user_uid(spawner.user)))
        elif name.startswith(f"{project}-exchange-") and sizes["exchange"]:
            wanted.append((name, 0))
    return wanted


async def ensure_disks(spawner, project: str, sizes: dict[str, int]) -> None:
    machine = getattr(spawner, "home_node", None)
    for volume, owner in volumes_to_limit(spawner, project, sizes):
        message = {"op": "ensure", "volume": volume, "owner": owner}
        try:
            if machine:
                # Her home's machine (swarm): its own disks service, with the
                # main server's size (its .env need not say it again).
                reply = await spawner.machine_request({**message, "min_size": sizes["home"]})
            else:
                reply = await request(message)
        except (OSError, asyncio.TimeoutError, ValueError, RuntimeError) as error:
            reply = {"ok": False, "error": f"disks service unreachable: {error!r}"}
        if not reply.get("ok"):
            log.error("disk for %s: %s", volume, reply.get("error"))
            raise DiskNotReady(
                "ruang penyimpanan belum bisa disiapkan. Coba lagi sebentar lagi; "
                "kalau tetap gagal, minta admin melihat log layanan 'disks' "
                f"(storage for {volume} is not ready)")
        if not reply.get("limited"):
            log.warning("%s has no size limit (a volume from before disk limits)", volume)


def make_spawn_hook(project: str, sizes: dict[str, int], exchange_service: bool = False):
    """Course mounts first (they add the exchange volumes and say whether
    she teaches), then in swarm mode the machine of her home
    (placement.py), then the disks."""
    courses_hook = make_pre_spawn_hook(project, exchange_service)

    async def pre_spawn_hook(spawner):
        courses_hook(spawner)
        place_home = getattr(spawner, "place_home", None)
        if place_home is not None:
            await place_home(teaches=spawner.environment.get("BALAIKODE_ROLE") == "trainer")
        if any(sizes.values()):
            await ensure_disks(spawner, project, sizes)
    return pre_spawn_hook
