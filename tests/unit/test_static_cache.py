"""Which hub responses browsers may keep (hub_config/balaikode_hub/static_cache.py),
on bare tornado objects."""

from tornado.httputil import HTTPHeaders, HTTPServerRequest
from tornado.web import GZipContentEncoding

from balaikode_hub import static_cache


def cache_control(path: str, status: int = 200) -> str | None:
    transform_class = static_cache.transforms("/hub/")[-1]
    headers = HTTPHeaders({"Cache-Control": "no-cache"})
    _, headers, _ = transform_class(HTTPServerRequest(method="GET", uri=path)).transform_first_chunk(
        status, headers, b"", True)
    return headers.get("Cache-Control")


def test_font_awesome_is_kept_for_a_week():
    for name in ("css/fontawesome.css", "css/solid.css", "webfonts/fa-solid-900.woff2"):
        path = f"/hub/static/components/@fortawesome/fontawesome-free/{name}"
        assert cache_control(path) == "public, max-age=604800", path
        assert cache_control(path, 304) == "public, max-age=604800", path


def test_everything_else_keeps_jupyterhubs_headers():
    for path in ("/hub/login", "/hub/static/css/style.min.css", "/hub/api/user",
                 "/user/siti/static/components/@fortawesome/x.css", "/hub/static/components/jquery/x.js"):
        assert cache_control(path) == "no-cache", path
    assert cache_control("/hub/static/components/@fortawesome/fontawesome-free/css/solid.css", 404) == "no-cache"


def test_the_hub_still_gzips():
    assert static_cache.transforms("/hub/")[0] is GZipContentEncoding
