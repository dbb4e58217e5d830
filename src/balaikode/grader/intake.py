"""How much of callers' uploads the grader holds in memory, and its access
log. The grader has a 1 GB memory limit and the Docker socket: however
many callers upload at once, the bodies it holds stay under one cap."""

from __future__ import annotations

from tornado.log import access_log, app_log, gen_log
from tornado.web import HTTPError, RequestHandler


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


def where(handler: RequestHandler) -> str:
    """The request, for the log, without its query string: a caller who puts
    ?token=... in the URL (the grader never reads it there) must not have the
    token written to the log."""
    request = handler.request
    return f"{request.method} {request.path} ({request.remote_ip})"


class PathOnlyLogs(RequestHandler):
    """tornado's log lines for refusals and errors, with where() for the request
    (tornado's own write the whole URL, and the request's repr)."""

    def log_exception(self, typ, value, tb):
        if isinstance(value, HTTPError):
            if value.log_message:
                message = value.log_message % value.args if value.args else value.log_message
                gen_log.warning("%d %s: %s", value.status_code, where(self), message)
        else:
            app_log.error("Uncaught exception %s", where(self), exc_info=(typ, value, tb))


def log_request(handler: RequestHandler) -> None:
    """tornado's access log line, with where() for the request."""
    status = handler.get_status()
    if status < 400:
        method = access_log.info
    elif status < 500:
        method = access_log.warning
    else:
        method = access_log.error
    method("%d %s %.2fms", status, where(handler), 1000.0 * handler.request.request_time())
