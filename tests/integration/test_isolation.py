"""Two learners: own UID, not root, no capabilities, no Docker socket, no way
into each other's home, limits applied, no route out of the learner network."""

import json

import pytest

from support.stack import learners_with_secrets


@pytest.fixture(scope="module")
def pair(stack, new_learner):
    return learners_with_secrets(new_learner, "ani", "eko")


PROBE = """
import json, os, pathlib
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
homes = sorted(p.name for p in pathlib.Path("/home").iterdir())
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "home": os.environ["HOME"],
    "cap_eff": status["CapEff"].strip(), "cap_bnd": status["CapBnd"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(),
    "docker_sock": any(os.path.exists(p) for p in ["/var/run/docker.sock", "/run/docker.sock"]),
    "homes": homes,
}))
"""


def probe(learner):
    return json.loads(learner.run_code(PROBE))


def assert_contained(learner, facts):
    """What PROBE saw in her kernel: her own UID and home, no privileges."""
    assert facts["uid"] >= 10000 and facts["gid"] == facts["uid"]
    assert facts["home"] == f"/home/{learner.name}"
    assert facts["cap_eff"] == "0000000000000000"
    assert facts["cap_bnd"] == "0000000000000000"
    assert facts["no_new_privs"] == "1"
    assert facts["docker_sock"] is False
    # Only her own home exists in her container.
    assert facts["homes"] == [learner.name]


def test_each_learner_is_an_unprivileged_user_with_own_uid(pair):
    one, two = (probe(learner) for learner in pair)
    assert one["uid"] != two["uid"]
    for learner, facts in zip(pair, (one, two)):
        assert_contained(learner, facts)


def test_uid_is_stable_across_server_restarts(pair):
    one, _ = pair
    before = probe(one)["uid"]
    one.stop_server()
    one.start_server()
    assert probe(one)["uid"] == before
    assert one.read_file("rahasia.txt") == f"milik {one.name}"


def test_learner_cannot_reach_another_learners_files(stack, pair):
    one, two = pair
    # Not through the proxy with their own token...
    response = one.http.get(f"{stack.url}/user/{two.name}/api/contents/rahasia.txt", timeout=30)
    assert response.status_code in (403, 404) or "milik" not in response.text
    # ...nor directly on the learner network without the other's token.
    code = f"""
import urllib.request, urllib.error
try:
    urllib.request.urlopen("http://{stack.project}-learner-{two.name}:8888/user/{two.name}/api/contents/rahasia.txt", timeout=5)
    print("READ")
except urllib.error.HTTPError as e:
    print("refused", e.code)
except Exception as e:
    print("unreachable", type(e).__name__)
"""
    assert "READ" not in one.run_code(code)


def test_limits_are_applied(stack, pair):
    one, _ = pair
    host = stack.learner_container(one.name).attrs["HostConfig"]
    assert host["Memory"] == 1024**3
    assert host["PidsLimit"] == 256
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["Privileged"] is False
    assert not any("docker.sock" in bind for bind in host.get("Binds") or [])


def test_learner_network_has_no_route_out_or_to_the_proxy_api(pair):
    one, _ = pair
    code = """
import socket
for host, port in [("1.1.1.1", 53), ("proxy-api", 8001), ("host.docker.internal", 22)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print(host, "OPEN")
    except OSError as e:
        print(host, "closed")
"""
    assert "OPEN" not in one.run_code(code)
