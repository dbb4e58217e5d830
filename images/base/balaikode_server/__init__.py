"""Small jupyter-server additions for Balai Kode learner and trainer servers.

As a server extension it protects the server from its own user's code
(hardening.py), and adjusts nbgrader's Assignments handler (assignments.py)."""


def _jupyter_server_extension_points():
    return [{"module": "balaikode_server"}]


def _load_jupyter_server_extension(serverapp):
    from . import hardening
    hardening.make_undumpable()


async def _start_jupyter_server_extension(serverapp):
    # Extensions load in alphabetical order, so nbgrader's manager exists
    # only now. Learners load nbgrader at its first use (lazy_nbgrader.py,
    # which swaps the manager then): importing it here would undo that.
    if serverapp.web_app.settings.get("assignment_list_manager") is not None:
        from .assignments import use_friendly_assignment_list
        use_friendly_assignment_list(serverapp.web_app.settings)
