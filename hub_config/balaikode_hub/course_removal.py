"""A course deleted for good: its volumes go from Docker.

Docker refuses to remove a volume that a container still mounts, so the
containers that hold either volume are looked up first and named in a 409 (a
learner's server started before the course was archived keeps its mounts
until it stops; archiving stops the trainers'); nothing is removed then.
Once Docker has destroyed the exchange's volume, the disks service, which
follows those events, detaches its loop device and keeps the image in
removed/ for a week (docs/operations.md).
"""

from __future__ import annotations

import asyncio

import docker
from docker.errors import APIError, NotFound
from tornado import web

MSG_IN_USE = "The files of course {course} are in use by the servers of {names}: stop those servers, then delete again"


def holders(client, project: str, volumes: list[str]) -> list[str]:
    """Who holds the volumes: user names for learner servers, else container names."""
    prefix = f"{project}-learner-"
    names = set()
    for volume in volumes:
        for container in client.containers.list(all=True, filters={"volume": volume}):
            # A swarm service's container is SERVICE.SLOT.TASK (BALAIKODE_SWARM).
            name = container.labels.get("com.docker.swarm.service.name") or container.name
            names.add(name[len(prefix):] if name.startswith(prefix) else name)
    return sorted(names)


def remove_now(project: str, course: str, volumes: list[str]) -> None:
    client = docker.from_env(timeout=60)
    try:
        held_by = holders(client, project, volumes)
        if held_by:
            raise web.HTTPError(409, MSG_IN_USE.format(course=course, names=", ".join(held_by)))
        for volume in volumes:
            try:
                client.volumes.get(volume).remove()
            except NotFound:
                continue  # nobody ever started with it
            except APIError as error:
                if error.status_code == 409:  # a server started in between
                    raise web.HTTPError(409, MSG_IN_USE.format(
                        course=course, names=", ".join(holders(client, project, volumes)) or "?")) from None
                raise
    finally:
        client.close()


async def remove_volumes(project: str, course: str, volumes: list[str]) -> None:
    # Docker's API is blocking: off the hub's event loop.
    await asyncio.to_thread(remove_now, project, course, volumes)
