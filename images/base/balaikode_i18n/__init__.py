"""JupyterLab and nbgrader in the hub's language (Bahasa Indonesia or English).

A jupyter-server extension for every learner's and trainer's server:

- JupyterLab's own texts come from its language pack (id_ID), completed and
  corrected at image build time (lab_strings.py). Which language the Lab
  starts in is the hub's choice (language.py): the settings JupyterLab reads
  at start get that as the default locale, so the hub's "English" / "Bahasa
  Indonesia" link switches the Lab too. A choice made in the Lab's own
  Settings > Language is kept (it is the person's saved setting).
- nbgrader has no translation layer: pages in Bahasa Indonesia (JupyterLab,
  the formgrader) load i18n.js (hub_config/templates/partials/
  translate-texts.js, shared with the hub's admin page), which replaces nbgrader's English texts by
  those of strings/nbgrader.id.json wherever nbgrader shows them. Feedback
  pages are translated as they are written (feedback.py).

Both are tornado output transforms, so nbgrader's and JupyterLab's handlers
are used as they are, whatever their version.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from tornado import web
from tornado.web import OutputTransform

from .language import LAB_LOCALES, request_language
from .table import for_browser

HERE = Path(__file__).parent
SCRIPT_PATH = "balaikode-i18n/i18n.js"
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
# Pages (below the server's base URL) that show nbgrader's texts.
PAGES = re.compile(r"(lab|tree|notebooks)(/.*)?$"
                   r"|(kursus/[^/]+/)?formgrader(/(?!api/|static/|submissions/[^/]+/.).*)?$")
SETTINGS = re.compile(r"lab/api/settings(/.*)?$")


# In the image next to this file; in the repository, where the hub has it.
SCRIPT_SOURCES = [HERE / "i18n.js",
                  HERE.parents[2] / "hub_config" / "templates" / "partials" / "translate-texts.js"]


@lru_cache(maxsize=1)
def script() -> bytes:
    source = next(p for p in SCRIPT_SOURCES if p.exists()).read_text(encoding="utf-8")
    return source.replace("__TABLE__", for_browser().as_json()).encode()


@lru_cache(maxsize=1)
def script_version() -> str:
    return hashlib.sha256(script()).hexdigest()[:12]


class ScriptHandler(web.RequestHandler):
    """i18n.js with its table: the same for everyone, nothing private."""

    def get(self):
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        # The URL carries the content's hash: a new table is a new URL.
        self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        self.finish(script())


def with_script(page: bytes, src: str) -> bytes:
    tag = f'<script src="{src}"></script>'.encode()
    head = page.find(b"</head>")
    return page if head < 0 else page[:head] + tag + page[head:]


def with_lab_locale(body: bytes, locale: str) -> bytes:
    """The settings JupyterLab reads, with `locale` as the translation
    plugin's default (a saved choice of the person still wins)."""
    data = json.loads(body)
    plugins = data.get("settings", []) if isinstance(data, dict) and "settings" in data else [data]
    for plugin in plugins:
        if isinstance(plugin, dict) and plugin.get("id") == TRANSLATION_PLUGIN:
            schema = plugin.get("schema", {}).get("properties", {}).get("locale")
            if isinstance(schema, dict):
                schema["default"] = locale
    return json.dumps(data).encode()


class Localize(OutputTransform):
    base_url = "/"

    def __init__(self, request):
        super().__init__(request)
        path = request.path[len(self.base_url):] if request.path.startswith(self.base_url) else None
        get = request.method == "GET" and path is not None
        self.language = request_language(request)
        self.page = get and bool(PAGES.match(path)) and self.language == "id"
        self.settings = get and bool(SETTINGS.match(path))

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        kind = headers.get("Content-Type", "")
        if status_code != 200 or not finishing:
            return status_code, headers, chunk
        if self.page and kind.startswith("text/html"):
            chunk = with_script(chunk, f"{self.base_url}{SCRIPT_PATH}?v={script_version()}")
        elif self.settings and kind.startswith("application/json"):
            chunk = with_lab_locale(chunk, LAB_LOCALES[self.language])
        else:
            return status_code, headers, chunk
        # The same URL answers differently per language: no shared caching,
        # no ETag of the untranslated body.
        headers.pop("Etag", None)
        headers["Vary"] = "Cookie"
        if "Content-Length" in headers:
            headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk


def follow_hub_language_in_schemas() -> None:
    """The menu bar and settings texts are translated by the server, in the
    locale the person saved in the Lab, else in the server's own (English):
    the hub's language is used instead when none was saved."""
    from jupyterlab_server.settings_handler import SettingsHandler
    from jupyterlab_server.settings_utils import get_settings
    from jupyterlab_server.translation_utils import L10N_SCHEMA_NAME

    saved_or_server = SettingsHandler.get_current_locale

    def get_current_locale(self) -> str:
        settings, _ = get_settings(self.app_settings_dir, self.schemas_dir, self.settings_dir,
                                   schema_name=L10N_SCHEMA_NAME, overrides=self.overrides,
                                   labextensions_path=self.labextensions_path)
        if settings.get("settings", {}).get("locale"):
            return saved_or_server(self)
        return LAB_LOCALES[request_language(self.request)]

    SettingsHandler.get_current_locale = get_current_locale


def _jupyter_server_extension_points():
    return [{"module": "balaikode_i18n"}]


def _load_jupyter_server_extension(serverapp):
    webapp = serverapp.web_app
    base = webapp.settings["base_url"]
    webapp.add_handlers(".*$", [(base + SCRIPT_PATH, ScriptHandler)])
    follow_hub_language_in_schemas()
    # First: it must see the page before gzip does.
    webapp.transforms.insert(0, type("LocalizeHere", (Localize,), {"base_url": base}))
