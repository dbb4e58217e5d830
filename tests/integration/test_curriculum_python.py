"""Issue: the python-dasar starter curriculum, graded by real nbgrader with the
learner image's own kernel.

One throwaway container of the learner image per module (no network, removed
at the end) plays the trainer's server: the curriculum is where the curriculum
volume puts it (/opt/balaikode/assignments), the trainer README's copy command
brings it into a course folder, `nbgrader generate_assignment` releases every
assignment, and one `nbgrader autograde` grades three learners per assignment:

- ``solusi`` hands in the released notebook with the trainer's solutions: full marks;
- ``kosong`` hands in the released notebook untouched: zero;
- ``salah`` hands in the solutions with one typical beginner's mistake
  (MISTAKES below): a known partial score, and the Indonesian message the
  learner reads in the autograded notebook and the feedback.

The whole stack is not needed for this (tests/integration/test_course_cycle.py
runs a course through it); this keeps the check of every assignment quick.
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

TRACK = "python-dasar"
NAMES = cur.assignment_names(TRACK)
COURSE = "uji-kurikulum"
COURSE_DIR = f"/root/kursus/{COURSE}"
CURRICULUM = "/opt/balaikode/assignments"
STUDENTS = ("solusi", "kosong", "salah")
STUB = "# TULIS KODEMU DI SINI\nraise NotImplementedError()"
# Trainer settings that matter here (the image's /etc/jupyter config applies
# them only to trainers' servers, and grades in the sandbox service instead).
COURSE_CONFIG = f"""\
c = get_config()
c.CourseDirectory.course_id = {COURSE!r}
c.ClearSolutions.code_stub = {{"python": {STUB!r}}}
"""


@dataclass(frozen=True)
class Mistake:
    what: str                   # the mistake, for the trainer (also in the README)
    answers: dict[str, str]     # grade_id -> what the learner wrote instead of the solution
    score: float
    failing: frozenset[str]     # test cells that lose their points
    messages: tuple[str, ...]   # what the autograded notebook tells the learner


MISTAKES = {
    "01-variabel": Mistake(
        "format_rupiah tanpa titik pemisah ribuan",
        {"jawab_rupiah": 'def format_rupiah(angka):\n    return "Rp " + str(angka)\n'},
        5, frozenset({"tes_rupiah"}),
        ("format_rupiah(15000) seharusnya 'Rp 15.000', tapi hasilnya 'Rp 15000'",)),
    "02-percabangan": Mistake(
        "status_stok memakai < 5, sehingga 5 dianggap aman",
        {"jawab_stok": ('def status_stok(jumlah):\n    if jumlah == 0:\n        return "habis"\n'
                        '    elif jumlah < 5:\n        return "hampir habis"\n'
                        '    else:\n        return "aman"\n')},
        6, frozenset({"tes_stok"}),
        ("status_stok(5) seharusnya 'hampir habis', tapi hasilnya 'aman'",)),
    "03-perulangan": Mistake(
        "total = 0 ditulis di dalam perulangan",
        {"jawab_jumlah": ("def jumlah_belanja(daftar_harga):\n    for harga in daftar_harga:\n"
                          "        total = 0\n        total = total + harga\n    return total\n")},
        6, frozenset({"tes_jumlah"}),
        ("jumlah_belanja([5000, 3000, 2000]) seharusnya 10000, tapi hasilnya 2000",)),
    "04-fungsi": Mistake(
        "baris_struk memakai print, bukan return",
        {"jawab_struk": ("def baris_struk(nama_barang, harga, jumlah, persen_diskon=0):\n"
                         "    total = total_bayar(harga, jumlah, persen_diskon)\n"
                         '    print(f"{nama_barang} x {jumlah} = {format_rupiah(total)}")\n')},
        6, frozenset({"tes_struk"}),
        ("baris_struk('Gula', 14000, 2) tidak mengembalikan apa-apa (None), padahal seharusnya "
         "'Gula x 2 = Rp 28.000'. Apakah kamu memakai print, bukan return?",)),
    "05-list-dictionary": Mistake(
        "cari_harga memakai daftar_harga[nama], sehingga barang yang tidak ada membuat KeyError",
        {"jawab_harga": "def cari_harga(daftar_harga, nama):\n    return daftar_harga[nama]\n"},
        7, frozenset({"tes_harga"}),
        ("cari_harga(harga_warung, 'sabun') seharusnya 0 karena sabun tidak ada di daftar, "
         "tapi muncul KeyError",)),
    "06-string-dan-berkas": Mistake(
        "simpan_daftar lupa menulis baris baru (\\n)",
        {"jawab_simpan": ('def simpan_daftar(nama_berkas, daftar):\n'
                          '    with open(nama_berkas, "w", encoding="utf-8") as berkas:\n'
                          '        for barang in daftar:\n            berkas.write(barang)\n')},
        7, frozenset({"tes_simpan"}),
        ("Isi berkas tes_belanja.txt seharusnya 'beras\\ngula\\n', tapi isinya 'berasgula'",)),
    "07-proyek-toko": Mistake(
        "total_keranjang lupa mengalikan harga dengan jumlah (struknya ikut salah)",
        {"jawab_total": ("def total_keranjang(gudang, keranjang):\n    total = 0\n"
                         "    for nama in keranjang:\n"
                         '        total = total + gudang[nama]["harga"]\n    return total\n')},
        12, frozenset({"tes_total", "tes_struk"}),
        ("total_keranjang(gudang, {'beras': 2, 'gula': 1}) seharusnya 39000, tapi hasilnya 27000",
         "baris ke-4 seharusnya 'Total: Rp 39.000', tapi hasilnya 'Total: Rp 27.000'")),
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


def learner_image() -> str:
    compose = yaml.safe_load((cur.REPO / "docker-compose.yml").read_text())
    return compose["services"]["python"]["image"]


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
    """The throwaway learner-image container, driven as root."""

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
        """Files under folder, by path relative to it (none if it is missing)."""
        try:
            stream, _ = self.container.get_archive(folder)
        except docker.errors.NotFound:
            return {}
        data = b"".join(stream)
        files = {}
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    files[member.name.split("/", 1)[1]] = tar.extractfile(member).read()
        return files


@pytest.fixture(scope="module")
def box(built_images):
    client = docker.from_env()
    container = client.containers.run(
        learner_image(), entrypoint=["sleep", "infinity"], detach=True,
        network_mode="none", labels={"balaikode.test": "curriculum"})
    try:
        yield Box(container)
    finally:
        container.remove(force=True)


@pytest.fixture(scope="module")
def generated(box):
    """The curriculum where trainers find it, copied into a course the way the
    README says, and every assignment generated (released) in one command."""
    track_dir = cur.ASSIGNMENTS / TRACK
    box.put(CURRICULUM, {str(p.relative_to(cur.ASSIGNMENTS)): p.read_bytes()
                         for p in track_dir.rglob("*") if p.is_file()})
    box.ok(readme_copy_command(), workdir="/root")
    box.put(COURSE_DIR, {"nbgrader_config.py": COURSE_CONFIG.encode()})
    code, log = box.sh("timeout 300 nbgrader generate_assignment '*'")
    released = {path: json.loads(data) for path, data in box.get(f"{COURSE_DIR}/release").items()}
    return {"code": code, "log": log, "released": released}


@pytest.fixture(scope="module")
def graded(box, generated):
    """solusi, kosong and salah hand in every assignment; one autograde run."""
    submissions = {}
    for name in NAMES:
        released = generated["released"].get(f"{name}/{name}.ipynb")
        if released is None:
            continue  # its generate test fails and says why
        solved = cur.solutions(cur.load(TRACK, name))
        mistake = MISTAKES.get(name)
        notebooks = {"solusi": answer(released, solved), "kosong": released}
        if mistake:
            notebooks["salah"] = answer(released, {**solved, **mistake.answers})
        for student, nb in notebooks.items():
            submissions[f"{student}/{name}/{name}.ipynb"] = json.dumps(nb).encode()
    box.put(f"{COURSE_DIR}/submitted", submissions)
    code, log = box.sh("timeout 600 nbgrader autograde '*'")
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
    """Cell (grade_id or id) -> 'Name: message' of the errors in the autograded notebook."""
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
            lines = "\n".join(line.strip() for line in cur.text(cell).splitlines())
            assert lines.count(STUB) == 1, cur.text(cell)
    # Every visible test line is there; hidden ones are not.
    for grade_id, cell in cur.test_cells(source).items():
        [out] = [c for c in released["cells"] if cur.nbgrader(c).get("grade_id") == grade_id]
        assert cur.text(out).strip() == cur.visible_part(cell).strip()


@pytest.mark.parametrize("name", assignments())
def test_solution_gets_full_marks(graded, name):
    total = cur.total_points(cur.load(TRACK, name))
    got = result(graded, name, "solusi")
    assert got["max_score"] == total
    assert got["score"] == total, (got, errors(graded, name, "solusi"))
    assert errors(graded, name, "solusi") == {}, "no cell of the solved notebook fails"


@pytest.mark.parametrize("name", assignments())
def test_blank_released_notebook_scores_zero(graded, name):
    got = result(graded, name, "kosong")
    assert got["score"] == 0, got
    failed = errors(graded, name, "kosong")
    for grade_id in cur.test_cells(cur.load(TRACK, name)):
        assert grade_id in failed, f"{grade_id} did not fail: {failed}"


@pytest.mark.parametrize("name", assignments())
def test_typical_mistake_gets_partial_score_and_a_message(graded, name):
    assert name in MISTAKES, f"add the typical beginner's mistake for {name} to MISTAKES"
    mistake = MISTAKES[name]
    got = result(graded, name, "salah")
    failed = errors(graded, name, "salah")
    losing = {grade_id for grade_id, (score, best) in got["cells"].items() if score < best}
    assert losing == mistake.failing, (mistake.what, got, failed)
    assert got["score"] == mistake.score, (mistake.what, got, failed)
    assert 0 < got["score"] < got["max_score"]
    shown = "\n".join(failed.values())
    for message in mistake.messages:
        assert message in shown, f"{message!r} not in:\n{shown}"
    assert set(failed) == set(mistake.failing), failed


def test_batch_autograde_ran_cleanly(graded):
    assert graded["code"] == 0, graded["log"][-6000:]
    graded_ones = {path.split("/")[0] for path in graded["autograded"]}
    assert graded_ones == set(STUDENTS)
