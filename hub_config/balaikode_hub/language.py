"""The hub's pages in Bahasa Indonesia (default) or English.

How the language of a page is chosen, for each request:

1. the ``balaikode_lang`` cookie (``id`` or ``en``), set by the
   "English" / "Bahasa Indonesia" link at the top of every page
   (templates/page.html: a few lines of JavaScript set the cookie for a year
   and load the page again);
2. otherwise the site setting ``BALAIKODE_LANGUAGE`` (default ``id``).

The browser's Accept-Language is deliberately not used: donated and loaned
laptops often have an English browser while their user reads only Bahasa
Indonesia, so the site's choice is the better default.

How it reaches the templates (JupyterHub 5.5 and 6.1 have no per-request hook for
template variables; ``template_vars`` callables only receive the user):

- ``c.JupyterHub.jinja_environment_options`` loads ``LanguageExtension`` into
  both of JupyterHub's Jinja environments (async pages and sync error pages).
  It adds the globals ``tr(key, **values)``, ``page_language()``,
  ``language_name(code)``, ``error_text(kind, status_code)`` and the filters
  ``msg`` (a message made by Python code, such as auth.py's or JupyterHub's,
  in the page's language) and ``expiry_options`` (the token page's
  ``<option>`` labels).
- These functions take the Jinja context. Every JupyterHub page's context has
  ``static_url``, the handler's bound ``static_url`` method: its ``__self__``
  is the request handler, which gives the cookie. Without a handler (unit
  tests rendering a template alone) the site default is used.
- ``c.JupyterHub.template_vars`` carries the site default
  (``balaikode_language``), the minimum password length the sign-up page
  mentions and the admin names (the approval list marks them).

The texts themselves are in gettext catalogs (hub_config/locale, read by
catalog.py; how to translate: docs/translating.md). A template asking for a
key that does not exist fails loudly (tests/unit/test_language.py renders
every template in both languages).
"""

from __future__ import annotations

import html
import re
import sys
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from markupsafe import Markup, escape
from traitlets.config import Config

from balaikode.settings import LANGUAGES
from . import catalog

COOKIE = "balaikode_lang"
SITE_LANGUAGE_VAR = "balaikode_language"
MIN_PASSWORD_VAR = "balaikode_min_password_length"
ADMIN_USERS_VAR = "balaikode_admin_users"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@lru_cache(maxsize=1)
def catalogs() -> catalog.Catalogs:
    return catalog.load()


# Each key's text as (Bahasa Indonesia, English), from the catalogs.
TEXTS: dict[str, tuple[str, str]] = {
    key: (catalogs().text(key, "id"), catalogs().text(key, "en")) for key in catalogs().texts}


def translate_message(text: Any, language: str) -> Any:
    """A message made by Python code in `language`; anything else unchanged."""
    if not isinstance(text, str) or not text.strip():
        return text
    translated = catalogs().translate(text.strip(), language)
    return text if translated is None else translated


def choose_language(cookie: str | None, site_default: str | None) -> str:
    """The visitor's choice (cookie), else the site's, else Bahasa Indonesia."""
    for candidate in (cookie, site_default):
        if candidate and candidate.strip().lower() in LANGUAGES:
            return candidate.strip().lower()
    return LANGUAGES[0]


def text(key: str, language: str, **values: Any) -> str:
    """A key's text in `language`, values filled in (escaped in HTML texts)."""
    template = catalogs().text(key, language)
    if key.endswith("_html"):
        return Markup(template).format(**values)
    return template.format(**values)


def _request_handler(context):
    # JupyterHub passes its handler's bound static_url method to every page.
    return getattr(context.get("static_url"), "__self__", None)


@pass_context
def page_language(context) -> str:
    handler = _request_handler(context)
    cookie = None
    if handler is not None:
        try:
            cookie = handler.get_cookie(COOKIE)
        except Exception:  # noqa: BLE001 - a broken cookie header: use the default
            cookie = None
    return choose_language(cookie, context.get(SITE_LANGUAGE_VAR))


@pass_context
def tr(context, key: str, **values: Any) -> str:
    return text(key, page_language(context), **values)


@pass_context
def error_text(context, kind: str, status_code: Any) -> str:
    key = f"error.{kind}.{status_code}"
    return text(key if key in catalogs().texts else f"error.{kind}.other", page_language(context))


@pass_context
def msg_filter(context, value: Any) -> Any:
    return translate_message(value, page_language(context))


@pass_context
def expiry_options_filter(context, options_html: Any) -> Markup:
    """The labels of JupyterHub's token-expiry <option>s (trusted HTML) in the
    page's language."""
    language = page_language(context)

    def label(match: re.Match) -> str:
        return f">{escape(translate_message(html.unescape(match.group(1)), language))}<"

    return Markup(re.sub(r">([^<>]+)<", label, str(options_html or "")))


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


# JupyterHub's page.html opens with this, outside any block a template can
# override; screen readers and browsers (hyphenation, translation offers)
# need the page's real language before any script runs.
UPSTREAM_HTML_TAG = '<html lang="en">'
OUR_HTML_TAG = '<html lang="{{ page_language() }}">'


class LanguageExtension(Extension):
    """Adds tr(), page_language(), ... to JupyterHub's Jinja environments,
    and gives JupyterHub's own page.html the page's language."""

    def preprocess(self, source, name, filename=None):
        # JupyterHub's page.html reaches here as "page.html" (its prefix
        # loader passes the inner name on); ours extends it.
        if name in ("page.html", "templates/page.html") and "{% extends" not in source:
            if UPSTREAM_HTML_TAG not in source:
                raise RuntimeError(f"JupyterHub's page.html no longer has {UPSTREAM_HTML_TAG}: "
                                   "update balaikode_hub/language.py")
            source = source.replace(UPSTREAM_HTML_TAG, OUR_HTML_TAG, 1)
        return source

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals.update(
            tr=tr, page_language=page_language, language_name=language_name,
            error_text=error_text)
        environment.filters.update(msg=msg_filter, expiry_options=expiry_options_filter)


def apply_language(c: Config, s: dict[str, Any], d: Any) -> None:
    for problem in catalogs().problems:
        print(f"Balai Kode: a translation is not used, its English shows: {problem}",
              file=sys.stderr)
    c.JupyterHub.jinja_environment_options = {"extensions": [LanguageExtension]}
    c.JupyterHub.template_vars = {
        SITE_LANGUAGE_VAR: s["BALAIKODE_LANGUAGE"],
        MIN_PASSWORD_VAR: s["BALAIKODE_MIN_PASSWORD_LENGTH"],
        # The approval list shows admins as always approved (auth.py refuses
        # to withdraw an admin's approval).
        ADMIN_USERS_VAR: list(s["BALAIKODE_ADMIN_USERS"]),
    }
