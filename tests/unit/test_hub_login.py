"""Signing in through the login form of a real JupyterHub, in this process:
the hub's own configuration (build_config), its database, its handlers and
templates, served by tornado on a free local port; no proxy, no spawner.

NativeAuthenticator 1.3.0's login handler uses `statsd`, which JupyterHub 6
removed: every login POST crashed. Balai Kode's LoginHandler (auth.py)
replaces that post(); these tests fail if a login through the form breaks."""

from __future__ import annotations

import asyncio
import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from jupyterhub.app import JupyterHub
from nativeauthenticator import handlers as native
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port

from balaikode_hub.config import build_config
from balaikode_hub.throttle import THROTTLE

HUB_CONFIG = Path(__file__).resolve().parents[2] / "hub_config"
ADMIN_PASSWORD = "kunci-admin-uji-123"


class FormClient:
    """A browser without script: keeps cookies, posts forms with their _xsrf."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.http = AsyncHTTPClient()

    async def request(self, path: str, body: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        try:
            response = await self.http.fetch(
                self.base + path, method="GET" if body is None else "POST", headers=headers,
                body=None if body is None else urlencode(body), follow_redirects=False)
        except HTTPClientError as error:
            response = error.response
        for header in response.headers.get_list("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    async def submit(self, page: str, action: str, fields: dict):
        page = await self.request(page)
        assert page.code == 200, (page.code, page.headers.get("Location"))
        form = page.body.decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
        return await self.request(action, {**fields, "_xsrf": xsrf})


async def start_hub(tmp_path):
    c = build_config({"COMPOSE_PROJECT_NAME": "kelas", "BALAIKODE_LEARNER_IMAGE": "balaikode/python:0.3.0",
                      "BALAIKODE_ADMIN_PASSWORD": ADMIN_PASSWORD},
                     admin_cli_token="t0ken", grader_token="g")
    c.JupyterHub.db_url = f"sqlite:///{tmp_path}/jupyterhub.sqlite"
    c.JupyterHub.cookie_secret_file = str(tmp_path / "cookie_secret")
    c.BalaiKodeAuthenticator.admin_password_file = str(tmp_path / "admin-password")
    # The hub's pages as the container has them (paths.TEMPLATES there).
    c.JupyterHub.template_paths = [str(HUB_CONFIG / "templates")]
    c.JupyterHub.logo_file = str(HUB_CONFIG / "static" / "balaikode-logo.svg")
    c.JupyterHub.services = []
    c.JupyterHub.load_roles = []
    c.ConfigurableHTTPProxy.auth_token = "not-used"  # no proxy: tornado serves the hub directly
    # NativeAuthenticator adds its templates to the first hub of a process
    # only; each test here starts a new hub.
    native.LocalBase._template_dir_registered = False
    app = JupyterHub(config=c)
    await app.initialize([])
    sock, port = bind_unused_port()
    server = HTTPServer(app.tornado_application, xheaders=True)
    server.add_sockets([sock])
    return app, server, FormClient(f"http://127.0.0.1:{port}")


def run_with_hub(tmp_path, scenario):
    async def main():
        THROTTLE.__init__()  # no waits left over from other tests
        app, server, client = await start_hub(tmp_path)
        try:
            await scenario(client)
        finally:
            server.stop()
            app.db.close()
    asyncio.run(main())


def signed_in(response) -> bool:
    return response.code == 302 and "jupyterhub-session-id" in response.headers.get("Set-Cookie", "")


def test_the_admin_signs_in_through_the_form(tmp_path):
    async def scenario(browser):
        wrong = await browser.submit("/hub/login", "/hub/login",
                                     {"username": "admin", "password": "salah-sekali-99"})
        assert wrong.code == 403 and not signed_in(wrong), wrong.code
        right = await browser.submit("/hub/login", "/hub/login",
                                     {"username": "admin", "password": ADMIN_PASSWORD})
        assert signed_in(right), (right.code, right.body[:500])
        home = await browser.request("/hub/api/user")
        assert home.code == 200 and b'"name": "admin"' in home.body.replace(b'":"', b'": "')
    run_with_hub(tmp_path, scenario)


def test_a_learner_signs_up_waits_for_approval_then_signs_in(tmp_path):
    learner = {"username": "sari", "password": "bunga-melati-42"}

    async def scenario(browser):
        signup = await browser.submit("/hub/signup", "/hub/signup", {
            "username": "sari", "full_name": "Sari Wulandari",
            "signup_password": learner["password"], "signup_password_confirmation": learner["password"]})
        assert signup.code == 200 and b"alert-info" in signup.body, signup.body.decode()[-3000:]
        waiting = await browser.submit("/hub/login", "/hub/login", learner)
        assert waiting.code == 403 and not signed_in(waiting)
        assert b"sari" in waiting.body and b"admin" in waiting.body  # not approved yet, says whom to ask

        admin = FormClient(browser.base)
        assert signed_in(await admin.submit("/hub/login", "/hub/login",
                                            {"username": "admin", "password": ADMIN_PASSWORD}))
        approved = await admin.submit("/hub/authorize", "/hub/authorize/sari", {})
        assert approved.code == 302, approved.code

        assert signed_in(await browser.submit("/hub/login", "/hub/login", learner))
    run_with_hub(tmp_path, scenario)
