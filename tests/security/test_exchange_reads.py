"""The grader's exchange reads (/services/grader/exchange/..., what a
learner's server uses in swarm mode instead of mounting the course
exchange) played by a hostile learner with her server's own token: she gets
what a read-only exchange gives her and nothing more.

- Outside the course: nothing, for every route.
- Inside it: the released assignments, and feedback only by the secret
  names of her own submissions; a classmate's submission, the inbound
  folder, the course folder and paths that climb out are never read.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from support.attack import grader, server_token

COURSE = "kelas-baca"
OTHER = "kelas-sebelah"
TASK = "01-variabel"
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"
ROUTES = ("exchange/released", "exchange/assignment", "exchange/feedback")


@pytest.fixture(scope="module")
def course(make_course, new_learner, stack):
    trainer, (siti, budi) = make_course(COURSE, TASK, learners=2)
    siti.hand_in(TASK, {"jawab_total": CORRECT_TOTAL})
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, siti.user.name)
    trainer.generate_and_release_feedback(TASK)
    outsider = new_learner("luar")
    stack.enrol(OTHER, trainers=[outsider.name], learners=[])
    outsider.start_server()
    return trainer, siti, budi, outsider


def feedback_names(learner) -> list[str]:
    """The secret names of her feedback pages, as nbgrader derives them
    from her own cached submission (md5 of its secret and the notebook's name)."""
    code = ("import glob, json, os\n"
            "cache = os.path.expanduser('~/.local/share/jupyter/nbgrader_cache')\n"
            "print(json.dumps([open(p).read() for p in "
            "glob.glob(cache + '/*/*/submission_secret.txt')]))")
    secrets = json.loads(learner.run_code(code).strip().splitlines()[-1])
    assert secrets, "her submission left a secret in her cache"
    return [hashlib.md5((secret + TASK).encode()).hexdigest() for secret in secrets]


def body(route: str, course: str, **extra) -> dict:
    defaults = {"exchange/released": {}, "exchange/assignment": {"assignment": TASK},
                "exchange/feedback": {"hashes": []}}
    return {"course": course, **defaults[route], **extra}


def test_outside_the_course_she_reads_nothing(stack, course):
    _trainer, siti, _budi, outsider = course
    token = server_token(stack, outsider)
    for route in ROUTES:
        refused = grader(stack, token, route, body(route, COURSE, hashes=feedback_names(siti.user)))
        assert refused.status_code == 403, (route, refused.status_code, refused.text)
        assert set(refused.json()) == {"message"}, refused.text
        # No token: nothing either.
        assert grader(stack, "", route, body(route, COURSE)).status_code in (401, 403)


def test_she_reads_the_released_assignment_and_her_own_feedback(stack, course):
    _trainer, siti, _budi, _outsider = course
    token = server_token(stack, siti.user)
    listed = grader(stack, token, "exchange/released", body("exchange/released", COURSE))
    assert listed.status_code == 200 and listed.json()["assignments"] == {TASK: [f"{TASK}.ipynb"]}, \
        listed.text
    fetched = grader(stack, token, "exchange/assignment", body("exchange/assignment", COURSE))
    assert fetched.status_code == 200, fetched.text
    notebook = json.loads(base64.b64decode(fetched.json()["files"][f"{TASK}.ipynb"]))
    assert notebook["cells"], "the released notebook, as the trainer released it"
    mine = feedback_names(siti.user)
    pages = grader(stack, token, "exchange/feedback", body("exchange/feedback", COURSE, hashes=mine))
    assert pages.status_code == 200, pages.text
    assert set(pages.json()["feedback"]) == set(mine)
    assert b"5.0" in base64.b64decode(pages.json()["feedback"][mine[0]])


def test_a_classmate_gets_no_feedback_and_no_submission_that_is_not_hers(stack, course):
    """budi is in the course but did not submit: without siti's secret he
    cannot name her feedback, and no name reaches inbound/ or the course folder."""
    _trainer, siti, budi, _outsider = course
    token = server_token(stack, budi.user)
    guesses = [hashlib.md5(f"{siti.user.name}{TASK}".encode()).hexdigest(), "0" * 32, "f" * 32]
    pages = grader(stack, token, "exchange/feedback", body("exchange/feedback", COURSE, hashes=guesses))
    assert pages.status_code == 200 and pages.json()["feedback"] == {}, pages.text
    # "inbound" is a well-formed assignment name: it is looked up in outbound/ only.
    for name in ("inbound", "feedback", "source"):
        missing = grader(stack, token, "exchange/assignment",
                         body("exchange/assignment", COURSE, assignment=name))
        assert missing.status_code == 404 and "belum dibagikan" in missing.json()["message"], \
            (name, missing.text)
    for name in ("../inbound", f"../inbound/{siti.user.name}+{TASK}", "..", "/etc", f"{TASK}/../.."):
        refused = grader(stack, token, "exchange/assignment",
                         body("exchange/assignment", COURSE, assignment=name))
        assert refused.status_code == 400, (name, refused.status_code, refused.text)
    for hashes in (["../inbound/x"], ["0" * 32 + "/../../x"], "0" * 32, [None]):
        refused = grader(stack, token, "exchange/feedback", body("exchange/feedback", COURSE, hashes=hashes))
        assert refused.status_code == 400, (hashes, refused.status_code, refused.text)
    for course_name in ("../kelas-baca", "kelas-baca/../x", ""):
        refused = grader(stack, token, "exchange/released", {"course": course_name})
        assert refused.status_code == 400, (course_name, refused.status_code, refused.text)
