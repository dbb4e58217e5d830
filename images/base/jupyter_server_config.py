# Server defaults for every learner. Keep start-up light: no JupyterLab build
# check or news fetches (many sites are offline), and files saved safely.
c = get_config()  # noqa: F821
c.ServerApp.terminals_enabled = True
c.ServerApp.allow_remote_access = True
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
c.LabServerApp.extra_labextensions_path = []
c.FileContentsManager.use_atomic_writing = True
c.FileContentsManager.delete_to_trash = True
