"""Browser tests: Playwright (sync API) driving Debian's chromium against the
session's real stack (the `stack` and `admin` fixtures of tests/support).

- Chromium: Debian's package (`apt-get install chromium`), at /usr/bin/chromium
  or $BALAIKODE_CHROMIUM. `playwright install` is never used.
- axe-core: pinned in tests/browser/axe/package.json + package-lock.json;
  `npm ci` installs it there on first use.
- Every step saves a screenshot under tests/artifacts/screenshots/<test>/.
- As root, Chromium runs in a network namespace of its own and reaches the
  stack through a relay (tests/support/chromium_netns.py), so containers
  starting on the host cannot cut its requests (net::ERR_NETWORK_CHANGED).
- With BALAIKODE_README_SCREENSHOTS=1 the journey and nbgrader tests also refresh the
  README's pictures in docs/img/ (1000x700). Shrink them before committing:
  for f in docs/img/*.png; do pngquant --force --quality=70-95 --strip
  --output "$f" -- "$f"; optipng -quiet -o5 "$f"; done   (apt-get install
  pngquant optipng)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
README_IMAGES = REPO / "docs" / "img"
AXE_DIR = HERE / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"

VIEWPORT = {"width": 1000, "height": 700}


@pytest.fixture
def open_page(chromium, stack):
    """Factory: a page in a fresh browser context (own cookies), like a
    separate person on a separate laptop."""
    contexts = []

    def make(cookies: dict[str, str] | None = None) -> Page:
        context = chromium.new_context(base_url=stack.url, viewport=VIEWPORT, locale="id-ID")
        context.set_default_timeout(30_000)
        context.set_default_navigation_timeout(60_000)
        if cookies:
            context.add_cookies([{"name": k, "value": v, "url": stack.url} for k, v in cookies.items()])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


class Screenshots:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def __call__(self, page: Page, step: str, readme: str | None = None) -> Path:
        """Save a screenshot of this step; `readme` also saves docs/img/<readme>.png
        when BALAIKODE_README_SCREENSHOTS=1."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path))
        if readme and os.environ.get("BALAIKODE_README_SCREENSHOTS") == "1":
            README_IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(README_IMAGES / f"{readme}.png"))
        return path


@pytest.fixture
def screenshot(request) -> Screenshots:
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return Screenshots(SCREENSHOTS / name)


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("npm is needed once to install axe-core into tests/browser/axe (apt-get install npm)")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    return AXE_JS


@pytest.fixture
def check_accessibility(axe_js, request):
    """Run axe-core on the page; fail on serious or critical violations."""

    def check(page: Page, name: str) -> list[dict]:
        page.add_script_tag(path=str(axe_js))
        results = page.evaluate("""async () => await axe.run(document, {
            resultTypes: ["violations"],
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
        })""")
        violations = results["violations"]
        report = SCREENSHOTS / "axe"
        report.mkdir(parents=True, exist_ok=True)
        (report / f"{name}.json").write_text(json.dumps(violations, indent=2))
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: accessibility problems:\n" + "\n".join(
            f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}x) e.g. "
            f"{v['nodes'][0]['html'][:200]} {v['nodes'][0].get('failureSummary', '')}"
            for v in bad)
        return violations

    return check
