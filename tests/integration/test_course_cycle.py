"""Issue: a whole nbgrader course on the real stack.

One trainer and two learners: release -> fetch -> submit -> collect ->
sandboxed autograde -> feedback -> the learner reads it -> CSV export, with the
scores the answers deserve. Then the ways learners must not get around it.
"""

import secrets

import pytest

from support.course import Student, answer

COURSE = "kelas-uji"
TASK = "01-variabel"
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"
CORRECT_RUPIAH = "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (ani, eko) = make_course(COURSE, TASK, learners=2)
    return trainer, ani, eko


def test_learners_see_fetch_and_submit_the_released_assignment(course):
    trainer, ani, eko = course
    for student in (ani, eko):
        [listed] = [a for a in student.assignments() if a["assignment_id"] == TASK]
        assert listed["status"] == "released"
        assert student.act("fetch", TASK)["success"]
        released = student.read_notebook(TASK)
        text = "".join(c["source"] for c in released["cells"])
        assert "TULIS KODEMU DI SINI" in text
        assert "BEGIN HIDDEN TESTS" not in text and "hitung_total(2500, 4)" not in text

    ani.save_notebook(TASK, answer(ani.read_notebook(TASK),
                                   {"jawab_total": CORRECT_TOTAL, "jawab_rupiah": CORRECT_RUPIAH}))
    # Eko submits twice: a blank attempt, then a half-done one. The latest counts.
    assert eko.act("submit", TASK)["success"]
    eko.save_notebook(TASK, answer(eko.read_notebook(TASK), {"jawab_total": CORRECT_TOTAL}))
    for student in (ani, eko):
        assert student.act("submit", TASK)["success"]


def test_trainer_collects_autogrades_in_the_sandbox_and_scores_are_right(course):
    trainer, ani, eko = course
    trainer.collect(TASK)
    for student in (ani, eko):
        trainer.autograde_ok(TASK, student.user.name)
    rows = trainer.submissions(TASK)
    assert rows[ani.user.name]["score"] == 10.0
    assert rows[eko.user.name]["score"] == 5.0
    assert rows[ani.user.name]["max_score"] == 10.0


def test_learners_read_feedback_without_hidden_tests(course):
    trainer, ani, eko = course
    trainer.generate_and_release_feedback(TASK)
    for student, score in ((ani, "10.0"), (eko, "5.0")):
        assert student.act("fetch_feedback", TASK)["success"]
        html = student.feedback_html(TASK)
        assert html is not None
        assert score in html
        assert "hitung_total(2500, 4)" not in html
        assert "format_rupiah(1000000)" not in html
    # Eko's failure in a cell with hidden tests is told in fixed words: its
    # output could carry the hidden tests (issue 13, test_grading_forgery.py).
    assert "Tes: tidak lulus." in eko.feedback_html(TASK)


def test_grades_export_as_csv(course):
    trainer, ani, eko = course
    rows = {row["student_id"]: row for row in trainer.export_grades() if row["assignment"] == TASK}
    assert float(rows[ani.user.name]["score"]) == 10.0
    assert float(rows[eko.user.name]["score"]) == 5.0
    assert float(rows[ani.user.name]["max_score"]) == 10.0


def test_blank_submission_scores_zero(course, new_learner, stack):
    trainer, _, _ = course
    dewi = new_learner("dewi")
    assert stack.admin_cli("course", COURSE, "--learners", dewi.name).returncode == 0
    dewi.start_server()
    student = Student(dewi, COURSE)
    assert student.act("fetch", TASK)["success"]
    assert student.act("submit", TASK)["success"]
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, dewi.name)
    assert trainer.submissions(TASK)[dewi.name]["score"] == 0.0


def test_formgrader_can_be_framed_by_the_trainers_own_jupyterlab(course):
    trainer, ani, _ = course
    page = trainer.user.http.get(
        f"{trainer.user.base_url}/user/{trainer.user.name}/formgrader", timeout=60)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    # Learners keep JupyterHub's no-framing default.
    lab = ani.user.http.get(f"{ani.user.base_url}/user/{ani.user.name}/lab", timeout=60)
    assert "frame-ancestors 'none'" in lab.headers["Content-Security-Policy"]


def test_admin_prestarts_a_class_before_the_session(stack, new_learner):
    learners = [new_learner("pagi") for _ in range(3)]
    names = ",".join(learner.name for learner in learners)
    assert stack.admin_cli("course", "kelas-pagi", "--learners", names).returncode == 0
    assert not any(learner.server_model() for learner in learners)
    result = stack.admin_cli("prestart", "kelas-pagi", "--parallel", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    for learner in learners:
        assert f"{learner.name}\tready" in result.stdout
        assert learner.server_model().get("ready")
        assert learner.run_code("print('siap')") == "siap\n"


def test_a_course_takes_approved_learners_who_have_not_logged_in_yet(stack):
    """A trainer sets up the class the evening before: the learners signed up
    and were approved, but none has logged in yet."""
    from support.hub_client import Browser

    name, password = f"baru{secrets.token_hex(2)}", "Sandi-" + secrets.token_urlsafe(10)
    assert Browser(stack.url).signup(name, password).status == 200
    waiting = stack.admin_cli("course", "kelas-besok", "--learners", name)
    assert waiting.returncode != 0 and "approved first" in waiting.stdout + waiting.stderr, waiting
    assert stack.admin_cli("approve", name).returncode == 0
    made = stack.admin_cli("course", "kelas-besok", "--learners", name)
    assert made.returncode == 0, made.stdout + made.stderr
    listed = stack.admin_cli("courses")
    assert "kelas-besok" in listed.stdout and name in listed.stdout, listed.stdout
