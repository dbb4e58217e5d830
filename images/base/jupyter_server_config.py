# Server defaults for every learner and trainer (/etc/jupyter/jupyter_server_config.py).
import glob
import os

c = get_config()  # noqa: F821
trainer = os.environ.get("BALAIKODE_ROLE") == "trainer"

c.ServerApp.terminals_enabled = True
# Many sites are offline: no update or news checks.
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabApp.news_url = None
# Learners install no extensions (their containers have no route out): the
# read-only manager lists what the image has, where the PyPI one asks PyPI
# and leaves Lab's extension list hanging until its request times out.
c.LabApp.extension_manager = "readonly"
# Saves go to a temporary file first, so a full disk or a crash never leaves
# a half-written notebook.
c.FileContentsManager.use_atomic_writing = True

# The server reads no configuration, extensions or templates from the user's
# home (start-learner points JUPYTER_CONFIG_DIR and JUPYTER_DATA_DIR at empty
# root-owned folders): a learner could otherwise make her server serve her own
# script on the hub's origin. What JupyterLab and the notary keep per user
# stays in the home, where it always was.
_home = os.path.expanduser("~")
c.LabApp.user_settings_dir = os.path.join(_home, ".jupyter", "lab", "user-settings")
c.LabApp.workspaces_dir = os.path.join(_home, ".jupyter", "lab", "workspaces")
_notary = os.path.join(_home, ".local", "share", "jupyter")
try:
    os.makedirs(_notary, exist_ok=True)
    c.NotebookNotary.data_dir = _notary
except OSError:
    pass  # not a user's server (e.g. a tool run without a home)
c.TemplateExporter.extra_template_basedirs = []
# Notebooks rendered to HTML (formgrader, feedback) never run a learner's
# scripts in the trainer's page.
c.HTMLExporter.sanitize_html = True

# nbgrader: learners get the Assignments list and validation; only trainers
# get the formgrader and course list.
c.ServerApp.jpserver_extensions = {
    # No language servers are installed: skip the LSP extension and its requests.
    "jupyter_lsp": False,
    # notebook_shim runs classic notebook-server extensions, of which there
    # are none; loading it alone copies every NotebookApp trait onto the
    # server, importing IPython for one path (about 30 ms per start).
    "notebook_shim": False,
    # Trainers load nbgrader at start (the formgrader needs all of it);
    # learners get the same two extensions at their first request
    # (balaikode_server/lazy_nbgrader.py): about 40 % less start-up CPU.
    "nbgrader.server_extensions.assignment_list": trainer,
    "balaikode_server.lazy_nbgrader": not trainer,
    # Readable messages when a submission is refused (balaikode_server/assignments.py).
    "balaikode_server": True,
    # JupyterLab and nbgrader in the hub's language (balaikode_i18n).
    "balaikode_i18n": True,
    "nbgrader.server_extensions.validate_assignment": trainer,
    "nbgrader.server_extensions.formgrader": trainer,
    # A formgrader per course taught, and the Course List that opens them
    # (replaces nbgrader's course_list): balaikode_server/course_formgraders.py.
    "balaikode_server.course_formgraders": trainer,
    "nbgrader.server_extensions.course_list": False,
}
# JupyterLab marks extensions' hashed files immutable, but builds their URLs
# without the /user/NAME/ prefix, so under JupyterHub they were revalidated on
# every page load (21 requests; measured with bench/page_weight.py).
_prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
_labextensions = "/opt/venv/share/jupyter/labextensions"
c.ServerApp.static_immutable_cache = [
    f"{_prefix}lab/extensions/{os.path.relpath(path, _labextensions)}/"
    for path in sorted(glob.glob(f"{_labextensions}/**/static", recursive=True))
] + [
    # JupyterLab swaps the tab's icon each time the kernel goes busy or idle:
    # 13 revalidations per first cell. These files have no hash in their
    # names, but only a jupyter-server upgrade changes them, and then an old
    # icon for a while is all a learner would see.
    f"{_prefix}static/favicons/",
]

# Every response that carries learner-written bytes is sandboxed (and nothing
# is MIME-sniffed): balaikode_server/untrusted.py. Slow, shared links: gzip
# text responses (JupyterLab's JavaScript shrinks to about a quarter).
from balaikode_server.untrusted import transforms  # noqa: E402

tornado_settings = {"compress_response": True, "transforms": transforms(_prefix)}
if trainer:
    # The formgrader is shown in an iframe of the trainer's own JupyterLab;
    # JupyterHub's default forbids any framing.
    tornado_settings["headers"] = {"Content-Security-Policy": "frame-ancestors 'self'"}
c.ServerApp.tornado_settings = tornado_settings
