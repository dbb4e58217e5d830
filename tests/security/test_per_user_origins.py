"""Issue 13, item 1: per-user origins, when the admin gives a domain.

A stack of its own with BALAIKODE_DOMAIN=balaikode.test: the hub answers at
https://balaikode.test:PORT, each learner's server at
https://NAME.balaikode.test:PORT, with the proxy's own local CA. Chromium
(Debian's) resolves the domain and every subdomain to this machine, as a
village LAN's DNS would. Played as people: a learner signs up, is approved by
the admin's click, signs in and runs code in JupyterLab on her own origin; the
admin opens the links she sends. Checked: the certificate is valid for the
hub and her server's name, the hub's cookies are `__Host-` (Secure, only the
hub's own host, so her subdomain neither receives them nor can toss
replacements), nothing of hers runs in the admin's browser, and she did not
become admin.
"""

from __future__ import annotations

import re
import secrets
import socket
import ssl
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from support.browser import launch_options, sign_in
from support.hub_client import Browser, poll
from support.local_dns import chromium_rules, resolve_locally
from support.stack import REPO, start_stack

DOMAIN = "balaikode.test"
START_TIMEOUT = 180_000
# JupyterHub sets its session id (not a credential: it names the browser
# session so that logging out ends the servers' logins too) for the whole
# domain, so that every server can see it.
SESSION_ID = "jupyterhub-session-id"
# A call of JupyterLab's own kind: cookies plus the XSRF header that Jupyter
# servers behind JupyterHub require for every cookie-authenticated API call.
SAME_ORIGIN_GET = """async (path) => {
    const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]+)/) || [])[1] || "";
    const r = await fetch(path, {headers: {"X-XSRFToken": decodeURIComponent(xsrf)}});
    return r.json();
}"""


@pytest.fixture(scope="module")
def site(built_images, tmp_path_factory):
    stack = start_stack(tmp_path_factory, BALAIKODE_DOMAIN=DOMAIN)
    with resolve_locally(DOMAIN), pytest.MonkeyPatch.context() as patch:
        try:
            stack.compose("up", "-d", "--no-build")
            poll("the proxy's local CA", stack.verify, 120)
            patch.setenv("REQUESTS_CA_BUNDLE", stack.verify())
            stack.wait_healthy()
            yield stack
        except Exception:
            print(stack.logs(), file=sys.stderr)
            raise
        finally:
            stack.remove_everything()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    rules = f"--host-resolver-rules={chromium_rules(DOMAIN)}"
    with sync_playwright() as playwright, launch_options(site.port, (rules,)) as options:
        launched = playwright.chromium.launch(**options)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def person(browser, site):
    """Factory: a fresh browser context (own cookies) that trusts nothing but
    is told to accept the stack's local CA, as a laptop with it installed."""
    contexts = []

    def make():
        context = browser.new_context(base_url=site.url, ignore_https_errors=True, locale="id-ID")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context, context.new_page()

    yield make
    for context in contexts:
        context.close()


def certificate_names(site, host: str) -> set[str]:
    """The names in the certificate the proxy shows for `host`, verified
    against the local CA with hostname checking on."""
    context = ssl.create_default_context(cafile=site.verify())
    with socket.create_connection(("127.0.0.1", site.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return {value for kind, value in tls.getpeercert()["subjectAltName"] if kind == "DNS"}


@pytest.fixture(scope="module")
def learner_state():
    return {}


def test_learner_signs_up_and_works_on_her_own_https_origin(site, person, learner_state):
    name, password = f"sari{secrets.token_hex(2)}", "Sandi-" + secrets.token_urlsafe(10)
    _, learner = person()
    learner.goto("/hub/signup")
    learner.get_by_label("Nama pengguna").fill(name)
    learner.get_by_label("Nama lengkap").fill("Sari")
    learner.get_by_label("Kata sandi", exact=True).fill(password)
    learner.get_by_label("Ulangi kata sandi").fill(password)
    learner.locator("#signup_submit").click()
    expect(learner.locator("#signup_result")).to_contain_text("menunggu persetujuan")

    admin_context, desk = person()
    sign_in(desk, "admin", site.admin_password, "/hub/login?next=%2Fhub%2Fauthorize")
    desk.wait_for_url(re.compile(r"/hub/authorize$"))
    desk.locator(f"tr#{name}").get_by_role("button", name=f"Setujui {name}").click()
    expect(desk.locator(f"tr#{name}")).to_contain_text("Disetujui")

    sign_in(learner, name, password)
    learner.wait_for_url(re.compile(rf"^https://{name}\.{re.escape(DOMAIN)}:{site.port}/user/{name}/lab"),
                         timeout=START_TIMEOUT)
    card = learner.locator('.jp-LauncherCard[data-category="Notebook"]').first
    expect(card).to_be_visible(timeout=START_TIMEOUT)
    card.click()
    panel = learner.locator(".jp-NotebookPanel").last
    expect(panel).to_be_visible()
    def kernel_idle():
        sessions = learner.evaluate(SAME_ORIGIN_GET, f"/user/{name}/api/sessions")
        assert isinstance(sessions, list), (sessions, learner.evaluate("document.cookie"))
        return any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions)
    poll("her kernel to be idle", kernel_idle, 120)
    editor = panel.locator(".jp-Cell .cm-content").first
    editor.click()
    learner.keyboard.type("print(6*7)")
    learner.keyboard.press("Shift+Enter")
    # The kernel's websocket runs over wss:// to her own host.
    expect(panel.locator(".jp-OutputArea-output").first).to_have_text("42", timeout=60_000)

    # One certificate, valid for the hub and for her server's own name.
    assert {DOMAIN, f"*.{DOMAIN}"} <= certificate_names(site, DOMAIN)
    assert certificate_names(site, f"{name}.{DOMAIN}")
    learner_state.update(name=name, password=password, page=learner,
                         admin_context=admin_context, desk=desk)


def test_hub_cookies_stay_on_the_hub_host_and_cannot_be_tossed(site, learner_state):
    name, learner = learner_state["name"], learner_state["page"]
    cookies = learner.context.cookies()
    login = {c["name"]: c for c in cookies if c["domain"] == DOMAIN}
    assert "__Host-jupyterhub-hub-login" in login, cookies
    # Every login cookie (the hub's, her server's) is __Host-: Secure, path /,
    # and only for the exact host that set it.
    for cookie in cookies:
        if "jupyterhub" in cookie["name"] and cookie["name"] != SESSION_ID:
            assert cookie["name"].startswith("__Host-") and cookie["secure"], cookie
            assert cookie["domain"] in (DOMAIN, f"{name}.{DOMAIN}") and cookie["path"] == "/", cookie
    # Nothing else is shared across the domain.
    assert [c["name"] for c in cookies if c["domain"].startswith(".")] in ([], [SESSION_ID]), cookies
    # Her own origin sees none of the hub's cookies...
    visible = learner.evaluate("document.cookie")
    assert "__Host-" not in visible and "jupyterhub-hub-login" not in visible, visible
    # ...and what her origin sets for the whole domain (cookie tossing) does
    # not replace the hub's session: the hub still knows her as herself.
    learner.evaluate(f"""() => {{
        for (const n of ["jupyterhub-hub-login", "jupyterhub-session-id", "_xsrf",
                         "__Host-jupyterhub-hub-login", "__Host-jupyterhub-session-id"])
            document.cookie = n + "=dilempar; domain={DOMAIN}; path=/; secure";
    }}""")
    learner.goto(f"{site.url}/hub/home")
    expect(learner.locator("body")).to_contain_text(name)
    tossed = [c for c in learner.context.cookies(site.url) if c["value"] == "dilempar"]
    assert not [c for c in tossed if c["name"].startswith("__Host-")], tossed


def test_admin_who_opens_her_links_runs_nothing_of_hers(site, learner_state):
    name, learner = learner_state["name"], learner_state["page"]
    desk, admin_context = learner_state["desk"], learner_state["admin_context"]
    # Her page tries what worked on a single origin: make her admin with the
    # viewer's session, and toss a cookie at the hub.
    attack = (f"<script>document.cookie='jupyterhub-session-id=dilempar; domain={DOMAIN}; path=/';"
              f"fetch('{site.url}/hub/api/users/{name}', {{method: 'PATCH', credentials: 'include',"
              "headers: {'Content-Type': 'application/json'}, body: JSON.stringify({admin: true})});"
              "</script><h1>Lihat web saya!</h1>")
    server = f"https://{name}.{DOMAIN}:{site.port}/user/{name}"
    learner.goto(f"{server}/lab")
    learner.wait_for_url(re.compile(rf"^{re.escape(server)}/lab"))
    saved = learner.evaluate("""async ([name, body]) => {
        const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]+)/) || [])[1] || "";
        const headers = {"Content-Type": "application/json", "X-XSRFToken": decodeURIComponent(xsrf)};
        await fetch(`/user/${name}/api/contents/web`, {method: "PUT", headers,
            body: JSON.stringify({type: "directory"})});
        const r = await fetch(`/user/${name}/api/contents/web/index.html`, {method: "PUT",
            headers: {"Content-Type": "application/json", "X-XSRFToken": decodeURIComponent(xsrf)},
            body: JSON.stringify({type: "file", format: "text", content: body})});
        return r.status;
    }""", [name, attack])
    assert saved in (200, 201), saved
    for link in (f"{server}/files/web/index.html", f"{server}/view/web/index.html",
                 f"{server}/lab/tree/web/index.html"):
        desk.goto(link)
        desk.wait_for_load_state("networkidle")
        # The hub's refusal (her server is for her alone), not her page.
        assert "tidak membukanya untuk admin" in desk.inner_text("body"), (link, desk.url, desk.inner_text("body"))
        assert "Lihat web saya" not in desk.content(), link
    # The admin's browser holds no cookie for the whole domain, and the hub
    # says: she is not admin, he still is.
    shared = [c for c in admin_context.cookies() if c["domain"].startswith(".")]
    assert [c["name"] for c in shared] in ([], [SESSION_ID]), shared
    assert "dilempar" not in [c["value"] for c in admin_context.cookies()]
    admin = Browser(site.url)
    assert admin.login("admin", site.admin_password, follow_redirects=False).status == 302
    users = {u["name"]: u for u in admin.api("GET", "/users").json()}
    assert users[name]["admin"] is False and users["admin"]["admin"] is True


def balaikode(site, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["./balaikode", *args], cwd=REPO, capture_output=True, text=True,
                          input=stdin, timeout=120,
                          env={**site.env, "COMPOSE_PROJECT_NAME": site.project})


def test_admin_gets_the_local_ca_and_a_wrong_certificate_is_refused(site, tmp_path):
    ca = tmp_path / "balaikode-ca.crt"
    written = balaikode(site, "tls", "ca", str(ca))
    assert written.returncode == 0, written.stderr
    assert ca.read_text() == open(site.verify()).read()
    # A certificate for another name is refused with what to do; the proxy
    # keeps serving the one it has.
    key, cert = tmp_path / "lain.key", tmp_path / "lain.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30",
                    "-subj", "/CN=lain.example", "-addext", "subjectAltName=DNS:lain.example"],
                   check=True, capture_output=True)
    refused = balaikode(site, "tls", "install", str(cert), str(key))
    assert refused.returncode != 0
    assert f"it must name {DOMAIN} and *.{DOMAIN}" in refused.stdout + refused.stderr, refused
    assert {DOMAIN, f"*.{DOMAIN}"} <= certificate_names(site, DOMAIN)
