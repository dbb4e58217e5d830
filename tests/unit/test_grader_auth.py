"""Who may use the grader service: its guards, on a real grader HTTP server
talking to a stand-in hub API and Docker engine on localhost
(support.grader_doubles). The real stack's tests (tests/security,
tests/integration) check the same paths against the real hub."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import socket
import time
import tracemalloc

import docker
import pytest

from balaikode.grader.app import (LISTEN_OPTIONS, MAX_COLLECT_BODY, MAX_EXECUTE_BODY,
                                  MAX_SUBMIT_BODY, Settings, make_app)
from support.grader_doubles import FakeDockerEngine, FakeHub, Servers
from support.hub_client import poll

SERVICE_TOKEN = "grader-service-token"
PREFIX = "/services/grader"
ENDPOINTS = ("execute", "collect", "submit", "roster")
UIDS = {"guru": 10001, "siti": 10002, "budi": 10003, "guru-b": 10004, "ani": 10005}


class Grader:
    """The grader app and its two stand-ins, and a client for it."""

    def __init__(self, servers: Servers, tmp_path, token_cache_seconds: float,
                 hub_api: str | None = None, upload_buffer_bytes: int | None = None):
        self.hub = FakeHub(SERVICE_TOKEN)
        self.engine = FakeDockerEngine()
        for name in UIDS:
            self.hub.add_user(f"token-{name}", name)
        self.hub.add_user("token-admin-cli", "balaikode-admin", kind="service")
        self.hub.add_course("kelas-a", 20001, trainers={"guru": UIDS["guru"]},
                            learners={"siti": UIDS["siti"], "budi": UIDS["budi"]},
                            full_names={"guru": "Pak Darto", "siti": "Siti Aminah"})
        self.hub.add_course("kelas-b", 20002, trainers={"guru-b": UIDS["guru-b"]},
                            learners={"ani": UIDS["ani"]})
        hub_port = servers.serve(self.hub.app)
        engine_port = servers.serve(self.engine.app)

        token_file = tmp_path / "grader-token"
        token_file.write_text(SERVICE_TOKEN + "\n")
        settings = Settings({"COMPOSE_PROJECT_NAME": "uji",
                             "BALAIKODE_LEARNER_IMAGE": "balaikode/python:0.3.0"})
        settings.hub_api = hub_api or f"http://127.0.0.1:{hub_port}/hub/api"
        settings.token_file = str(token_file)
        settings.token_cache_seconds = token_cache_seconds
        if upload_buffer_bytes is not None:
            settings.upload_buffer_bytes = upload_buffer_bytes
        self.settings = settings

        def app():
            engine = docker.DockerClient(base_url=f"tcp://127.0.0.1:{engine_port}", version="1.41")
            self.app = make_app(settings, engine)
            return self.app
        # The same server options as the service (body size cap, body timeout).
        self.port = servers.serve(app, **LISTEN_OPTIONS)

    def post(self, endpoint: str, body, token: str | None = None, path_suffix: str = "",
             headers: dict | None = None) -> tuple[int, dict]:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"token {token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", f"{PREFIX}/{endpoint}{path_suffix}",
                               body=json.dumps(body).encode(), headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def open_upload(self, token: str | None, length: int, first_part: bytes = b"",
                    endpoint: str = "submit", extra_headers: str = "") -> socket.socket:
        """An upload whose body is still on its way: the headers and first_part only."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        auth = f"Authorization: token {token}\r\n" if token else ""
        sock.sendall((f"POST {PREFIX}/{endpoint} HTTP/1.1\r\nHost: grader\r\n{auth}"
                      f"Content-Type: application/json\r\nContent-Length: {length}\r\n"
                      f"{extra_headers}\r\n").encode() + first_part)
        return sock

    def budget(self):
        """The bytes of uploads the grader holds (its intake.ByteBudget)."""
        [budget] = {id(rule.target_kwargs["budget"]): rule.target_kwargs["budget"]
                    for rule in self.app.wildcard_router.rules
                    if "budget" in rule.target_kwargs}.values()
        return budget


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the one response on sock (read until the server closes or
    the Content-Length is met)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), None)
    while length is not None and len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body


def closed_port() -> int:
    """A localhost port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def servers():
    running = Servers()
    yield running
    running.stop()


@pytest.fixture
def grader(servers, tmp_path):
    return Grader(servers, tmp_path, token_cache_seconds=1)


def submission(course="kelas-a", **extra):
    files = {"tugas1/jawaban.ipynb": base64.b64encode(b'{"cells": []}').decode()}
    return {"course": course, "assignment": "tugas1", "token": "t", "files": files, **extra}


def deposits(grader: Grader) -> list[dict]:
    return [job for job in grader.engine.jobs if job["role"] == "deposit"]


# --- Who the caller is: the hub says, from the Authorization header only ---

@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_token_is_401_and_the_hub_is_not_asked(grader, endpoint):
    status, reply = grader.post(endpoint, {"course": "kelas-a"})
    assert (status, reply["message"]) == (401, "JupyterHub token required")
    assert not grader.hub.lookups


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_the_hub_does_not_know_is_403(grader, endpoint):
    status, reply = grader.post(endpoint, {"course": "kelas-a"}, token="token-nobody")
    assert (status, reply["message"]) == (403, "invalid token")
    assert grader.hub.lookups["token-nobody"] == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_not_given_the_graders_scope_is_403(grader, endpoint):
    # The hub tells who owns any token; a token the trainer made for
    # something else (or her server's OAuth token) must not carry her
    # grader powers with it.
    grader.hub.add_user("token-guru-narrow", "guru", grader_scope=False)
    status, reply = grader.post(endpoint, {"course": "kelas-a", "assignment": "tugas1"},
                                token="token-guru-narrow")
    assert (status, reply["message"]) == (
        403, "token without the scope access:services!service=grader")
    assert not grader.engine.jobs


@pytest.mark.parametrize("how", ["query", "websocket-query", "cookie"])
def test_a_token_anywhere_but_the_authorization_header_is_ignored(grader, how):
    # HubAuth takes ?token= from a request that says it is a websocket; the
    # grader does not. A browser never sends a learner's token in a header by
    # itself, so a cross-site page cannot make her browser call the grader.
    suffix, headers = "", {}
    if how in ("query", "websocket-query"):
        suffix = "?token=token-guru"
    if how == "websocket-query":
        headers["Sec-Fetch-Mode"] = "websocket"
    if how == "cookie":
        headers["Cookie"] = ("jupyterhub-services=token-guru; grader=token-guru; "
                             "jupyterhub-session-id=x")
    status, reply = grader.post("collect", {"course": "kelas-a", "assignment": "tugas1"},
                                path_suffix=suffix, headers=headers)
    assert (status, reply["message"]) == (401, "JupyterHub token required")
    assert not grader.engine.jobs
    # The same token in the header does the job.
    status, reply = grader.post("collect", {"course": "kelas-a", "assignment": "tugas1"},
                                token="token-guru")
    assert (status, reply) == (200, {"collected": [], "rejected": []})


def test_token_answers_are_cached_briefly_and_a_revoked_token_stops_working(grader):
    body = {"course": "kelas-a", "assignment": "tugas1"}
    assert grader.post("collect", body, token="token-guru")[0] == 200
    assert grader.post("collect", body, token="token-guru")[0] == 200
    assert grader.hub.lookups["token-guru"] == 1
    grader.hub.revoke("token-guru")
    # Still served from the cache, then refused once the cached answer expires.
    poll("the revoked token to be refused", lambda: grader.post("collect", body, token="token-guru")[0] == 403,
         grader.settings.token_cache_seconds + 5, 0.01)
    assert grader.post("collect", body, token="token-guru") == (403, {"message": "invalid token"})
    assert grader.hub.lookups["token-guru"] == 2


def test_a_hub_that_does_not_answer_is_502_without_its_address(servers, tmp_path):
    grader = Grader(servers, tmp_path, token_cache_seconds=1, hub_api=f"http://127.0.0.1:{closed_port()}/hub/api")
    status, reply = grader.post("submit", submission(), token="token-siti")
    assert status == 502
    assert reply["message"] == "Hub tidak menjawab; coba lagi sebentar lagi. (The hub did not answer.)"


# --- What the caller may do: course membership from the hub ---

@pytest.mark.parametrize("endpoint", ["execute", "collect", "roster"])
@pytest.mark.parametrize("caller, refusal", [
    # A trainer of another course is known to be one only from the body.
    ("guru-b", "guru-b is not a trainer of kelas-a"),
    # Who trains no course is refused before the body is kept (test_a_refused_upload_...).
    ("siti", "siti is not a trainer of any course"),
    ("balaikode-admin", "balaikode-admin is not a trainer of any course"),
])
def test_only_trainers_of_the_course_execute_collect_and_read_the_roster(grader, endpoint, caller,
                                                                         refusal):
    token = "token-admin-cli" if caller == "balaikode-admin" else f"token-{caller}"
    status, reply = grader.post(endpoint, {"course": "kelas-a", "assignment": "tugas1",
                                           "notebook": "{}"}, token=token)
    assert (status, reply["message"]) == (403, refusal)
    assert not grader.engine.jobs


def test_a_trainer_of_the_course_gets_past_the_guards(grader):
    status, reply = grader.post("collect", {"course": "kelas-a", "assignment": "tugas1"},
                                token="token-guru")
    assert status == 200
    [job] = grader.engine.jobs
    assert job["role"] == "collector"
    assert job["labels"]["balaikode.trainer"] == "guru"
    assert job["binds"] == ["uji-exchange-kelas-a:/exchange:ro", "uji-course-kelas-a:/course:rw"]
    # Execute reaches the notebook check (no sandbox is started for a broken one).
    status, reply = grader.post("execute", {"course": "kelas-a", "notebook": "bukan notebook"},
                                token="token-guru")
    assert status == 400
    assert reply["message"].startswith("berkas notebook rusak")


def test_a_trainer_added_just_after_the_list_was_read_is_let_in(grader):
    # guru's call has the grader read the course list; nia becomes a trainer
    # a moment later and calls within the second.
    assert grader.post("roster", {"course": "kelas-a"}, token="token-guru")[0] == 200
    grader.hub.add_user("token-nia", "nia")
    grader.hub.courses["kelas-a"]["trainers"]["nia"] = 10006
    status, reply = grader.post("roster", {"course": "kelas-a"}, token="token-nia")
    assert status == 200, reply


def test_strangers_cost_the_hub_about_one_course_list_a_second(grader):
    started = time.monotonic()
    for _ in range(15):
        status, _ = grader.post("collect", {"course": "kelas-a"}, token="token-siti")
        assert status == 403
    seconds = time.monotonic() - started
    assert grader.hub.course_lists <= seconds + 2, (grader.hub.course_lists, seconds)


def test_the_roster_is_the_courses_learners_with_their_full_names(grader):
    status, reply = grader.post("roster", {"course": "kelas-a"}, token="token-guru")
    # Learners only (the gradebook's students); budi has set no name yet.
    assert (status, reply) == (200, {"course": "kelas-a",
                                     "learners": {"budi": None, "siti": "Siti Aminah"}})
    assert not grader.engine.jobs


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("course", ["../kelas-a", "Kelas A", "", "kelas-a/../../x"])
def test_a_bad_course_name_is_400(grader, endpoint, course):
    status, reply = grader.post(endpoint, {"course": course}, token="token-guru")
    assert (status, reply["message"]) == (400, "bad course id")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_course_is_404(grader, endpoint):
    status, reply = grader.post(endpoint, {"course": "kelas-z"}, token="token-guru")
    assert (status, reply["message"]) == (404, "no course kelas-z")


def test_a_learner_submits_under_her_own_name_only(grader):
    # Whatever the body says about who is submitting, the token decides.
    status, reply = grader.post("submit", submission(learner="budi", student="budi", uid=0,
                                                     gid=0, timestamp="2000-01-01"),
                                token="token-siti")
    assert status == 200
    assert reply["entry"].startswith("siti+tugas1+")
    [job] = deposits(grader)
    request = job["request"]
    assert (request["learner"], request["uid"], request["gid"]) == ("siti", UIDS["siti"], 20001)
    assert request["timestamp"] != "2000-01-01"
    assert set(request["files"]) == {"tugas1/jawaban.ipynb", "timestamp.txt"}
    assert job["labels"]["balaikode.learner"] == "siti"
    assert job["binds"] == ["uji-exchange-kelas-a:/exchange:rw"]


def test_a_trainer_may_submit_to_her_course(grader):
    assert grader.post("submit", submission(), token="token-guru")[0] == 200
    assert deposits(grader)[0]["request"]["uid"] == UIDS["guru"]


@pytest.mark.parametrize("caller", ["ani", "guru-b", "balaikode-admin"])
def test_no_one_else_submits_to_a_course(grader, caller):
    token = "token-admin-cli" if caller == "balaikode-admin" else f"token-{caller}"
    status, reply = grader.post("submit", submission(), token=token)
    assert (status, reply["message"]) == (403, f"{caller} is not a learner or trainer of kelas-a")
    assert not deposits(grader)


# --- Uploads: the body after the token, one at a time per caller, capped ---

def test_a_second_upload_of_the_same_caller_waits_for_the_first(grader):
    body = json.dumps(submission()).encode()
    first = grader.open_upload("token-siti", len(body), body[:10])
    with first:
        # The first upload holds the caller's slot (and its bytes) once its token is checked.
        poll("the upload to be reserved", lambda: grader.budget().reserved == len(body), 30, 0.01)
        status, reply = grader.post("submit", submission(), token="token-siti")
        assert status == 429
        assert reply["message"].startswith("Pengumpulan GAGAL: kirimanmu yang sebelumnya")
        # Other learners are not held up.
        assert grader.post("submit", submission(), token="token-budi")[0] == 200
        first.sendall(body[10:])
        status, reply = read_response(first)
        assert status == 200
    assert grader.post("submit", submission(), token="token-siti")[0] == 200
    assert [job["request"]["learner"] for job in deposits(grader)] == ["budi", "siti", "siti"]


def test_an_abandoned_upload_frees_the_callers_slot(grader):
    body = json.dumps(submission()).encode()
    first = grader.open_upload("token-siti", len(body), body[:10])
    poll("the upload to be reserved", lambda: grader.budget().reserved == len(body), 30, 0.01)
    assert grader.post("submit", submission(), token="token-siti")[0] == 429
    first.close()
    poll("the submit to be accepted", lambda: grader.post("submit", submission(), token="token-siti")[0] == 200,
         30, 0.01)


def test_hanging_up_while_her_submission_is_written_does_not_free_her_slot(grader):
    """Else a learner who sends and hangs up at once would have any number
    of deposits running, their bodies no longer counted."""
    grader.engine.jobs_may_end.clear()
    body = json.dumps(submission()).encode()
    first = grader.open_upload("token-siti", len(body), body)
    poll("her deposit to be running", lambda: any(job["request"] for job in grader.engine.jobs), 30, 0.01)
    first.close()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # the grader sees the hang-up meanwhile
        assert grader.budget().reserved == len(body)
        assert grader.post("submit", submission(), token="token-siti")[0] == 429
    grader.engine.jobs_may_end.set()
    poll("her slot to be free once the deposit ended",
         lambda: grader.post("submit", submission(), token="token-siti")[0] == 200, 30, 0.01)
    assert grader.budget().reserved == 0


@pytest.mark.parametrize("endpoint, cap", [("submit", MAX_SUBMIT_BODY),
                                           ("execute", MAX_EXECUTE_BODY),
                                           ("collect", MAX_COLLECT_BODY)])
def test_a_body_over_the_routes_cap_is_refused_before_it_is_read(grader, endpoint, cap):
    sock = grader.open_upload("token-guru", cap + 1, endpoint=endpoint)
    with sock:
        status, body = read_response(sock)
        assert (status, json.loads(body)["message"]) == (413, f"body over {cap} bytes")
        assert sock.recv(1) == b""  # and the connection is closed
    # Refused on its length alone: the hub was not asked about the token.
    assert not grader.hub.lookups
    # The refused upload does not keep the caller's slot.
    assert grader.post("submit", submission(), token="token-guru")[0] == 200


def test_a_chunked_body_is_refused_before_it_is_read(grader):
    # Without a Content-Length the grader cannot tell what it would hold.
    sock = socket.create_connection(("127.0.0.1", grader.port), timeout=30)
    with sock:
        sock.sendall((f"POST {PREFIX}/submit HTTP/1.1\r\nHost: grader\r\n"
                      "Authorization: token token-siti\r\nTransfer-Encoding: chunked\r\n\r\n"
                      ).encode())
        status, body = read_response(sock)
    assert (status, json.loads(body)["message"]) == (411, "Content-Length required")
    assert not grader.hub.lookups
    assert not deposits(grader)


def send_body(sock: socket.socket, size: int) -> int:
    """Send size bytes of body; how many went before the grader stopped reading."""
    chunk, sent = b"a" * 2**20, 0
    try:
        while sent < size:
            part = chunk[:size - sent]
            sock.sendall(part)
            sent += len(part)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


CAPS = {"submit": MAX_SUBMIT_BODY, "execute": MAX_EXECUTE_BODY, "collect": MAX_COLLECT_BODY,
        "roster": MAX_COLLECT_BODY}


@pytest.mark.parametrize("endpoint, token, refusal", [
    # The red team's flood (tests/security/test_grader_flood.py): bodies of
    # 60 MB from no one, which tornado used to read whole into memory before
    # asking for a token.
    *[(endpoint, None, (401, "JupyterHub token required")) for endpoint in ENDPOINTS],
    ("submit", "token-nobody", (403, "invalid token")),
    # A learner's own token: the trainers' routes refuse her before her body.
    ("execute", "token-siti", (403, "siti is not a trainer of any course")),
    ("collect", "token-siti", (403, "siti is not a trainer of any course")),
])
def test_a_refused_upload_is_read_into_nothing(grader, endpoint, token, refusal):
    size = min(60 * 2**20, CAPS[endpoint])
    tracemalloc.start()
    try:
        sock = grader.open_upload(token, size, endpoint=endpoint)
        with sock:
            # The whole body is taken (a proxy in between sees a complete
            # exchange, not a connection reset while it sends)...
            assert send_body(sock, size) == size
            status, body = read_response(sock)
            assert (status, json.loads(body)["message"]) == refusal
            # ...exactly: the same connection serves the next request.
            sock.sendall(f"GET {PREFIX}/health HTTP/1.1\r\nHost: grader\r\n\r\n".encode())
            assert read_response(sock) == (200, b'{"ok": true}')
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # ...and none of it is kept.
    assert peak < 8 * 2**20, f"{peak} bytes held for a refused {size}-byte upload"
    assert grader.budget().reserved == 0
    assert not grader.engine.jobs
    assert not grader.hub.lookups if token is None else grader.hub.lookups[token] == 1


def test_a_refusal_to_a_client_that_expects_100_continue_ends_the_connection(grader):
    # It waits for our word before sending the body: nothing to read.
    sock = grader.open_upload(None, MAX_SUBMIT_BODY, extra_headers="Expect: 100-continue\r\n")
    with sock:
        status, _ = read_response(sock)
        assert status == 401
        assert sock.recv(1) == b""


def padded(size: int, **fields) -> bytes:
    """A JSON body of exactly size bytes (a filler field the grader ignores)."""
    body = json.dumps({**fields, "filler": ""})
    return json.dumps({**fields, "filler": "x" * (size - len(body))}).encode()


def test_all_uploads_together_hold_at_most_the_budget(servers, tmp_path):
    grader = Grader(servers, tmp_path, token_cache_seconds=1, upload_buffer_bytes=2**20)
    big = padded(700 * 2**10, course="kelas-a", notebook="bukan notebook")
    first = grader.open_upload("token-guru", len(big), big[:10], endpoint="execute")
    with first:
        poll("the big upload to be reserved", lambda: grader.budget().reserved == len(big), 30, 0.01)
        # Another caller's body that would take the total over: 503, and not kept.
        siti = padded(400 * 2**10, **submission())
        sock = grader.open_upload("token-siti", len(siti), siti)
        with sock:
            status, body = read_response(sock)
        assert status == 503
        assert json.loads(body)["message"].startswith(
            "Pengumpulan GAGAL: Layanan penilai sedang sibuk")
        # One that fits is received.
        assert grader.post("submit", submission(), token="token-budi")[0] == 200
        first.sendall(big[10:])
        status, body = read_response(first)
        assert status == 400  # the notebook is broken; the body was read
    # Given back once the answer is sent (just after the client has it).
    poll("the reservation to be freed", lambda: grader.budget().reserved == 0, 30, 0.01)
    status, _ = grader.post("submit", json.loads(siti), token="token-siti")
    assert status == 200


def test_a_trainers_second_upload_on_a_route_waits_but_other_routes_do_not(grader):
    body = json.dumps({"course": "kelas-a", "notebook": "bukan notebook"}).encode()
    first = grader.open_upload("token-guru", len(body), body[:10], endpoint="execute")
    with first:
        poll("the upload to be reserved", lambda: grader.budget().reserved == len(body), 30, 0.01)
        assert grader.post("execute", {"course": "kelas-a"}, token="token-guru")[0] == 429
        assert grader.post("collect", {"course": "kelas-a", "assignment": "tugas1"},
                           token="token-guru")[0] == 200
        first.sendall(body[10:])
        assert read_response(first)[0] == 400
    # Once the body is in, the slot is free (an autograde runs notebooks in turn,
    # the slot is not held while one of them runs).
    assert grader.post("execute", {"course": "kelas-a", "notebook": "x"},
                       token="token-guru")[0] == 400


def test_the_log_leaves_out_the_query_string(grader, caplog):
    with caplog.at_level(logging.INFO):
        status, _ = grader.post("collect", {"course": "kelas-a"}, path_suffix="?token=token-guru")
        assert status == 401
        # The access line is written just after the answer is sent.
        poll("the access log line", lambda: any(record.name == "tornado.access" for record in caplog.records), 30, 0.01)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"401 POST {PREFIX}/collect (127.0.0.1): JupyterHub token required" in logged
    assert f"401 POST {PREFIX}/collect (127.0.0.1) " in logged
    assert "token-guru" not in logged


# --- Progress: trainers and admins see the class, a learner her own row ---

CHART_WORDS = {key: "kata" for key in ("title", "submitted", "mean", "axis", "empty")}


def test_a_trainer_gets_the_whole_class_and_the_chart_read_from_the_course_read_only(grader):
    status, reply = grader.post("progress", {"course": "kelas-a", "chart": CHART_WORDS},
                                token="token-guru")
    assert status == 200, reply
    assert reply["whole_class"] is True and reply["chart"] == "UE5H"
    assert [row["name"] for row in reply["learners"]] == ["budi", "siti"]
    [job] = grader.engine.jobs
    assert job["role"] == "progress"
    assert job["entrypoint"] == ["python3", "-I", "/tmp/job.py"]
    assert job["request"]["full_names"] == {"budi": None, "siti": "Siti Aminah"}


def test_an_admin_who_is_in_no_course_sees_the_whole_class(grader):
    grader.hub.add_user("token-kepala", "kepala", admin=True)
    status, reply = grader.post("progress", {"course": "kelas-b"}, token="token-kepala")
    assert status == 200 and reply["whole_class"] is True
    assert [row["name"] for row in reply["learners"]] == ["ani"]


def test_a_learner_gets_her_own_row_and_no_class_numbers_whatever_she_asks(grader):
    status, reply = grader.post("progress", {"course": "kelas-a", "chart": CHART_WORDS},
                                token="token-budi")
    assert status == 200
    assert reply["whole_class"] is False and reply["chart"] is None
    assert [row["name"] for row in reply["learners"]] == ["budi"]
    assert "siti" not in json.dumps(reply)
    assert reply["assignments"] == [{"name": "tugas1", "duedate": None, "max_score": 5.0,
                                     "expected": True}]
    # No chart was made for her.
    assert [job["request"]["chart"] for job in grader.engine.jobs] == [None]


@pytest.mark.parametrize("caller", ["ani", "guru-b"])
def test_nobody_else_gets_a_courses_progress(grader, caller):
    status, reply = grader.post("progress", {"course": "kelas-a"}, token=f"token-{caller}")
    assert status == 403
    assert not grader.engine.jobs


def test_a_class_opening_the_page_at_once_costs_one_job(grader):
    for token in ("token-guru", "token-siti", "token-budi", "token-guru"):
        assert grader.post("progress", {"course": "kelas-a"}, token=token)[0] == 200
    assert len(grader.engine.jobs) == 1


@pytest.mark.parametrize("chart", [{"title": "x"}, "judul", {**CHART_WORDS, "title": "a\nb"},
                                   {**CHART_WORDS, "title": "x" * 121}])
def test_chart_words_that_are_not_short_lines_are_400(grader, chart):
    status, reply = grader.post("progress", {"course": "kelas-a", "chart": chart},
                                token="token-guru")
    assert status == 400 and reply["message"].startswith("chart")
