"""Issue 17, item 2: real names, on the real stack.

Learners sign up with their full name through the form; the admin sees it on
the approval page; a course's trainer finds it in the nbgrader gradebook of
her server (nbgrader's own API in a kernel, formgrader's student list and
`nbgrader export`'s CSV); a learner corrects her name on /hub/nama and the
admin sets one with ./balaikode, and the gradebook has it after the next
update (collect, export).
"""

from __future__ import annotations

import html
import json
import re
import secrets

import pytest

from support.course import Trainer
from support.hub_client import Browser, Learner, poll

COURSE = "kelas-nama"
TASK = "01-variabel"
# One word; a typographic apostrophe; Vietnamese letters; Balinese, with
# spaces to collapse. The stored forms are what the gradebook must show.
SIGNUPS = {"siti": ("Siti", "Siti"),
           "nuraini": ("  Nur\u2019aini   Đặng ", "Nur\u2019aini Đặng"),
           "putu": ("I Gusti Ayu Putu", "I Gusti Ayu Putu")}


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(2)}"


@pytest.fixture(scope="module")
def people(stack, admin, new_learner):
    """Three learners signed up through the form with full names, approved
    and logged in (their browsers kept, for /hub/nama), a trainer, and the
    course with the three of them."""
    learners = {}
    for key, (typed, _stored) in SIGNUPS.items():
        name, password = unique(key), "Sandi-" + secrets.token_urlsafe(10)
        browser = Browser(stack.url)
        assert browser.signup(name, password, full_name=typed).status == 200
        assert admin.approve(name).status == 200
        assert browser.login(name, password, follow_redirects=False).status == 302
        learners[key] = (name, browser)
    guru = new_learner("guru")
    stack.enrol(COURSE, trainers=[guru.name], learners=[name for name, _ in learners.values()])
    guru.start_server()
    return guru, learners


def gradebook_names(guru: Learner) -> dict[str, list]:
    """Every student record of the course's gradebook, read with nbgrader's API
    in the trainer's own server: {id: [first_name, last_name]}."""
    code = ("import json\nfrom nbgrader.api import Gradebook\n"
            f"with Gradebook('sqlite:////srv/nbgrader/courses/{COURSE}/gradebook.db', "
            f"course_id='{COURSE}') as gb:\n"
            "    print('NAMES' + json.dumps({s.id: [s.first_name, s.last_name] for s in gb.students}))")
    output = guru.run_code(code, timeout=120)
    return json.loads(re.search(r"NAMES(\{.*\})", output).group(1))


def test_the_approval_page_and_the_admin_api_show_the_full_names(people, admin):
    _guru, learners = people
    page = admin.get("/hub/authorize").content.decode()
    signups = {row["name"]: row for row in admin.api("GET", "/balaikode/signups").json()}
    for key, (name, _browser) in learners.items():
        stored = SIGNUPS[key][1]
        row = re.search(rf'<tr[^>]*id="{name}".*?</tr>', page, re.S).group(0)
        assert html.escape(stored) in row
        assert signups[name]["full_name"] == stored


def test_the_trainers_gradebook_has_every_learners_full_name_from_the_start(people):
    guru, learners = people
    wanted = {name: ["", SIGNUPS[key][1]] for key, (name, _b) in learners.items()}
    # Written as her server starts (in the background): wait for it.
    names = poll("the roster in the gradebook",
                 lambda: (found := gradebook_names(guru)) == wanted and found, timeout=120)
    assert names == wanted
    # formgrader's student list reads the same records.
    trainer = Trainer(guru, COURSE)
    response = trainer.formgrader("GET", "/students")
    assert response.status_code == 200, response.text
    listed = {s["id"]: (s["first_name"], s["last_name"]) for s in response.json()}
    assert listed == {name: tuple(names) for name, names in wanted.items()}


def test_the_csv_export_carries_the_names_and_a_learners_correction(people):
    guru, learners = people
    trainer = Trainer(guru, COURSE)
    trainer.upload_source("python-dasar", TASK)
    trainer.generate(TASK)
    trainer.release(TASK)
    name, browser = learners["siti"]
    # She corrects her name herself (the form, with the hub's XSRF token).
    corrected = browser.submit("/hub/nama", {"full_name": "Siti  Rahmawati"})
    assert corrected.status == 200 and "sudah disimpan" in corrected.text
    assert 'value="Siti Rahmawati"' in browser.get("/hub/nama").content.decode()
    rows = {row["student_id"]: row for row in trainer.export_grades() if row["assignment"] == TASK}
    assert (rows[name]["last_name"], rows[name]["first_name"]) == ("Siti Rahmawati", "")
    for key in ("nuraini", "putu"):
        other = learners[key][0]
        assert (rows[other]["last_name"], rows[other]["first_name"]) == (SIGNUPS[key][1], "")
    # Learners who have submitted nothing are listed too (score 0).
    assert float(rows[name]["score"]) == 0.0


def test_an_admin_made_user_gets_a_name_with_the_command_and_it_shows_after_a_collect(
        people, stack, admin):
    guru, _learners = people
    # Made with the hub's admin API: no sign-up, no full name.
    tamu = unique("tamu")
    assert admin.api("POST", f"/users/{tamu}").status_code == 201
    stack.enrol(COURSE, learners=[tamu])
    trainer = Trainer(guru, COURSE)
    trainer.collect(TASK)  # nothing to collect; the roster is updated before it
    assert gradebook_names(guru)[tamu] == ["", ""]  # listed, no name, never "None"
    named = stack.admin_cli("full-name", tamu, "Pak", "Rt", "Sumarno")
    assert named.returncode == 0, named.stdout + named.stderr
    assert named.stdout.strip() == f"{tamu}\tPak Rt Sumarno"
    trainer.collect(TASK)
    assert gradebook_names(guru)[tamu] == ["", "Pak Rt Sumarno"]


def test_the_sign_up_form_refuses_bad_names_in_indonesian_and_keeps_what_was_typed(stack):
    browser = Browser(stack.url)
    name = unique("rina")
    refused = browser.signup(name, "Sandi-rina-2026", full_name="Rina, S.Pd.")
    assert refused.status == 400
    assert "Nama lengkap hanya boleh berisi huruf" in refused.text
    assert 'value="Rina, S.Pd."' in refused.text and f'value="{name}"' in refused.text
    missing = browser.signup(name, "Sandi-rina-2026", full_name="   ")
    assert missing.status == 400 and "Isi nama lengkap Anda." in missing.text
    # Another problem (passwords differ): the full name stays filled in too.
    mismatch = browser.signup(name, "Sandi-rina-2026", "Sandi-lain-2026", full_name="Rina Zoë")
    assert mismatch.status == 400 and 'value="Rina Zoë"' in mismatch.text
    assert browser.signup(name, "Sandi-rina-2026", full_name="Rina Zoë").status == 200


def test_a_name_is_changed_only_by_its_owner_with_the_form_or_by_an_admin(people, admin, stack):
    guru, learners = people
    name, browser = learners["putu"]
    # No XSRF token (a form on another site): refused, nothing changes.
    forged = browser.session.post(f"{stack.url}/hub/nama", data={"full_name": "Penyusup"},
                                  timeout=30, allow_redirects=False)
    assert forged.status_code == 403
    # A learner's token cannot use the admin API for anyone's name, her own included.
    other = Learner(stack.url, name, browser.new_token(name))
    for target in (name, guru.name):
        response = other.hub("PATCH", f"/balaikode/signups/{target}", json={"full_name": "Penyusup"})
        assert response.status_code == 403, response.text
    # A bad name from the admin is refused with the rule.
    response = admin.api("PATCH", f"/balaikode/signups/{name}", json={"full_name": "=1+1"})
    assert response.status_code == 400 and "must start with a letter" in response.json()["message"]
    assert {row["name"]: row for row in admin.api("GET", "/balaikode/signups").json()}[name][
        "full_name"] == "I Gusti Ayu Putu"
    assert "Penyusup" not in browser.get("/hub/nama").text
