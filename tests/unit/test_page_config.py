"""What a learner's JupyterLab page asks the browser to download
(images/base/balaikode_server/page_config.py, compression.py)."""

import gzip
import json
from pathlib import Path

from tornado.httputil import HTTPHeaders, HTTPServerRequest

from balaikode_server.compression import GZipWithIcons
from balaikode_server.page_config import drop_disabled_extensions, install

LEARNER_PAGE_CONFIG = Path(__file__).parents[2] / "images/base/labconfig-learner/page_config.json"


def federated(*names):
    return [{"name": name, "load": f"static/remoteEntry.{i}.js", "extension": "./extension"}
            for i, name in enumerate(names)]


def test_an_extension_disabled_by_name_is_not_downloaded():
    page_config = {"disabledExtensions": ["@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader:formgrader"],
                   "federated_extensions": federated("@jupyter-widgets/jupyterlab-manager", "@jupyter/nbgrader",
                                                     "@balaikode/a11y")}
    result = drop_disabled_extensions(None, page_config)
    # One plugin of nbgrader off: nbgrader itself is still loaded (the learner's Assignments tab).
    assert [e["name"] for e in result["federated_extensions"]] == ["@jupyter/nbgrader", "@balaikode/a11y"]
    assert result["disabledExtensions"] == page_config["disabledExtensions"]
    # The handlers share the dict between requests (and trainers' pages need it whole).
    assert len(page_config["federated_extensions"]) == 3


def test_nothing_disabled_leaves_the_page_config_as_it_is():
    page_config = {"federated_extensions": federated("@jupyter/nbgrader")}
    assert drop_disabled_extensions(None, page_config) is page_config


def test_installed_after_jupyterhubs_hook_both_apply():
    def jupyterhub_hook(handler, page_config):
        page_config["hubPrefix"] = "/hub/"
        return page_config

    settings = {"page_config_hook": jupyterhub_hook}
    install(settings)
    page_config = {"disabledExtensions": ["jupyterlab_pygments"],
                   "federated_extensions": federated("jupyterlab_pygments", "@balaikode/a11y")}
    result = settings["page_config_hook"](None, page_config)
    assert result["hubPrefix"] == "/hub/"
    assert [e["name"] for e in result["federated_extensions"]] == ["@balaikode/a11y"]

    alone = {}
    install(alone)
    assert alone["page_config_hook"](None, dict(page_config))["federated_extensions"] == result["federated_extensions"]


def test_learners_keep_what_they_use():
    disabled = json.loads(LEARNER_PAGE_CONFIG.read_text())["disabledExtensions"]
    off = {name for name, value in disabled.items() if value}
    # nbgrader's Assignments and Validate, the accessibility extension, the web preview's launcher tile
    for kept in ("@jupyter/nbgrader", "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment",
                 "@balaikode/a11y", "@jupyterhub/jupyter-server-proxy",
                 "@jupyterlab/translation-extension", "@jupyterlab/translation-extension:translator"):
        assert kept not in off, kept
    assert "@jupyter-widgets/jupyterlab-manager" in off


def compressed(mime: str, body: bytes) -> tuple[HTTPHeaders, bytes]:
    request = HTTPServerRequest(method="GET", uri="/user/budi/static/favicons/favicon.ico",
                                headers=HTTPHeaders({"Accept-Encoding": "gzip"}))
    headers = HTTPHeaders({"Content-Type": mime})
    _, headers, chunk = GZipWithIcons(request).transform_first_chunk(200, headers, body, True)
    return headers, chunk


def test_icons_are_gzipped_like_text():
    icon = bytes(32038)
    for mime in ("image/x-icon", "image/vnd.microsoft.icon", "application/javascript"):
        headers, chunk = compressed(mime, icon)
        assert headers.get("Content-Encoding") == "gzip", mime
        assert gzip.decompress(chunk) == icon
    headers, _ = compressed("image/png", icon)
    assert "Content-Encoding" not in headers
