"""Small jupyter-server additions for Balai Kode learner and trainer servers.

As a server extension it protects the server from its own user's code
(hardening.py), adjusts nbgrader's Assignments handler (assignments.py), and
keeps switched-off JupyterLab extensions out of the page (page_config.py).
In trainers' servers it also brings the learners' full names into each
course's gradebook as the server starts (balaikode_nbgrader/roster.py)."""

import asyncio
import os


def _jupyter_server_extension_points():
    return [{"module": "balaikode_server"}]


def _load_jupyter_server_extension(serverapp):
    from . import hardening
    hardening.make_undumpable()


async def _start_jupyter_server_extension(serverapp):
    # After JupyterHub's extension, which sets its own page_config_hook.
    from .page_config import install
    install(serverapp.web_app.settings)
    if os.environ.get("BALAIKODE_ROLE") == "trainer":
        # In a thread: the server answers while the grader is asked.
        from balaikode_nbgrader.roster import update_taught_courses
        asyncio.get_running_loop().run_in_executor(None, update_taught_courses)
    # Extensions load in alphabetical order, so nbgrader's manager exists
    # only now. Learners load nbgrader at its first use (lazy_nbgrader.py,
    # which swaps the manager then): importing it here would undo that.
    if serverapp.web_app.settings.get("assignment_list_manager") is not None:
        from .assignments import use_friendly_assignment_list
        use_friendly_assignment_list(serverapp.web_app.settings)
