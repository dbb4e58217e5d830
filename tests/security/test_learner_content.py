"""A learner's own bytes never run with anyone else's session (issue 13, item 1,
single origin): she cannot reconfigure or extend her server, the server is
out of her kernels' reach, everything it returns from her files or ports is
sandboxed, and an admin who opens her link is not logged in to her server."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from support.attack import logged_in_page, make_me_admin_page, user_model
from integration.test_webdev import start_with_profile
from support.hub_client import Browser, poll

EVIL_CONFIG = """
c = get_config()
c.ServerApp.tornado_settings = {"headers": {"X-Balaikode-Evil": "config"}}
c.ServerApp.extra_static_paths = ["/home"]
"""


def web_learner(new_learner, prefix: str):
    """A learner on the Web profile: the base image's server plus
    jupyter-server-proxy (any port of hers at /user/NAME/proxy/PORT/) and
    the live preview. Later starts keep the profile."""
    learner = new_learner(prefix)
    learner.start_server()   # logging in started the default (Python) server
    learner.stop_server()
    start_with_profile(learner, "webdev")
    return learner


@pytest.fixture(scope="module")
def attacker(new_learner):
    return web_learner(new_learner, "jahil")


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
    assert "balaikode-singleuser" in printed, printed
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
        "subprocess.Popen([sys.executable, '-c', code], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n")
    response = poll("her web server behind proxy/8123", lambda: (
        r := attacker.http.get(f"{attacker.base_url}/user/{attacker.name}/proxy/8123/", timeout=30)
    ).status_code == 200 and r, timeout=60)
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-same-origin" not in policy, policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # view/PATH frames files/PATH: the browser test below opens it.
    for path in ["files/jahat.html", "nbconvert/html/jahat.ipynb?download=false"]:
        if path.startswith("files"):
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
    # The dots are resolved before the hub (404 at /hub/etc/passwd) or refused by it (400).
    escape = admin.get(f"/hub/karya/{attacker.name}/%2e%2e/%2e%2e/etc/passwd")
    assert escape.status_code in (400, 404) and "root:" not in escape.text, escape.status_code

    other = new_learner("intip")  # another learner, logged in
    other_browser = Browser(stack.url)
    assert other_browser.login(other.name, other.password, follow_redirects=False).status == 302
    peek = other_browser.get(f"/hub/karya/{attacker.name}/", allow_redirects=False)
    assert peek.status_code == 403, peek.status_code


# --- Her bytes in a browser (issue 13, item 1): the sandbox is the layer that
# holds for whoever opens them, whichever server they come from.

# A learner's page that, run with the viewer's session, writes a file into the
# viewer's home (the server's contents API with the server's XSRF cookie) and
# takes a hub token of the viewer; it reports its origin and what it managed.
def steal_page(victim: str) -> str:
    return f"""<!doctype html><html><body><p id="result">...</p><script>
(async () => {{
  const out = ["origin:" + window.origin];
  async function attempt(name, url, options) {{
    try {{
      const r = await fetch(url, {{credentials: "include", ...options}});
      out.push(name + ":" + r.status);
      return r;
    }} catch (e) {{ out.push(name + "-error:" + e.name); }}
  }}
  let xsrf = "";
  try {{ xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || ""; }} catch (e) {{ out.push("cookie-error:" + e.name); }}
  await attempt("put", "/user/{victim}/api/contents/{LOOT}", {{method: "PUT",
    headers: {{"Content-Type": "application/json", "X-XSRFToken": xsrf}},
    body: JSON.stringify({{type: "file", format: "text", content: "dibobol"}})}});
  const tokenPage = await attempt("token-page", "/hub/token", {{}});
  let hubXsrf = "";
  if (tokenPage) {{ hubXsrf = ((await tokenPage.text()).match(/xsrf_token["']?\\s*:\\s*["']([^"']+)/) || [])[1] || ""; }}
  await attempt("token", "/hub/api/users/{victim}/tokens", {{method: "POST",
    headers: {{"Content-Type": "application/json", "X-XSRFToken": hubXsrf}},
    body: JSON.stringify({{note: "{TOKEN_NOTE}", expires_in: 3600}})}});
  document.getElementById("result").textContent = "DONE " + out.join(" ");
}})();
</script></body></html>"""


LOOT = "dibobol.txt"
TOKEN_NOTE = "jahat"


def serve_in_kernel(learner, port: int, page: str) -> None:
    """A web server her kernel starts (as in a web lesson), answering `page`
    to every GET; what /user/NAME/proxy/PORT/ leads to."""
    learner.run_code(
        "import subprocess, sys, textwrap\n"
        "code = textwrap.dedent('''\n"
        "    import http.server, sys\n"
        "    page = sys.argv[1].encode()\n"
        "    class H(http.server.BaseHTTPRequestHandler):\n"
        "        def do_GET(self):\n"
        "            self.send_response(200)\n"
        "            self.send_header('Content-Type', 'text/html')\n"
        "            self.end_headers(); self.wfile.write(page)\n"
        f"    http.server.HTTPServer(('127.0.0.1', {port}), H).serve_forever()\n"
        "''')\n"
        f"subprocess.Popen([sys.executable, '-c', code, {page!r}], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n")
    poll(f"{learner.name}'s web server on port {port}", lambda: learner.http.get(
        f"{learner.base_url}/user/{learner.name}/proxy/{port}/", timeout=30).status_code == 200, timeout=60)


def open_and_run(page, url: str) -> tuple[int, str]:
    """Open url in the victim's browser; (HTTP status, what the page's script
    reported, or '' when no script of hers ran)."""
    response = page.goto(url)
    result = page.locator("#result")
    try:
        expect(result).to_contain_text("DONE", timeout=20_000)
    except AssertionError:
        return response.status, ""
    return response.status, result.inner_text()


def victim_was_not_touched(admin, victim) -> None:
    assert victim.read_file(LOOT) is None, "her page wrote into the victim's home"
    tokens = admin.api("GET", f"/users/{victim.name}/tokens")
    assert tokens.status_code == 200, tokens.text
    notes = [t.get("note") for t in tokens.json()["api_tokens"]]
    assert TOKEN_NOTE not in notes, notes


@pytest.fixture(scope="module")
def victim(new_learner):
    return web_learner(new_learner, "korban")


def test_another_learner_who_opens_her_links_gives_her_nothing(stack, admin, attacker, victim, chromium):
    page_text = steal_page(victim.name)
    attacker.write_file("curi.html", page_text)
    # Her Lab-extensions folder: served without any login before the fix.
    attacker.run_code(
        "import os\n"
        "folder = os.path.expanduser('~/.local/share/jupyter/labextensions/jahat/static')\n"
        "os.makedirs(folder, exist_ok=True)\n"
        f"open(os.path.join(folder, 'curi.html'), 'w').write({page_text!r})\n")
    serve_in_kernel(attacker, 8124, page_text)

    page = logged_in_page(chromium, stack, victim.name, victim.password)
    seen = {}
    for path in ["files/curi.html", "view/curi.html", "lab/extensions/jahat/static/curi.html", "proxy/8124/"]:
        status, report = open_and_run(page, f"{stack.url}/user/{attacker.name}/{path}")
        seen[path] = (status, report)
        # Either her server does not serve it to someone else, or her
        # script has no origin of its own.
        assert not report or "origin:null" in report, (path, report)
    page.context.close()
    victim_was_not_touched(admin, victim)
    print(seen)


def test_her_page_opened_from_the_victims_own_server_runs_without_his_session(
        stack, admin, victim, chromium):
    # The victim saved her page in his home ("simpan dan buka ya!"), or runs
    # her web-lesson code: now his own server serves her bytes to him.
    page_text = steal_page(victim.name)
    victim.write_file("dari-teman.html", page_text)
    serve_in_kernel(victim, 8125, page_text)

    page = logged_in_page(chromium, stack, victim.name, victim.password)
    reports = {}
    for path in ["files/dari-teman.html", "proxy/8125/"]:
        status, report = open_and_run(page, f"{stack.url}/user/{victim.name}/{path}")
        assert status == 200, (path, status)
        # Her script still runs (web lessons need it), in an opaque origin.
        assert "origin:null" in report, (path, report)
        reports[path] = report
    # view/PATH is the server's own page (not sandboxed) framing files/PATH,
    # which is: her script runs in the frame, again without an origin.
    page.goto(f"{stack.url}/user/{victim.name}/view/dari-teman.html")
    framed = page.frame_locator("iframe").first.locator("#result")
    expect(framed).to_contain_text("DONE", timeout=20_000)
    reports["view/dari-teman.html"] = framed.inner_text()
    assert "origin:null" in reports["view/dari-teman.html"], reports
    page.context.close()
    victim_was_not_touched(admin, victim)
    print(reports)


def test_her_kernel_specs_templates_and_user_site_do_not_reach_the_server(attacker):
    # Written from her kernel, then her server restarts and reads what it reads.
    attacker.run_code(
        "import json, os, sys\n"
        "def put(path, text):\n"
        "    path = os.path.expanduser(path)\n"
        "    os.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "    open(path, 'w').write(text)\n"
        "mark = 'import os; open(\"/tmp/jejak-%d\" % os.getpid(), \"w\").write(\"x\")\\n'\n"
        "site = '~/.local/lib/python%d.%d/site-packages/' % sys.version_info[:2]\n"
        "put(site + 'jahat.pth', mark)\n"
        "put(site + 'usercustomize.py', mark)\n"
        "put('~/sitecustomize.py', mark)\n"
        "put('~/.local/share/jupyter/kernels/jahat/kernel.json', json.dumps({\n"
        "    'argv': ['python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],\n"
        "    'display_name': 'Jahat', 'language': 'python'}))\n"
        "put('~/.local/share/jupyter/kernels/jahat/logo-64x64.png', '<script>parent.JAHAT=1</script>')\n"
        # nbconvert's default template search starts in the server's folder.
        "put('~/lab/conf.json', json.dumps({'base_template': 'base', 'mimetypes': {'text/html': True}}))\n"
        "put('~/lab/index.html.j2', 'JAHAT-TEMPLATE <script>parent.JAHAT=1</script>')\n")
    attacker.server("PUT", "/contents/templat.ipynb", json={"type": "notebook", "content": {
        "cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}})
    attacker.stop_server()
    attacker.start_server()

    printed = attacker.run_code(
        "import glob, os\n"
        "print('server', os.getppid())\n"
        "print('marks', sorted(int(p.rsplit('-', 1)[1]) for p in glob.glob('/tmp/jejak-*')))\n")
    server_pid = int(printed.split("server ")[1].split()[0])
    marks = printed.split("marks ")[1]
    assert str(server_pid) not in marks.strip("[]\n").split(", "), printed

    specs = attacker.server("GET", "/kernelspecs").json()["kernelspecs"]
    assert "jahat" not in specs, sorted(specs)
    logo = attacker.http.get(f"{attacker.base_url}/user/{attacker.name}/kernelspecs/jahat/logo-64x64.png",
                             timeout=30)
    assert logo.status_code == 404, logo.status_code
    own_logo = attacker.http.get(
        f"{attacker.base_url}/user/{attacker.name}/kernelspecs/python3/logo-64x64.png", timeout=30)
    assert own_logo.status_code == 200 and own_logo.headers["Content-Security-Policy"].startswith("sandbox ")

    export = attacker.http.get(
        f"{attacker.base_url}/user/{attacker.name}/nbconvert/html/templat.ipynb?download=false", timeout=60)
    assert export.status_code == 200, export.status_code
    assert "JAHAT-TEMPLATE" not in export.text
