"""Courses: JupyterHub groups, volumes and the identities nbgrader relies on.

A course COURSE is two JupyterHub groups: ``formgrade-COURSE`` (its trainers)
and ``nbgrader-COURSE`` (its learners), the naming nbgrader's JupyterHub docs
use. Its files live in two Docker volumes: the exchange
(``PROJECT-exchange-COURSE``, mounted for trainers, read-only for learners) and the course
folder with source, submissions and gradebook (``PROJECT-course-COURSE``,
mounted for trainers only). Linux identities are derived from hub ids so they
never change: learner UID = 10000 + user id, course GID = 20000 + the id of the
course's trainer group.

Archiving a course (the admin's course page, ``./balaikode course C
--archive``) renames its two groups to ``archived-formgrade-COURSE`` and
``archived-nbgrader-COURSE``. Everything that serves a course finds it by
the active names (the spawner's mounts, the grader's membership checks, the
trainers' review of learners' work), so an archived course is closed for all
of them at once: nobody gets its folders at their next server start, nothing
is submitted or graded through the grader, and its trainers' running servers
(which hold its folders read-write) are stopped. Learners' running servers
keep the exchange, read-only, until they stop. Its members, volumes and
gradebook are kept, and the renamed groups keep their ids, so restoring
brings the same course back with the same GID on the same files. Only an
archived course can be deleted for good: its volumes are removed (the disks
service releases the exchange's disk when Docker destroys the volume), then
its groups.
"""

from __future__ import annotations

import json
import os
from typing import Awaitable, Callable

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
ARCHIVED = "archived-"
ROLES = ("trainers", "learners")

# Messages for scripts and the course page (shown there in the page's
# language: hub_config/locale).
MSG_NO_COURSE = "No course {course}"
MSG_NO_ARCHIVED = "No archived course {course}"
MSG_IS_ARCHIVED = "Course {course} is archived: restore it first, or delete it for good"
MSG_NAME_TAKEN = "A course {course} exists: it cannot be restored under the same name"
MSG_NO_USER = "No user {name}: they must sign up and be approved first"
MSG_NOT_MEMBER = {"trainers": "{name} is not a trainer of {course}",
                  "learners": "{name} is not a learner of {course}"}


def trainer_group(course: str, archived: bool = False) -> str:
    return f"{ARCHIVED if archived else ''}formgrade-{course}"


def learner_group(course: str, archived: bool = False) -> str:
    return f"{ARCHIVED if archived else ''}nbgrader-{course}"


def role_groups(course: str, archived: bool = False) -> dict[str, str]:
    return {"trainers": trainer_group(course, archived), "learners": learner_group(course, archived)}


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


def course_mounts(project: str, db, user, exchange_service: bool = False) -> tuple[dict, dict[str, str]]:
    """Volumes and environment for a user's server, from their courses.
    With `exchange_service` (swarm mode, where a learner's server may run
    on a machine without the course volumes) a learner who teaches nothing
    reads the exchange through the grader service instead of a mount
    (images/base/balaikode_nbgrader/exchange_service.py)."""
    teaches, learns = courses_of(user)
    volumes, exchanges, teaching = {}, [], []
    through_service = exchange_service and not teaches
    for course in sorted(set(teaches) | set(learns)):
        gid = course_gid(db, course)
        if gid is None:
            continue  # a learner group without its course: not set up by `course create`
        # Learners read the exchange only (fetch, feedback); their
        # submissions are written by the grader service, within a quota.
        if not through_service:
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
        "BALAIKODE_EXCHANGE": "service" if through_service else "volume",
    }
    return volumes, env


def make_pre_spawn_hook(project: str, exchange_service: bool = False):
    def pre_spawn_hook(spawner):
        volumes, env = course_mounts(project, spawner.user.db, spawner.user, exchange_service)
        spawner.volumes = {**spawner.volumes, **volumes}
        spawner.environment = {**spawner.environment, **env}
    return pre_spawn_hook


def approved_signup(db, name: str) -> bool:
    info = UserInfo.find(db, name)
    return info is not None and bool(info.is_authorized)


def course_names(db, archived: bool = False) -> list[str]:
    prefix = trainer_group("", archived)
    return sorted(g.name[len(prefix):] for g in db.query(orm.Group)
                  if g.name.startswith(prefix) and is_valid("course", g.name[len(prefix):]))


def course_model(db, course: str, archived: bool = False) -> dict:
    group = orm.Group.find(db, trainer_group(course, archived))
    if group is None:
        raise web.HTTPError(404, (MSG_NO_ARCHIVED if archived else MSG_NO_COURSE).format(course=course))

    def members(group_name):
        group = orm.Group.find(db, group_name)
        return {} if group is None else {u.name: user_uid(u) for u in group.users}

    trainers, learners = (members(name) for name in role_groups(course, archived).values())
    # For the trainers' gradebooks (through the grader service's /roster);
    # None: no full name set yet.
    names = full_names.of(db, set(trainers) | set(learners))
    model = {"course": course, "gid": COURSE_GID_BASE + group.id, "trainers": trainers,
             "learners": learners, "full_names": names}
    return {**model, "archived": True} if archived else model


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
            raise web.HTTPError(400, MSG_NO_USER.format(name=name))
        users[name] = user
    return users


def add_to_course(db, course: str, body, create_user) -> dict:
    """POST /api/balaikode/courses/COURSE: create the course's groups if
    needed, add the body's trainers and learners; the course model."""
    wanted = requested_members(course, body)
    if orm.Group.find(db, trainer_group(course, archived=True)) is not None:
        # Its volumes carry the archived course's files and GID.
        raise web.HTTPError(409, MSG_IS_ARCHIVED.format(course=course))
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


def remove_from_course(db, course: str, body) -> dict:
    """POST /api/balaikode/courses/COURSE/remove: take the body's trainers
    and learners out of the course (their files stay where they are); a 400
    naming the first who is not in it, and then nobody is removed."""
    wanted = requested_members(course, body)
    course_model(db, course)  # 404 for no such course
    groups = {group_name: orm.Group.find(db, group_name) for group_name in wanted}
    for role, group_name in role_groups(course).items():
        members = {u.name: u for u in (groups[group_name].users if groups[group_name] else [])}
        for name in wanted[group_name]:
            if name not in members:
                raise web.HTTPError(400, MSG_NOT_MEMBER[role].format(name=name, course=course))
    for group_name, names in wanted.items():
        group = groups[group_name]
        for user in [u for u in group.users if u.name in set(names)] if group else []:
            group.users.remove(user)
    db.commit()
    return course_model(db, course)


async def stop_trainers_servers(handler, names) -> None:
    """Stop the running servers of trainers just taken out of a course (or
    of a course just archived). A server keeps the course folder (source with hidden tests, submissions,
    gradebook) and the exchange mounted read-write until it stops: a trainer
    taken out would otherwise go on grading, releasing and reading the
    class's work from the server she started before. Learners' servers keep
    running (their unsaved work is in them); the exchange is read-only to
    them and the grader refuses them at once."""
    for name in names:
        user = handler.find_user(name)
        if user is not None and user.spawner.active:
            handler.log.info("Stopping the server of %s, no longer a trainer of the course", name)
            await handler.stop_single_user(user)


def rename_course_groups(db, course: str, archive: bool) -> None:
    for old, new in zip(role_groups(course, not archive).values(), role_groups(course, archive).values()):
        group = orm.Group.find(db, old)
        if group is None:
            db.add(orm.Group(name=new))
        else:
            group.name = new
    db.commit()


def archive_course(db, course: str) -> dict:
    """POST /api/balaikode/courses/COURSE/archive: closed for everyone, kept whole."""
    course_model(db, course)  # 404 for no such course
    rename_course_groups(db, course, archive=True)
    return course_model(db, course, archived=True)


def restore_course(db, course: str) -> dict:
    """POST /api/balaikode/archive/COURSE/restore: open again, as it was."""
    course_model(db, course, archived=True)
    if orm.Group.find(db, trainer_group(course)) or orm.Group.find(db, learner_group(course)):
        raise web.HTTPError(409, MSG_NAME_TAKEN.format(course=course))
    rename_course_groups(db, course, archive=False)
    return course_model(db, course)


def course_volumes(project: str, course: str) -> list[str]:
    """The Docker volumes that hold a course's files (course_mounts)."""
    return [f"{project}-course-{course}", f"{project}-exchange-{course}"]


async def delete_course(db, course: str,
                        remove_volumes: Callable[[str], Awaitable[None]]) -> dict:
    """DELETE /api/balaikode/archive/COURSE: an archived course's files and
    groups, for good. remove_volumes(course) removes its volumes, or raises
    (course_removal.py: a 409 while a server still has them); the groups
    go only once the files are gone, so a refused delete changes nothing."""
    course_model(db, course, archived=True)
    await remove_volumes(course)
    for group_name in role_groups(course, archived=True).values():
        group = orm.Group.find(db, group_name)
        if group is not None:
            db.delete(group)
    db.commit()
    return {"course": course, "deleted": True}


def answer_members(handler, done: str, body, model: dict) -> None:
    # The body was checked: None or an object of name lists.
    named = body or {}
    handler.log.info("Course %s: %s trainers %s, learners %s", model["course"], done,
                     named.get("trainers", []), named.get("learners", []))
    handler.write(json.dumps(model))


class CourseListHandler(APIHandler):
    @needs_scope("read:groups")
    def get(self):
        self.write(json.dumps([course_model(self.db, name) for name in course_names(self.db)]))


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
        answer_members(self, "added", body, model)


class CourseRemoveHandler(APIHandler):
    """POST {"trainers": [...], "learners": [...]}: take them out of the course."""

    @needs_scope("admin:groups")
    async def post(self, course):
        body = self.get_json_body()
        model = remove_from_course(self.db, course, body)
        await stop_trainers_servers(self, (body or {}).get("trainers", []))
        answer_members(self, "removed", body, model)


class CourseMoveHandler(APIHandler):
    """POST: archive an open course, or restore an archived one (`move`)."""

    @needs_scope("admin:groups")
    async def post(self, course):
        model = self.move(self.db, course)
        self.log.info("Course %s: %s", course, self.move.__name__)
        await self.after(model)
        self.write(json.dumps(model))

    async def after(self, model: dict) -> None:
        """What follows the move, once the groups are renamed."""


class CourseArchiveHandler(CourseMoveHandler):
    move = staticmethod(archive_course)

    async def after(self, model: dict) -> None:
        # Closed for its trainers at once, not at their next start.
        await stop_trainers_servers(self, model["trainers"])


class ArchiveRestoreHandler(CourseMoveHandler):
    move = staticmethod(restore_course)


class ArchiveListHandler(APIHandler):
    @needs_scope("read:groups")
    def get(self):
        self.write(json.dumps([course_model(self.db, name, archived=True)
                               for name in course_names(self.db, archived=True)]))


def volume_remover():
    """remove_volumes for delete_course: this stack's volumes of the course,
    on the hub's Docker engine (course_removal.py)."""
    from .course_removal import remove_volumes
    project = os.environ["COMPOSE_PROJECT_NAME"]
    return lambda course: remove_volumes(project, course, course_volumes(project, course))


class ArchivedCourseHandler(APIHandler):
    """GET an archived course; DELETE it for good."""

    @needs_scope("read:groups")
    def get(self, course):
        self.write(json.dumps(course_model(self.db, course, archived=True)))

    @needs_scope("admin:groups")
    async def delete(self, course):
        result = await delete_course(self.db, course, volume_remover())
        self.log.info("Course %s deleted for good", course)
        self.write(json.dumps(result))


COURSE_API_HANDLERS = [
    (r"/api/balaikode/courses", CourseListHandler),
    (r"/api/balaikode/courses/([^/]+)", CourseHandler),
    (r"/api/balaikode/courses/([^/]+)/remove", CourseRemoveHandler),
    (r"/api/balaikode/courses/([^/]+)/archive", CourseArchiveHandler),
    (r"/api/balaikode/archive", ArchiveListHandler),
    (r"/api/balaikode/archive/([^/]+)", ArchivedCourseHandler),
    (r"/api/balaikode/archive/([^/]+)/restore", ArchiveRestoreHandler),
]
