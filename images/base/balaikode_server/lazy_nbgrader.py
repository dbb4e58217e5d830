"""nbgrader's learner server extensions (the Assignments list and Validate),
loaded at the first request to them instead of at every server start.

Importing nbgrader's handlers imports nbgrader.apps, nbconvert, mistune,
alembic and SQLAlchemy: about 40 % of the CPU a learner's server spent
starting (py-spy, see docs/measurements.md), paid by every learner at every
start, while JupyterLab asks nbgrader only when the Assignments panel opens
or Validate is pressed. The routes stay the same: one rule catches the first
path segment of every route the two extensions register; the first request
there loads them exactly as jupyter-server would (their own
_load_jupyter_server_extension) and is then routed to their handlers.
"""

from __future__ import annotations

import importlib

from jupyter_server.utils import url_path_join
from tornado.routing import Router
from tornado.web import Application

EXTENSIONS = ("nbgrader.server_extensions.assignment_list",
              "nbgrader.server_extensions.validate_assignment")
# First path segment of every route of those two (nbgrader 0.9.6:
# /assignments, /assignments/ACTION, /assignments/validate, /courses,
# /nbgrader_version); tests/unit checks this against nbgrader's own lists.
PREFIXES = ("assignments", "courses", "nbgrader_version")


class LoadOnFirstRequest(Router):
    def __init__(self, serverapp):
        self.serverapp = serverapp
        self.loaded = False

    def load(self) -> None:
        self.serverapp.log.info("Balai Kode: loading nbgrader's learner extensions on first use")
        for name in EXTENSIONS:
            importlib.import_module(name)._load_jupyter_server_extension(self.serverapp)
        self.loaded = True
        from .assignments import use_friendly_assignment_list
        use_friendly_assignment_list(self.serverapp.web_app.settings)

    def find_handler(self, request, **_):
        if self.loaded:
            return None  # not one of theirs: the next rules decide
        self.load()
        # Their handlers are in the application's rules now; this rule
        # answers None from here on.
        return self.serverapp.web_app.default_router.find_handler(request)


def _jupyter_server_extension_points():
    return [{"module": "balaikode_server.lazy_nbgrader"}]


def _load_jupyter_server_extension(serverapp):
    base_url = serverapp.web_app.settings["base_url"]
    pattern = url_path_join(base_url, "(?:%s)(?:/.*)?$" % "|".join(PREFIXES))
    # tornado's own add_handlers: jupyter-server's checks that every handler
    # class requires authentication; this rule is a router, not a handler,
    # and nbgrader's handlers go through that check when they are added.
    Application.add_handlers(serverapp.web_app, ".*$", [(pattern, LoadOnFirstRequest(serverapp))])
