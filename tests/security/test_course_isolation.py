"""Learners of a course against each other and against the course itself:
no reading or forging others' submissions, no course source or gradebook,
no trainer powers they were not given."""

import json

import pytest
import requests

from support.course import answer

COURSE = "kelas-aman"
TASK = "01-variabel"
ANSWER = {"jawab_total": "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"}


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (ani, eko) = make_course(COURSE, TASK, learners=2)
    for student in (ani, eko):
        assert student.act("fetch", TASK)["success"]
    eko.save_notebook(TASK, answer(eko.read_notebook(TASK), ANSWER))
    assert eko.act("submit", TASK)["success"]
    return trainer, ani, eko


def run_json(student, code):
    return json.loads(student.user.run_code(code).strip().splitlines()[-1])


def test_learner_cannot_list_or_read_other_submissions(stack, course):
    trainer, ani, eko = course
    inbound = f"/srv/nbgrader/exchange/{COURSE}/inbound"
    facts = run_json(ani, f"""
import json, os
inbound = {inbound!r}
try:
    os.listdir(inbound); listed = True
except PermissionError:
    listed = False
print(json.dumps({{"listed": listed}}))
""")
    assert facts["listed"] is False


def test_submissions_are_private_even_when_the_name_is_known(stack, course):
    trainer, ani, eko = course
    names = stack.docker.containers.run(
        "balaikode/python:0.3.0", entrypoint=["ls", "/x/inbound"], remove=True, user="0:0",
        volumes={f"{stack.project}-exchange-{COURSE}": {"bind": "/x", "mode": "ro"}},
    ).decode().splitlines()
    [entry] = [name for name in names if name.startswith(eko.user.name + "+")]
    facts = run_json(ani, f"""
import json
path = "/srv/nbgrader/exchange/{COURSE}/inbound/{entry}/{TASK}.ipynb"
try:
    open(path).read(); result = "READ"
except PermissionError:
    result = "denied"
print(json.dumps({{"result": result}}))
""")
    assert facts["result"] == "denied"


def test_course_source_and_gradebook_are_not_in_learner_servers(course):
    trainer, ani, eko = course
    facts = run_json(ani, f"""
import json, os, glob
print(json.dumps({{
    "courses_dir": os.listdir("/srv/nbgrader/courses"),
    "kursus_link": os.path.exists(os.path.expanduser("~/kursus")),
    "gradebooks": glob.glob("/srv/**/gradebook.db", recursive=True),
    "released_has_solution": any("BEGIN SOLUTION" in open(p).read() or "HIDDEN TESTS" in open(p).read()
        for p in glob.glob("/srv/nbgrader/exchange/{COURSE}/outbound/**/*.ipynb", recursive=True)),
}}))
""")
    assert facts == {"courses_dir": [], "kursus_link": False, "gradebooks": [],
                     "released_has_solution": False}


def test_learner_cannot_submit_as_someone_else(stack, course):
    trainer, ani, eko = course
    forged = answer(ani.read_notebook(TASK), {
        "jawab_total": "def hitung_total(harga, jumlah):\n    return 'DIPALSUKAN'\n"})
    ani.save_notebook(TASK, forged)
    output = ani.user.run_code(f"""
import os, subprocess
env = dict(os.environ, JUPYTERHUB_USER={eko.user.name!r}, USER={eko.user.name!r})
r = subprocess.run(["nbgrader", "submit", {TASK!r}, "--course", {COURSE!r}, "--student", {eko.user.name!r}],
                   cwd=os.path.expanduser("~"), env=env, capture_output=True, text=True)
print(r.returncode, r.stderr[-500:])
""", timeout=120)
    assert output.startswith("0"), output
    # The grader service files it under the hub name of the token that sent
    # it (ani's), whatever the request says: eko keeps his own submission.
    collected = trainer.collect(TASK)
    assert "Collected" in collected["log"], collected
    trainer.autograde_ok(TASK, eko.user.name)
    assert trainer.submissions(TASK)[eko.user.name]["score"] == 5.0
    found = trainer.shell(f"grep -l DIPALSUKAN submitted/*/{TASK}/*.ipynb")
    assert f"submitted/{ani.user.name}/" in found and f"submitted/{eko.user.name}/" not in found, found


def test_learner_has_no_trainer_powers(stack, course):
    trainer, ani, eko = course
    # No formgrader in a learner's server...
    response = ani.user.http.get(f"{stack.url}/user/{ani.user.name}/formgrader/api/assignments", timeout=30)
    assert response.status_code == 404
    # ...and the grader service refuses a learner's token, for this course and others.
    for course_id in (COURSE, "kelas-lain"):
        for action in ("collect", "execute"):
            reply = requests.post(f"{stack.url}/services/grader/{action}", timeout=30,
                                  headers={"Authorization": f"token {ani.user.token}"},
                                  json={"course": course_id, "assignment": TASK, "notebook": "{}"})
            assert reply.status_code in (403, 404), (action, course_id, reply.status_code)


def test_trainer_cannot_grade_a_course_they_do_not_teach(stack, course, make_course):
    trainer, ani, eko = course
    other_trainer, _ = make_course("kelas-tetangga", TASK, learners=1)
    reply = requests.post(f"{stack.url}/services/grader/collect", timeout=30,
                          headers={"Authorization": f"token {other_trainer.user.token}"},
                          json={"course": COURSE, "assignment": TASK})
    assert reply.status_code == 403
    assert "not a trainer" in reply.json()["message"]


def test_learner_html_files_are_served_as_sandboxed_untrusted_content(stack, course):
    trainer, ani, eko = course
    ani.user.write_file("halaman.html", "<script>fetch('/hub/api/user')</script>halo")
    page = ani.user.http.get(f"{stack.url}/user/{ani.user.name}/files/halaman.html", timeout=30)
    assert page.status_code == 200 and "halo" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox") and "allow-same-origin" not in policy


def test_a_submission_cannot_be_backdated(stack, course):
    """nbgrader reads timestamp.txt for late penalties; the grader service
    writes it with its own clock, whatever the learner sends."""
    trainer, ani, eko = course
    reply = run_json(ani, f"""
import base64, json, os, urllib.request, urllib.error
files = {{"{TASK}.ipynb": base64.b64encode(open(os.path.expanduser("~/{COURSE}/{TASK}/{TASK}.ipynb"), "rb").read()).decode(),
         "timestamp.txt": base64.b64encode(b"2020-01-01 00:00:00.000000 UTC").decode(),
         "submission_secret.txt": base64.b64encode(b"rahasia").decode()}}
body = json.dumps({{"course": {COURSE!r}, "assignment": {TASK!r}, "token": "mundur",
                   "timestamp": "2020-01-01 00:00:00.000000 UTC", "files": files}}).encode()
request = urllib.request.Request(os.environ["BALAIKODE_GRADER_URL"] + "/submit", data=body,
    headers={{"Content-Type": "application/json", "Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}})
try:
    print(json.dumps({{"status": 200, **json.loads(urllib.request.urlopen(request, timeout=120).read())}}))
except urllib.error.HTTPError as error:
    print(json.dumps({{"status": error.code, "body": error.read().decode()[:300]}}))
""")
    assert reply["status"] == 200, reply
    assert not reply["timestamp"].startswith("2020"), reply
    trainer.collect(TASK)
    stamp = trainer.submissions(TASK)[ani.user.name]["timestamp"]
    assert stamp and not str(stamp).startswith("2020"), stamp
