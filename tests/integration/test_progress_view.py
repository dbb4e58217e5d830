"""Issue 17, item 4: the progress view, on the real stack.

A course with three learners: Ani hands in a right answer, Eko a half-done
one, Dewi nothing; the trainer collects and autogrades in the sandbox. Then
/hub/kemajuan shows the trainer (and the admin) the whole class with the
scores from the gradebook, Dewi as having handed in nothing, a PNG chart
and a CSV; each learner sees only her own row.
"""

from __future__ import annotations

import csv
import io

import pytest

from support.course import answer
from support.hub_client import Browser, signed_in

COURSE = "kelas-maju"
TASK = "01-variabel"
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"
CORRECT_RUPIAH = "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (ani, eko, dewi) = make_course(COURSE, TASK, learners=3)
    for student in (ani, eko):
        assert student.act("fetch", TASK)["success"]
    ani.save_notebook(TASK, answer(ani.read_notebook(TASK),
                                   {"jawab_total": CORRECT_TOTAL, "jawab_rupiah": CORRECT_RUPIAH}))
    eko.save_notebook(TASK, answer(eko.read_notebook(TASK), {"jawab_total": CORRECT_TOTAL}))
    for student in (ani, eko):
        assert student.act("submit", TASK)["success"]
    trainer.collect(TASK)
    for student in (ani, eko):
        trainer.autograde_ok(TASK, student.user.name)
    return trainer, ani, eko, dewi


_browsers: dict[str, Browser] = {}


def page(user, path: str):
    """A hub page as her browser gets it."""
    if user.name not in _browsers:
        _browsers[user.name] = signed_in(user)
    return _browsers[user.name].session.get(f"{user.base_url}/hub/kemajuan{path}", timeout=180)


def row_of(html: str, name: str) -> str:
    start = html.index(f'data-learner="{name}"')
    return html[start:html.index("</tr>", start)]


def test_the_trainer_sees_who_handed_in_what_scores_and_who_is_behind(course):
    trainer, ani, eko, dewi = course
    response = page(trainer.user, f"/{COURSE}")
    assert response.status_code == 200, response.text
    html = response.content.decode()
    assert f"Kemajuan kelas {COURSE}" in html
    assert "10/10" in row_of(html, ani.user.name) and "Sesuai jadwal" in row_of(html, ani.user.name)
    assert "5/10" in row_of(html, eko.user.name)
    # Two of three handed it in: it is expected from Dewi too.
    dewi_row = row_of(html, dewi.user.name)
    assert "Belum mengumpulkan" in dewi_row and f"Belum dikumpulkan: {TASK}" in dewi_row
    assert "3 peserta: 0 tertinggal, 1 belum mengumpulkan" in html
    # Who is behind comes first.
    assert html.index(f'data-learner="{dewi.user.name}"') < html.index(f'data-learner="{ani.user.name}"')
    # Per assignment: two of three, mean of 100 % and 50 %.
    assert "2/3" in html and "75.0%" in html


def test_the_csv_has_a_row_per_learner_with_the_gradebooks_scores(course):
    trainer, ani, eko, dewi = course
    response = page(trainer.user, f"/{COURSE}/kemajuan.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f"kemajuan-{COURSE}.csv" in response.headers["Content-Disposition"]
    rows = {row["Nama pengguna"]: row for row in csv.DictReader(
        io.StringIO(response.content.decode("utf-8-sig")))}
    assert set(rows) == {ani.user.name, eko.user.name, dewi.user.name}
    assert rows[ani.user.name][TASK] == "10/10" and rows[ani.user.name]["Nilai total"] == "100.0"
    assert rows[eko.user.name][TASK] == "5/10"
    assert rows[dewi.user.name][TASK] == "" and rows[dewi.user.name]["Status"] == "Belum mengumpulkan"


def test_the_chart_is_a_png_made_from_the_gradebook(course):
    trainer, *_ = course
    response = page(trainer.user, f"/{COURSE}/grafik.png?unduh=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n") and len(response.content) > 5000
    assert f"kemajuan-{COURSE}.png" in response.headers["Content-Disposition"]


def test_a_learner_sees_her_own_progress_only(course):
    _trainer, ani, eko, dewi = course
    html = page(eko.user, f"/{COURSE}").content.decode()
    assert f"Kemajuan saya di kelas {COURSE}" in html
    assert f'data-learner="{eko.user.name}"' in html and 'id="progress-table"' not in html
    assert "Nilai Anda" in html and "5/10" in html
    assert "Anda sudah mengumpulkan 1 dari 1 tugas; nilai total 50.0%." in html
    for other in (ani, dewi):
        assert other.user.name not in html
    assert "kemajuan.csv" not in html and "grafik.png" not in html
    rows = list(csv.DictReader(io.StringIO(page(eko.user, f"/{COURSE}/kemajuan.csv")
                                           .content.decode("utf-8-sig"))))
    assert [row["Nama pengguna"] for row in rows] == [eko.user.name]
    assert page(eko.user, f"/{COURSE}/grafik.png").status_code == 404
    index = page(dewi.user, "").content.decode()
    assert f"{COURSE}: kemajuan saya" in index and "seluruh kelas" not in index


def test_the_admin_sees_the_whole_class_and_the_home_page_links_to_it(course, admin):
    _trainer, ani, eko, dewi = course
    html = admin.get(f"/hub/kemajuan/{COURSE}").content.decode()
    for student in (ani, eko, dewi):
        assert f'data-learner="{student.user.name}"' in html
    assert f"{COURSE}: seluruh kelas" in admin.get("/hub/kemajuan").content.decode()
    assert 'href="/hub/kemajuan"' in admin.get("/hub/home").content.decode()
