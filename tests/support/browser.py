"""Chromium (Debian's package, driven by Playwright) for browser tests.

Playwright's sync API allows one running instance per thread and keeps an
asyncio loop running in it while it lives, so every test that needs a browser
(tests/browser, the web-dev preview tests) uses this fixture, and it is
module-scoped: the instance (and its loop) ends with the module, and tests
elsewhere that use asyncio.run() are not affected.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BALAIKODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
