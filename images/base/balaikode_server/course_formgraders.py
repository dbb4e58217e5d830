"""One formgrader per course a trainer teaches, at kursus/COURSE/formgrader/.

nbgrader's formgrader serves the one course its configuration names (the
first course taught, nbgrader_config.py); it stays at formgrader/ for that
course. This extension serves nbgrader's own formgrader handlers once more
below kursus/COURSE/ for every course taught, each with its own nbgrader
application (course folder, gradebook, exchange course, grading sandbox's
course). The formgrader's pages build every link and API call from the
base_url they are given, so a page of course B only ever acts on B: two tabs
on two courses never mix (a server-wide "current course" switch would).

For the trainer's JupyterLab:
- formgraders (Nbgrader > Course List) lists every course taught; a click
  opens that course's formgrader inside the Lab;
- formgrader/ (Nbgrader > Formgrader) opens the first course's;
- every formgrader page says which course it grades, with links to the others.

Nothing here grants anything: only the courses the hub mounted for this
trainer are served (BALAIKODE_TEACHES), and the grader service checks her
course membership on every collect and sandbox run.
"""

from __future__ import annotations

import html
import json
from collections import ChainMap
from types import SimpleNamespace

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Unicode
from traitlets.config import Config

from balaikode_nbgrader.teaching import course_settings, taught_courses


def formgrader_path(course: str) -> str:
    """A course's formgrader below the server's base URL."""
    return f"kursus/{course}/formgrader"


def course_bar(course: str, courses: list[str], server_base: str) -> str:
    """The line on top of every formgrader page: which course it grades,
    and the way to the others (Indonesian: trainers read it)."""
    def link(other):
        href = url_path_join(server_base, formgrader_path(other), "manage_assignments")
        return f'<a href="{html.escape(href)}">{html.escape(other)}</a>'

    others = [link(other) for other in courses if other != course]
    switch = f" &middot; Kursus lain: {', '.join(others)}" if others else ""
    return ('<nav class="balaikode-kursus" aria-label="Kursus" style="padding:6px 15px;'
            'background:#fdf6e3;border-bottom:1px solid #e0d8c0;font-size:15px">'
            f'Menilai kursus: <strong>{html.escape(course)}</strong>{switch}</nav>')


def with_course_bar(page: str, bar: str) -> str:
    return page.replace("<body>", "<body>\n" + bar, 1)


def make_course_formgrader(serverapp, course: str):
    """nbgrader's FormgradeExtension for one course, set up as nbgrader's
    own load_jupyter_server_extension sets up its single one."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    class CourseFormgrader(FormgradeExtension):
        """Re-reads the configuration like nbgrader's (it does at every
        request), then applies this course over it."""
        course_id = Unicode()

        def load_config_file(self, **kwargs):
            super().load_config_file(**kwargs)
            self.update_config(Config(course_settings(self.course_id)))

        def load_config(self):
            config = super().load_config()
            config.merge(Config(course_settings(self.course_id)))
            return config

    formgrader = CourseFormgrader(parent=serverapp, course_id=course)
    formgrader.root_dir = serverapp.root_dir
    formgrader.log = serverapp.log
    formgrader.initialize([])
    # nbgrader puts these into the application's settings; ours stay per course.
    holder = SimpleNamespace(settings={})
    formgrader.init_tornado_settings(holder)
    return holder.settings


def scoped_handlers(serverapp, course: str, courses: list[str]) -> list[tuple]:
    """nbgrader's formgrader routes, below kursus/COURSE/, with handlers that
    see this course's settings and base URL."""
    from nbgrader.server_extensions.formgrader import apihandlers, handlers
    from nbgrader.server_extensions.formgrader.base import BaseHandler

    webapp = serverapp.web_app
    server_base = webapp.settings["base_url"]
    own = ChainMap(make_course_formgrader(serverapp, course), webapp.settings)
    bar = course_bar(course, courses, server_base)

    class CourseScoped:
        @property
        def settings(self):
            return own

        @property
        def base_url(self):
            # formgrader pages add /formgrader/... to this for every link and call
            return f"{super().base_url}/kursus/{course}"

        def render(self, name, **namespace):
            return with_course_bar(super().render(name, **namespace), bar)

    def scoped(handler_class):
        if not issubclass(handler_class, BaseHandler):
            return handler_class  # nbgrader's static files: nothing per course
        return type(f"{handler_class.__name__}ForCourse", (CourseScoped, handler_class), {})

    routes = [*handlers.default_handlers, *apihandlers.default_handlers,
              (r"/formgrader/static/(.*)", web.StaticFileHandler, {"path": handlers.static_path}),
              (r"/formgrader/.*", handlers.Template404)]
    prefix = url_path_join(server_base, "kursus", course)
    return [(url_path_join(prefix, pattern.lstrip("/")), scoped(handler), *rest)
            for pattern, handler, *rest in routes]


class CourseListHandler(JupyterHandler):
    """What JupyterLab's Course List panel asks for: the courses taught, each
    with its formgrader ("local": the Lab opens it in its formgrader tab)."""

    @web.authenticated
    def get(self):
        courses = self.settings["balaikode_courses"]
        self.finish(json.dumps({"success": True, "value": [
            {"course_id": course, "kind": "local",
             "url": url_path_join(self.base_url, formgrader_path(course))}
            for course in courses]}))


class FirstCourseHandler(JupyterHandler):
    """Nbgrader > Formgrader opens formgrader/: the first course's pages,
    which name their course and link to the others."""

    @web.authenticated
    def get(self):
        first = self.settings["balaikode_courses"][0]
        self.redirect(url_path_join(self.base_url, formgrader_path(first), "manage_assignments"))


def _jupyter_server_extension_points():
    return [{"module": "balaikode_server.course_formgraders"}]


def _load_jupyter_server_extension(serverapp):
    courses = taught_courses()
    if not courses:
        return
    webapp = serverapp.web_app
    webapp.settings["balaikode_courses"] = courses
    base = webapp.settings["base_url"]
    routes = [(url_path_join(base, "formgraders"), CourseListHandler),
              (url_path_join(base, "formgrader") + "/?", FirstCourseHandler)]
    for course in courses:
        routes += scoped_handlers(serverapp, course, courses)
    # Extensions load in alphabetical order: these rules come before those of
    # nbgrader's formgrader, which keeps formgrader/api/... for the first course.
    webapp.add_handlers(".*$", routes)
    serverapp.log.info("Balai Kode: formgraders for %s", ", ".join(courses))
