"""A batch of hostile submissions graded together with honest ones.

Each hostile submission ends with a score (0 here) and a reason the trainer
can read; the honest ones get their correct scores, the same as plain
nbgrader gives them; the gradebook and the course folder are untouched by the
submitted code. An endless loop and a fork bomb cost one cell's time limit,
which the course sets in its own nbgrader_config.py, and the batch goes on
around them (several learners' notebooks run at once).
"""

import json
import time

import pytest

from support.course import answer

COURSE = "kelas-uji-nakal"
TASK = "01-variabel"
# This course's own limit per cell (the site's default is nbgrader's, 30 s).
CELL_TIMEOUT = 10
HONEST = ("jujur", "setengah", "nama-aneh")
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
    set_limit = trainer.shell(f"printf 'c = get_config()\\nc.SandboxExecute.cell_timeout = {CELL_TIMEOUT}\\n'"
                              " >> nbgrader_config.py")
    assert "EXIT 0" in set_limit, set_limit
    # The whole batch, as a trainer runs it: one command for every submission.
    started = time.monotonic()
    batch_log = trainer.shell(f"nbgrader autograde {TASK}")
    seconds = time.monotonic() - started
    scores = {name: row["score"] for name, row in trainer.submissions(TASK).items()}
    return {"trainer": trainer, "students": by_case, "collected": collected, "seconds": seconds,
            "log": batch_log, "source_before": gradebook_before, "scores": scores}


def score(graded, case):
    return graded["scores"][graded["students"][case].user.name]


def test_honest_submissions_get_their_scores(graded):
    assert score(graded, "jujur") == 10.0
    assert score(graded, "setengah") == 5.0
    assert score(graded, "nama-aneh") == 10.0


@pytest.mark.parametrize("case", [*HOSTILE, "tes-diubah"])
def test_hostile_submissions_score_zero(graded, case):
    assert score(graded, case) == 0.0


def test_endless_loops_cost_one_cell_limit_and_do_not_hold_up_the_batch(graded):
    """Before, the loop held the batch 5 cells x 30 s and the fork bomb the
    notebook's 5 minutes, one after the other. Now each ends at the course's
    cell limit, while honest notebooks run beside it: the whole batch of
    submissions takes about two cell limits plus the honest ones' time."""
    assert graded["seconds"] < 8 * CELL_TIMEOUT, graded["seconds"]
    trainer = graded["trainer"]
    for case in ("loop", "forkbomb"):
        name = graded["students"][case].user.name
        notebook = trainer.user.read_file(f"kursus/{COURSE}/autograded/{name}/{TASK}/{TASK}.ipynb")
        assert f"lebih dari {CELL_TIMEOUT} detik" in notebook, (case, notebook[:2000])


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


def test_honest_scores_are_what_plain_nbgrader_gives(graded):
    """Plain nbgrader (its own Execute, in the trainer's server: only for the
    honest notebooks) grades them again; the scores are the sandbox's. Last in
    this file: it overwrites the honest learners' autograded notebooks."""
    trainer = graded["trainer"]
    for case in HONEST:
        name = graded["students"][case].user.name
        plain = trainer.shell(
            f"env -u BALAIKODE_ROLE nbgrader autograde {TASK} --force --student={name} "
            f"--CourseDirectory.course_id={COURSE} --CourseDirectory.root=$HOME/kursus/{COURSE}")
        assert "EXIT 0" in plain, plain[-2000:]
    plain_scores = {name: row["score"] for name, row in trainer.submissions(TASK).items()}
    for case in HONEST:
        name = graded["students"][case].user.name
        assert plain_scores[name] == graded["scores"][name], case
