"""Issue: safety battery — what a learner's credentials can reach.

Already covered elsewhere, so not repeated here: a learner's token on
GET /hub/api/users and on the sign-up API (tests/integration/test_learner_journey.py),
reading another learner's file without their token, the Docker socket, the
internet and proxy-api:8001 (tests/integration/test_isolation.py), the grader
service through the proxy and the formgrader (tests/security/test_course_isolation.py).

Here: a learner's API token, their login cookie, and the token their own
server holds (JUPYTERHUB_API_TOKEN, readable by their code) against every
admin endpoint and another learner's server; and from inside a learner's
container, the Docker API over TCP, the hub's database, the proxy's API, the
grader service and the host's own ports.
"""

from __future__ import annotations

import json
import socket

import pytest

from support.hub_client import Browser
from support.stack import learners_with_secrets

COURSE = "kelas-batas"


@pytest.fixture(scope="module")
def pair(stack, new_learner):
    return learners_with_secrets(new_learner, "batas", "tetangga")


@pytest.fixture(scope="module")
def ani_browser(stack, pair):
    ani, _ = pair
    browser = Browser(stack.url)
    assert browser.login(ani.name, ani.password).status == 200
    return browser


def in_container(learner, code: str) -> dict:
    """Run code in the learner's kernel; it prints one JSON line last."""
    return json.loads(learner.run_code(code, timeout=120).strip().splitlines()[-1])


def admin_calls(me: str, other: str) -> list[tuple[str, str, dict]]:
    """Hub API calls only an admin (or the named service) may make."""
    return [
        ("POST", f"/users/{other}/tokens", {"json": {"note": "curian", "expires_in": 600}}),
        ("GET", f"/users/{other}/tokens", {}),
        ("DELETE", f"/users/{other}/server", {}),
        ("POST", f"/users/{other}/server", {}),
        ("DELETE", f"/users/{other}", {}),
        ("PATCH", f"/users/{me}", {"json": {"admin": True}}),
        ("POST", "/users", {"json": {"usernames": ["siluman"]}}),
        ("GET", "/groups", {}),
        ("POST", "/groups/formgrade-curian", {}),
        ("POST", f"/groups/formgrade-{COURSE}/users", {"json": {"users": [me]}}),
        ("GET", "/proxy", {}),
        ("POST", "/proxy", {}),
        ("GET", "/balaikode/courses", {}),
        ("POST", f"/balaikode/courses/{COURSE}", {"json": {"trainers": [me]}}),
        ("POST", "/shutdown", {}),
    ]


def test_a_learner_token_gets_403_on_admin_endpoints(stack, pair):
    ani, eko = pair
    refused = {}
    for method, path, kwargs in admin_calls(ani.name, eko.name):
        response = ani.hub(method, path, **kwargs)
        refused[f"{method} {path}"] = response.status_code
    # 403, except that JupyterHub answers 404 on /users/OTHER/... to someone
    # with no right to see OTHER at all (it does not reveal who exists).
    # POST /users/OTHER/tokens is 403: any user may ask for tokens, of themselves.
    wrong = {call: code for call, code in refused.items()
             if code != 403 and not (code == 404 and f"/users/{eko.name}" in call)}
    assert wrong == {}, refused
    # Nothing happened: eko's server still runs, ani is no admin, no user was made.
    assert eko.server_model().get("ready")
    assert ani.hub("GET", "/user").json()["admin"] is False
    assert stack.healthy()


def test_a_learner_token_cannot_use_another_learners_server(stack, pair):
    ani, eko = pair
    base = f"{stack.url}/user/{eko.name}/api"
    for method, path in [("GET", "/contents"), ("GET", "/contents/rahasia.txt"),
                         ("POST", "/kernels"), ("GET", "/kernels"), ("GET", "/terminals"),
                         ("POST", "/terminals"), ("GET", "/sessions")]:
        response = ani.http.request(method, base + path, timeout=30, allow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code, response.text[:300])
        assert "milik" not in response.text
    assert eko.server("GET", "/kernels").json() == []  # no kernel was started in eko's server


def test_a_learner_cannot_change_another_password_or_approve_anyone(stack, pair, ani_browser):
    ani, eko = pair
    # NativeAuthenticator's admin page for other people's passwords.
    assert ani_browser.get(f"/hub/change-password/{eko.name}").status_code == 403
    changed = ani_browser.submit("/hub/change-password", {
        "new_password": "Diambil-alih-2026", "new_password_confirmation": "Diambil-alih-2026"},
        action=f"/hub/change-password/{eko.name}")
    assert changed.status == 403, changed.text[:500]
    # The same form posted to ani's own page is accepted (so the 403 above is
    # the scope check, not a missing XSRF token); a wrong current password
    # changes nothing.
    own = ani_browser.submit("/hub/change-password", {
        "old_password": "bukan-sandinya", "new_password": "Diambil-alih-2026",
        "new_password_confirmation": "Diambil-alih-2026"})
    assert own.status == 200, own.text[:500]
    assert Browser(stack.url).login(eko.name, "Diambil-alih-2026").status == 403
    assert Browser(stack.url).login(eko.name, eko.password).status == 200

    # Approval is admin-only: not for themselves (the GET toggles it), not for
    # a second account they signed up, not the list, not discarding sign-ups.
    sock_puppet = f"{ani.name}-dua"
    assert Browser(stack.url).signup(sock_puppet, "Akun-kedua-2026").status == 200
    for path in [f"/hub/authorize/{ani.name}", f"/hub/authorize/{sock_puppet}",
                 "/hub/authorize", f"/hub/discard/{sock_puppet}", "/hub/admin"]:
        response = ani_browser.get(path, allow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)
    assert Browser(stack.url).login(sock_puppet, "Akun-kedua-2026").status == 403
    assert Browser(stack.url).login(ani.name, ani.password).status == 200
    waiting = stack.admin_cli("signups").stdout
    assert f"{sock_puppet}\tWAITING" in waiting, waiting


def test_the_servers_own_token_is_no_admin_either(stack, pair):
    ani, eko = pair
    calls = [(m, p, k.get("json")) for m, p, k in admin_calls(ani.name, eko.name)]
    facts = in_container(ani, f"""
import json, os, urllib.request, urllib.error
token = os.environ["JUPYTERHUB_API_TOKEN"]
api = os.environ["JUPYTERHUB_API_URL"]
codes = {{}}
for method, path, body in {calls!r}:
    data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={{"Authorization": "token " + token}})
    try:
        codes[method + " " + path] = urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as error:
        codes[method + " " + path] = error.code
# And eko's server, directly on the learner network, with ani's server token.
try:
    urllib.request.urlopen(urllib.request.Request(
        "http://{stack.project}-learner-{eko.name}:8888/user/{eko.name}/api/contents",
        headers={{"Authorization": "token " + token}}), timeout=10)
    codes["eko direct"] = 200
except urllib.error.HTTPError as error:
    codes["eko direct"] = error.code
except OSError as error:
    codes["eko direct"] = type(error).__name__
print(json.dumps(codes))
""")
    assert set(facts.values()) <= {403, 404, "URLError", "ConnectionRefusedError", "timeout"}, facts
    assert {v for k, v in facts.items() if k != "eko direct"} == {403}, facts


# -- from inside a learner's container ----------------------------------------

PROBE = """
import concurrent.futures, glob, json, os, socket, struct, urllib.request

def tcp(target):
    host, port = target
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "OPEN"
    except socket.timeout:
        return "timeout"
    except socket.gaierror:
        return "no such host"
    except OSError as error:
        return type(error).__name__

gateways = set()
for line in open("/proc/net/route").read().splitlines()[1:]:
    gateway = int(line.split()[2], 16)
    if gateway:
        gateways.add(socket.inet_ntoa(struct.pack("<L", gateway)))
targets = [(host, port) for host, port in TARGETS]
targets += [(gateway, port) for gateway in sorted(gateways) for port in GATEWAY_PORTS]
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    reach = dict(zip([f"{h}:{p}" for h, p in targets], pool.map(tcp, targets)))

# The hub database: no file of it anywhere this learner can see.
db_files = [p for pattern in ["/srv/**/*.sqlite*", "/srv/**/jupyterhub*", "/home/**/jupyterhub.sqlite*",
                              "/tmp/**/*.sqlite", "/var/**/jupyterhub.sqlite*"]
            for p in glob.glob(pattern, recursive=True)]
db_open = []
for path in ["/srv/jupyterhub/data/jupyterhub.sqlite", "/srv/jupyterhub/jupyterhub.sqlite",
             "/srv/jupyterhub/data/jupyterhub_cookie_secret", "/srv/proxy-secret/token",
             "/srv/grader-secret/token"]:
    try:
        open(path, "rb").read(16)
        db_open.append(path)
    except OSError:
        pass
# ...nor over HTTP through the hub's static files.
db_http = []
for url in ["http://hub:8081/hub/static/../data/jupyterhub.sqlite",
            "http://hub:8081/hub/static/..%2f..%2fdata%2fjupyterhub.sqlite",
            "http://hub:8081/hub/static/%2e%2e/%2e%2e/jupyterhub/data/jupyterhub.sqlite"]:
    try:
        if urllib.request.urlopen(url, timeout=10).read(16).startswith(b"SQLite format 3"):
            db_http.append(url)
    except Exception:
        pass
print(json.dumps({"reach": reach, "gateways": sorted(gateways), "db_files": db_files,
                  "db_open": db_open, "db_http": db_http}))
"""


def probe(learner, targets, gateway_ports) -> dict:
    return in_container(learner, f"TARGETS = {targets!r}\nGATEWAY_PORTS = {gateway_ports!r}\n" + PROBE)


def learner_network_gateway(stack) -> str:
    network = stack.docker.networks.get(f"{stack.project}_learners")
    return network.attrs["IPAM"]["Config"][0]["Gateway"]


def test_no_docker_api_database_or_proxy_api_from_a_learner_container(stack, pair):
    ani, _ = pair
    proxy = stack.docker.containers.get(f"{stack.project}-proxy-1")
    proxy_ip = proxy.attrs["NetworkSettings"]["Networks"][f"{stack.project}_learners"]["IPAddress"]
    hosts = ["hub", "proxy", "grader", learner_network_gateway(stack), "172.17.0.1"]
    targets = ([(host, port) for host in hosts for port in (2375, 2376)]
               + [("hub", port) for port in (5432, 3306, 8001)]
               + [("proxy", 8001), (proxy_ip, 8001), ("grader", 8001)])
    facts = probe(ani, targets, [2375, 2376])
    assert "OPEN" not in facts["reach"].values(), facts["reach"]
    assert facts["db_files"] == [] and facts["db_open"] == [] and facts["db_http"] == [], facts


def test_the_grader_service_refuses_a_learner_on_the_learner_network(stack, pair):
    ani, _ = pair
    stack.enrol(COURSE, learners=[ani.name])
    facts = in_container(ani, f"""
import json, os, urllib.request, urllib.error
codes = {{}}
for who, token in [("none", None), ("server token", os.environ["JUPYTERHUB_API_TOKEN"]),
                   ("personal token", {ani.token!r})]:
    for action in ("collect", "execute"):
        headers = {{"Content-Type": "application/json"}}
        if token:
            headers["Authorization"] = "token " + token
        body = json.dumps({{"course": {COURSE!r}, "assignment": "01-variabel", "notebook": "{{}}"}}).encode()
        try:
            codes[who + " " + action] = urllib.request.urlopen(urllib.request.Request(
                "http://grader:9000/services/grader/" + action, data=body, headers=headers), timeout=30).status
        except urllib.error.HTTPError as error:
            codes[who + " " + action] = error.code
print(json.dumps(codes))
""")
    assert facts == {"none collect": 401, "none execute": 401,
                     "server token collect": 403, "server token execute": 403,
                     "personal token collect": 403, "personal token execute": 403}, facts


def test_the_grader_service_answers_malformed_requests_with_400(stack, pair):
    # From a trainer of the course: anyone else is refused before the body is read.
    ani, eko = pair
    stack.enrol(COURSE, trainers=[eko.name])
    facts = in_container(ani, f"""
import json, urllib.request, urllib.error
codes = {{}}
bodies = {{"not json": b"{{", "a list": b"[]", "not utf-8": b"\\xff\\xfe", "course a number": b'{{"course": 5}}',
          "timeout a word": json.dumps({{"course": {COURSE!r}, "cell_timeout": "lama"}}).encode()}}
for label, body in bodies.items():
    request = urllib.request.Request("http://grader:9000/services/grader/execute", data=body,
        headers={{"Content-Type": "application/json", "Authorization": "token " + {eko.token!r}}})
    try:
        codes[label] = urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        codes[label] = error.code
print(json.dumps(codes))
""")
    assert facts == {"not json": 400, "a list": 400, "not utf-8": 400, "course a number": 400,
                     "timeout a word": 400}, facts


def test_a_learner_cannot_reach_the_hosts_own_ports(stack, pair):
    """Learner containers are on an `internal` network, but on Docker 20.10
    that network still has the host's bridge address as gateway, and the host
    would accept connections to any of its own addresses there (the isolation
    rules only filter forwarded traffic); the firewall service drops them
    (src/balaikode/firewall). A service we start on the host
    itself, listening on all addresses like sshd or a database usually does,
    shows whether the host is reachable."""
    ani, _ = pair
    gateway = learner_network_gateway(stack)
    with socket.socket() as listener:  # our own, on this host, closed at once
        listener.bind(("0.0.0.0", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        ports = [22, 5432, 6379, port]
        targets = [(host, p) for host in (gateway, "172.17.0.1") for p in ports]
        facts = probe(ani, targets, ports)
    open_ = sorted(target for target, state in facts["reach"].items() if state == "OPEN")
    assert open_ == [], (
        f"from {ani.name}'s container these host ports answer: {open_} "
        f"(gateways in /proc/net/route: {facts['gateways']}; all: {facts['reach']})")


def test_the_course_api_answers_malformed_bodies_with_400(stack, admin):
    bodies = {"a list": [], "trainers a word": {"trainers": "guru"},
              "learners numbers": {"learners": [1, 2]}}
    codes = {label: admin.api("POST", "/balaikode/courses/kelas-rusak", json=body)
             for label, body in bodies.items()}
    codes["not json"] = admin.api("POST", "/balaikode/courses/kelas-rusak", data=b"{")
    assert {label: r.status_code for label, r in codes.items()} == {
        "a list": 400, "trainers a word": 400, "learners numbers": 400, "not json": 400}
    assert not [r.text for r in codes.values() if "Traceback" in r.text]
    # Nothing was made from the bad requests.
    assert admin.api("GET", "/balaikode/courses/kelas-rusak").status_code == 404
