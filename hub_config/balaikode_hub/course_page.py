"""/hub/kursus: the admin's courses page, for a village program with no one
at the server's shell during class.

The admin creates a course, adds trainers and learners from the approved
users (a search narrows a list of 30-200 names, on a phone too), takes
people out, archives, restores and deletes courses. Every change goes
through the functions behind the course REST API (courses.py), the same as
`./balaikode course`, with the same permission: the admin:groups scope
(learners and trainers get 403). The forms are POSTs with JupyterHub's XSRF
token; a change answers with a redirect to the course's page (so reloading
does not repeat it) that names what was done by a fixed key, never by text
from the request.
"""

from __future__ import annotations

from jupyterhub import orm
from jupyterhub.handlers import BaseHandler
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import url_path_join
from nativeauthenticator.orm import UserInfo
from tornado import web

from . import full_names
from .courses import (ROLES, add_to_course, archive_course, course_model, course_names,
                      delete_course, remove_from_course, restore_course, stop_trainers_servers,
                      volume_remover)

# What the page says after a change (the keys of courses.done_* in the catalog).
DONE = ("created", "added", "removed", "archived", "restored", "deleted")
MSG_CONFIRM = "Type the course name {course} to delete it for good"
MSG_PICK = "Choose at least one person to add"
MSG_BAD_ACTION = "Unknown action {action}"


def candidates(db) -> list[dict]:
    """Everyone who may join a course: approved sign-ups and hub users (the
    admin's, and those made with the admin API), with their full names."""
    approved = {row.username for row in db.query(UserInfo) if row.is_authorized}
    names = sorted(approved | {user.name for user in db.query(orm.User)})
    known = full_names.of(db, names)
    return [{"name": name, "full_name": known[name] or ""} for name in names]


def find_course(db, course: str) -> dict:
    """The course's model, open or archived; 404 if neither."""
    if course in course_names(db, archived=True):
        return course_model(db, course, archived=True)
    return course_model(db, course)


class CoursePageBase(BaseHandler):
    def done(self, course: str | None, key: str) -> None:
        path = url_path_join(self.hub.base_url, "kursus", course or "")
        self.redirect(f"{path}?selesai={key}", status=303)

    def create_user(self, name: str):
        return self.user_from_username(name).orm_user

    def done_key(self) -> str | None:
        key = self.get_query_argument("selesai", "")
        return key if key in DONE else None


class CoursesPage(CoursePageBase):
    """The list of courses, open and archived, and the form for a new one."""

    async def page(self, error: str | None = None, typed: str = "") -> str:
        db = self.db
        return await self.render_template(
            "courses.html", courses=[course_model(db, c) for c in course_names(db)],
            archived=[course_model(db, c, archived=True) for c in course_names(db, archived=True)],
            error=error, typed=typed, done=self.done_key())

    @web.authenticated
    @needs_scope("admin:groups")
    async def get(self):
        self.finish(await self.page())

    @web.authenticated
    @needs_scope("admin:groups")
    async def post(self):
        course = self.get_body_argument("course", "").strip()
        try:
            add_to_course(self.db, course, None, self.create_user)
        except web.HTTPError as error:
            self.set_status(error.status_code)
            self.finish(await self.page(error.log_message, course))
            return
        self.log.info("Course %s created on the course page by %s", course, self.current_user.name)
        self.done(course, "created")


class CoursePage(CoursePageBase):
    """One course: its people, adding and taking out, archive, restore, delete."""

    async def page(self, course: str, error: str | None = None) -> str:
        model = find_course(self.db, course)
        members = set(model["trainers"]) | set(model["learners"])
        return await self.render_template(
            "course.html", course=model, error=error, done=self.done_key(),
            candidates=[c for c in candidates(self.db) if c["name"] not in members],
            full_names_of=model["full_names"])

    @web.authenticated
    @needs_scope("admin:groups")
    async def get(self, course):
        self.finish(await self.page(course))

    @web.authenticated
    @needs_scope("admin:groups")
    async def post(self, course):
        action = self.get_body_argument("action", "")
        try:
            key = await self.change(course, action)
        except web.HTTPError as error:
            if error.status_code == 404:
                raise
            self.set_status(error.status_code)
            self.finish(await self.page(course, error.log_message))
            return
        self.log.info("Course %s: %s on the course page by %s", course, key, self.current_user.name)
        self.done(None if key == "deleted" else course, key)

    def role(self) -> str:
        role = self.get_body_argument("role", "")
        if role not in ROLES:
            raise web.HTTPError(400, f"role must be one of {', '.join(ROLES)}")
        return role

    async def change(self, course: str, action: str) -> str:
        db = self.db
        if action == "add":
            role, names = self.role(), self.get_body_arguments("user")
            if not names:
                raise web.HTTPError(400, MSG_PICK)
            add_to_course(db, course, {role: names}, self.create_user)
            return "added"
        if action == "remove":
            role, name = self.role(), self.get_body_argument("user", "")
            remove_from_course(db, course, {role: [name]})
            if role == "trainers":
                await stop_trainers_servers(self, [name])
            return "removed"
        if action == "archive":
            await stop_trainers_servers(self, archive_course(db, course)["trainers"])
            return "archived"
        if action == "restore":
            restore_course(db, course)
            return "restored"
        if action == "delete":
            if self.get_body_argument("confirm", "").strip() != course:
                raise web.HTTPError(400, MSG_CONFIRM.format(course=course))
            await delete_course(db, course, volume_remover())
            return "deleted"
        raise web.HTTPError(400, MSG_BAD_ACTION.format(action=action[:40]))


HANDLERS = [(r"/kursus/?", CoursesPage), (r"/kursus/([^/]+)/?", CoursePage)]
