"""Red team (2026-12-04): tokens at the grader service, and servers left
running while their course is archived or their person taken out of it.

The grader identifies a caller by asking the hub who a token belongs to
(GET /hub/api/user), and asks that the token was given the grader's scope
(balaikode/grader_scope.py): a token made for something else opens nothing.
Every token a learner can hold that has it (one she mints, her server's own
JUPYTERHUB_API_TOKEN) is still only her: her own submission, her own row of
progress, no trainer route. And a server started while a course was
open keeps the course's folders mounted until it stops: what it can still
ask of the grader is what the hub's course model allows now, not at start;
a trainer taken out of the course has her server stopped (it holds the
course folder and the exchange read-write)."""

from __future__ import annotations

import base64
import json

import pytest

from balaikode.grader_scope import GRADER_SCOPE
from support.attack import grader, server_token
from support.hub_client import poll

COURSE = "kelas-token"
RACE = "kelas-arsip-lari"
TASK = "01-variabel"
TRAINER_ROUTES = ("collect", "execute", "roster")


def minted(user, scopes: list[str]) -> str:
    made = user.hub("POST", f"/users/{user.name}/tokens", json={"note": "redteam", "scopes": scopes})
    assert made.status_code == 201, made.text
    return made.json()["token"]


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def submission(course: str, marker: str) -> dict:
    notebook = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return {"course": course, "assignment": TASK, "token": marker,
            "files": {f"{TASK}.ipynb": encoded(json.dumps(notebook)),
                      "submission_secret.txt": encoded("rahasia-kiriman")}}


def trainer_body(course: str) -> dict:
    return {"course": course, "assignment": TASK, "notebook": "{}"}


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (ani, eko) = make_course(COURSE, TASK, learners=2)
    return trainer, ani, eko


def test_every_token_she_can_hold_is_only_her_at_the_grader(stack, course):
    trainer, ani, eko = course
    learner = ani.user
    # The hub itself refuses a token with someone else's scopes.
    other = learner.hub("POST", f"/users/{learner.name}/tokens",
                        json={"scopes": [f"read:users!user={eko.user.name}", "read:groups"]})
    assert other.status_code in (400, 403), other.text
    tokens = {"grader scope only": minted(learner, [GRADER_SCOPE]),
              "server": server_token(stack, learner)}
    for what, token in tokens.items():
        for route in TRAINER_ROUTES:
            refused = grader(stack, token, route, trainer_body(COURSE))
            assert refused.status_code == 403, (what, route, refused.status_code, refused.text)
        seen = grader(stack, token, "progress", {"course": COURSE})
        assert seen.status_code == 200, (what, seen.text)
        view = seen.json()
        assert view["whole_class"] is False and view["class_size"] is None, (what, view)
        assert [row["name"] for row in view["learners"]] in ([], [learner.name]), (what, view)
        marker = "rt" + what.replace(" ", "")
        # A submission that names eko is still filed under the token's owner.
        filed = grader(stack, token, "submit", {**submission(COURSE, marker), "learner": eko.user.name,
                                                 "student": eko.user.name})
        assert filed.status_code == 200, (what, filed.text)
        assert filed.json()["entry"].startswith(f"{learner.name}+{TASK}+"), (what, filed.json())
        assert filed.json()["entry"].endswith("+" + marker)


def test_a_token_made_for_something_else_opens_nothing_at_the_grader(stack, course):
    """The hub says who owns any token; a trainer's token made to post
    activity, or a learner's made with no scopes, carries no grader powers."""
    trainer, ani, _ = course
    guru = trainer.user
    narrow = {"trainer, activity only": minted(guru, [f"users:activity!user={guru.name}"]),
              "trainer, no scopes": minted(guru, []),
              "learner, no scopes": minted(ani.user, [])}
    for what, token in narrow.items():
        for route in (*TRAINER_ROUTES, "progress"):
            refused = grader(stack, token, route, trainer_body(COURSE))
            assert refused.status_code == 403, (what, route, refused.status_code, refused.text)
            assert GRADER_SCOPE in refused.json()["message"], (what, route, refused.text)
        refused = grader(stack, token, "submit", submission(COURSE, "sempit"))
        assert refused.status_code == 403, (what, refused.text)
    # Given the grader's scope, the trainer's token is the trainer's again.
    listed = grader(stack, minted(guru, [GRADER_SCOPE]), "roster", {"course": COURSE})
    assert listed.status_code == 200 and ani.user.name in listed.json()["learners"], listed.text


def test_a_deleted_token_is_refused_within_the_cache_time(stack, course):
    """A token she deleted (or the hub revoked) stops opening the grader."""
    _, ani, _ = course
    learner = ani.user
    made = learner.hub("POST", f"/users/{learner.name}/tokens", json={"note": "redteam-hapus"})
    assert made.status_code == 201, made.text
    token, token_id = made.json()["token"], made.json()["id"]
    assert grader(stack, token, "progress", {"course": COURSE}).status_code == 200
    assert learner.hub("DELETE", f"/users/{learner.name}/tokens/{token_id}").status_code == 204
    poll("the grader to refuse the deleted token",
         lambda: grader(stack, token, "progress", {"course": COURSE}).status_code == 403, 30)


def test_servers_running_through_archive_and_removal_get_nothing_more_from_the_grader(
        stack, admin, make_course):
    trainer, (siti,) = make_course(RACE, TASK, learners=1)
    assert siti.act("fetch", TASK)["success"]
    guru_token, siti_token = server_token(stack, trainer.user), server_token(stack, siti.user)
    assert grader(stack, guru_token, "roster", {"course": RACE}).status_code == 200
    assert grader(stack, siti_token, "submit", submission(RACE, "sebelum")).status_code == 200

    archived = admin.api("POST", f"/balaikode/courses/{RACE}/archive")
    assert archived.status_code == 200 and archived.json()["archived"] is True, archived.text
    # The trainer's server, which holds the course folder read-write, is
    # stopped; the learner's keeps running with the exchange read-only. The
    # grader answers both tokens as it answers anyone for a closed course.
    assert not trainer.user.server_model(), trainer.user.server_model()
    assert siti.user.server_model().get("ready")
    for route in TRAINER_ROUTES:
        refused = grader(stack, guru_token, route, trainer_body(RACE))
        assert refused.status_code in (403, 404), (route, refused.status_code, refused.text)
    for token in (guru_token, siti_token):
        assert grader(stack, token, "progress", {"course": RACE}).status_code in (403, 404)
    assert grader(stack, siti_token, "submit", submission(RACE, "arsip")).status_code in (403, 404)
    # Through her server's own submit button too.
    assert siti.act("submit", TASK)["success"] is False
    # The one with the same name cannot be made while the archive holds it.
    again = admin.api("POST", f"/balaikode/courses/{RACE}", json={"learners": [siti.user.name]})
    assert again.status_code in (400, 409), again.text

    restored = admin.api("POST", f"/balaikode/archive/{RACE}/restore")
    assert restored.status_code == 200, restored.text
    trainer.user.start_server()
    guru_token = server_token(stack, trainer.user)
    assert grader(stack, siti_token, "submit", submission(RACE, "pulih")).status_code == 200
    assert grader(stack, guru_token, "roster", {"course": RACE}).status_code == 200

    # Taken out while her server runs: the running server's token is refused.
    out = admin.api("POST", f"/balaikode/courses/{RACE}/remove", json={"learners": [siti.user.name]})
    assert out.status_code == 200, out.text
    assert grader(stack, siti_token, "submit", submission(RACE, "keluar")).status_code == 403
    assert grader(stack, siti_token, "progress", {"course": RACE}).status_code == 403
    listed = grader(stack, guru_token, "roster", {"course": RACE})
    assert listed.status_code == 200 and siti.user.name not in listed.json()["learners"]
    # Her learner's server keeps running (her unsaved work is in it).
    assert siti.user.server_model().get("ready")
    source = f"kursus/{RACE}/source/{TASK}/{TASK}.ipynb"
    assert trainer.user.read_file(source) is not None
    # A trainer taken out: her server, which holds the course folder and the
    # exchange read-write, is stopped, and its token goes with it.
    out = admin.api("POST", f"/balaikode/courses/{RACE}/remove", json={"trainers": [trainer.user.name]})
    assert out.status_code == 200, out.text
    assert not trainer.user.server_model(), trainer.user.server_model()
    trainer.user.start_server()
    assert trainer.user.read_file(source) is None
    for route in TRAINER_ROUTES:
        refused = grader(stack, guru_token, route, trainer_body(RACE))
        assert refused.status_code == 403, (route, refused.status_code, refused.text)
