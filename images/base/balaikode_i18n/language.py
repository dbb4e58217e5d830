"""Which language a page of this server is in: the hub's.

The hub's language link sets the `balaikode_lang` cookie for the whole site
(path /), so this server sees the person's choice on every request; without
one, the site's setting BALAIKODE_LANGUAGE, which the hub gives every server
(hub_config/balaikode_hub/apply.py)."""

from __future__ import annotations

import os

LANGUAGES = ("id", "en")
COOKIE = "balaikode_lang"
# JupyterLab's names for them (its language pack is id_ID).
LAB_LOCALES = {"id": "id_ID", "en": "en"}


def site_language() -> str:
    language = os.environ.get("BALAIKODE_LANGUAGE", "id")
    return language if language in LANGUAGES else "id"


def request_language(request) -> str:
    cookie = request.cookies.get(COOKIE)
    value = cookie.value if cookie is not None else None
    return value if value in LANGUAGES else site_language()
