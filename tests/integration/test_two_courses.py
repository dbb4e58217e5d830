"""Issue 17, item 1: a trainer teaching two courses grades each from her own
server, learners in one or both courses fetch and submit to each, and a
trainer of only one of the two reaches nothing of the other.

Pak Guru teaches a morning class (PAGI) and an evening class (SORE). Ani is
in the morning class, Budi in the evening one, Citra in both. Both classes
get the same assignment name, so nothing can pass for the other course's.
"""

from __future__ import annotations

import csv
import io

import pytest
import requests

from support.course import Student, Trainer, answer
from support.hub_client import Terminal

PAGI, SORE = "kelas-pagi-py", "kelas-sore-py"
TASK = "01-variabel"
TOTAL = {"jawab_total": "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"}
ALL = {**TOTAL, "jawab_rupiah": "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"}


class CourseTrainer(Trainer):
    """The trainer through the course's own formgrader, kursus/COURSE/formgrader."""

    def formgrader(self, method: str, path: str, **kwargs):
        return self.user.http.request(
            method, f"{self.user.base_url}/user/{self.user.name}/kursus/{self.course}/formgrader/api{path}",
            timeout=600, **kwargs)


@pytest.fixture(scope="module")
def people(stack, new_learner):
    guru, guru_pagi = new_learner("guru"), new_learner("gurupagi")
    ani, budi, citra = new_learner("ani"), new_learner("budi"), new_learner("citra")
    for course, trainers, learners in ((PAGI, [guru, guru_pagi], [ani, citra]),
                                       (SORE, [guru], [budi, citra])):
        stack.enrol(course, trainers=[t.name for t in trainers],
                          learners=[learner.name for learner in learners])
    for user in (guru, guru_pagi, ani, budi, citra):
        user.start_server()
    return {"pagi": CourseTrainer(guru, PAGI), "sore": CourseTrainer(guru, SORE),
            "guru_pagi": CourseTrainer(guru_pagi, PAGI),
            "ani": Student(ani, PAGI), "budi": Student(budi, SORE),
            "citra_pagi": Student(citra, PAGI), "citra_sore": Student(citra, SORE)}


def run_json(user, code):
    import json
    return json.loads(user.run_code(code).strip().splitlines()[-1])


def test_the_trainer_releases_in_each_course_from_its_own_formgrader(people):
    pagi, sore = people["pagi"], people["sore"]
    pagi.upload_source("python-dasar", TASK)
    pagi.generate(TASK)
    pagi.release(TASK)
    # Released in the morning class only: the evening class sees nothing yet.
    assert [a["assignment_id"] for a in people["ani"].assignments()] == [TASK]
    assert people["budi"].assignments() == []
    sore.upload_source("python-dasar", TASK)
    sore.generate(TASK)
    sore.release(TASK)
    assert [a["assignment_id"] for a in people["budi"].assignments()] == [TASK]
    # Each course's gradebook knows its own assignment, and the default
    # formgrader/ stays the first course's.
    for trainer in (pagi, sore):
        listed = trainer.formgrader("GET", "/assignments").json()
        assert [a["name"] for a in listed] == [TASK] and listed[0]["status"] == "released", listed


def test_a_learner_of_both_courses_sees_fetches_and_submits_each(people):
    citra = people["citra_pagi"].user
    courses = citra.http.get(f"{citra.base_url}/user/{citra.name}/courses", timeout=120).json()
    assert sorted(courses["value"]) == [PAGI, SORE], courses
    for key in ("ani", "budi", "citra_pagi", "citra_sore"):
        assert people[key].act("fetch", TASK)["success"], key
    answers = {"ani": ALL, "budi": TOTAL, "citra_pagi": TOTAL, "citra_sore": ALL}
    for key, given in answers.items():
        student = people[key]
        student.save_notebook(TASK, answer(student.read_notebook(TASK), given))
        assert student.act("submit", TASK)["success"], key


def test_the_trainer_collects_and_autogrades_each_course(stack, people):
    expected = {"pagi": {people["ani"].user.name: 10.0, people["citra_pagi"].user.name: 5.0},
                "sore": {people["budi"].user.name: 5.0, people["citra_sore"].user.name: 10.0}}
    for course, scores in expected.items():
        trainer = people[course]
        trainer.collect(TASK)
        for student in scores:
            trainer.autograde_ok(TASK, student)
        rows = trainer.submissions(TASK)
        # Only this course's learners, with this course's scores.
        assert {name: row["score"] for name, row in rows.items() if row["submitted"]} == scores, rows
    # Each submission ran in the sandbox of its own course (the course's image).
    graded = stack.compose("logs", "--no-color", "grader", check=False).stdout
    for course, key in ((PAGI, "ani"), (SORE, "budi"), (PAGI, "citra_pagi"), (SORE, "citra_sore")):
        assert f"Executed {course}/{people[key].user.name}/{TASK}" in graded, (course, key)


def test_each_course_exports_its_own_grades_from_its_folder_in_the_terminal(people):
    guru = people["pagi"].user
    with Terminal(guru) as terminal:
        for course in (PAGI, SORE):
            printed = terminal.type(f"cd ~/kursus/{course} && nbgrader export")
            assert "[exit 0]" in printed, printed
    for course, key in ((PAGI, "ani"), (SORE, "budi")):
        rows = list(csv.DictReader(io.StringIO(guru.read_file(f"kursus/{course}/grades.csv"))))
        names = {row["student_id"] for row in rows if row["timestamp"]}
        other = people["budi" if key == "ani" else "ani"].user.name
        assert people[key].user.name in names and other not in names, (course, rows)


def test_feedback_reaches_each_course_learner(people):
    for course in ("pagi", "sore"):
        people[course].generate_and_release_feedback(TASK)
    for key, score in (("citra_pagi", "5.0"), ("citra_sore", "10.0")):
        student = people[key]
        assert student.act("fetch_feedback", TASK)["success"], key
        assert score in (student.feedback_html(TASK) or ""), key


def test_the_lab_lists_a_formgrader_per_course_and_each_page_names_its_course(people):
    guru = people["pagi"].user
    base = f"{guru.base_url}/user/{guru.name}"
    listed = guru.http.get(f"{base}/formgraders", timeout=60).json()
    assert listed["success"], listed
    assert [(c["course_id"], c["kind"], c["url"]) for c in listed["value"]] == [
        (course, "local", f"/user/{guru.name}/kursus/{course}/formgrader") for course in (PAGI, SORE)]
    # Nbgrader > Formgrader: the first course, which says so and links to the other.
    page = guru.http.get(f"{base}/formgrader", timeout=60)
    assert page.status_code == 200 and page.url.endswith(f"/kursus/{PAGI}/formgrader/manage_assignments")
    assert f"Menilai kursus: <strong>{PAGI}</strong>" in page.text
    assert f'href="/user/{guru.name}/kursus/{SORE}/formgrader/manage_assignments"' in page.text
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    # The evening page's links and calls all go to the evening course.
    page = guru.http.get(f"{base}/kursus/{SORE}/formgrader/manage_assignments", timeout=60)
    assert f'var base_url = "/user/{guru.name}/kursus/{SORE}"' in page.text
    assert f"Menilai kursus: <strong>{SORE}</strong>" in page.text


def test_a_trainer_of_one_course_reaches_nothing_of_the_other(stack, people):
    guru_pagi = people["guru_pagi"]
    user = guru_pagi.user
    # She grades the morning class (the same gradebook as Pak Guru's)...
    assert TASK in {a["name"] for a in guru_pagi.formgrader("GET", "/assignments").json()}
    # ...and has no formgrader, folder, exchange or gradebook of the evening one.
    base = f"{user.base_url}/user/{user.name}"
    assert user.http.get(f"{base}/kursus/{SORE}/formgrader/api/assignments", timeout=60).status_code == 404
    assert [c["course_id"] for c in user.http.get(f"{base}/formgraders", timeout=60).json()["value"]] == [PAGI]
    facts = run_json(user, """
import glob, json, os
print(json.dumps({"courses": sorted(os.listdir("/srv/nbgrader/courses")),
                  "exchanges": sorted(os.listdir("/srv/nbgrader/exchange")),
                  "kursus": sorted(os.listdir(os.path.expanduser("~/kursus"))),
                  "gradebooks": sorted(glob.glob("/srv/nbgrader/courses/*/gradebook.db"))}))
""")
    assert facts == {"courses": [PAGI], "exchanges": [PAGI], "kursus": [PAGI],
                     "gradebooks": [f"/srv/nbgrader/courses/{PAGI}/gradebook.db"]}, facts
    # The grader service refuses her for the evening class.
    for action, body in (("collect", {"course": SORE, "assignment": TASK}),
                         ("execute", {"course": SORE, "assignment": TASK, "notebook": "{}"})):
        reply = requests.post(f"{stack.url}/services/grader/{action}", json=body, timeout=30,
                              headers={"Authorization": f"token {user.token}"})
        assert reply.status_code == 403, (action, reply.status_code, reply.text[:200])
