"""DockerSpawner, plus what happens to a learner's home when the learner is
deleted (the admin page, the REST API, ./balaikode): the home volume is
removed, and the disks service, which follows Docker's volume events, takes
her disk off its loop device and keeps the image in removed/ for a week
(docs/operations.md says how to bring it back)."""

from __future__ import annotations

from docker.errors import APIError, NotFound
from dockerspawner import DockerSpawner
from jupyterhub.utils import maybe_future
from traitlets import Unicode


class BalaiKodeSpawner(DockerSpawner):
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
        # remove=True removed the container when it stopped; a container left
        # from a crash would still hold the volume.
        if await self.get_object() is not None:
            await self.docker("remove_container", self.object_name, force=True)
        try:
            await self.docker("remove_volume", name=name)
            self.log.info("Removed %s's home volume %s", self.user.name, name)
        except NotFound:
            pass
        except APIError as error:
            self.log.error("Could not remove %s's home volume %s: %s", self.user.name, name, error)
