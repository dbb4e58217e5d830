"""Only a server's owner may log in to it, admins included.

On one origin (no BALAIKODE_DOMAIN), a learner's server answers under the
hub's address. If an admin or a trainer could log in to it, whatever the
learner made her server or her JupyterLab run (an extension, a page, a
notebook output) would run with their session: "Bu, lihat web saya!" would
be enough to make her an admin. JupyterHub lets admins (and anyone holding
`access:servers` for her) through its OAuth authorization; this handler,
registered before JupyterHub's own for the same path, refuses that for
users' servers whose owner is not the person logged in. Services (the
grader) are not affected. To look at a learner's work, admins and her
trainers use the read-only viewer /hub/karya/NAME/ (review.py).
"""

from __future__ import annotations

import html

from jupyterhub.apihandlers.auth import OAuthAuthorizeHandler
from jupyterhub.utils import url_path_join

MSG_NOT_OWNER = (
    "Server {owner} hanya boleh dibuka oleh {owner} sendiri. Halaman atau "
    "JupyterLab milik peserta lain bisa berisi skrip yang akan berjalan "
    "dengan akun Anda, jadi Balai Kode tidak membukanya untuk admin maupun pelatih."
)


def server_owner(client) -> str | None:
    """Name of the user whose server is this OAuth client, or None for services."""
    spawner = getattr(client, "spawner", None)
    user = getattr(spawner, "user", None) if spawner is not None else None
    return getattr(user, "name", None)


def refused(owner: str | None, viewer: str) -> bool:
    return owner is not None and owner != viewer


class OwnServerOnlyAuthorizeHandler(OAuthAuthorizeHandler):
    async def get(self):
        if not await self._refuse_others():
            # web.authenticated returns None (not a coroutine) when it has
            # sent a logged-out visitor to the login page.
            running = super().get()
            if running is not None:
                await running

    async def post(self):
        if not await self._refuse_others():
            return super().post()

    async def _refuse_others(self) -> bool:
        user = self.current_user
        if user is None:
            return False  # JupyterHub sends them to the login page
        # Every client_id given (query and form), so a repeated parameter
        # cannot slip another user's server past this check.
        owners = [server_owner(client) for client_id in self.get_arguments("client_id")
                  if (client := self.oauth_provider.fetch_by_client_id(client_id)) is not None]
        owner = next((o for o in owners if refused(o, user.name)), None)
        if owner is None:
            return False
        self.log.warning("Refused %s logging in to the server of %s", user.name, owner)
        viewer = url_path_join(self.hub.base_url, "karya", owner) + "/"
        self.set_status(403)
        self.finish(await self.render_template(
            "error.html", status_code=403, status_message="Forbidden", exception=None,
            message=None, extra_error_html="",
            message_html=(html.escape(MSG_NOT_OWNER.format(owner=owner))
                          + f' <a href="{html.escape(viewer)}">Lihat hasil kerja {html.escape(owner)}'
                            " (hanya baca)</a>.")))
        return True


HANDLERS = [(r"/api/oauth2/authorize", OwnServerOnlyAuthorizeHandler)]
