"""Chromium (Debian's package, driven by Playwright) for browser tests.

Playwright's sync API allows one running instance per thread and keeps an
asyncio loop running in it while it lives, so every test that needs a browser
(tests/browser, the web-dev preview tests) uses this fixture, and it is
module-scoped: the instance (and its loop) ends with the module, and tests
elsewhere that use asyncio.run() are not affected.

As root (CI, the test machines), Chromium runs in a network namespace of its
own and reaches the stack through a relay (chromium_netns.py): otherwise every
container that starts on the host, for any stack, can cut its requests in
flight (net::ERR_NETWORK_CHANGED).
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from .chromium_netns import UnixRelay

CHROMIUM = os.environ.get("BALAIKODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NETNS_LAUNCHER = Path(__file__).with_name("chromium_netns.py")


@contextmanager
def launch_options(port: int, extra_args: tuple[str, ...] = ()):
    """Playwright launch() options for Chromium that reaches 127.0.0.1:port."""
    options = {"executable_path": CHROMIUM, "args": [*CHROMIUM_ARGS, *extra_args]}
    if os.geteuid() != 0:  # no namespace of its own: the host's network as it is
        yield options
        return
    with tempfile.TemporaryDirectory(prefix="bk-chromium-") as folder:
        path = os.path.join(folder, "relay.sock")
        relay = UnixRelay(path, port)
        try:
            yield {**options, "executable_path": str(NETNS_LAUNCHER), "env": {
                **os.environ, "BALAIKODE_NETNS_CHROMIUM": CHROMIUM,
                "BALAIKODE_NETNS_PORT": str(port), "BALAIKODE_NETNS_SOCKET": path}}
        finally:
            relay.close()


@pytest.fixture(scope="module")
def chromium(stack):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright, launch_options(stack.port) as options:
        browser = playwright.chromium.launch(**options)
        yield browser
        browser.close()


def sign_in(page, name: str, password: str, path: str = "/hub/login") -> None:
    """Fill in the hub's login form (at `path`, e.g. with ?next=) and send it."""
    page.goto(path)
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
