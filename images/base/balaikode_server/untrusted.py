"""Learner-authored bytes are served sandboxed, on every route that returns them.

The hub, every learner's server and the trainers' formgraders share one
origin when Balai Kode runs on a bare address (docs/security.md). A page a
learner wrote, opened by anyone else, must not run with that person's
session. With a CSP `sandbox` without `allow-same-origin` the browser gives
the page an opaque origin: its scripts still run (web lessons need them), but
it cannot read the viewer's cookies or make credentialed same-origin calls to
the hub or to anyone's server.

This is a tornado output transform, not a handler subclass, so that routes
added by other extensions (jupyter-server-proxy's `proxy/PORT/`, nbgrader's
formgrader files) and upstream changes are covered without knowing their
handler classes; a learner's own web server cannot opt out with headers of
its own (they are replaced).
"""

from __future__ import annotations

import re

from tornado.web import OutputTransform

from balaikode_server.compression import GZipWithIcons

# allow-modals: beginners' scripts use alert()/prompt(); allow-downloads: a
# "download" link in a learner's page. Neither gives the page an origin back.
SANDBOX_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"

# Paths below the server's base URL (/user/NAME/) whose bodies a learner wrote:
# her files (raw, exported), kernel specs she may have written, any port
# proxied from her container, the live preview, and the files of a submission
# the formgrader serves next to its grading page (formgrader/ and each course's
# kursus/COURSE/formgrader/, balaikode_server/course_formgraders.py). Not view/: that is the
# server's own page framing files/PATH (sandboxed there); sandboxing the frame
# too would give it an opaque origin that the file's frame-ancestors 'self'
# refuses, and the page would stay empty.
UNTRUSTED_PATHS = re.compile(
    r"(files|nbconvert|kernelspecs|proxy|balaikode-preview|balaikode-web)(/|$)"
    r"|(kursus/[^/]+/)?formgrader/submissions/[^/]+/.+"
)
# files/PATH may be framed by the server's own view/PATH page (JupyterHub's
# default forbids any framing, which left that page empty). Only a
# same-origin page that is not sandboxed matches 'self': never a learner's.
FRAMED_BY_VIEW = re.compile(r"files/")


def is_untrusted(path: str, base_url: str) -> bool:
    if not path.startswith(base_url):
        return False
    return bool(UNTRUSTED_PATHS.match(path[len(base_url):]))


def sandboxed_policy(existing: list[str], framable: bool = False) -> str:
    """The response's own CSP directives, except any `sandbox` one (a learner's
    server could send `sandbox allow-same-origin`), plus ours first; with
    `framable`, frame-ancestors 'self' instead of the response's own."""
    replaced = {"sandbox", "frame-ancestors"} if framable else {"sandbox"}
    kept = [directive.strip() for value in existing for directive in value.split(";")
            if directive.strip() and directive.strip().split()[0].lower() not in replaced]
    return "; ".join([SANDBOX_POLICY, *kept, *(["frame-ancestors 'self'"] if framable else [])])


class UntrustedContent(OutputTransform):
    base_url = "/"

    def __init__(self, request):
        super().__init__(request)
        self.sandbox = is_untrusted(request.path, self.base_url)
        self.framable = self.sandbox and FRAMED_BY_VIEW.match(request.path[len(self.base_url):])

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        # No MIME sniffing anywhere: a learner's .txt must never become HTML.
        headers["X-Content-Type-Options"] = "nosniff"
        if self.sandbox:
            existing = headers.get_list("Content-Security-Policy")
            headers["Content-Security-Policy"] = sandboxed_policy(existing, bool(self.framable))
        return status_code, headers, chunk


def transforms(base_url: str) -> list[type[OutputTransform]]:
    """tornado's `transforms` for ServerApp.tornado_settings. Given in the
    config (not added by an extension) so that the server never starts
    without it; gzip is listed because an explicit list replaces tornado's
    default one (balaikode_server/compression.py: tornado's, icons too)."""
    here = type("UntrustedContentHere", (UntrustedContent,), {"base_url": base_url})
    return [GZipWithIcons, here]
