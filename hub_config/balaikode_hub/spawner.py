"""The learner server's spawners: DockerSpawner (one server, the default) and
SwarmSpawner (BALAIKODE_SWARM, swarm.py says how its service is hardened
like the container), plus what happens to a learner's home when the learner
is deleted (the admin page, the REST API, ./balaikode): the home volume is
removed, and the disks service, which follows Docker's volume events, takes
her disk off its loop device and keeps the image in removed/ for a week
(docs/operations.md says how to bring it back)."""

from __future__ import annotations

from docker.errors import APIError, NotFound
from dockerspawner import DockerSpawner, SwarmSpawner
from jupyterhub.utils import maybe_future
from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from .placement import HomeMachine
from .swarm import LearnerService


class HomeRemoval(LoggingConfigurable):
    """Mixed into a DockerSpawner class: the home goes with its learner."""

    home_volume = Unicode(
        "",
        config=True,
        help="""Name template of the learner's home volume (a key of `volumes`),
        removed when the learner is deleted. Empty: homes are kept.""",
    )

    async def delete_forever(self):
        """JupyterHub calls this after the server stopped, when the user is deleted."""
        await maybe_future(super().delete_forever())
        if not self.home_volume:
            return
        name = self.format_volume_name(self.home_volume, self)
        # A container (or service) left from a crash would still hold the volume.
        if await self.get_object() is not None:
            await self.remove_leftover()
        try:
            await self.remove_home_volume(name)
            self.log.info("Removed %s's home volume %s", self.user.name, name)
        except NotFound:
            pass
        except (APIError, RuntimeError) as error:
            self.log.error("Could not remove %s's home volume %s: %s", self.user.name, name, error)

    async def remove_home_volume(self, name: str) -> None:
        await self.docker("remove_volume", name=name)


class BalaiKodeSpawner(HomeRemoval, DockerSpawner):
    async def remove_leftover(self):
        # remove=True removes a container when it stops; one a crash left
        # running must be forced.
        await self.docker("remove_container", self.object_name, force=True)


class BalaiKodeSwarmSpawner(HomeMachine, HomeRemoval, LearnerService, SwarmSpawner):
    async def remove_leftover(self):
        # Removing the service stops its container.
        await self.remove_object()

    async def poll(self):
        status = await super().poll()
        if status is not None and not self.pending:
            await self.forget_service()
        return status

    async def forget_service(self) -> None:
        """JupyterHub does not stop a server it finds stopped (its task
        ended, or its machine is away): the service would stay until her
        next start, and `./balaikode swarm` would count it as running. It is
        removed without waiting: a machine that is away ends the container
        when it is back."""
        try:
            await self.docker("remove_service", self.service_name)
            self.log.info("%s: removed the service of a stopped server", self.service_name)
        except NotFound:
            pass
        except APIError as error:
            self.log.warning("%s: could not remove the service of a stopped server: %s",
                             self.service_name, error)
