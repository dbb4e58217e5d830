"""A learner's own bytes never run with anyone else's session (issue 13, item 1,
single origin): she cannot reconfigure or extend her server, the server is
out of her kernels' reach, everything it returns from her files or ports is
sandboxed, and an admin who opens her link is not logged in to her server."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from support.attack import logged_in_page, make_me_admin_page, user_model
from support.hub_client import poll

EVIL_CONFIG = """
c = get_config()
c.ServerApp.tornado_settings = {"headers": {"X-Balaikode-Evil": "config"}}
c.ServerApp.extra_static_paths = ["/home"]
"""


@pytest.fixture(scope="module")
def attacker(new_learner):
    learner = new_learner("jahil")
    learner.start_server()
    return learner


def test_her_config_and_lab_extensions_are_not_loaded(attacker):
    for path, text in [
        (".jupyter/jupyter_server_config.py", EVIL_CONFIG),
        (".jupyter/jupyter_server_config.json",
         json.dumps({"ServerApp": {"tornado_settings": {"headers": {"X-Balaikode-Evil": "json"}}}})),
        (".local/share/jupyter/labextensions/jahat/package.json",
         json.dumps({"name": "jahat", "version": "1.0.0", "jupyterlab": {"_build": {"load": "static/remoteEntry.js"}}})),
        (".local/share/jupyter/labextensions/jahat/static/remoteEntry.js", "window.JAHAT = 1;"),
    ]:
        # Hidden folders: written from her kernel (the contents API refuses them).
        attacker.run_code(
            "import os\n"
            f"path = os.path.expanduser('~/{path}')\n"
            "os.makedirs(os.path.dirname(path), exist_ok=True)\n"
            f"open(path, 'w').write({text!r})\n")
    attacker.stop_server()
    attacker.start_server()

    status = attacker.server("GET", "/status")
    assert "X-Balaikode-Evil" not in status.headers, status.headers
    extension = attacker.http.get(
        f"{attacker.base_url}/user/{attacker.name}/lab/extensions/jahat/static/remoteEntry.js", timeout=30)
    assert extension.status_code == 404, extension.text[:200]
    listed = attacker.http.get(f"{attacker.base_url}/user/{attacker.name}/lab/api/extensions", timeout=30)
    assert "jahat" not in listed.text
    # JupyterLab's own settings still live (and persist) in her home.
    saved = attacker.http.put(
        f"{attacker.base_url}/user/{attacker.name}/lab/api/settings/@jupyterlab/apputils-extension:themes",
        data=json.dumps({"raw": '{"theme": "JupyterLab Dark"}'}), timeout=30)
    assert saved.status_code == 204, saved.text
    assert "JupyterLab Dark" in attacker.run_code(
        "import os; print(open(os.path.expanduser('~/.jupyter/lab/user-settings/"
        "@jupyterlab/apputils-extension/themes.jupyterlab-settings')).read())")


def test_her_kernel_cannot_reach_into_the_server_process(attacker):
    printed = attacker.run_code(
        "import os\n"
        "server = os.getppid()\n"
        "for name in ('mem', 'environ'):\n"
        "    try:\n"
        "        open(f'/proc/{server}/{name}', 'rb').read(1); print(name, 'OPEN')\n"
        "    except OSError as e:\n"
        "        print(name, 'DENIED', e.errno)\n"
        "print('cmd', open(f'/proc/{server}/cmdline').read().replace(chr(0), ' '))\n")
    assert "jupyterhub-singleuser" in printed, printed
    assert "mem DENIED" in printed and "environ DENIED" in printed, printed


def test_her_own_web_server_cannot_lift_the_sandbox(attacker):
    attacker.run_code(
        "import subprocess, sys, textwrap\n"
        "code = textwrap.dedent('''\n"
        "    import http.server\n"
        "    class H(http.server.BaseHTTPRequestHandler):\n"
        "        def do_GET(self):\n"
        "            self.send_response(200)\n"
        "            self.send_header('Content-Type', 'text/html')\n"
        "            self.send_header('Content-Security-Policy', 'sandbox allow-same-origin allow-scripts')\n"
        "            self.end_headers(); self.wfile.write(b'<script>alert(1)</script>')\n"
        "    http.server.HTTPServer(('127.0.0.1', 8123), H).serve_forever()\n"
        "''')\n"
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n")
    response = poll("her web server behind proxy/8123", lambda: (
        r := attacker.http.get(f"{attacker.base_url}/user/{attacker.name}/proxy/8123/", timeout=30)
    ).status_code == 200 and r, timeout=60)
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-same-origin" not in policy, policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in ["files/jahat.html", "view/jahat.html", "nbconvert/html/jahat.ipynb?download=false"]:
        if path.startswith(("files", "view")):
            attacker.write_file("jahat.html", "<script>parent.JAHAT=1</script>")
        else:
            attacker.server("PUT", "/contents/jahat.ipynb", json={"type": "notebook", "content": {
                "cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}})
        page = attacker.http.get(f"{attacker.base_url}/user/{attacker.name}/{path}", timeout=60)
        assert page.status_code == 200, (path, page.status_code)
        policy = page.headers.get("Content-Security-Policy", "")
        assert policy.startswith("sandbox ") and "allow-same-origin" not in policy, (path, policy)


def test_admin_who_opens_her_link_is_not_logged_in_to_her_server(stack, admin, attacker, chromium):
    attacker.write_file("lihat.html", make_me_admin_page(attacker.name))
    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    response = page.goto(f"{stack.url}/user/{attacker.name}/files/lihat.html")
    assert response.status == 403, page.url
    expect(page.locator("body")).to_contain_text("hanya boleh dibuka oleh")
    expect(page.locator("#result")).to_have_count(0)
    # Her JupyterLab, too.
    page.goto(f"{stack.url}/user/{attacker.name}/lab")
    expect(page.locator("body")).to_contain_text("hanya boleh dibuka oleh")
    page.context.close()
    assert user_model(admin, attacker.name)["admin"] is False


def test_admin_reads_her_work_as_text_in_the_viewer(stack, admin, attacker, chromium, new_learner):
    attacker.write_file("karya.html", "<script>window.JAHAT = 1</script><b>halo</b>")
    attacker.run_code("import os; os.symlink('/etc/shadow', os.path.expanduser('~/rahasia'))")
    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    page.goto(f"{stack.url}/hub/karya/{attacker.name}/")
    expect(page.locator("body")).to_contain_text("karya.html")
    page.goto(f"{stack.url}/hub/karya/{attacker.name}/karya.html")
    expect(page.locator("pre")).to_contain_text("<script>window.JAHAT = 1</script>")
    assert page.evaluate("window.JAHAT") is None
    page.goto(f"{stack.url}/hub/karya/{attacker.name}/rahasia")
    expect(page.locator("body")).to_contain_text("tidak dibuka")
    page.context.close()
    assert admin.get(f"/hub/karya/{attacker.name}/%2e%2e/%2e%2e/etc/passwd").status_code == 400

    other = new_learner("intip")
    peek = other.http.get(f"{stack.url}/hub/karya/{attacker.name}/", timeout=30)
    assert peek.status_code == 403
