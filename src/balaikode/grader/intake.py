"""How much of callers' uploads the grader holds in memory, and its access
log. The grader has a 1 GB memory limit and the Docker socket: however
many callers upload at once, the bodies it holds stay under one cap."""

from __future__ import annotations

from tornado.log import access_log
from tornado.web import RequestHandler


class ByteBudget:
    """Bytes of request bodies being received or worked on, by all callers
    together. A request reserves its declared Content-Length before its body
    is read and gives it back when it is answered (or its caller hangs up)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.reserved = 0

    def reserve(self, size: int) -> bool:
        if self.reserved + size > self.limit:
            return False
        self.reserved += size
        return True

    def release(self, size: int) -> None:
        self.reserved -= size


def log_request(handler: RequestHandler) -> None:
    """tornado's access log line without the query string: a caller who puts
    ?token=... in the URL (the grader never reads it there) must not have the
    token written to the log."""
    status = handler.get_status()
    if status < 400:
        method = access_log.info
    elif status < 500:
        method = access_log.warning
    else:
        method = access_log.error
    request = handler.request
    method("%d %s %s (%s) %.2fms", status, request.method, request.path, request.remote_ip,
           1000.0 * request.request_time())
