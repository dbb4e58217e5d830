"""Browsers keep the hub's Font Awesome files instead of asking again.

JupyterHub's style.min.css imports Font Awesome (two style sheets and a
113 KB webfont) by URLs without `?v=`, which JupyterHub serves with
`Cache-Control: no-cache`: three revalidations on every hub page a learner
opens, 150 ms or more each on a village link (bench/page_weight.py). They
change only when JupyterHub is upgraded, and then only which icons look how,
so browsers may keep them for a week without asking. Everything else keeps
JupyterHub's headers (its other static files carry `?v=` and are cached for
good already).
"""

from __future__ import annotations

from tornado.web import GZipContentEncoding, OutputTransform

FONT_AWESOME = "static/components/@fortawesome/"
A_WEEK = "public, max-age=604800"


class FontAwesomeCache(OutputTransform):
    prefix = "/hub/"

    def __init__(self, request):
        super().__init__(request)
        self.cacheable = request.path.startswith(self.prefix + FONT_AWESOME)

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self.cacheable and status_code in (200, 304):
            headers["Cache-Control"] = A_WEEK
        return status_code, headers, chunk


def transforms(hub_prefix: str) -> list[type[OutputTransform]]:
    """tornado's `transforms` for the hub: gzip (an explicit list replaces
    tornado's default one, which `compress_response` would have given) and
    the Font Awesome rule under the hub's own prefix."""
    here = type("FontAwesomeCacheHere", (FontAwesomeCache,), {"prefix": hub_prefix})
    return [GZipContentEncoding, here]
