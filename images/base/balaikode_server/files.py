"""Serve files from the learner's folder as untrusted content.

Everything under /user/NAME/files/ was written by a learner. The hub, every
learner's server and the trainer's formgrader share one origin, so a page a
learner wrote could otherwise use the session of whoever opens it (a trainer,
the admin) to call the hub or their server. With a CSP sandbox without
allow-same-origin the page runs in an opaque origin: its scripts still run,
but it cannot read cookies or make credentialed same-origin requests.
"""

from jupyter_server.files.handlers import FilesHandler

UNTRUSTED_CONTENT_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"


class SandboxedFilesHandler(FilesHandler):
    def set_default_headers(self):
        super().set_default_headers()
        self.set_header("Content-Security-Policy", UNTRUSTED_CONTENT_POLICY)
