"""Which course nbgrader works on in a trainer's server.

The hub mounts every course a trainer teaches and names them in
BALAIKODE_TEACHES ("course:gid" words, hub_config/balaikode_hub/courses.py).
nbgrader itself knows one course per application (CourseDirectory.course_id
and .root): the formgrader at kursus/COURSE/formgrader in the trainer's
server is one application per course (balaikode_server/course_formgraders.py)
and the `nbgrader` command works on the course folder it is run in. Outside
any course folder, nbgrader works on the default course, the first one taught.

Nothing here grants anything: a trainer reaches only the courses whose
folders the hub mounted for her, and the grader service checks her course
membership on every call.
"""

from __future__ import annotations

import os

from balaikode import names

COURSES_ROOT = "/srv/nbgrader/courses"


def taught_courses(environ=os.environ) -> list[str]:
    """The courses this server's user teaches, in the hub's order."""
    words = environ.get("BALAIKODE_TEACHES", "").split()
    courses = [word.split(":", 1)[0] for word in words]
    return [course for course in courses if names.is_valid("course", course)]


def course_root(course: str) -> str:
    """The course folder as the formgrader needs it: inside the server's
    root folder, through the ~/kursus/COURSE link that start-learner makes."""
    return os.path.expanduser(f"~/kursus/{course}")


def course_of_folder(folder: str, courses: list[str]) -> str | None:
    """The taught course whose folder holds `folder`, if any (`cd
    ~/kursus/COURSE` leaves the real path, /srv/nbgrader/courses/COURSE)."""
    real = os.path.realpath(folder)
    for course in courses:
        home = os.path.realpath(course_root(course))
        for top in (os.path.join(COURSES_ROOT, course), home):
            if real == top or real.startswith(top + os.sep):
                return course
    return None


def default_course(environ=os.environ, folder: str | None = None) -> str:
    """The course of the folder nbgrader runs in, else the first course
    taught; '' for a server that teaches nothing."""
    courses = taught_courses(environ)
    if not courses:
        return ""
    here = course_of_folder(os.getcwd() if folder is None else folder, courses)
    return here or courses[0]


def course_settings(course: str) -> dict:
    """The nbgrader settings that make an application work on `course`."""
    from . import roster  # (roster asks this module which courses are taught)

    root = course_root(course)
    return {
        "CourseDirectory": {"course_id": course, "root": root},
        # The grader service runs the course's submissions in its sandbox.
        "SandboxExecute": {"course": course},
        # Learners' full names from the hub into this course's gradebook
        # before autograde (roster.py; also at start, collect and export).
        "Autograde": {"pre_convert_hook": roster.autograde_hook(
            course, "sqlite:///" + os.path.join(root, "gradebook.db"))},
    }
