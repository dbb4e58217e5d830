"""REST API for sign-up approval, for scripts and the `balaikode` command.

NativeAuthenticator only offers HTML pages (a GET that toggles approval).
These endpoints use the hub's own token auth and scopes, under the hub API:

    GET   /hub/api/balaikode/signups                 list sign-ups (with full names)
    PATCH /hub/api/balaikode/signups/NAME            {"full_name": "..."}: set NAME's full name
    POST  /hub/api/balaikode/signups/NAME/approve    approve NAME
    POST /hub/api/balaikode/signups/NAME/unapprove   withdraw approval
    POST /hub/api/balaikode/unlock/NAME              forget NAME's failed logins
"""

from __future__ import annotations

import json

from jupyterhub import orm
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from nativeauthenticator.orm import UserInfo
from tornado import web

from . import full_names
from .throttle import THROTTLE


def signups(db, admins: set[str]) -> list[dict]:
    """GET /api/balaikode/signups: every sign-up, oldest first; admins are always approved."""
    rows = db.query(UserInfo).order_by(UserInfo.id).all()
    names = full_names.of(db, [row.username for row in rows])
    return [{"name": row.username,
             "full_name": names[row.username],
             "approved": bool(row.is_authorized) or row.username in admins,
             "admin": row.username in admins}
            for row in rows]


def set_full_name(db, name: str, body) -> dict:
    """PATCH /api/balaikode/signups/NAME {"full_name": "..."}: for a sign-up
    or a hub user (an account made with the admin API has no sign-up row);
    400 with the rule's message for a name it does not allow."""
    if UserInfo.find(db, name) is None and orm.User.find(db, name) is None:
        raise web.HTTPError(404, f"No user named {name}")
    if not isinstance(body, dict) or "full_name" not in body:
        raise web.HTTPError(400, 'Body must be a JSON object: {"full_name": "..."}')
    problem = full_names.problem(body["full_name"])
    if problem:
        raise web.HTTPError(400, problem)
    return {"name": name, "full_name": full_names.put(db, name, body["full_name"])}


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


class SignupHandler(APIHandler):
    @needs_scope("admin:users")
    def patch(self, name):
        result = set_full_name(self.db, name, self.get_json_body())
        self.log.info("Full name of %s set by %s", name, self.current_user.name)
        self.write(json.dumps(result))


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
    (r"/api/balaikode/signups/([^/]+)", SignupHandler),
    (r"/api/balaikode/signups/([^/]+)/(approve|unapprove)", SignupApprovalHandler),
]
