"""Live preview of a learner's web folder (~/web) inside their own server.

Two URLs inside the learner's server (prefix /user/NAME/):

``balaikode-preview/PATH`` (the "Pratinjau Web" launcher tile)
    jupyter-server-proxy, behind the server's normal login: only the learner
    and hub admins get in. It starts PHP's built-in web server
    (``php -S 127.0.0.1:8765 -t ~/web``) if it is not running, and answers
    with a redirect to the sandboxed address below.

``balaikode-web/KEY/PATH`` (this module's handler)
    the learner's page itself, served by that PHP server (static files and
    PHP), with every response sandboxed:

        Content-Security-Policy: sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads

    No ``allow-same-origin``: the page runs in an opaque origin, so its
    scripts cannot read the hub's cookies or call the hub's or the server's
    API with the viewer's login, even when a trainer or an admin opens it.

Why two URLs: a sandboxed page is "cross-site" to everything, so browsers
send it no (SameSite=Lax) login cookies for its own style.css, script.js or
form POSTs, and on plain HTTP no cookie can be made to come along. So this
address is authorised by KEY instead: a random secret of this server process
(new at every server start), handed out only by the logged-in entry above.
It never forwards the viewer's cookies or Authorization header to PHP.
Relative links in the learner's pages work, because KEY is a path segment.
"""

from __future__ import annotations

import hmac
import html
import secrets
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from tornado import httpclient, web
from tornado.httputil import HTTPHeaders

HERE = Path(__file__).resolve().parent
ROUTER = HERE / "preview-router.php"
ICON = HERE / "preview-icon.svg"
WEB_FOLDER = "web"
ENTRY = "balaikode-preview"   # jupyter-server-proxy server name (logged-in entry)
SANDBOXED = "balaikode-web"   # this module's handler (KEY-authorised pages)
PORT = 8765                   # PHP's server, inside the learner's own container
KEY = secrets.token_urlsafe(32)

# The one sandbox of learner-authored pages (no allow-same-origin).
from balaikode_server.untrusted import SANDBOX_POLICY  # noqa: E402
SECURITY_HEADERS = {
    "Content-Security-Policy": f"{SANDBOX_POLICY}; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    # The address holds KEY: never send it to another site.
    "Referrer-Policy": "no-referrer",
    # Learners edit and reload: always ask again, never show a stale file.
    "Cache-Control": "no-cache",
    # A sandboxed page is cross-origin even to itself: let its own scripts
    # load modules and fetch() its files (no credentials are involved, and
    # the pages are only reachable with KEY anyway).
    "Access-Control-Allow-Origin": "*",
}

# php -S settings: a runaway page stops after 10 s and cannot eat the
# server's memory; errors are shown in the page, which is what a learner
# needs while building it.
PHP_SETTINGS = {
    "max_execution_time": "10",
    "memory_limit": "128M",
    "display_errors": "1",
    "error_reporting": "32767",
    "expose_php": "0",
}

# Request headers never passed to the learner's PHP: the viewer's
# credentials, and the header that marks a request from the logged-in entry.
DROPPED_REQUEST_HEADERS = {"cookie", "authorization", "host", "x-balaikode-entry",
                           "connection", "keep-alive", "proxy-connection", "te",
                           "trailer", "transfer-encoding", "upgrade", "proxy-authorization"}
DROPPED_RESPONSE_HEADERS = {"content-length", "transfer-encoding", "connection", "set-cookie", "host",
                            *(name.lower() for name in SECURITY_HEADERS)}


def web_root() -> Path:
    return Path.home() / WEB_FOLDER


def command() -> list[str]:
    """php -S for ~/web (created if missing), with the router script."""
    root = web_root()
    root.mkdir(exist_ok=True)
    argv = ["php", "-S", f"127.0.0.1:{PORT}", "-t", str(root)]
    for name, value in PHP_SETTINGS.items():
        argv += ["-d", f"{name}={value}"]
    return argv + [str(ROUTER)]


def sandboxed_location(path: str, query: str) -> str:
    """From ENTRY/PATH to SANDBOXED/KEY/PATH, as a relative URL (so it works
    behind any prefix, and jupyter-server-proxy leaves it alone). A Jupyter
    token in the query is not passed on."""
    path = path.lstrip("/")
    up = "../" * (path.count("/") + 1)
    kept = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                      if k not in ("token", "_xsrf")])
    return f"{up}{SANDBOXED}/{KEY}/{quote(path)}" + (f"?{kept}" if kept else "")


def redirect_to_sandbox(response, path, request) -> None:
    """rewrite_response of the logged-in entry: send the browser on to the
    sandboxed address (PHP answered the entry with an empty 204)."""
    response.code = 302
    response.headers = HTTPHeaders({"Location": sandboxed_location(path, request.query),
                                    **SECURITY_HEADERS, "Cache-Control": "no-store"})
    response.body = b""


def preview_server() -> dict:
    """The ServerProxy.servers entry (the logged-in entry and PHP's process)."""
    return {
        "command": command,
        "port": PORT,
        # Two workers: a page still loads its CSS and JS while one PHP
        # script is slow.
        "environment": {"PHP_CLI_SERVER_WORKERS": "2"},
        # The router answers 204 at once, without running learner code; the
        # viewer's credentials never reach PHP.
        "request_headers_override": {"X-Balaikode-Entry": "1", "Cookie": "", "Authorization": ""},
        "rewrite_response": [redirect_to_sandbox],
        "timeout": 20,
        "new_browser_tab": True,
        "launcher_entry": {
            "enabled": True,
            "title": "Pratinjau Web",
            "icon_path": str(ICON),
            "category": "Other",
        },
    }


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="id">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} · Pratinjau Web</title></head>\n"
            f'<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5">'
            f"<main><h1>{html.escape(title)}</h1>{body}</main></body>\n</html>\n").encode()


class SandboxedPreviewHandler(web.RequestHandler):
    """SANDBOXED/KEY/PATH -> http://127.0.0.1:PORT/PATH, sandboxed."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST")

    def check_xsrf_cookie(self) -> None:
        """No cookie is used here (KEY in the path is the credential), so
        there is no cookie to forge a request with."""

    def set_default_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    def _entry_link(self, path: str) -> str:
        return "../" * (path.count("/") + 2) + f"{ENTRY}/{quote(path)}"

    def _record_activity(self) -> None:
        # Counts as activity for the idle culler, like the rest of the server.
        self.settings.setdefault("last_activity_times", {})["balaikode-preview"] = \
            datetime.now(timezone.utc)

    async def get(self, key: str, path: str) -> None:
        if not hmac.compare_digest(key.encode(), KEY.encode()):
            self.set_status(404)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(_page("Alamat pratinjau sudah tidak berlaku", (
                "<p>Alamat ini dibuat untuk server yang sudah berhenti atau dimulai ulang.</p>"
                f'<p><a href="{html.escape(self._entry_link(path))}">Buka lagi halaman ini di Pratinjau Web</a>, '
                "atau buka <strong>Pratinjau Web</strong> dari Launcher di JupyterLab.</p>")))
            return
        self._record_activity()
        headers = HTTPHeaders()
        for name, value in self.request.headers.get_all():
            if name.lower() not in DROPPED_REQUEST_HEADERS:
                headers.add(name, value)
        url = f"http://127.0.0.1:{PORT}/{quote(path)}" + (f"?{self.request.query}" if self.request.query else "")
        body = self.request.body if self.request.method == "POST" else None
        request = httpclient.HTTPRequest(url, method=self.request.method, headers=headers, body=body,
                                         follow_redirects=False, request_timeout=60,
                                         decompress_response=False, allow_nonstandard_methods=True)
        client = httpclient.AsyncHTTPClient()
        try:
            response = await client.fetch(request, raise_error=False)
        except OSError:
            response = None
        if response is None or response.code == 599:
            self.set_status(502)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(_page("Pratinjau sedang berhenti", (
                f'<p><a href="{html.escape(self._entry_link(path))}">Buka lagi halaman ini di Pratinjau Web</a> '
                "untuk menyalakannya.</p>")))
            return
        self.set_status(response.code, response.reason)
        for name in {name for name, _ in response.headers.get_all()}:
            self.clear_header(name)  # PHP's Content-Type and Date, not tornado's defaults
        for name, value in response.headers.get_all():
            if name.lower() in DROPPED_RESPONSE_HEADERS:
                continue
            if name.lower() == "location" and value.startswith("/") and not value.startswith("//"):
                # PHP's absolute paths are relative to ~/web, i.e. to SANDBOXED/KEY/.
                value = "../" * path.count("/") + value.lstrip("/") if path.count("/") else "./" + value.lstrip("/")
            self.add_header(name, value)
        for name, value in SECURITY_HEADERS.items():  # last, whatever PHP sent
            self.set_header(name, value)
        self.finish(response.body if self.request.method != "HEAD" else None)

    post = get
    head = get


def _jupyter_server_extension_points():
    return [{"module": "balaikode_webdev.preview"}]


def _load_jupyter_server_extension(serverapp) -> None:
    base_url = serverapp.web_app.settings["base_url"]
    pattern = base_url.rstrip("/") + f"/{SANDBOXED}/([^/]+)/(.*)"
    serverapp.web_app.add_handlers(".*", [(pattern, SandboxedPreviewHandler)])
    serverapp.log.info("Balai Kode preview: %s/%s/... (PHP on 127.0.0.1:%s)",
                       base_url.rstrip("/"), SANDBOXED, PORT)
