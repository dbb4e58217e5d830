"""Issue 13, item 6: a course's exchange is shared fairly.

Played as the attacker: a learner tries to fill the course's exchange so that
her classmates cannot submit. She cannot write it at all (read-only in her
server); submitting big files again and again stops at her own share with a
message she can act on, while a classmate submits normally; the trainer (from
the Lab terminal) and the admin (`./balaikode submissions`) can remove any
submission. A disk that is full anyway (the admin's setting too small) stops a
submission cleanly: nothing half-written, earlier work intact.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from support.stack import REPO

COURSE, TASK = "kelas-adil", "01-variabel"
QUOTA = 50 * 2**20  # BALAIKODE_SUBMISSION_QUOTA's default


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (pengisi, jujur) = make_course(COURSE, TASK, learners=2)
    for student in (pengisi, jujur):
        assert student.act("fetch", TASK)["success"]
    return trainer, pengisi, jujur


def run_json(student, code: str, timeout: float = 120) -> dict:
    return json.loads(student.user.run_code(code, timeout=timeout).strip().splitlines()[-1])


def inbound_of(stack) -> list[str]:
    listed = stack.docker.containers.run(
        "balaikode/python:0.3.0", entrypoint=["ls", "-1", "/x/inbound"], remove=True, user="0:0",
        network_disabled=True,
        volumes={f"{stack.project}-exchange-{COURSE}": {"bind": "/x", "mode": "ro"}})
    return listed.decode().splitlines()


def submissions_cli(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["./balaikode", "submissions", COURSE, *args], cwd=REPO, text=True,
                          capture_output=True, timeout=120,
                          env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project})


def test_a_learner_cannot_write_the_exchange_at_all(course):
    trainer, pengisi, jujur = course
    facts = run_json(pengisi, f"""
import errno, json, os
root = "/srv/nbgrader/exchange/{COURSE}"
tried = {{}}
for path in (root + "/isi-sampah", root + "/inbound/x", root + "/outbound/{TASK}/x",
             root + "/feedback/x"):
    try:
        open(path, "wb").write(b"x" * 1024)
        tried[path] = "WRITTEN"
    except OSError as error:
        tried[path] = errno.errorcode[error.errno]
print(json.dumps(tried))
""")
    assert set(facts.values()) <= {"EROFS", "EACCES"}, facts


def test_submitting_again_and_again_stops_at_her_share_not_the_class(stack, course):
    trainer, pengisi, jujur = course
    # 18 MB of noise in her assignment folder (a submission may be 20 MB):
    # the third one crosses her 50 MB share.
    pengisi.user.run_code(f"import os; open(os.path.expanduser('~/{COURSE}/{TASK}/sampah.bin'), 'wb')"
                          f".write(os.urandom(18 * 2**20))")
    results = [pengisi.act("submit", TASK) for _ in range(3)]
    assert [r["success"] for r in results] == [True, True, False], results
    refusal = results[-1]["value"]
    assert "jatah kirimanmu di kursus ini (50.0 MB)" in refusal, refusal
    assert "Traceback" not in refusal and "layanan penilai" not in refusal, refusal
    mine = [e for e in inbound_of(stack) if e.startswith(pengisi.user.name + "+")]
    assert len(mine) == 2, mine
    # Her classmate is not affected.
    done = jujur.act("submit", TASK)
    assert done["success"], done
    # Resubmitting the same assignment never piles up: her oldest go first
    # (three kept), so after making room she can submit again and again.
    pengisi.user.run_code(f"import os; os.remove(os.path.expanduser('~/{COURSE}/{TASK}/sampah.bin'))")
    for _ in range(3):
        assert pengisi.act("submit", TASK)["success"]
    mine = [e for e in inbound_of(stack) if e.startswith(pengisi.user.name + "+")]
    assert len(mine) == 3, mine


def test_trainer_and_admin_can_remove_any_submission(stack, course):
    trainer, pengisi, jujur = course
    if not [e for e in inbound_of(stack) if e.startswith(jujur.user.name + "+")]:
        assert jujur.act("submit", TASK)["success"]
    # The admin sees who takes how much...
    listed = submissions_cli(stack)
    assert listed.returncode == 0, listed.stderr
    assert pengisi.user.name in listed.stdout and jujur.user.name in listed.stdout, listed.stdout
    # ...the trainer removes one learner's submissions from the Lab terminal...
    removed = trainer.shell(f"rm -rf /srv/nbgrader/exchange/{COURSE}/inbound/{pengisi.user.name}+*")
    assert "EXIT 0" in removed, removed
    assert not [e for e in inbound_of(stack) if e.startswith(pengisi.user.name + "+")]
    # ...and the admin removes everything left, including an entry written
    # the old way (by a learner, with a link in it), without following it.
    stack.docker.containers.run(
        "balaikode/python:0.3.0", remove=True, user="0:0", network_disabled=True,
        entrypoint=["sh", "-c", "d='/x/inbound/lama+01-variabel+2026-01-01 10:00:00.000000 UTC+x'; "
                    "mkdir -p \"$d\" && ln -s /x/outbound \"$d/tautan\" && chown -R 12345 \"$d\""],
        volumes={f"{stack.project}-exchange-{COURSE}": {"bind": "/x", "mode": "rw"}})
    cleared = submissions_cli(stack, "--remove-all")
    assert cleared.returncode == 0, cleared.stderr
    assert "kiriman dihapus" in cleared.stdout, cleared.stdout
    assert inbound_of(stack) == []
    # The release the link pointed at is still there: learners can fetch.
    assert trainer.shell(f"ls /srv/nbgrader/exchange/{COURSE}/outbound/{TASK}").count(".ipynb") == 1
    # After the clean-up everyone can submit again.
    assert pengisi.act("submit", TASK)["success"]


def test_a_full_exchange_stops_a_submission_cleanly_and_loses_nothing(stack, course):
    """The exchange is a disk of its own (BALAIKODE_EXCHANGE_DISK_SIZE); here
    it is filled by root behind everyone's back, as a too-small setting
    would. A submission then fails saying so, leaves nothing half-written,
    and works again once there is room."""
    trainer, pengisi, jujur = course
    assert jujur.act("submit", TASK)["success"]
    before = set(inbound_of(stack))
    volume = {f"{stack.project}-exchange-{COURSE}": {"bind": "/x", "mode": "rw"}}
    fill = stack.docker.containers.run(
        "balaikode/python:0.3.0", remove=True, user="0:0", network_disabled=True,
        entrypoint=["sh", "-c", "dd if=/dev/zero of=/x/isi bs=4M 2>&1 | tail -1; sync; "
                    "dd if=/dev/zero of=/x/isi2 bs=4k 2>&1 | tail -1; df -k /x | tail -1"],
        volumes=volume).decode()
    try:
        assert " 100% " in fill, fill
        refused = jujur.act("submit", TASK)
        assert refused["success"] is False, refused
        assert "ruang pengumpulan kursus ini penuh" in refused["value"], refused
        assert set(inbound_of(stack)) == before
        assert jujur.read_notebook(TASK)["cells"], "the learner's own copy is intact"
        trainer.collect(TASK)
        assert trainer.submissions(TASK)[jujur.user.name]["timestamp"] is not None
    finally:
        stack.docker.containers.run("balaikode/python:0.3.0", remove=True, user="0:0",
                                    network_disabled=True, entrypoint=["rm", "-f", "/x/isi", "/x/isi2"],
                                    volumes=volume)
    assert jujur.act("submit", TASK)["success"]


POST_TO_GRADER = """
import base64, concurrent.futures, json, os, urllib.error, urllib.request
def post(body, timeout=120):
    request = urllib.request.Request(os.environ["BALAIKODE_GRADER_URL"] + "/submit", data=body,
        headers={{"Content-Type": "application/json",
                 "Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}})
    try:
        return urllib.request.urlopen(request, timeout=timeout).status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError) as error:
        return "closed"
def submission(files, token="serang"):
    files = {{**files, "submission_secret.txt": b"rahasia"}}
    return json.dumps({{"course": {course!r}, "assignment": {task!r}, "token": token,
        "files": {{p: base64.b64encode(c).decode() for p, c in files.items()}}}}).encode()
results = {{}}
# Many empty files deep in folders: refused, or charged as the inodes they take.
results["deep"] = post(submission({{"/".join(["d"] * 400) + "/x": b""}}))
results["many-folders"] = post(submission({{f"d{{i}}/a/b/c/x": b"" for i in range(60)}}))
results["newline-token"] = post(submission({{"x.txt": b"x"}}, token="tok\\n"))
# A body over the limit is refused before it is read.
results["too-big"] = post(b"{{" + b" " * (40 * 2**20) + b"}}")
# Many large uploads at once: one at a time per learner.
big = submission({{"besar.bin": os.urandom(15 * 2**20)}})
with concurrent.futures.ThreadPoolExecutor(6) as pool:
    results["parallel"] = sorted(map(str, pool.map(post, [big] * 6)))
print(json.dumps(results))
"""


def test_hostile_uploads_are_refused_before_they_cost_the_class(stack, course):
    """What a red-team learner tried against the grader's /submit directly:
    a deep tree of empty files (once 390 MB and most of the disk's inodes for
    a 200 KB request), a token ending in a newline, a 40 MB body, six 15 MB
    uploads at once."""
    trainer, pengisi, jujur = course
    pengisi_entries = lambda: [e for e in inbound_of(stack) if e.startswith(pengisi.user.name + "+")]
    assert submissions_cli(stack, "--remove", pengisi.user.name).returncode == 0
    facts = run_json(pengisi, POST_TO_GRADER.format(course=COURSE, task=TASK), timeout=300)
    assert facts["deep"] == 400 and facts["many-folders"] == 400, facts
    assert facts["newline-token"] == 400, facts
    assert facts["too-big"] in (413, "closed"), facts
    # One is written; the others are refused before their bodies are read
    # (the client, still sending, may see the connection close first).
    assert facts["parallel"].count("200") == 1, facts
    assert set(facts["parallel"]) <= {"200", "429", "closed"}, facts
    grader_log = stack.compose("logs", "--no-color", "grader").stdout
    assert grader_log.count("429 POST /services/grader/submit") >= 1, grader_log[-3000:]
    assert all("\n" not in entry for entry in inbound_of(stack))
    # Her share still holds (at most 50 MB), and a classmate submits normally.
    listed = submissions_cli(stack)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert len(pengisi_entries()) <= 3
    assert jujur.act("submit", TASK)["success"]
    grader = stack.docker.containers.get(f"{stack.project}-grader-1")
    assert grader.attrs["State"]["Running"] and grader.attrs["RestartCount"] == 0
