# Server defaults for every learner and trainer (/etc/jupyter/jupyter_server_config.py).
import glob
import os

c = get_config()  # noqa: F821
trainer = os.environ.get("BALAIKODE_ROLE") == "trainer"

c.ServerApp.terminals_enabled = True
# Many sites are offline: no update or news checks.
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.news_url = None
# Saves go to a temporary file first, so a full disk or a crash never leaves
# a half-written notebook.
c.FileContentsManager.use_atomic_writing = True

# Learner-written files (HTML pages especially) are served sandboxed, see
# balaikode_server/files.py.
c.ContentsManager.files_handler_class = "balaikode_server.files.SandboxedFilesHandler"
# Notebooks rendered to HTML (formgrader, feedback) never run a learner's
# scripts in the trainer's page.
c.HTMLExporter.sanitize_html = True

# nbgrader: learners get the Assignments list and validation; only trainers
# get the formgrader and course list.
c.ServerApp.jpserver_extensions = {
    # No language servers are installed: skip the LSP extension and its requests.
    "jupyter_lsp": False,
    # Trainers load nbgrader at start (the formgrader needs all of it);
    # learners get the same two extensions at their first request
    # (balaikode_server/lazy_nbgrader.py): about 40 % less start-up CPU.
    "nbgrader.server_extensions.assignment_list": trainer,
    "balaikode_server.lazy_nbgrader": not trainer,
    # Readable messages when a submission is refused (balaikode_server/assignments.py).
    "balaikode_server": True,
    "nbgrader.server_extensions.validate_assignment": trainer,
    "nbgrader.server_extensions.formgrader": trainer,
    "nbgrader.server_extensions.course_list": trainer,
}
# JupyterLab marks extensions' hashed files immutable, but builds their URLs
# without the /user/NAME/ prefix, so under JupyterHub they were revalidated on
# every page load (21 requests; measured with bench/page_weight.py).
_prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
_labextensions = "/opt/venv/share/jupyter/labextensions"
c.ServerApp.static_immutable_cache = [
    f"{_prefix}lab/extensions/{os.path.relpath(path, _labextensions)}/"
    for path in sorted(glob.glob(f"{_labextensions}/**/static", recursive=True))
]

# Slow, shared links: gzip text responses (JupyterLab's JavaScript shrinks to
# about a quarter).
tornado_settings = {"compress_response": True}
if trainer:
    # The formgrader is shown in an iframe of the trainer's own JupyterLab;
    # JupyterHub's default forbids any framing.
    tornado_settings["headers"] = {"Content-Security-Policy": "frame-ancestors 'self'"}
c.ServerApp.tornado_settings = tornado_settings
