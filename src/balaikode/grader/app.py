"""HTTP API of the grader service (a JupyterHub service at /services/grader).

POST /services/grader/execute  {course, notebook, kernel, cell_timeout, notebook_timeout}
POST /services/grader/collect  {course, assignment}
POST /services/grader/submit   {course, assignment, token, files: {path: base64}}
POST /services/grader/roster   {course} -> {course, learners: {name: full name or null}}
POST /services/grader/progress {course, chart} -> the course's progress (progress.py)
POST /services/grader/exchange/released {course} -> {assignments: {name: [notebooks]}}
POST /services/grader/exchange/assignment {course, assignment} -> {files: {path: base64}}
POST /services/grader/exchange/feedback {course, hashes} -> {feedback: {hash: base64}}

Callers authenticate with their JupyterHub token in the Authorization header
(one given the grader's scope, balaikode/grader_scope.py), checked by
JupyterHub's own service auth (HubAuth), before any byte of the
body is read (GraderHandler). Execute, collect and roster serve only
trainers of the course (members of formgrade-COURSE); submit serves its
learners and trainers, and files the submission under the caller's own
name; so do the exchange reads (exchange_read.py), for learners' servers
that do not mount the exchange. Progress serves the course's trainers and the hub's admins (the
whole class) and its learners (each her own row only). The roster is how a
trainer's server fills its nbgrader gradebook with the learners' full
names: their servers' tokens cannot read the hub's courses, the grader's
can.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import logging
import os
from datetime import datetime, timezone

import docker
from jupyterhub.services.auth import HubAuth
from tornado import httpclient, web

from .. import names
from ..grader_scope import GRADER_SCOPE, grants_grader
from ..paths import GRADER_TOKEN
from ..profiles import course_image
from ..settings import SettingsError, load_settings
from . import exchange, exchange_read, progress, sandbox
from .intake import ByteBudget, PathOnlyLogs, log_request

log = logging.getLogger("balaikode.grader")
# Each route's largest body, refused (413) from its Content-Length before it
# is read. A submission is at most 20 MB of files (deposit.MAX_BYTES), base64
# in JSON. /execute gets one notebook of a submission from a trainer's
# autograde (balaikode_nbgrader.sandbox_client), as a JSON string in JSON:
# escaping can double it. /collect gets a course and an assignment name.
MAX_SUBMIT_BODY = 32 * 2**20
MAX_EXECUTE_BODY = 64 * 2**20
MAX_COLLECT_BODY = 64 * 2**10
# A client that trickles its body is cut off; the server-wide body cap is the
# largest route's (each route lowers it for its own bodies).
LISTEN_OPTIONS = {"body_timeout": 120, "max_body_size": MAX_EXECUTE_BODY}


class Settings:
    """The site settings (same schema and checks as the hub) this service uses."""

    hub_api = "http://hub:8081/hub/api"
    token_file = str(GRADER_TOKEN)
    # How long the hub's answer about a caller's token is trusted: a token
    # the hub revokes (server stopped, user deleted, token expired) stops
    # working here at most this many seconds later. A trainer's autograde
    # calls /execute once per notebook; they share one hub lookup per window.
    token_cache_seconds = 10
    # Bodies held at once by all callers together (intake.ByteBudget): the
    # grader's memory limit is 1 GB, and a body is held about three times
    # over while it is parsed and handed to its job. More is answered 503.
    upload_buffer_bytes = 128 * 2**20

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


HUB_DOWN = "Hub tidak menjawab; coba lagi sebentar lagi. (The hub did not answer.)"
BUSY = ("Layanan penilai sedang sibuk menerima kiriman lain; coba lagi sebentar lagi. "
        "(The grader is busy; try again shortly.)")


@web.stream_request_body
class GraderHandler(PathOnlyLogs):
    """A POST whose body is kept only once its caller is known and allowed
    (prepare), streamed so that tornado does not read it first. Without a
    token, with a token the hub does not accept, from a caller this route
    does not serve (or whose token was not given the grader's scope,
    balaikode/grader_scope.py), for a second upload of the same caller on
    this route, or when all uploads together would hold too many bytes, the body is read
    into nothing and the refusal sent after it: a server that answers and
    closes while its client is still sending resets the connection, and the
    proxy in between (configurable-http-proxy) then answers 503, or stops
    passing the body on and leaves the sender hanging, instead of passing
    on the refusal. Only a client that waits for "100 Continue" is refused
    at once. Bodies over the route's cap are refused from their
    Content-Length, and the connection closed, without being read."""

    body_cap = MAX_COLLECT_BODY
    # Whether the caller's slot on this route is kept until the answer
    # (not only while the body arrives).
    hold_slot_until_answered = False
    busy = BUSY
    again = ("Kirimanmu yang sebelumnya masih diterima; tunggu sebentar lalu coba lagi. "
             "(An upload of yours is still being received.)")

    def initialize(self, settings: Settings, hub_auth: HubAuth, docker_client,
                   slots: asyncio.Semaphore, course_locks: dict[str, asyncio.Lock],
                   uploading: set[tuple[str, str]], budget: ByteBudget, trainers: TrainerList):
        self.config = settings
        self.hub_auth = hub_auth
        self.docker = docker_client
        self.slots = slots
        self.course_locks = course_locks
        self.uploading = uploading  # (route, caller) of bodies being received
        self.budget = budget
        self.trainers = trainers
        self.chunks: list[bytes] = []
        self.refusal: web.HTTPError | None = None  # decided in prepare; the body is thrown away
        self.reserved = 0      # bytes of self.budget this request holds
        self.slot = None       # (route, caller) this request holds in self.uploading
        self.handling = False  # its body was handed to handle(), which still runs

    async def prepare(self):
        self.request.connection.set_max_body_size(self.body_cap)
        length = self.declared_length()
        try:
            await self.admit(length)
        except web.HTTPError as refusal:
            if self.request.headers.get("Expect", "").lower() == "100-continue":
                raise  # the client waits for our word before it sends the body
            self.refusal = refusal  # sent once the body has been read into nothing

    def declared_length(self) -> int:
        """The body's Content-Length: without one (a chunked body) the grader
        could not tell how much it is about to hold, so it does not read it."""
        length = self.request.headers.get("Content-Length")
        if length is None:
            raise web.HTTPError(411, "Content-Length required")
        if not length.isdigit():
            raise web.HTTPError(400, "bad Content-Length")
        length = int(length)
        if length > self.body_cap:
            raise web.HTTPError(413, f"body over {self.body_cap} bytes")
        return length

    async def admit(self, length: int) -> None:
        """Who may send this body, checked before it is read: 401 without a
        token, 403 for a token the hub does not accept, a token without the
        grader's scope or a caller the route does not serve, 429 for a second upload of one caller on one route,
        503 when the uploads already held are too many bytes. (Not the
        HubAuthenticated mixin: its get_current_user asks the hub
        synchronously, which would stop every other request and upload while
        the hub answers.)"""
        if not self.hub_auth.get_token(self):
            raise web.HTTPError(401, "JupyterHub token required")
        try:
            caller = await self.hub_auth.get_user(self, sync=False)
        except web.HTTPError as error:
            raise self.hub_unreachable(error) from None
        if caller is None:
            raise web.HTTPError(403, "invalid token")
        if not grants_grader(caller.get("scopes", ())):
            log.warning("Refused %s on %s: token without %s", caller.get("name"),
                        self.request.path, GRADER_SCOPE)
            raise web.HTTPError(403, f"token without the scope {GRADER_SCOPE}")
        self.current_user = caller
        await self.check_caller(caller)
        slot = (self.request.path, caller["name"])
        if slot in self.uploading:
            raise web.HTTPError(429, self.again)
        if not self.budget.reserve(length):
            log.warning("Refused an upload of %d bytes from %s: %d of %d bytes held",
                        length, caller["name"], self.budget.reserved, self.budget.limit)
            raise web.HTTPError(503, self.busy)
        self.reserved = length
        self.uploading.add(slot)
        self.slot = slot

    async def check_caller(self, caller: dict) -> None:
        """Route-specific: refuse, before the body, callers the route never serves."""

    @staticmethod
    def hub_unreachable(error: web.HTTPError) -> web.HTTPError:
        # HubAuth's message names hosts and URLs: for the log, not the caller.
        log.error("Could not ask the hub: %s", error.log_message)
        return web.HTTPError(502, HUB_DOWN)

    def data_received(self, chunk: bytes) -> None:
        if self.refusal is None:
            self.chunks.append(chunk)

    async def post(self):
        if self.refusal is not None:
            raise self.refusal
        self.request.body = b"".join(self.chunks)
        self.chunks = []
        if not self.hold_slot_until_answered:
            self.free_slot()
        self.handling = True
        try:
            await self.handle()
        finally:
            self.handling = False
            self.give_back()

    async def handle(self) -> None:
        raise NotImplementedError

    def free_slot(self) -> None:
        self.uploading.discard(self.slot)
        self.slot = None

    def give_back(self) -> None:
        self.free_slot()
        self.budget.release(self.reserved)
        self.reserved = 0
        self.chunks = []

    def on_finish(self) -> None:
        self.give_back()

    def on_connection_close(self) -> None:
        if self.refusal is not None and not self._finished:
            # Hung up before sending the body: log the refusal all the same.
            self.set_status(self.refusal.status_code)
            self.application.log_request(self)
        if not self.handling:
            # A caller who hangs up while her request is handled keeps its
            # slot and bytes until it ends: else hanging up would lift the
            # one-at-a-time limit (post gives them back).
            self.give_back()
        super().on_connection_close()

    def write_error(self, status_code, **kwargs):
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            reason = exc.log_message
        self.finish({"message": reason})

    async def course(self, course: str) -> dict | None:
        """The hub's course model (balaikode_hub.courses), read with the grader's own token."""
        try:
            return await hub_get(self.config, f"balaikode/courses/{course}")
        except httpclient.HTTPClientError as error:
            if error.code in (401, 403, 404):
                return None
            raise

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


async def hub_get(settings: Settings, path: str):
    """GET hub_api/path with the grader's own token; the decoded JSON."""
    request = httpclient.HTTPRequest(f"{settings.hub_api}/{path}",
                                     headers={"Authorization": f"token {settings.token}"})
    response = await httpclient.AsyncHTTPClient().fetch(request)
    return json.loads(response.body)


class TrainerList:
    """Who trains some course, from the hub's course list, asked at most
    once per token_cache_seconds. /execute and /collect name their course in
    the body (the trainers' nbgrader sends it there); this list lets them
    refuse a learner, or a service, before that body is read. Whether the
    caller trains the course the body names is checked after, as before."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.names: frozenset[str] = frozenset()
        self.asked_at = float("-inf")
        self.asking = asyncio.Lock()

    # A name not in the list is asked again, but not more often than this: a
    # trainer added to a course a moment ago (whose server asks for its roster
    # as it starts) waits at most this long instead of being refused for the
    # whole cache time, and a flood of strangers costs the hub one course
    # list per second at most.
    MISS_SECONDS = 1.0

    async def includes(self, name: str) -> bool:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        if name in self.names and arrived - self.asked_at <= self.settings.token_cache_seconds:
            return True
        async with self.asking:
            # A list asked after this caller arrived already answers for her.
            if self.asked_at < arrived:
                wait = self.asked_at + self.MISS_SECONDS - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                started = loop.time()
                courses = await hub_get(self.settings, "balaikode/courses")
                self.names = frozenset(name for course in courses for name in course["trainers"])
                self.asked_at = started
        return name in self.names


class TrainerRoute(GraderHandler):
    """Routes for trainers only: anyone who trains no course is refused before the body."""

    async def check_caller(self, caller: dict) -> None:
        try:
            trainer = caller.get("kind") == "user" and await self.trainers.includes(caller["name"])
        except (httpclient.HTTPClientError, OSError) as error:
            log.error("Could not read the course list from the hub: %s", error)
            raise web.HTTPError(502, HUB_DOWN) from None
        if not trainer:
            log.warning("Refused %s on %s: trains no course", caller.get("name"), self.request.path)
            raise web.HTTPError(403, f"{caller.get('name')} is not a trainer of any course")


class ExecuteHandler(TrainerRoute):
    """One notebook of a submission, run in a sandbox of its own. A trainer's
    autograde sends several at once (balaikode_nbgrader.sandbox_client); each
    caller may have BALAIKODE_SANDBOX_PARALLEL running or waiting, more are
    answered 429 (her client then waits and sends again), so one trainer
    cannot queue unbounded sandboxes. All callers together run at most that
    many at a time (slots)."""

    body_cap = MAX_EXECUTE_BODY
    too_many = ("Terlalu banyak notebook dinilai sekaligus; tunggu yang sedang berjalan. "
                "(Too many executions at once for this caller.)")

    def initialize(self, executing: collections.Counter, **shared):
        super().initialize(**shared)
        self.executing = executing

    async def handle(self):
        if self.executing[self.current_user["name"]] >= self.config.max_parallel:
            raise web.HTTPError(429, self.too_many)
        self.executing[self.current_user["name"]] += 1
        try:
            await self.execute()
        finally:
            self.executing[self.current_user["name"]] -= 1

    async def execute(self):
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


class CollectHandler(TrainerRoute):
    body_cap = MAX_COLLECT_BODY

    async def handle(self):
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


class RosterHandler(TrainerRoute):
    """The course's learners and their full names (null: none set yet), for
    the trainer's gradebook (balaikode_nbgrader/roster.py)."""

    body_cap = MAX_COLLECT_BODY  # a course name

    async def handle(self):
        course = await self.trainer_course(self.json_body().get("course", ""))
        names = course.get("full_names") or {}
        self.finish({"course": course["course"],
                     "learners": {name: names.get(name) for name in sorted(course["learners"])}})


class SubmitHandler(GraderHandler):
    """A learner's submission, written by a deposit job (learners cannot write
    the exchange themselves). One job per course at a time, so that two quick
    submissions of one learner are both counted against her quota. One
    submission per caller at a time, until it is written: a learner who
    fires many large uploads at once gets 429s, not the grader's memory."""

    body_cap = MAX_SUBMIT_BODY
    hold_slot_until_answered = True
    busy = "Pengumpulan GAGAL: " + BUSY
    again = ("Pengumpulan GAGAL: kirimanmu yang sebelumnya masih diproses; "
             "tunggu sebentar lalu kirim lagi. (A submission of yours is still being written.)")

    async def handle(self):
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


class ExchangeReadHandler(GraderHandler):
    """A read of a course's exchange by one of its learners or trainers
    (exchange_read.py). One read per caller and route at a time (each is a
    Docker container created and removed): a second at once gets 429."""

    hold_slot_until_answered = True
    again = ("Permintaanmu yang sebelumnya masih diproses; coba lagi sebentar lagi. "
             "(A request of yours is still being answered.)")

    def what(self, body: dict):
        """The read, as a function of an ExchangeReader (checked body)."""
        raise NotImplementedError

    def answer(self, body: dict, course: str, found) -> dict:
        raise NotImplementedError

    async def handle(self):
        body = self.json_body()
        course = (await self.course_member(body.get("course", ""), ("learners", "trainers")))["course"]
        read = self.what(body)
        labels = {"balaikode.project": self.config.project, "balaikode.course": course,
                  "balaikode.learner": self.caller}

        def reading():
            with exchange_read.ExchangeReader(self.docker, self.config.image, self.config.project,
                                              course, labels) as reader:
                return read(reader)
        try:
            found = await asyncio.to_thread(reading)
        except docker.errors.NotFound:
            found = None  # the course has no exchange volume yet: nothing released
        except exchange_read.TooBig as error:
            raise web.HTTPError(413, str(error)) from None
        log.info("Exchange read %s of %s for %s", self.request.path.rsplit("/", 1)[1], course,
                 self.caller)
        self.finish(self.answer(body, course, found))


def base64_values(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


class ReleasedHandler(ExchangeReadHandler):
    def what(self, body):
        return exchange_read.ExchangeReader.released

    def answer(self, body, course, found):
        return {"assignments": found or {}}


class AssignmentHandler(ExchangeReadHandler):
    def what(self, body):
        assignment = body.get("assignment", "")
        if not names.is_valid("assignment", assignment):
            raise web.HTTPError(400, "bad assignment name")
        return lambda reader: reader.assignment(assignment)

    def answer(self, body, course, found):
        if found is None:
            raise web.HTTPError(404, f"Tugas {body['assignment']} belum dibagikan di kursus "
                                     f"{course}. (Not released.)")
        return {"files": base64_values(found)}


class FeedbackHandler(ExchangeReadHandler):
    def what(self, body):
        hashes = exchange_read.valid_hashes(body.get("hashes"))
        if hashes is None:
            raise web.HTTPError(400, "hashes must be a list of at most "
                                     f"{exchange_read.MAX_HASHES} feedback names")
        return lambda reader: reader.feedback(hashes)

    def answer(self, body, course, found):
        return {"feedback": base64_values(found or {})}


class ProgressHandler(GraderHandler):
    """The course's progress for the hub's page (balaikode_hub/progress_page.py),
    which calls with a short-lived token of the person looking."""

    body_cap = MAX_COLLECT_BODY  # a course name and the chart's words

    def initialize(self, summaries: progress.Summaries, **shared):
        super().initialize(**shared)
        self.summaries = summaries

    async def viewer_course(self, course: str) -> tuple[dict, bool]:
        """The course, and whether the caller sees the whole class."""
        caller = self.current_user
        if caller.get("kind") == "user" and caller.get("admin"):
            if not names.is_valid("course", course):
                raise web.HTTPError(400, "bad course id")
            model = await self.course(course)
            if model is None:
                raise web.HTTPError(404, f"no course {course}")
            self.caller = caller["name"]
            return model, True
        model = await self.course_member(course, ("trainers", "learners"))
        return model, self.caller in model["trainers"]

    async def handle(self):
        body = self.json_body()
        model, whole_class = await self.viewer_course(body.get("course", ""))
        try:
            # Learners get no chart: no words, no chart job for them.
            words = progress.chart_words(body.get("chart")) if whole_class else None
        except ValueError as error:
            raise web.HTTPError(400, str(error)) from None
        name = model["course"]
        key = (name, tuple(sorted(model["learners"])), tuple(sorted((words or {}).items())))
        summary = await self.summaries.get(key, lambda: asyncio.to_thread(
            progress.read_progress, self.docker, self.config.image, self.config.project,
            model, words, self.labels(name)))
        log.info("Progress of %s for %s", name, self.caller)
        self.finish({"course": name, "whole_class": whole_class,
                     **(summary if whole_class else progress.for_learner(summary, self.caller))})


class HealthHandler(web.RequestHandler):
    def get(self):
        self.finish({"ok": True})


def make_app(settings: Settings, docker_client: docker.DockerClient | None = None) -> web.Application:
    shared = {"settings": settings, "hub_auth": make_hub_auth(settings),
              "docker_client": docker_client or docker.from_env(),
              "slots": asyncio.Semaphore(settings.max_parallel), "course_locks": {},
              "uploading": set(), "budget": ByteBudget(settings.upload_buffer_bytes),
              "trainers": TrainerList(settings)}
    prefix = "/services/grader"
    return web.Application([
        (f"{prefix}/?", HealthHandler),
        (f"{prefix}/health", HealthHandler),
        (f"{prefix}/execute", ExecuteHandler, {**shared, "executing": collections.Counter()}),
        (f"{prefix}/collect", CollectHandler, shared),
        (f"{prefix}/submit", SubmitHandler, shared),
        (f"{prefix}/roster", RosterHandler, shared),
        (f"{prefix}/exchange/released", ReleasedHandler, shared),
        (f"{prefix}/exchange/assignment", AssignmentHandler, shared),
        (f"{prefix}/exchange/feedback", FeedbackHandler, shared),
        (f"{prefix}/progress", ProgressHandler, {**shared, "summaries": progress.Summaries()}),
    ], log_function=log_request)


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
