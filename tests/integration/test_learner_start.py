"""Issue 7: a learner's server starts light. nbgrader's learner extensions
load at their first request (images/base/balaikode_server/lazy_nbgrader.py),
still answer on the same routes, and the routes caught are all of theirs."""

import subprocess

from support.curriculum import compose_image

FIRST_USE = "loading nbgrader's learner extensions on first use"

# Run inside the learner image: every route nbgrader's two learner extensions
# register starts with one of the caught prefixes.
ROUTES_CHECK = """
from balaikode_server.lazy_nbgrader import EXTENSIONS, PREFIXES
import importlib
for name in EXTENSIONS:
    for pattern, _ in importlib.import_module(name + '.handlers').default_handlers:
        assert pattern.lstrip('/').split('/')[0] in PREFIXES, (name, pattern)
print('ok')
"""


def test_nbgrader_loads_at_first_use_and_answers(stack, new_learner):
    learner = new_learner("ringan")
    learner.start_server()
    container = stack.learner_container(learner.name)
    assert learner.server("GET", "/status").status_code == 200
    assert FIRST_USE not in container.logs().decode()

    base = f"{learner.base_url}/user/{learner.name}"
    version = learner.http.get(f"{base}/nbgrader_version", params={"version": "0.9.6"}, timeout=60)
    assert version.status_code == 200 and version.json()["success"], version.text
    assert container.logs().decode().count(FIRST_USE) == 1
    listed = learner.http.get(f"{base}/assignments", params={"course_id": "belum-ada"}, timeout=60)
    assert listed.status_code == 200 and "success" in listed.json(), listed.text
    assert container.logs().decode().count(FIRST_USE) == 1  # loaded once
    # Other routes are untouched; unknown ones still 404.
    assert learner.http.get(f"{base}/lab", timeout=60).status_code == 200
    assert learner.http.get(f"{base}/assignmentsX", timeout=60).status_code == 404


def test_the_caught_prefixes_cover_every_nbgrader_learner_route(stack, new_learner):
    learner = new_learner("ringan")
    learner.start_server()
    result = stack.learner_container(learner.name).exec_run(
        ["python3", "-c", ROUTES_CHECK], user=learner.name)
    assert result.exit_code == 0 and result.output.decode().strip() == "ok", result.output.decode()


def start_learner(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The learner image's entry point as the hub's DockerSpawner starts it
    (root, then the server as the user), with `id -un` as the server."""
    options = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    return subprocess.run(["docker", "run", "--rm", "--network", "none", *options,
                           compose_image("python"), "id", "-un"],
                          capture_output=True, text=True, timeout=120)


def test_start_learner_checks_the_user_and_every_course_name_before_anything():
    good = {"NB_USER": "ani", "NB_UID": "10042",
            "BALAIKODE_EXCHANGES": "kelas-pagi:20001 web-sore:20002",
            "BALAIKODE_TEACHES": "kelas-pagi:20001"}
    started = start_learner(good)
    assert started.returncode == 0 and started.stdout.strip() == "ani", started.stderr
    # A bad name anywhere (the user, a course learned, a course taught) stops
    # the start before any folder is made, naming every bad one.
    for key, bad in (("NB_USER", "Root"), ("BALAIKODE_EXCHANGES", "kelas-pagi:20001 ../etc:20003"),
                     ("BALAIKODE_TEACHES", "Kelas_Rahasia:20004")):
        refused = start_learner({**good, key: bad})
        assert refused.returncode == 64, (key, refused.stdout, refused.stderr)
        assert "start-learner:" in refused.stderr and refused.stdout == "", (key, refused.stderr)
        shown = bad.split(":")[0] if key == "BALAIKODE_TEACHES" else bad.split()[-1].split(":")[0]
        assert f"'{shown}' bukan" in refused.stderr, (key, refused.stderr)
