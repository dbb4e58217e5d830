"""Issue: the web-dev learner image (images/webdev) on the real stack.

A learner picks the Web profile through the REST API (DockerSpawner's
``user_options["image"]``) and gets balaikode/webdev, started by the same
start script as the Python image: the isolation probe of test_isolation.py
holds there too. In that server: the Deno kernel runs JavaScript, node and
php run, the %%php cell magic works, and the live preview
(/user/NAME/balaikode-preview/) serves a page with its CSS, JS and a PHP form
only to its owner, every response sandboxed by CSP. Chromium then checks what
the sandbox is for: the page renders and its form works for the learner, and
when an admin opens it, its script cannot read cookies or call the hub API or
the server API with the admin's login.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import websocket
from playwright.sync_api import expect

from integration.test_isolation import assert_contained, probe
from support.attack import logged_in_page
from support.hub_client import Browser, poll

WEBDEV_IMAGE = "balaikode/webdev:0.3.0"
PREVIEW = "balaikode-preview"      # logged-in entry (jupyter-server-proxy)
SANDBOXED = "balaikode-web"        # where it sends the browser: /user/NAME/balaikode-web/KEY/...
SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

PAGE = {
    "index.html": """<!DOCTYPE html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <title>Uji pratinjau</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <h1>Warung Uji</h1>
  <p id="js">JS belum jalan</p>
  <p id="cookie">?</p>
  <p id="probe-hub">?</p>
  <p id="probe-server">?</p>
  <form method="post" action="form.php">
    <label for="nama">Nama</label>
    <input id="nama" name="nama">
    <button type="submit">Kirim</button>
  </form>
  <a id="sub" href="sub/">sub</a>
  <script src="script.js"></script>
</body>
</html>
""",
    "style.css": "h1 { color: rgb(26, 77, 128); }\n",
    "script.js": """
document.getElementById("js").textContent = "JS jalan";
let cookie;
try { cookie = "COOKIE:" + document.cookie; } catch (e) { cookie = "NOCOOKIE:" + e.name; }
document.getElementById("cookie").textContent = cookie;
function probe(id, url) {
  fetch(url, {credentials: "include"})
    .then((r) => r.text().then((t) => "READ:" + r.status + ":" + t.slice(0, 200)))
    .catch((e) => "BLOCKED:" + e.name)
    .then((t) => { document.getElementById(id).textContent = t; });
}
probe("probe-hub", "/hub/api/user");
probe("probe-server", location.pathname.split("/%s/")[0] + "/api/contents");
""" % SANDBOXED,
    "form.php": """<?php
$nama = $_POST["nama"] ?? "";
header("Content-Security-Policy: default-src *");  // a learner cannot loosen the sandbox
echo "<!DOCTYPE html><html lang=\\"id\\"><head><meta charset=\\"utf-8\\"><title>Hasil</title></head><body>";
echo "<h1>Terima kasih, " . htmlspecialchars($nama) . "!</h1>";
echo "<p id=\\"metode\\">" . $_SERVER["REQUEST_METHOD"] . "</p></body></html>";
""",
    "sub/index.php": "<?php echo 'sub ' . (6 * 7);\n",
    "kuki.php": "<?php echo 'COOKIE=' . ($_SERVER['HTTP_COOKIE'] ?? '') . ';AUTH=' . ($_SERVER['HTTP_AUTHORIZATION'] ?? '') . ';';\n",
}


def start_with_profile(learner, profile: str | None, timeout: float = 180) -> None:
    """POST /hub/api/users/NAME/server with user_options (none: the remembered ones)."""
    kwargs = {} if profile is None else {"json": {"image": profile}}
    response = learner.hub("POST", f"/users/{learner.name}/server", **kwargs)
    assert response.status_code in (201, 202), response.text
    poll(f"{learner.name}'s server to be ready", lambda: learner.server_model().get("ready"), timeout)
    poll(f"{learner.name}'s server to answer through the proxy",
         lambda: learner.server("GET", "/status").status_code == 200, 60)


def run_kernel(learner, kernel_name: str, code: str, timeout: float = 90) -> str:
    """Run code in a new kernel of the given kernelspec, through the proxy;
    return its printed output and result, ANSI colours removed."""
    kernel = learner.server("POST", "/kernels", json={"name": kernel_name})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    try:
        return ANSI.sub("", execute_until_output(
            learner.ws_url(f"/kernels/{kernel_id}/channels"), learner.token, code, timeout))
    finally:
        learner.server("DELETE", f"/kernels/{kernel_id}")


def execute_until_output(url: str, token: str, code: str, timeout: float) -> str:
    """Like support.hub_client.execute, but also collects execute_result, and
    waits for output that arrives after the kernel reports idle (Deno's kernel
    forwards console.log output on its own schedule)."""
    ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        output, errors, idle = [], [], False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (idle and (output or errors)):
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                output.append(content["text"])
            elif kind == "execute_result":
                output.append(content["data"].get("text/plain", "") + "\n")
            elif kind == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        if errors:
            raise RuntimeError("; ".join(errors))
        if not idle:
            raise TimeoutError(f"no result for {code!r} within {timeout}s")
        return "".join(output)
    finally:
        ws.close()


def preview_url(stack, learner, path: str = "") -> str:
    return f"{stack.url}/user/{learner.name}/{PREVIEW}/{path}"


def ensure_dir(learner, path: str) -> None:
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        if learner.server("GET", f"/contents/{sub}", params={"content": 0}).status_code == 404:
            assert learner.server("PUT", f"/contents/{sub}", json={"type": "directory"}).status_code in (200, 201)


@pytest.fixture(scope="module")
def web(stack, new_learner):
    """A learner whose server runs the Web profile, with a small site in ~/web/uji."""
    learner = new_learner("webdev")
    learner.start_server()   # logging in started the default (Python) server
    learner.stop_server()
    start_with_profile(learner, "webdev")
    ensure_dir(learner, "web/uji/sub")
    for name, text in PAGE.items():
        learner.write_file(f"web/uji/{name}", text)
    return learner


def test_web_profile_runs_the_webdev_image_and_is_remembered(stack, web):
    assert stack.learner_container(web.name).attrs["Config"]["Image"] == WEBDEV_IMAGE
    # A start without options (after login, admin page, culled server) reuses the choice.
    web.stop_server()
    start_with_profile(web, None)
    assert stack.learner_container(web.name).attrs["Config"]["Image"] == WEBDEV_IMAGE
    assert web.read_file("web/uji/style.css") == PAGE["style.css"], "the home volume is the same"
    # The Start button's page offers the choice, in Indonesian, remembered one first.
    web.stop_server()
    browser = Browser(stack.url)
    login = browser.submit("/hub/login?next=%2Fhub%2Fhome", {"username": web.name, "password": web.password})
    assert login.status == 200 and login.url.endswith("/hub/home"), login.url
    form = browser.get(f"/hub/spawn/{web.name}")
    assert form.status_code == 200 and "Pilih lingkungan kerja" in form.text, form.text[-2000:]
    assert re.search(r'<input[^>]*value="webdev"[^>]*checked', form.text), form.text
    assert "Web (HTML, CSS, JavaScript, PHP)" in form.text
    chosen = browser.submit(f"/hub/spawn/{web.name}", {"image": "webdev"})
    assert chosen.status == 200, chosen.text[-2000:]
    assert f"/hub/spawn-pending/{web.name}" in chosen.url or f"/user/{web.name}/" in chosen.url, chosen.url
    poll("the server started from the form", lambda: web.server_model().get("ready"), 180)
    poll("it to answer", lambda: web.server("GET", "/status").status_code == 200, 60)
    assert stack.learner_container(web.name).attrs["Config"]["Image"] == WEBDEV_IMAGE


def test_web_course_members_get_webdev_and_unknown_profiles_are_refused(stack, new_learner):
    other = new_learner("kursusweb")
    other.start_server()     # logging in started the default profile: Python
    assert stack.learner_container(other.name).attrs["Config"]["Image"] != WEBDEV_IMAGE
    other.stop_server()
    stack.enrol("web-uji", learners=[other.name])
    start_with_profile(other, None)
    assert stack.learner_container(other.name).attrs["Config"]["Image"] == WEBDEV_IMAGE
    other.stop_server()
    response = other.hub("POST", f"/users/{other.name}/server", json={"image": "debian:latest"})
    assert response.status_code == 400, response.text
    poll("the refused server to be gone", lambda: not other.server_model().get("pending"), 60)


def test_isolation_holds_in_the_webdev_image(stack, web):
    """The same start script: own UID, no capabilities, no Docker socket."""
    assert_contained(web, probe(web))
    host = stack.learner_container(web.name).attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] == 256 and host["Memory"] == 1024**3


def test_deno_kernel_runs_javascript(web):
    kernels = web.server("GET", "/kernelspecs").json()["kernelspecs"]
    assert {"deno", "python3"} <= set(kernels)
    assert run_kernel(web, "deno", "console.log(6*7)").strip() == "42"
    # TypeScript too, and Deno keeps its cache in the learner's home.
    assert run_kernel(web, "deno", "const n: number = 6;\nconsole.log(n * 7, Deno.env.get('HOME'))").strip() \
        == f"42 /home/{web.name}"


def test_node_php_and_the_php_cell_magic(web):
    out = ANSI.sub("", web.run_code(
        "import subprocess\n"
        "print(subprocess.run(['node', '-e', 'console.log(6*7)'], capture_output=True, text=True).stdout)\n"
        "print(subprocess.run(['php', '-r', 'echo 6*7, PHP_EOL;'], capture_output=True, text=True).stdout)"))
    assert out.split() == ["42", "42"]
    assert run_kernel(web, "python3", "%%php\n$nama = 'Siti';\necho \"Halo, $nama! \" . 6 * 7;").strip() \
        == "Halo, Siti! 42"
    assert run_kernel(web, "python3", '%%php --post "nama=Budi"\necho "Terima kasih, " . $_POST["nama"];').strip() \
        == "Terima kasih, Budi"


def sandboxed_base(stack, learner) -> str:
    """Open the logged-in entry; it redirects to the sandboxed address."""
    response = learner.http.get(preview_url(stack, learner, "uji/"), timeout=30)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert re.fullmatch(rf"{re.escape(stack.url)}/user/{learner.name}/{SANDBOXED}/[\w-]{{40,}}/uji/", response.url), \
        response.url
    return response.url


def test_preview_serves_the_page_its_files_and_php_all_sandboxed(stack, web):
    http = web.http
    # JupyterLab's Launcher shows the entry as "Pratinjau Web", opening in a new tab.
    servers = http.get(f"{stack.url}/user/{web.name}/server-proxy/servers-info", timeout=30).json()
    [entry_info] = [s for s in servers["server_processes"] if s["name"] == PREVIEW]
    assert entry_info["launcher_entry"]["title"] == "Pratinjau Web" and entry_info["new_browser_tab"]
    entry = http.get(preview_url(stack, web, "uji/"), allow_redirects=False, timeout=30)
    assert entry.status_code == 302 and entry.headers["Content-Security-Policy"].startswith(SANDBOX)
    base = sandboxed_base(stack, web)
    pages = {"": "<h1>Warung Uji</h1>", "style.css": "rgb(26, 77, 128)", "script.js": "JS jalan",
             "sub/": "sub 42"}
    for path, text in pages.items():
        response = http.get(base + path, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert text in response.text, path
        policy = response.headers["Content-Security-Policy"]
        assert policy.startswith(SANDBOX) and "allow-same-origin" not in policy, path
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert http.get(base + "style.css", timeout=30).headers["Content-Type"].startswith("text/css")
    posted = http.post(base + "form.php", data={"nama": "<b>Budi</b>"}, timeout=30)
    assert posted.status_code == 200 and "Terima kasih, &lt;b&gt;Budi&lt;/b&gt;!" in posted.text
    assert posted.headers["Content-Security-Policy"].startswith(SANDBOX), "PHP cannot replace the sandbox"
    # The viewer's credentials (here the API token) never reach the learner's PHP.
    assert http.get(base + "kuki.php", timeout=30).text == "COOKIE=;AUTH=;"
    # A folder without its "/" is redirected so that relative links work.
    folder = http.get(base + "sub", allow_redirects=False, timeout=30)
    assert folder.status_code == 301 and folder.headers["Location"] == "sub/"
    missing = http.get(base + "tidak-ada.html", timeout=30)
    assert missing.status_code == 404 and "Berkas tidak ditemukan" in missing.text


def test_preview_is_only_for_its_owner(stack, web, new_learner):
    url = preview_url(stack, web, "uji/")
    stranger = new_learner("tetangga")
    response = stranger.http.get(url, allow_redirects=False, timeout=30)
    assert response.status_code in (302, 403, 404), response.status_code
    assert SANDBOXED not in response.headers.get("Location", "")
    assert "Warung Uji" not in response.text
    anonymous = Browser(stack.url).session.get(url, allow_redirects=True, timeout=30)
    assert "Warung Uji" not in anonymous.text
    assert "/hub/login" in anonymous.url
    # Without the secret of the server's current run: nothing.
    guessed = stranger.http.get(f"{stack.url}/user/{web.name}/{SANDBOXED}/{'A' * 43}/uji/", timeout=30)
    assert guessed.status_code == 404 and "Warung Uji" not in guessed.text
    assert "sudah tidak berlaku" in guessed.text


# -- Chromium --------------------------------------------------------------

def open_preview(page, stack, owner: str, path: str) -> None:
    """Open the owner's preview entry and follow it to the sandboxed page."""
    page.goto(f"{stack.url}/user/{owner}/{PREVIEW}/{path}")
    page.wait_for_url(re.compile(rf"/user/{owner}/{SANDBOXED}/[\w-]+/{re.escape(path)}$"))


def test_browser_preview_renders_for_the_learner_and_the_form_posts(stack, web, chromium):
    page = logged_in_page(chromium, stack, web.name, web.password)
    open_preview(page, stack, web.name, "uji/")
    expect(page.locator("#js")).to_have_text("JS jalan")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(26, 77, 128)"
    page.get_by_label("Nama").fill("Budi")
    page.get_by_role("button", name="Kirim").click()
    expect(page.locator("h1")).to_have_text("Terima kasih, Budi!")
    expect(page.locator("#metode")).to_have_text("POST")
    page.context.close()


def test_browser_learner_script_cannot_act_as_the_admin_who_opens_it(stack, web, chromium):
    # The learner sends the admin her sandboxed page's address (it needs no
    # login: its key is in the address) ...
    own = logged_in_page(chromium, stack, web.name, web.password)
    open_preview(own, stack, web.name, "uji/")
    sandboxed_url = own.url
    own.context.close()

    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    # ... because the admin cannot log in to her server at all (owner_only.py).
    refused = page.goto(f"{stack.url}/user/{web.name}/{PREVIEW}/uji/")
    assert refused.status == 403, page.url
    expect(page.locator("body")).to_contain_text("hanya boleh dibuka oleh")

    page.goto(sandboxed_url)
    expect(page.locator("#js")).to_have_text("JS jalan")
    # The page is in an opaque origin: no cookies, and every credentialed
    # request to the hub or the server is a cross-origin one it cannot read.
    expect(page.locator("#cookie")).to_have_text(re.compile(r"^NOCOOKIE:SecurityError"))
    expect(page.locator("#probe-hub")).to_have_text(re.compile(r"^(BLOCKED|READ)"), timeout=30_000)
    expect(page.locator("#probe-server")).to_have_text(re.compile(r"^(BLOCKED|READ)"), timeout=30_000)
    assert page.locator("#probe-hub").inner_text().startswith("BLOCKED:"), page.locator("#probe-hub").inner_text()
    assert page.locator("#probe-server").inner_text().startswith("BLOCKED:"), \
        page.locator("#probe-server").inner_text()
    assert page.evaluate("self.origin") == "null"
    # Nor do the admin's cookies reach the learner's PHP.
    page.goto(sandboxed_url.replace("/uji/", "/uji/kuki.php"))
    assert page.locator("body").inner_text().strip() == "COOKIE=;AUTH=;"
    page.context.close()
