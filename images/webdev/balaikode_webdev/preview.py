"""Live preview of a learner's web folder (~/web) inside their own server.

jupyter-server-proxy starts ``php -S 127.0.0.1:PORT`` on demand and proxies
``/user/NAME/balaikode-preview/...`` to it with the prefix removed, so a page
and its relative links (style.css, script.js, form.php) work behind the hub's
URL prefix. Requests go through the learner's Jupyter server first, so only
the learner (and hub admins) can open it: another learner gets the hub's
"forbidden" answer.

Learner pages are untrusted. Every proxied response gets

    Content-Security-Policy: sandbox allow-scripts allow-forms allow-popups allow-modals

(no ``allow-same-origin``): the page runs in an opaque origin, so its scripts
cannot read the hub's cookies or call the hub's or the server's API with the
viewer's login, even when a trainer or an admin opens it. The header is added
here, in the proxy, not by PHP, so a learner's PHP cannot remove it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUTER = HERE / "preview-router.php"
ICON = HERE / "preview-icon.svg"
WEB_FOLDER = "web"

# allow-modals: beginners' scripts use alert()/prompt(); it does not give the
# page its origin back. No allow-same-origin, no allow-top-navigation.
SANDBOX_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-modals"
CONTENT_SECURITY_POLICY = f"{SANDBOX_POLICY}; frame-ancestors 'self'"

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


def web_root() -> Path:
    return Path.home() / WEB_FOLDER


def command(port: int) -> list[str]:
    """php -S for ~/web (created if missing), with the router script."""
    root = web_root()
    root.mkdir(exist_ok=True)
    argv = ["php", "-S", f"127.0.0.1:{port}", "-t", str(root)]
    for name, value in PHP_SETTINGS.items():
        argv += ["-d", f"{name}={value}"]
    return argv + [str(ROUTER)]


def add_security_headers(response) -> None:
    """rewrite_response hook: sandbox every page the preview serves."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Learners edit and reload: always ask again, never show a stale file.
    response.headers["Cache-Control"] = "no-cache"


def preview_server() -> dict:
    """The ServerProxy.servers entry."""
    return {
        "command": command,
        # Two workers: a page still loads its CSS and JS while one PHP
        # script is slow.
        "environment": {"PHP_CLI_SERVER_WORKERS": "2"},
        "timeout": 20,
        "new_browser_tab": True,
        "rewrite_response": [add_security_headers],
        "launcher_entry": {
            "enabled": True,
            "title": "Pratinjau Web",
            "icon_path": str(ICON),
            "category": "Other",
        },
    }
