"""A batch of hostile submissions graded together with honest ones.

Each hostile submission ends with a score (0 here) and a reason the trainer
can read; the honest ones get their correct scores; the gradebook and the
course folder are untouched by the submitted code.
"""

import json

import pytest

from support.course import answer

COURSE = "kelas-uji-nakal"
TASK = "01-variabel"
TOTAL_OK = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"
RUPIAH_OK = "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"

# name -> solution cells; each would score points only if the attack worked.
HOSTILE = {
    "loop": {"jawab_total": "while True:\n    pass\n"},
    "forkbomb": {"jawab_total": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"},
    "memory": {"jawab_total": "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n"},
    "network": {"jawab_total": (
        "import socket\nsocket.create_connection(('hub', 8081), timeout=3)\n" + TOTAL_OK)},
    "gradebook": {"jawab_total": (
        "import glob\nfor path in glob.glob('/**/gradebook.db', recursive=True) + ['/home/guru/kursus']:\n"
        "    open(path, 'w').write('rusak')\n" + TOTAL_OK)},
    "flood": {"jawab_total": "import sys\nfor _ in range(50):\n    sys.stdout.write('x' * 1024 * 1024)\n"},
    # Output that would run in the trainer's formgrader page if rendered raw.
    "xss": {"jawab_total": (
        "from IPython.display import HTML, display\n"
        "display(HTML(\"<script>fetch('/hub/api/users/admin/tokens', {method: 'POST'})</script>"
        "<b id='nakal'>halo</b>\"))\n")},
}


def edit_tests(notebook, how):
    """Tamper with the locked test cells: replace them, or delete them."""
    cells = []
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade") and not cell["metadata"]["nbgrader"].get("solution"):
            if how == "delete":
                continue
            cell["source"] = "pass  # tes dihapus\n"
        cells.append(cell)
    return {**notebook, "cells": cells}


@pytest.fixture(scope="module")
def graded(stack, make_course):
    names = ["jujur", "setengah", *HOSTILE, "tes-diubah", "tes-dihapus", "rusak", "nama-aneh"]
    trainer, students = make_course(COURSE, TASK, learners=len(names))
    by_case = dict(zip(names, students))
    for case, student in by_case.items():
        assert student.act("fetch", TASK)["success"], case
        released = student.read_notebook(TASK)
        if case == "jujur":
            nb = answer(released, {"jawab_total": TOTAL_OK, "jawab_rupiah": RUPIAH_OK})
        elif case == "setengah":
            nb = answer(released, {"jawab_total": TOTAL_OK})
        elif case in HOSTILE:
            nb = answer(released, HOSTILE[case])
        elif case == "tes-diubah":
            nb = edit_tests(released, "replace")
        elif case == "tes-dihapus":
            nb = edit_tests(answer(released, {"jawab_total": TOTAL_OK}), "delete")
        else:
            nb = answer(released, {"jawab_total": TOTAL_OK, "jawab_rupiah": RUPIAH_OK})
        if case == "rusak":
            path = student.notebook_path(TASK)
            put = student.user.server("PUT", f"/contents/{path}", json={
                "type": "file", "format": "text", "content": '{"cells": [ ini bukan json'})
            assert put.status_code in (200, 201), put.text
        else:
            student.save_notebook(TASK, nb)
        if case == "nama-aneh":
            student.user.write_file(f"{COURSE}/{TASK}/$(rm -rf ~); echo ';'.txt", "halo")
        assert student.act("submit", TASK)["success"], case

    gradebook_before = trainer.shell("sha256sum source/*/*.ipynb")
    collected = trainer.collect(TASK)
    # The whole batch, as a trainer runs it: one command for every submission.
    batch_log = trainer.shell(f"nbgrader autograde {TASK}")
    return {"trainer": trainer, "students": by_case, "collected": collected,
            "log": batch_log, "source_before": gradebook_before}


def score(graded, case):
    name = graded["students"][case].user.name
    return graded["trainer"].submissions(TASK)[name]["score"]


def test_honest_submissions_get_their_scores(graded):
    assert score(graded, "jujur") == 10.0
    assert score(graded, "setengah") == 5.0
    assert score(graded, "nama-aneh") == 10.0


@pytest.mark.parametrize("case", [*HOSTILE, "tes-diubah"])
def test_hostile_submissions_score_zero(graded, case):
    assert score(graded, case) == 0.0


def test_tampered_and_broken_notebooks_are_reported_not_crashing(graded):
    log = graded["log"]
    rusak = graded["students"]["rusak"].user.name
    dihapus = graded["students"]["tes-dihapus"].user.name
    assert rusak in log and dihapus in log, log[-3000:]
    # They are not graded (nbgrader reports them); the export counts them as 0.
    rows = {row["student_id"]: row for row in graded["trainer"].export_grades()
            if row["assignment"] == TASK}
    assert float(rows[rusak]["score"]) == 0.0
    assert float(rows[dihapus]["score"]) == 0.0


def test_reasons_are_readable_for_the_trainer(graded):
    trainer = graded["trainer"]
    for case, words in [("loop", "waktu habis"), ("forkbomb", "waktu habis"),
                        ("memory", "memori habis")]:
        name = graded["students"][case].user.name
        notebook = trainer.user.read_file(f"kursus/{COURSE}/autograded/{name}/{TASK}/{TASK}.ipynb")
        text = json.dumps(json.loads(notebook))
        assert words in text or "KeyboardInterrupt" in text, (case, text[:2000])


def test_flood_output_is_capped(graded):
    trainer = graded["trainer"]
    name = graded["students"]["flood"].user.name
    notebook = trainer.user.read_file(f"kursus/{COURSE}/autograded/{name}/{TASK}/{TASK}.ipynb")
    assert len(notebook) < 1_000_000


def test_gradebook_and_course_source_are_untouched(graded):
    trainer = graded["trainer"]
    assert trainer.shell("sha256sum source/*/*.ipynb") == graded["source_before"]
    check = trainer.shell("sqlite3 gradebook.db 'pragma integrity_check' 2>/dev/null || "
                          "python3 -c \"import sqlite3; print(sqlite3.connect('gradebook.db')"
                          ".execute('pragma integrity_check').fetchone()[0])\"")
    assert "ok" in check


def test_learner_output_cannot_script_the_trainers_formgrader(graded):
    trainer = graded["trainer"]
    name = graded["students"]["xss"].user.name
    listed = trainer.formgrader("GET", f"/submitted_notebooks/{TASK}/{TASK}")
    assert listed.status_code == 200, listed.text
    [submission] = [row for row in listed.json() if row["student"] == name]
    page = trainer.user.http.get(
        f"{trainer.user.base_url}/user/{trainer.user.name}/formgrader/submissions/{submission['id']}",
        timeout=60)
    assert page.status_code == 200
    assert "halo" in page.text  # the harmless part of the output is shown...
    # ...the script is not (its source code is shown escaped, which is harmless).
    assert "<script>fetch('/hub/api/users/admin/tokens'" not in page.text
