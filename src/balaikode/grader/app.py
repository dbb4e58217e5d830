"""HTTP API of the grader service (a JupyterHub service at /services/grader).

POST /services/grader/execute  {course, notebook, kernel, cell_timeout, notebook_timeout}
POST /services/grader/collect  {course, assignment}
POST /services/grader/submit   {course, assignment, token, files: {path: base64}}
POST /services/grader/roster   {course} -> {course, learners: {name: full name or null}}

Callers authenticate with their JupyterHub token in the Authorization header,
checked by JupyterHub's own service auth (HubAuth). Execute, collect and
roster serve only trainers of the course (members of formgrade-COURSE);
submit serves its learners and trainers, and files the submission under the
caller's own name. The roster is how a trainer's server fills its nbgrader
gradebook with the learners' full names: their servers' tokens cannot read
the hub's courses, the grader's can.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from datetime import datetime, timezone

import docker
from jupyterhub.services.auth import HubAuth
from tornado import httpclient, web

from .. import names
from ..paths import GRADER_TOKEN
from ..profiles import course_image
from ..settings import SettingsError, load_settings
from . import exchange, sandbox

log = logging.getLogger("balaikode.grader")
# A submission is at most 20 MB of files (deposit.MAX_BYTES), base64 in JSON.
MAX_SUBMIT_BODY = 32 * 2**20
# A client that trickles its body is cut off; bodies over the largest
# route's limit (a trainer's notebook to execute, JSON-escaped) are refused
# before they are read; /submit lowers it for its own bodies.
LISTEN_OPTIONS = {"body_timeout": 120, "max_body_size": 64 * 2**20}


class Settings:
    """The site settings (same schema and checks as the hub) this service uses."""

    hub_api = "http://hub:8081/hub/api"
    token_file = str(GRADER_TOKEN)
    # How long the hub's answer about a caller's token is trusted: a token
    # the hub revokes (server stopped, user deleted, token expired) stops
    # working here at most this many seconds later. A trainer's autograde
    # calls /execute once per notebook; they share one hub lookup per window.
    token_cache_seconds = 10

    def __init__(self, environ=os.environ):
        values = load_settings(environ)
        self.values = values
        self.project = environ["COMPOSE_PROJECT_NAME"]
        self.image = values["BALAIKODE_LEARNER_IMAGE"]
        self.limits = sandbox.SandboxLimits(memory=values["BALAIKODE_SANDBOX_MEM_LIMIT"])
        self.max_parallel = values["BALAIKODE_SANDBOX_PARALLEL"]
        self.max_notebook_timeout = values["BALAIKODE_GRADING_NOTEBOOK_TIMEOUT"]
        self.submission_quota = values["BALAIKODE_SUBMISSION_QUOTA"]

    @property
    def token(self) -> str:
        with open(self.token_file) as handle:
            return handle.read().strip()


class HeaderTokenAuth(HubAuth):
    """JupyterHub's service auth, reading the token from the Authorization
    header only. HubAuth never reads cookies (only HubOAuth does), so a
    learner's browser cannot be made to call the grader cross-site with her
    cookies. But HubAuth also takes ``?token=`` from the URL of any request
    that says it is a websocket (and of every request if
    allow_token_in_url is set): URLs end up in logs and Referer headers, so
    the grader does not read tokens there."""

    def get_token(self, handler, in_cookie=True):
        header = handler.request.headers.get(self.auth_header_name, "")
        match = self.auth_header_pat.match(header)
        return match.group(1) if match else None


def make_hub_auth(settings: Settings) -> HeaderTokenAuth:
    # Callers are identified with their own token (GET /hub/api/user), so
    # HubAuth needs no token of the grader's; the grader's token is used
    # only to read courses (self.course).
    return HeaderTokenAuth(api_url=settings.hub_api, cache_max_age=settings.token_cache_seconds)


class GraderHandler(web.RequestHandler):
    def initialize(self, settings: Settings, hub_auth: HubAuth, docker_client,
                   slots: asyncio.Semaphore, course_locks: dict[str, asyncio.Lock],
                   uploading: set[str]):
        self.config = settings
        self.hub_auth = hub_auth
        self.docker = docker_client
        self.slots = slots
        self.course_locks = course_locks
        self.uploading = uploading  # callers whose submission is being received

    async def prepare(self):
        """Every request is made by someone the hub knows: 401 without a
        token, 403 for a token the hub does not accept. Runs before the body
        of a streamed upload is read. (Not the HubAuthenticated mixin: its
        get_current_user asks the hub synchronously, which would stop every
        other request and upload while the hub answers.)"""
        if not self.hub_auth.get_token(self):
            raise web.HTTPError(401, "JupyterHub token required")
        try:
            caller = await self.hub_auth.get_user(self, sync=False)
        except web.HTTPError as error:
            # HubAuth's message names hosts and URLs: for the log, not the caller.
            log.error("Could not check a token with the hub: %s", error.log_message)
            raise web.HTTPError(502, "Hub tidak menjawab; coba lagi sebentar lagi. "
                                     "(The hub did not answer.)") from None
        if caller is None:
            raise web.HTTPError(403, "invalid token")
        self.current_user = caller

    def write_error(self, status_code, **kwargs):
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            reason = exc.log_message
        self.finish({"message": reason})

    async def course(self, course: str) -> dict | None:
        """The hub's course model (balaikode_hub.courses), read with the grader's own token."""
        request = httpclient.HTTPRequest(f"{self.config.hub_api}/balaikode/courses/{course}",
                                         headers={"Authorization": f"token {self.config.token}"})
        try:
            response = await httpclient.AsyncHTTPClient().fetch(request)
        except httpclient.HTTPClientError as error:
            if error.code in (401, 403, 404):
                return None
            raise
        return json.loads(response.body)

    async def course_member(self, course: str, roles: tuple[str, ...]) -> dict:
        """The course model if the caller has one of `roles` in it; else 400/403/404."""
        caller = self.current_user
        if not names.is_valid("course", course):
            raise web.HTTPError(400, "bad course id")
        model = await self.course(course)
        if model is None:
            raise web.HTTPError(404, f"no course {course}")
        if caller.get("kind") != "user" or not any(caller["name"] in model[role] for role in roles):
            what = " or ".join(role.rstrip("s") for role in roles)
            log.warning("Refused %s: not a %s of %s", caller.get("name"), what, course)
            raise web.HTTPError(403, f"{caller.get('name')} is not a {what} of {course}")
        self.caller = caller["name"]
        return model

    async def trainer_course(self, course: str) -> dict:
        return await self.course_member(course, ("trainers",))

    def json_body(self) -> dict:
        """The request's JSON object; anything else is the caller's mistake (400), not ours."""
        try:
            body = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPError(400, "body is not JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "body must be a JSON object")
        return body

    def whole_number(self, body: dict, key: str, default: int) -> int:
        value = body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise web.HTTPError(400, f"{key} must be a whole number of seconds")
        return value

    def labels(self, course: str) -> dict[str, str]:
        return {"balaikode.project": self.config.project, "balaikode.course": course,
                "balaikode.trainer": self.caller}


class ExecuteHandler(GraderHandler):
    async def post(self):
        body = self.json_body()
        course = body.get("course", "")
        await self.trainer_course(course)
        notebook = body.get("notebook", "")
        problem = sandbox.notebook_problem(notebook)
        if problem:
            raise web.HTTPError(400, problem)
        kernel = body.get("kernel", "python3")
        if not names.is_valid("assignment", kernel):
            raise web.HTTPError(400, "bad kernel name")
        cell_timeout = max(1, min(self.whole_number(body, "cell_timeout", 30), 600))
        notebook_timeout = max(5, min(self.whole_number(body, "notebook_timeout", 300),
                                      self.config.max_notebook_timeout))
        # The course's learner image (web-* courses: the web-dev image with
        # node, php and deno), so submissions run where they were written.
        image = course_image(self.config.values, course)
        async with self.slots:
            result = await asyncio.to_thread(
                sandbox.run_notebook, self.docker, image, notebook,
                kernel=kernel, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout,
                limits=self.config.limits, labels=self.labels(course))
        log.info("Executed %s/%s/%s for %s: %s", course, body.get("student"),
                 body.get("notebook_name"), self.caller, result.problem or "ok")
        self.finish({"notebook": result.notebook, "problem": result.problem})


class CollectHandler(GraderHandler):
    async def post(self):
        body = self.json_body()
        course = await self.trainer_course(body.get("course", ""))
        assignment = body.get("assignment", "")
        if not names.is_valid("assignment", assignment):
            raise web.HTTPError(400, "bad assignment name")
        report = await asyncio.to_thread(
            exchange.collect, self.docker, self.config.image, self.config.project,
            course, assignment, self.labels(course["course"]))
        log.info("Collected %s/%s for %s: %d collected, %d rejected", course["course"],
                 assignment, self.caller, len(report["collected"]), len(report["rejected"]))
        for item in report["rejected"]:
            log.warning("Rejected submission %s: %s", item["entry"], item["reason"])
        self.finish(report)


class RosterHandler(GraderHandler):
    """The course's learners and their full names (null: none set yet), for
    the trainer's gradebook (balaikode_nbgrader/roster.py)."""

    async def post(self):
        course = await self.trainer_course(self.json_body().get("course", ""))
        names = course.get("full_names") or {}
        self.finish({"course": course["course"],
                     "learners": {name: names.get(name) for name in sorted(course["learners"])}})


@web.stream_request_body
class SubmitHandler(GraderHandler):
    """A learner's submission, written by a deposit job (learners cannot write
    the exchange themselves). One job per course at a time, so that two quick
    submissions of one learner are both counted against her quota. The body
    is read only after the token is checked, and one at a time per caller:
    a learner who fires many large uploads at once gets 429s, not the
    grader's memory."""

    async def prepare(self):
        self.request.connection.set_max_body_size(MAX_SUBMIT_BODY)
        self.chunks: list[bytes] = []
        self.mine = None
        await super().prepare()
        name = self.current_user["name"]
        if name in self.uploading:
            raise web.HTTPError(429, "Pengumpulan GAGAL: kirimanmu yang sebelumnya masih diproses; "
                                     "tunggu sebentar lalu kirim lagi. (A submission of yours is "
                                     "still being written.)")
        self.uploading.add(name)
        self.mine = name

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def on_finish(self) -> None:
        self.uploading.discard(self.mine)

    def on_connection_close(self) -> None:
        self.uploading.discard(self.mine)
        super().on_connection_close()

    async def post(self):
        self.request.body = b"".join(self.chunks)
        self.chunks = []
        body = self.json_body()
        course = await self.course_member(body.get("course", ""), ("learners", "trainers"))
        name = course["course"]
        uid = course["learners"].get(self.caller) or course["trainers"][self.caller]
        # The time is the service's, not the learner's: a late submission
        # cannot be backdated (nbgrader reads timestamp.txt for late penalties).
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        files = body.get("files")
        if isinstance(files, dict):
            files = {**files, "timestamp.txt": base64.b64encode(stamp.encode()).decode()}
        request = {"learner": self.caller, "uid": uid, "gid": course["gid"],
                   "quota": self.config.submission_quota, "timestamp": stamp, "files": files,
                   **{key: body.get(key) for key in ("assignment", "token")}}
        try:
            async with self.course_locks.setdefault(name, asyncio.Lock()):
                report = await asyncio.to_thread(
                    exchange.deposit, self.docker, self.config.image, self.config.project,
                    name, request, {"balaikode.project": self.config.project,
                                    "balaikode.course": name, "balaikode.learner": self.caller})
        except exchange.Refused as refusal:
            log.warning("Refused submission of %s to %s: %s", self.caller, name, refusal.kind)
            status = {"quota": 409, "full": 507, "too-big": 413, "unknown": 404}.get(refusal.kind, 400)
            raise web.HTTPError(status, str(refusal)) from None
        log.info("Submission %s to %s (%d bytes, %d of %d used, %d old removed)", report["entry"],
                 name, report["bytes"], report["used"], report["quota"], len(report["removed"]))
        self.finish(report)


class HealthHandler(web.RequestHandler):
    def get(self):
        self.finish({"ok": True})


def make_app(settings: Settings, docker_client: docker.DockerClient | None = None) -> web.Application:
    shared = {"settings": settings, "hub_auth": make_hub_auth(settings),
              "docker_client": docker_client or docker.from_env(),
              "slots": asyncio.Semaphore(settings.max_parallel), "course_locks": {},
              "uploading": set()}
    prefix = "/services/grader"
    return web.Application([
        (f"{prefix}/?", HealthHandler),
        (f"{prefix}/health", HealthHandler),
        (f"{prefix}/execute", ExecuteHandler, shared),
        (f"{prefix}/collect", CollectHandler, shared),
        (f"{prefix}/submit", SubmitHandler, shared),
        (f"{prefix}/roster", RosterHandler, shared),
    ])


async def serve() -> None:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s grader] %(message)s")
    try:
        settings = Settings()
    except SettingsError as error:
        log.error("Refusing to start, fix these settings in .env: %s", "; ".join(error.problems))
        raise SystemExit(2)
    make_app(settings).listen(9000, "0.0.0.0", **LISTEN_OPTIONS)
    log.info("Grader service listening on :9000 (image %s)", settings.image)
    await asyncio.Event().wait()


def main() -> None:
    asyncio.run(serve())
