"""Two learners: own UID, not root, no capabilities, no Docker socket, no way
into each other's home, limits applied, no route out of the learner network."""

import pytest

from support.attack import assert_contained, probe
from support.stack import learners_with_secrets


@pytest.fixture(scope="module")
def pair(stack, new_learner):
    return learners_with_secrets(new_learner, "ani", "eko")


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
