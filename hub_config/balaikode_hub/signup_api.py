"""REST API for sign-up approval, for scripts and the `balaikode` command.

NativeAuthenticator only offers HTML pages (a GET that toggles approval).
These endpoints use the hub's own token auth and scopes, under the hub API:

    GET  /hub/api/balaikode/signups                 list sign-ups
    POST /hub/api/balaikode/signups/NAME/approve     approve NAME
    POST /hub/api/balaikode/signups/NAME/unapprove   withdraw approval
    POST /hub/api/balaikode/unlock/NAME              forget NAME's failed logins
"""

from __future__ import annotations

import json

from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from nativeauthenticator.orm import UserInfo
from tornado import web

from .throttle import THROTTLE


def signups(db, admins: set[str]) -> list[dict]:
    """GET /api/balaikode/signups: every sign-up, oldest first; admins are always approved."""
    rows = db.query(UserInfo).order_by(UserInfo.id).all()
    return [{"name": row.username,
             "approved": bool(row.is_authorized) or row.username in admins,
             "admin": row.username in admins}
            for row in rows]


def set_approval(db, name: str, approve: bool, admins: set[str], throttle) -> dict:
    """POST /api/balaikode/signups/NAME/(un)approve. A decided sign-up stops
    counting against its address's sign-up limit (throttle.settled)."""
    info = UserInfo.find(db, name)
    if info is None:
        raise web.HTTPError(404, f"No sign-up named {name}")
    if not approve and name in admins:
        raise web.HTTPError(400, "Admin accounts are always approved")
    info.is_authorized = approve
    db.commit()
    throttle.settled(name)
    return {"name": name, "approved": bool(info.is_authorized)}


class SignupListHandler(APIHandler):
    @needs_scope("admin:users")
    def get(self):
        self.write(json.dumps(signups(self.db, self.authenticator.admin_users)))


class SignupApprovalHandler(APIHandler):
    @needs_scope("admin:users")
    def post(self, name, action):
        result = set_approval(self.db, name, action == "approve",
                              self.authenticator.admin_users, THROTTLE)
        self.log.info("Sign-up %s: %s", name, action)
        self.write(json.dumps(result))


class UnlockHandler(APIHandler):
    """For an owner slowed down by someone else guessing her password."""

    @needs_scope("admin:users")
    def post(self, name):
        THROTTLE.unlock(name)
        self.log.info("Login throttle cleared for %s", name)
        self.write(json.dumps({"name": name, "unlocked": True}))


SIGNUP_API_HANDLERS = [
    (r"/api/balaikode/unlock/([^/]+)", UnlockHandler),
    (r"/api/balaikode/signups", SignupListHandler),
    (r"/api/balaikode/signups/([^/]+)/(approve|unapprove)", SignupApprovalHandler),
]
