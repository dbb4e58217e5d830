"""/hub/nama: a signed-in user sees and corrects her own full name.

A form like the change-password page: POST with the hub's XSRF token
(JupyterHub's BaseHandler refuses a cookie-authenticated POST without it),
the rule and the storage of full_names.py. The course's trainers see the
corrected name in their gradebook at its next update (roster.py in the
learner image: when their server starts, before collect, autograde and
export).
"""

from __future__ import annotations

from jupyterhub.handlers import BaseHandler
from tornado import web

from . import full_names

MSG_SAVED = "Your full name is saved. Your trainers see it the next time they collect or grade."


class FullNameHandler(BaseHandler):
    async def page(self, full_name: str, message: str | None = None, alert: str = "") -> str:
        return await self.render_template(
            "full-name.html", full_name=full_name, result_message=message, alert=alert)

    @web.authenticated
    async def get(self):
        self.finish(await self.page(full_names.get(self.db, self.current_user.name) or ""))

    @web.authenticated
    async def post(self):
        raw = self.get_body_argument("full_name", "", strip=False)
        problem = full_names.problem(raw)
        if problem:
            self.set_status(400)
            self.finish(await self.page(raw.strip(), problem, "alert-danger"))
            return
        stored = full_names.put(self.db, self.current_user.name, raw)
        self.log.info("Full name of %s changed by themselves", self.current_user.name)
        self.finish(await self.page(stored, MSG_SAVED, "alert-success"))


HANDLERS = [(r"/nama", FullNameHandler)]
