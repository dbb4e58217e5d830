"""Stand-ins for the two remote services the grader talks to, for unit tests
of the grader's guards without a hub or Docker: a hub API that answers the
two calls the grader makes, and a Docker engine that runs no container but
records the exchange jobs it was asked for. Both are real HTTP servers on
localhost, so the grader's own HTTP clients (JupyterHub's HubAuth, tornado,
docker-py) do their real work; only the far side is small.

`Servers` runs them, and the grader itself, on an event loop in a thread, so
tests can call them with ordinary blocking clients, like real callers."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import tarfile
import threading
from collections import Counter
from datetime import datetime, timezone
from itertools import count

from balaikode.grader_scope import GRADER_SCOPE
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port


class FakeHub:
    """GET /hub/api/user, GET /hub/api/balaikode/courses and
    GET /hub/api/balaikode/courses/NAME, answered the way JupyterHub
    (SelfAPIHandler: 403 for a token it does not know) and
    balaikode_hub.courses (404 for no such course) answer them."""

    def __init__(self, service_token: str):
        self.service_token = service_token
        self.tokens: dict[str, dict] = {}   # token -> the model /hub/api/user returns
        self.courses: dict[str, dict] = {}  # name -> balaikode_hub.courses.course_model
        self.lookups: Counter[str] = Counter()  # token -> how often /hub/api/user was asked
        self.course_lists = 0  # how often /hub/api/balaikode/courses was asked

    def add_user(self, token: str, name: str, kind: str = "user", admin: bool = False,
                 grader_scope: bool = True) -> None:
        scopes = [f"read:users:name!user={name}"] + ([GRADER_SCOPE] if grader_scope else [])
        self.tokens[token] = {"kind": kind, "name": name, "admin": admin,
                              "scopes": scopes, "token_id": "t1"}

    def add_course(self, course: str, gid: int, trainers: dict[str, int],
                   learners: dict[str, int], full_names: dict[str, str] | None = None) -> None:
        names = {name: (full_names or {}).get(name) for name in {**trainers, **learners}}
        self.courses[course] = {"course": course, "gid": gid, "trainers": trainers,
                                "learners": learners, "full_names": names}

    def revoke(self, token: str) -> None:
        del self.tokens[token]

    def app(self) -> web.Application:
        hub = self

        class Handler(web.RequestHandler):
            def token(self) -> str:
                scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
                return token if scheme.lower() in ("token", "bearer") else ""

        class User(Handler):
            def get(self):
                token = self.token()
                hub.lookups[token] += 1
                if token not in hub.tokens:
                    raise web.HTTPError(403)
                self.finish(hub.tokens[token])

        class Courses(Handler):
            def get(self):
                if self.token() != hub.service_token:
                    raise web.HTTPError(403)
                hub.course_lists += 1
                self.finish(json.dumps([hub.courses[name] for name in sorted(hub.courses)]))

        class Course(Handler):
            def get(self, course):
                if self.token() != hub.service_token:
                    raise web.HTTPError(403)
                if course not in hub.courses:
                    raise web.HTTPError(404)
                self.finish(hub.courses[course])

        return web.Application([(r"/hub/api/user", User),
                                (r"/hub/api/balaikode/courses", Courses),
                                (r"/hub/api/balaikode/courses/([^/]+)", Course)])


def stdout_frames(data: bytes) -> bytes:
    """Docker's multiplexed log format (a container without a TTY): stream 1 is stdout."""
    return struct.pack(">BxxxL", 1, len(data)) + data


class FakeDockerEngine:
    """The part of the Docker engine API that grader.exchange.run_job uses:
    create, put_archive, start, wait, logs, remove. Nothing runs: a deposit
    job answers like balaikode_nbgrader.deposit does, a collector job with
    nothing collected. `jobs` records what each container was asked to do."""

    def __init__(self):
        self.jobs: list[dict] = []
        self.ids = count(1)
        # Cleared: every job's container "runs" until it is set again.
        self.jobs_may_end = threading.Event()
        self.jobs_may_end.set()

    def app(self) -> web.Application:
        engine = self
        containers: dict[str, dict] = {}

        class Create(web.RequestHandler):
            def post(self):
                config = json.loads(self.request.body)
                cid = f"{next(engine.ids):064x}"
                job = {"id": cid, "image": config["Image"], "entrypoint": config["Entrypoint"],
                       "labels": config["Labels"], "binds": config["HostConfig"].get("Binds", []),
                       "role": config["Labels"]["balaikode.role"], "request": None}
                containers[cid] = job
                engine.jobs.append(job)
                self.set_status(201)
                self.finish({"Id": cid, "Warnings": []})

        class Inspect(web.RequestHandler):
            def get(self, cid):
                job = containers[cid]
                self.finish({"Id": cid, "Image": job["image"], "Config": {"Tty": False}})

        class Archive(web.RequestHandler):
            def put(self, cid):
                with tarfile.open(fileobj=io.BytesIO(self.request.body)) as archive:
                    request = archive.extractfile("request.json").read()
                containers[cid]["request"] = json.loads(request)

        class Start(web.RequestHandler):
            def post(self, cid):
                self.set_status(204)

        class Wait(web.RequestHandler):
            async def post(self, cid):
                while not engine.jobs_may_end.is_set():
                    await asyncio.sleep(0.01)
                self.finish({"StatusCode": 0, "Error": None})

        class Logs(web.RequestHandler):
            def get(self, cid):
                job = containers[cid]
                if self.get_argument("stdout") == "1":
                    self.finish(stdout_frames(json.dumps(engine.output(job)).encode()))

        class Remove(web.RequestHandler):
            def delete(self, cid):
                containers.pop(cid)
                self.set_status(204)

        container = r"/v[0-9.]+/containers/([0-9a-f]+)"
        return web.Application([
            (r"/v[0-9.]+/containers/create", Create),
            (container + "/json", Inspect),
            (container + "/archive", Archive),
            (container + "/start", Start),
            (container + "/wait", Wait),
            (container + "/logs", Logs),
            (container, Remove),
        ])

    @staticmethod
    def output(job: dict) -> dict:
        if job["role"] == "deposit":
            request = job["request"]
            size = sum(len(content) for content in request["files"].values())
            return {"entry": f"{request['learner']}+{request['assignment']}+{request['timestamp']}",
                    "timestamp": request["timestamp"], "bytes": size, "used": size,
                    "quota": request["quota"], "removed": []}
        if job["role"] == "progress":
            # What progress_job.py makes of a gradebook where siti handed in tugas1.
            from balaikode.grader.progress_job import summarize
            request = job["request"]
            submitted = {("siti", "tugas1"): {"score": 4.0, "max_score": 5.0,
                                              "timestamp": None, "needs_manual_grade": False}}
            summary = summarize([{"name": "tugas1", "duedate": None, "max_score": 5.0}],
                                submitted, request["learners"], request["full_names"],
                                datetime.now(timezone.utc))
            return {**summary, "gradebook": True,
                    "chart": "UE5H" if request["chart"] else None}
        return {"collected": [], "rejected": []}


class Servers:
    """An event loop in a thread serving tornado applications on localhost ports."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[HTTPServer] = []

    def call(self, function, *args):
        """function(*args) run on the servers' loop (where tornado objects must be made)."""
        async def run():
            return function(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def serve(self, make_app, **options) -> int:
        """Serve make_app() on a free localhost port; the port."""
        def start() -> int:
            server = HTTPServer(make_app(), **options)
            sock, port = bind_unused_port()
            server.add_sockets([sock])
            self.servers.append(server)
            return port
        return self.call(start)

    def stop(self) -> None:
        async def close():
            for server in self.servers:
                server.stop()
                await server.close_all_connections()
        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()
