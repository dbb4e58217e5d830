"""One Chromium (Debian's package, driven by Playwright) per test session.

Playwright's sync API allows one running instance per thread, so every test
that needs a browser (tests/browser, the web-dev preview tests) shares this
session fixture instead of starting its own.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BALAIKODE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
