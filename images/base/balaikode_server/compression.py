"""gzip for the server's responses, icons included.

tornado compresses text, JavaScript, JSON and SVG, but not `.ico` files.
JupyterLab's favicon.ico (four sizes in one file) is 32 KB and 2.6 KB
gzipped: 30 KB less on every learner's first visit over a slow link.
"""

from __future__ import annotations

from tornado.web import GZipContentEncoding


class GZipWithIcons(GZipContentEncoding):
    CONTENT_TYPES = GZipContentEncoding.CONTENT_TYPES | {"image/x-icon", "image/vnd.microsoft.icon"}
