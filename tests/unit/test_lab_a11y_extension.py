"""images/base/lab-a11y: Balai Kode's JupyterLab extension, plain JavaScript
that JupyterLab loads without a build step. The file parses, and its
hand-written module-federation container gives JupyterLab what it asks for:
one auto-started plugin, under the name and module package.json declares.
What the plugin does to the page is tested in a real browser
(tests/browser/test_browser_keyboard.py).

Node.js must be installed (it is on the development machines and in CI);
without it these tests fail, they are never skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "images" / "base" / "lab-a11y"
PACKAGE = json.loads((EXTENSION / "package.json").read_text())

# What JupyterLab's bootstrap does with a federated extension: run its
# script, init() the container, get() the module, call the factory.
LOAD = """
globalThis.window = {};
require(process.argv[1]);
const container = window._JUPYTERLAB[process.argv[2]];
container.init({}).then(() => container.get(process.argv[3])).then((factory) => {
  const module = factory();
  const plugins = module.__esModule ? module.default : module;
  console.log(JSON.stringify(plugins.map((p) => [p.id, p.autoStart, typeof p.activate])));
}).catch((error) => { console.log("ERROR " + error.message); });
"""


def node(*args: str) -> subprocess.CompletedProcess:
    path = shutil.which("node")
    assert path, "Node.js is needed (apt-get install nodejs)"
    return subprocess.run([path, *args], capture_output=True, text=True, timeout=30)


def test_the_script_jupyterlab_loads_is_there_and_parses():
    build = PACKAGE["jupyterlab"]["_build"]
    script = EXTENSION / build["load"]
    assert script.is_file(), build["load"]
    checked = node("--check", str(script))
    assert checked.returncode == 0, checked.stderr


def test_its_container_gives_one_auto_started_plugin():
    build = PACKAGE["jupyterlab"]["_build"]
    loaded = node("-e", LOAD, str(EXTENSION / build["load"]), PACKAGE["name"], build["extension"])
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == [[f"{PACKAGE['name']}:plugin", True, "function"]]


def test_a_module_it_does_not_have_is_refused():
    build = PACKAGE["jupyterlab"]["_build"]
    loaded = node("-e", LOAD, str(EXTENSION / build["load"]), PACKAGE["name"], "./style")
    assert loaded.stdout.startswith("ERROR @balaikode/a11y has no ./style"), loaded.stdout
