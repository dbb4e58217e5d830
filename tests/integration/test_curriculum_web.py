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

import io
import json
import re
import tarfile
from dataclasses import dataclass

import docker
import pytest
import yaml

from support import curriculum as cur
from support.course import answer

TRACK = "web-dasar"
NAMES = cur.assignment_names(TRACK)
REQUIRED = ["01-html-profil-desa", "02-css-tampilan", "03-javascript-kalkulator", "04-php-formulir"]
COURSE = "web-uji"
COURSE_DIR = f"/root/kursus/{COURSE}"
CURRICULUM = "/opt/balaikode/assignments"
STUDENTS = ("solusi", "kosong", "salah")
# The code stub trainers' servers use (images/base/nbgrader_config.py).
STUB = "# TULIS KODEMU DI SINI\nraise NotImplementedError()"
COURSE_CONFIG = f"""\
c = get_config()
c.CourseDirectory.course_id = {COURSE!r}
c.ClearSolutions.code_stub = {{"python": {STUB!r}}}
"""


@dataclass(frozen=True)
class Mistake:
    what: str
    answers: dict[str, str]     # grade_id -> (old, new) replacements in the solution
    score: float
    failing: frozenset[str]
    messages: tuple[str, ...]


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the solution"
    return text.replace(old, new)


MISTAKES = {
    "01-html-profil-desa": Mistake(
        "gambar tanpa teks alt",
        {"jawab_halaman": ('<img src="balai-desa.svg" alt="Gambar balai Desa Sukamaju yang beratap cokelat">',
                           '<img src="balai-desa.svg">')},
        7, frozenset({"tes_gambar"}),
        ("Gambar <img> di baris 18 (balai-desa.svg) belum punya teks alt.",)),
    "02-css-tampilan": Mistake(
        "selector .kartu ditulis tanpa titik",
        {"jawab_css": (".kartu {", "kartu {")},
        6, frozenset({"tes_kartu"}),
        ("Belum ada aturan CSS untuk '.kartu'. Tulis .kartu { padding: ...; }.",)),
    "03-javascript-kalkulator": Mistake(
        "formatRupiah tanpa titik pemisah ribuan",
        {"jawab_js": ('return "Rp " + angka.toLocaleString("id-ID");', 'return "Rp " + angka;')},
        6, frozenset({"tes_rupiah"}),
        ('Fungsi formatRupiah(45000) seharusnya mengembalikan "Rp 45.000", tapi hasilnya "Rp 45000".',)),
    "04-php-formulir": Mistake(
        "nama ditampilkan tanpa htmlspecialchars",
        {"jawab_php": ("htmlspecialchars($nama)", "$nama")},
        7, frozenset({"tes_aman"}),
        ("Nama dari formulir seharusnya ditampilkan dengan htmlspecialchars($nama)",)),
}

GRADEBOOK_JSON = """
import json
from nbgrader.api import Gradebook
out = {}
with Gradebook("sqlite:///gradebook.db") as gb:
    for assignment in gb.assignments:
        out[assignment.name] = {"max_score": assignment.max_score, "students": {}}
        for sub in gb.assignment_submissions(assignment.name):
            out[assignment.name]["students"][sub.student_id] = {
                "score": sub.score, "max_score": sub.max_score,
                "cells": {g.name: [g.score, g.max_score] for nb in sub.notebooks for g in nb.grades}}
print(json.dumps(out))
"""


def webdev_image() -> str:
    compose = yaml.safe_load((cur.REPO / "docker-compose.yml").read_text())
    return compose["services"]["webdev"]["image"]


def readme_copy_command() -> str:
    """The trainer README's shell block that copies the curriculum into a course."""
    readme = (cur.ASSIGNMENTS / TRACK / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S)
              if f"{CURRICULUM}/{TRACK}/source" in b]
    assert len(blocks) == 1, "the README has one sh block copying the curriculum"
    return blocks[0].replace("NAMA-KURSUS", COURSE)


def tar_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Box:
    """The throwaway web-dev container, driven as root with docker exec."""

    def __init__(self, container):
        self.container = container

    def sh(self, command: str, workdir: str = COURSE_DIR) -> tuple[int, str]:
        code, output = self.container.exec_run(["sh", "-euc", command], workdir=workdir)
        return code, output.decode("utf-8", "replace")

    def ok(self, command: str, workdir: str = COURSE_DIR) -> str:
        code, output = self.sh(command, workdir)
        assert code == 0, f"{command} -> exit {code}\n{output[-6000:]}"
        return output

    def put(self, folder: str, files: dict[str, bytes]) -> None:
        self.ok(f"mkdir -p '{folder}'", workdir="/")
        assert self.container.put_archive(folder, tar_of(files))

    def get(self, folder: str) -> dict[str, bytes]:
        stream, _ = self.container.get_archive(folder)
        files = {}
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    files[member.name.split("/", 1)[1]] = tar.extractfile(member).read()
        return files


@pytest.fixture(scope="module")
def box(built_images):
    client = docker.from_env()
    container = client.containers.run(
        webdev_image(), entrypoint=["sleep", "infinity"], detach=True,
        network_mode="none", labels={"balaikode.test": "curriculum-web"})
    try:
        yield Box(container)
    finally:
        container.remove(force=True)


@pytest.fixture(scope="module")
def generated(box):
    box.put(CURRICULUM, {str(p.relative_to(cur.ASSIGNMENTS)): p.read_bytes()
                         for p in (cur.ASSIGNMENTS / TRACK).rglob("*") if p.is_file()})
    box.ok(readme_copy_command(), workdir="/root")
    box.put(COURSE_DIR, {"nbgrader_config.py": COURSE_CONFIG.encode()})
    code, log = box.sh("timeout 300 nbgrader generate_assignment '*'")
    released = {path: json.loads(data) for path, data in box.get(f"{COURSE_DIR}/release").items()
                if path.endswith(".ipynb")}
    return {"code": code, "log": log, "released": released}


def mistaken(solved: dict[str, str], mistake: Mistake) -> dict[str, str]:
    return {grade_id: _replace(solved[grade_id], old, new)
            for grade_id, (old, new) in mistake.answers.items()}


@pytest.fixture(scope="module")
def graded(box, generated):
    submissions = {}
    for name in NAMES:
        released = generated["released"].get(f"{name}/{name}.ipynb")
        if released is None:
            continue  # its generate test fails and says why
        solved = cur.solutions(cur.load(TRACK, name))
        notebooks = {"solusi": answer(released, solved), "kosong": released}
        if name in MISTAKES:
            notebooks["salah"] = answer(released, {**solved, **mistaken(solved, MISTAKES[name])})
        for student, nb in notebooks.items():
            submissions[f"{student}/{name}/{name}.ipynb"] = json.dumps(nb).encode()
    box.put(f"{COURSE_DIR}/submitted", submissions)
    # One HOME per learner, like one sandbox per submission in production.
    code, log = box.sh("status=0; for s in " + " ".join(STUDENTS) + "; do "
                       "mkdir -p /tmp/home-$s; HOME=/tmp/home-$s timeout 600 "
                       "nbgrader autograde '*' --student=$s || status=1; done; exit $status")
    box.put("/tmp", {"scores.py": GRADEBOOK_JSON.encode()})
    gradebook = json.loads(box.ok("python3 /tmp/scores.py").strip().splitlines()[-1])
    autograded = {path: json.loads(data)
                  for path, data in box.get(f"{COURSE_DIR}/autograded").items()
                  if path.endswith(".ipynb")}
    return {"code": code, "log": log, "gradebook": gradebook, "autograded": autograded}


def result(graded, name: str, student: str) -> dict:
    students = graded["gradebook"].get(name, {}).get("students", {})
    assert student in students, f"{student} not graded for {name}:\n{graded['log'][-6000:]}"
    return students[student]


def errors(graded, name: str, student: str) -> dict[str, str]:
    nb = graded["autograded"][f"{student}/{name}/{name}.ipynb"]
    found = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = cur.nbgrader(cell).get("grade_id", cell.get("id"))
                found[label] = f"{output['ename']}: {output['evalue']}"
    return found


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
    assert generated["code"] == 0, generated["log"][-6000:]
    source = cur.load(TRACK, name)
    released = generated["released"].get(f"{name}/{name}.ipynb")
    assert released is not None, generated["log"][-6000:]
    text = json.dumps(released)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    for cell in released["cells"]:
        if cur.is_solution(cell):
            body = cur.text(cell)
            assert body.startswith("%%writefile ~/web/"), "the file name stays in the released cell"
            # nbgrader's stub sits inside a comment of the file's language.
            assert re.search(r"(<!--|/\*)\n\s*# TULIS KODEMU DI SINI\n\s*raise NotImplementedError\(\)\n\s*(-->|\*/)",
                             body), body
    for grade_id, cell in cur.test_cells(source).items():
        [out] = [c for c in released["cells"] if cur.nbgrader(c).get("grade_id") == grade_id]
        assert cur.text(out).strip() == cur.visible_part(cell).strip()


@pytest.mark.parametrize("name", assignments())
def test_solution_gets_full_marks(graded, name):
    total = cur.total_points(cur.load(TRACK, name))
    got = result(graded, name, "solusi")
    assert got["max_score"] == total
    assert got["score"] == total, (got, errors(graded, name, "solusi"))
    assert errors(graded, name, "solusi") == {}


@pytest.mark.parametrize("name", assignments())
def test_blank_released_notebook_scores_zero_for_the_right_reason(graded, name):
    got = result(graded, name, "kosong")
    assert got["score"] == 0, got
    failed = errors(graded, name, "kosong")
    assert set(failed) == set(cur.test_cells(cur.load(TRACK, name))), failed
    for message in failed.values():
        # The released files are valid: no syntax error the learner did not make.
        assert "syntax error" not in message and "kesalahan penulisan" not in message, message
        assert message.startswith("GraderFailure: ") or message.startswith("AssertionError: "), message


@pytest.mark.parametrize("name", assignments())
def test_typical_mistake_gets_partial_score_and_a_message(graded, name):
    mistake = MISTAKES[name]
    got = result(graded, name, "salah")
    failed = errors(graded, name, "salah")
    losing = {grade_id for grade_id, (score, best) in got["cells"].items() if score < best}
    assert losing == mistake.failing, (got, failed)
    assert got["score"] == mistake.score, (got, failed)
    shown = "\n".join(failed.values())
    for message in mistake.messages:
        assert message in shown, f"{message!r} not in:\n{shown}"
    assert set(failed) == set(mistake.failing), failed


def test_batch_autograde_ran_cleanly(graded):
    assert graded["code"] == 0, graded["log"][-6000:]
    assert {path.split("/")[0] for path in graded["autograded"]} == set(STUDENTS)
