"""Issue: the web-dasar starter curriculum, graded by real nbgrader with the
web-dev image's own kernel, node and php.

One throwaway container of balaikode/webdev per module (no network, removed at
the end) plays the trainer's server: the curriculum goes where the curriculum
volume puts it (/opt/balaikode/assignments), the trainer README's copy command
brings it into a course folder, `nbgrader generate_assignment` releases every
assignment, and `nbgrader autograde` grades three learners:

- ``solusi`` hands in the released notebooks with the trainer's solutions: full marks;
- ``kosong`` hands them in untouched: zero, and the tests fail for the right
  reason (the released files are valid HTML/CSS/JS/PHP with nbgrader's stub
  inside a comment, so no learner is told about a syntax error they did not make);
- ``salah`` hands in the solutions with one typical beginner's mistake
  (MISTAKES): a known partial score and the Indonesian message the learner reads.

Each learner is graded with their own HOME, as in the grading sandbox, because
the notebooks write their pages to ~/web/ASSIGNMENT/ (where the live preview
shows them).
"""

from __future__ import annotations

import re

import pytest

from support import curriculum as cur
from support.curriculum import STUDENTS

TRACK = "web-dasar"
NAMES = cur.assignment_names(TRACK)
REQUIRED = ["01-html-profil-desa", "02-css-tampilan", "03-javascript-kalkulator", "04-php-formulir"]
COURSE = "web-uji"
# One HOME per learner, like one sandbox per submission in production.
AUTOGRADE = ("status=0; for s in " + " ".join(STUDENTS) + "; do "
             "mkdir -p /tmp/home-$s; HOME=/tmp/home-$s timeout 600 "
             "nbgrader autograde '*' --student=$s || status=1; done; exit $status")


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the solution"
    return text.replace(old, new)


MISTAKES = {
    "01-html-profil-desa": cur.Mistake(
        "gambar tanpa teks alt",
        {"jawab_halaman": ('<img src="balai-desa.svg" alt="Gambar balai Desa Sukamaju yang beratap cokelat">',
                           '<img src="balai-desa.svg">')},
        7, frozenset({"tes_gambar"}),
        ("Gambar <img> di baris 18 (balai-desa.svg) belum punya teks alt.",)),
    "02-css-tampilan": cur.Mistake(
        "selector .kartu ditulis tanpa titik",
        {"jawab_css": (".kartu {", "kartu {")},
        6, frozenset({"tes_kartu"}),
        ("Belum ada aturan CSS untuk '.kartu'. Tulis .kartu { padding: ...; }.",)),
    "03-javascript-kalkulator": cur.Mistake(
        "formatRupiah tanpa titik pemisah ribuan",
        {"jawab_js": ('return "Rp " + angka.toLocaleString("id-ID");', 'return "Rp " + angka;')},
        6, frozenset({"tes_rupiah"}),
        ('Fungsi formatRupiah(45000) seharusnya mengembalikan "Rp 45.000", tapi hasilnya "Rp 45000".',)),
    "04-php-formulir": cur.Mistake(
        "nama ditampilkan tanpa htmlspecialchars",
        {"jawab_php": ("htmlspecialchars($nama)", "$nama")},
        7, frozenset({"tes_aman"}),
        ("Nama dari formulir seharusnya ditampilkan dengan htmlspecialchars($nama)",)),
}


def mistaken(solved: dict[str, str], mistake: cur.Mistake) -> dict[str, str]:
    return {grade_id: _replace(solved[grade_id], old, new)
            for grade_id, (old, new) in mistake.answers.items()}


@pytest.fixture(scope="module")
def box(built_images):
    with cur.throwaway_box(cur.compose_image("webdev"), "curriculum-web", COURSE) as box:
        yield box


@pytest.fixture(scope="module")
def generated(box):
    return cur.generate(box, TRACK, COURSE)


@pytest.fixture(scope="module")
def graded(box, generated):
    return cur.grade(box, generated, TRACK, COURSE, MISTAKES, autograde=AUTOGRADE, mistake_answers=mistaken)


def assignments():
    return [pytest.param(name, id=name) for name in NAMES]


def test_the_track_has_the_planned_assignments():
    assert NAMES == REQUIRED
    readme = (cur.ASSIGNMENTS / TRACK / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert name in readme
        nb = cur.load(TRACK, name)
        assert cur.total_points(nb) == 10
        assert len(cur.test_cells(nb)) >= 2
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        for cell in cur.test_cells(nb).values():
            assert cur.HIDDEN_TESTS.search(cur.text(cell)), "every test cell has hidden tests"
            assert "from graders import" not in cur.text(cell), "graders are imported once, in Persiapan"
        markdown = [cur.text(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert all(re.match(r"#{1,3} \S", text) for text in markdown), "every text cell starts with a heading"
        assert sum(text.startswith("# ") for text in markdown) == 1


@pytest.mark.parametrize("name", assignments())
def test_generate_assignment_releases_it(generated, name):
    released = cur.released_notebook(generated, name)
    for cell in released["cells"]:
        if cur.is_solution(cell):
            body = cur.text(cell)
            assert body.startswith("%%writefile ~/web/"), "the file name stays in the released cell"
            # nbgrader's stub sits inside a comment of the file's language.
            assert re.search(r"(<!--|/\*)\n\s*# TULIS KODEMU DI SINI\n\s*raise NotImplementedError\(\)\n\s*(-->|\*/)",
                             body), body
    cur.check_visible_tests(cur.load(TRACK, name), released)


@pytest.mark.parametrize("name", assignments())
def test_solution_gets_full_marks(graded, name):
    cur.check_full_marks(graded, TRACK, name)


@pytest.mark.parametrize("name", assignments())
def test_blank_released_notebook_scores_zero_for_the_right_reason(graded, name):
    failed = cur.blank_errors(graded, name)
    assert set(failed) == set(cur.test_cells(cur.load(TRACK, name))), failed
    for message in failed.values():
        # The released files are valid: no syntax error the learner did not make.
        assert "syntax error" not in message and "kesalahan penulisan" not in message, message
        assert message.startswith("GraderFailure: ") or message.startswith("AssertionError: "), message


@pytest.mark.parametrize("name", assignments())
def test_typical_mistake_gets_partial_score_and_a_message(graded, name):
    cur.check_mistake(graded, name, MISTAKES[name])


def test_batch_autograde_ran_cleanly(graded):
    assert graded["code"] == 0, graded["log"][-6000:]
    assert {path.split("/")[0] for path in graded["autograded"]} == set(STUDENTS)
