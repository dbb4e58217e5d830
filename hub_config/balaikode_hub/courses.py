"""Courses: JupyterHub groups, volumes and the identities nbgrader relies on.

A course COURSE is two JupyterHub groups: ``formgrade-COURSE`` (its trainers)
and ``nbgrader-COURSE`` (its learners), the naming nbgrader's JupyterHub docs
use. Its files live in two Docker volumes: the exchange
(``PROJECT-exchange-COURSE``, mounted for trainers, read-only for learners) and the course
folder with source, submissions and gradebook (``PROJECT-course-COURSE``,
mounted for trainers only). Linux identities are derived from hub ids so they
never change: learner UID = 10000 + user id, course GID = 20000 + the id of the
course's trainer group.
"""

from __future__ import annotations

import json

from balaikode import paths
from balaikode.names import is_valid, problem
from jupyterhub import orm
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from nativeauthenticator.orm import UserInfo
from tornado import web

from . import full_names

LEARNER_UID_BASE = 10000
COURSE_GID_BASE = 20000


def trainer_group(course: str) -> str:
    return f"formgrade-{course}"


def learner_group(course: str) -> str:
    return f"nbgrader-{course}"


def user_uid(user) -> int:
    return LEARNER_UID_BASE + user.id


def course_gid(db, course: str) -> int | None:
    group = orm.Group.find(db, trainer_group(course))
    return None if group is None else COURSE_GID_BASE + group.id


def courses_of(user) -> tuple[list[str], list[str]]:
    """(courses the user teaches, courses the user learns in), sorted."""
    teaches, learns = [], []
    for group in user.groups:
        for prefix, bucket in (("formgrade-", teaches), ("nbgrader-", learns)):
            course = group.name[len(prefix):]
            if group.name.startswith(prefix) and is_valid("course", course):
                bucket.append(course)
    return sorted(teaches), sorted(learns)


def course_mounts(project: str, db, user) -> tuple[dict, dict[str, str]]:
    """Volumes and environment for a user's server, from their courses."""
    teaches, learns = courses_of(user)
    volumes, exchanges, teaching = {}, [], []
    for course in sorted(set(teaches) | set(learns)):
        gid = course_gid(db, course)
        if gid is None:
            continue  # a learner group without its course: not set up by `course create`
        # Learners read the exchange only (fetch, feedback); their
        # submissions are written by the grader service, within a quota.
        volumes[f"{project}-exchange-{course}"] = {
            "bind": str(paths.EXCHANGE / course), "mode": "rw" if course in teaches else "ro"}
        exchanges.append(f"{course}:{gid}")
        if course in teaches:
            volumes[f"{project}-course-{course}"] = str(paths.COURSES / course)
            teaching.append(f"{course}:{gid}")
    if teaching:
        # The starter curriculum, solutions included: trainers only.
        volumes[f"{project}_curriculum"] = {"bind": "/opt/balaikode/assignments", "mode": "ro"}
    env = {
        "BALAIKODE_ROLE": "trainer" if teaching else "learner",
        "BALAIKODE_EXCHANGES": " ".join(exchanges),
        "BALAIKODE_TEACHES": " ".join(teaching),
        # nbgrader's default course in a trainer's server: the first one they
        # teach. Each course taught has its own formgrader there too
        # (images/base/balaikode_server/course_formgraders.py).
        "BALAIKODE_COURSE": teaching[0].split(":")[0] if teaching else "",
    }
    return volumes, env


def make_pre_spawn_hook(project: str):
    def pre_spawn_hook(spawner):
        volumes, env = course_mounts(project, spawner.user.db, spawner.user)
        spawner.volumes = {**spawner.volumes, **volumes}
        spawner.environment = {**spawner.environment, **env}
    return pre_spawn_hook


def approved_signup(db, name: str) -> bool:
    info = UserInfo.find(db, name)
    return info is not None and bool(info.is_authorized)


def course_model(db, course: str) -> dict:
    gid = course_gid(db, course)
    if gid is None:
        raise web.HTTPError(404, f"No course {course}")

    def members(group_name):
        group = orm.Group.find(db, group_name)
        return {} if group is None else {u.name: user_uid(u) for u in group.users}

    trainers, learners = members(trainer_group(course)), members(learner_group(course))
    # For the trainers' gradebooks (through the grader service's /roster);
    # None: no full name set yet.
    names = full_names.of(db, set(trainers) | set(learners))
    return {"course": course, "gid": gid, "trainers": trainers, "learners": learners,
            "full_names": names}


def requested_members(course: str, body) -> dict[str, list[str]]:
    """The course's groups and the user names a POST body asks to add to
    them; a 400 that says what is wrong with the name or the body."""
    if not is_valid("course", course):
        raise web.HTTPError(400, problem("course", course))
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise web.HTTPError(400, 'Body must be a JSON object: {"trainers": [...], "learners": [...]}')
    for key in ("trainers", "learners"):
        names = body.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise web.HTTPError(400, f"{key} must be a list of user names")
    return {trainer_group(course): body.get("trainers", []),
            learner_group(course): body.get("learners", [])}


def hub_users(db, names: list[str], create_user) -> dict[str, orm.User]:
    """The hub users with these names; a 400 naming the first who is not one.
    An approved sign-up who has never logged in has no hub user yet:
    create_user(name) makes it, so a trainer can set up the class before
    its first day."""
    users = {}
    for name in sorted(set(names)):
        user = orm.User.find(db, name)
        if user is None and approved_signup(db, name):
            user = create_user(name)
        if user is None:
            raise web.HTTPError(400, f"No user {name}: they must sign up and be approved first")
        users[name] = user
    return users


def add_to_course(db, course: str, body, create_user) -> dict:
    """POST /api/balaikode/courses/COURSE: create the course's groups if
    needed, add the body's trainers and learners; the course model."""
    wanted = requested_members(course, body)
    users = hub_users(db, [n for names in wanted.values() for n in names], create_user)
    for group_name, names in wanted.items():
        group = orm.Group.find(db, group_name)
        if group is None:
            group = orm.Group(name=group_name)
            db.add(group)
            db.commit()
        for name in names:
            if users[name] not in group.users:
                group.users.append(users[name])
    db.commit()
    return course_model(db, course)


class CourseListHandler(APIHandler):
    @needs_scope("read:groups")
    def get(self):
        names = sorted(g.name[len("formgrade-"):] for g in self.db.query(orm.Group)
                       if g.name.startswith("formgrade-"))
        self.write(json.dumps([course_model(self.db, name) for name in names]))


class CourseHandler(APIHandler):
    """GET a course; POST {"trainers": [...], "learners": [...]} creates it
    if needed and adds those users (who must exist)."""

    @needs_scope("read:groups")
    def get(self, course):
        self.write(json.dumps(course_model(self.db, course)))

    @needs_scope("admin:groups")
    def post(self, course):
        body = self.get_json_body()
        model = add_to_course(self.db, course, body,
                              lambda name: self.user_from_username(name).orm_user)
        added = body or {}  # add_to_course took it: None or an object of name lists
        self.log.info("Course %s: added trainers %s, learners %s",
                      course, added.get("trainers", []), added.get("learners", []))
        self.write(json.dumps(model))


COURSE_API_HANDLERS = [
    (r"/api/balaikode/courses", CourseListHandler),
    (r"/api/balaikode/courses/([^/]+)", CourseHandler),
]
