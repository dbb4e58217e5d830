"""The starter curriculum in assignments/TRACK/source, read as plain JSON
(no nbgrader needed): its assignments, their cells by grade_id, and the
answers in the solution regions, ready to fill a released notebook with.

Below those, what the integration tests of a track share to grade it with real
nbgrader in a throwaway container of its image (Box, generate, grade, result,
errors). Docker, YAML and the course helpers are imported only there, so the
unit tests read the curriculum without them."""

from __future__ import annotations

import io
import json
import re
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from balaikode.grader.exchange import as_tar

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = REPO / "assignments"
NAME = re.compile(r"^(\d\d)-[a-z0-9]+(-[a-z0-9]+)*$")

SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*(\n|$)", re.M)
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)


def source_dir(track: str) -> Path:
    return ASSIGNMENTS / track / "source"


def assignment_names(track: str) -> list[str]:
    """Assignment folders of a track, in teaching order (NN-name)."""
    return sorted(p.name for p in source_dir(track).iterdir() if p.is_dir())


def notebook_path(track: str, name: str) -> Path:
    return source_dir(track) / name / f"{name}.ipynb"


def load(track: str, name: str) -> dict:
    return json.loads(notebook_path(track, name).read_text(encoding="utf-8"))


def text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test(cell: dict) -> bool:
    """An autograded test cell: graded, not a solution."""
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell["cell_type"] == "code"


def is_solution(cell: dict) -> bool:
    return bool(nbgrader(cell).get("solution"))


def test_cells(notebook: dict) -> dict[str, dict]:
    return {nbgrader(c)["grade_id"]: c for c in notebook["cells"] if is_test(c)}


def points(notebook: dict) -> dict[str, float]:
    """grade_id -> points of every graded cell."""
    return {nbgrader(c)["grade_id"]: float(nbgrader(c)["points"])
            for c in notebook["cells"] if nbgrader(c).get("grade")}


def total_points(notebook: dict) -> float:
    return sum(points(notebook).values())


def solutions(notebook: dict) -> dict[str, str]:
    """grade_id -> the solution cell's code as the trainer wrote it, markers removed."""
    return {nbgrader(c)["grade_id"]: SOLUTION_MARKERS.sub("", text(c))
            for c in notebook["cells"] if is_solution(c)}


def visible_part(cell: dict) -> str:
    """What a learner sees of a test cell (hidden tests removed)."""
    return HIDDEN_TESTS.sub("", text(cell))


# --- Grading a track with real nbgrader in a throwaway container -------------

CURRICULUM = "/opt/balaikode/assignments"   # where the curriculum volume puts it
STUDENTS = ("solusi", "kosong", "salah")
# The code stub trainers' servers use (images/base/nbgrader_config.py).
STUB = "# TULIS KODEMU DI SINI\nraise NotImplementedError()"

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


@dataclass(frozen=True)
class Mistake:
    what: str                   # the mistake, for the trainer (also in the README)
    answers: dict               # grade_id -> what the learner wrote instead of the solution
                                # (or what grade's mistake_answers turns into that)
    score: float
    failing: frozenset[str]     # test cells that lose their points
    messages: tuple[str, ...]   # what the autograded notebook tells the learner


def course_dir(course: str) -> str:
    return f"/root/kursus/{course}"


def course_config(course: str) -> str:
    """Trainer settings that matter here (the image's /etc/jupyter config applies
    them only to trainers' servers, and grades in the sandbox service instead)."""
    return f"""\
c = get_config()
c.CourseDirectory.course_id = {course!r}
c.ClearSolutions.code_stub = {{"python": {STUB!r}}}
"""


def compose_image(service: str) -> str:
    """The image docker-compose.yml gives a service (python, webdev, ...)."""
    import yaml

    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return compose["services"][service]["image"]


def readme_copy_command(track: str, course: str) -> str:
    """The trainer README's shell block that copies the curriculum into a course."""
    readme = (ASSIGNMENTS / track / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S)
              if f"{CURRICULUM}/{track}/source" in b]
    assert len(blocks) == 1, "the README has one sh block copying the curriculum"
    return blocks[0].replace("NAMA-KURSUS", course)


class Box:
    """A throwaway container of a track's image, driven as root with docker
    exec; commands run in the course folder unless told otherwise."""

    def __init__(self, container, workdir: str):
        self.container = container
        self.workdir = workdir

    def sh(self, command: str, workdir: str | None = None) -> tuple[int, str]:
        code, output = self.container.exec_run(["sh", "-euc", command], workdir=workdir or self.workdir)
        return code, output.decode("utf-8", "replace")

    def ok(self, command: str, workdir: str | None = None) -> str:
        code, output = self.sh(command, workdir)
        assert code == 0, f"{command} -> exit {code}\n{output[-6000:]}"
        return output

    def put(self, folder: str, files: dict[str, bytes]) -> None:
        self.ok(f"mkdir -p '{folder}'", workdir="/")
        assert self.container.put_archive(folder, as_tar(files, mode=0o644))

    def get(self, folder: str) -> dict[str, bytes]:
        """Files under folder, by path relative to it (none if it is missing)."""
        import docker

        try:
            stream, _ = self.container.get_archive(folder)
        except docker.errors.NotFound:
            return {}
        files = {}
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    files[member.name.split("/", 1)[1]] = tar.extractfile(member).read()
        return files


@contextmanager
def throwaway_box(image: str, label: str, course: str) -> Iterator[Box]:
    """A container of image with no network, removed at the end."""
    import docker

    container = docker.from_env().containers.run(
        image, entrypoint=["sleep", "infinity"], detach=True,
        network_mode="none", labels={"balaikode.test": label})
    try:
        yield Box(container, course_dir(course))
    finally:
        container.remove(force=True)


def generate(box: Box, track: str, course: str) -> dict:
    """The curriculum where trainers find it, copied into a course the way the
    README says, and every assignment generated (released) in one command."""
    box.put(CURRICULUM, {str(p.relative_to(ASSIGNMENTS)): p.read_bytes()
                         for p in (ASSIGNMENTS / track).rglob("*") if p.is_file()})
    box.ok(readme_copy_command(track, course), workdir="/root")
    box.put(course_dir(course), {"nbgrader_config.py": course_config(course).encode()})
    code, log = box.sh("timeout 300 nbgrader generate_assignment '*'")
    released = {path: json.loads(data) for path, data in box.get(f"{course_dir(course)}/release").items()
                if path.endswith(".ipynb")}
    return {"code": code, "log": log, "released": released}


def grade(box: Box, generated: dict, track: str, course: str, mistakes: dict[str, Mistake],
          autograde: str = "timeout 600 nbgrader autograde '*'",
          mistake_answers: Callable[[dict[str, str], Mistake], dict[str, str]] = lambda solved, m: m.answers,
          ) -> dict:
    """solusi, kosong and salah (when the assignment has a mistake) hand in every
    released assignment; the autograde command grades them all. mistake_answers
    gives the learner's code (grade_id -> source) from the solutions and the mistake."""
    from .course import answer

    submissions = {}
    for name in assignment_names(track):
        released = generated["released"].get(f"{name}/{name}.ipynb")
        if released is None:
            continue  # its generate test fails and says why
        solved = solutions(load(track, name))
        notebooks = {"solusi": answer(released, solved), "kosong": released}
        if name in mistakes:
            notebooks["salah"] = answer(released, {**solved, **mistake_answers(solved, mistakes[name])})
        for student, nb in notebooks.items():
            submissions[f"{student}/{name}/{name}.ipynb"] = json.dumps(nb).encode()
    box.put(f"{course_dir(course)}/submitted", submissions)
    code, log = box.sh(autograde)
    box.put("/tmp", {"scores.py": GRADEBOOK_JSON.encode()})
    gradebook = json.loads(box.ok("python3 /tmp/scores.py").strip().splitlines()[-1])
    autograded = {path: json.loads(data)
                  for path, data in box.get(f"{course_dir(course)}/autograded").items()
                  if path.endswith(".ipynb")}
    return {"code": code, "log": log, "gradebook": gradebook, "autograded": autograded}


def result(graded: dict, name: str, student: str) -> dict:
    students = graded["gradebook"].get(name, {}).get("students", {})
    assert student in students, f"{student} not graded for {name}:\n{graded['log'][-6000:]}"
    return students[student]


def errors(graded: dict, name: str, student: str) -> dict[str, str]:
    """Cell (grade_id or id) -> 'Name: message' of the errors in the autograded notebook."""
    nb = graded["autograded"][f"{student}/{name}/{name}.ipynb"]
    found = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                label = nbgrader(cell).get("grade_id", cell.get("id"))
                found[label] = f"{output['ename']}: {output['evalue']}"
    return found


# --- Checks both tracks make of what nbgrader did ----------------------------

def released_notebook(generated: dict, name: str) -> dict:
    """The released notebook of an assignment, checked to be there and to hold
    neither solutions nor hidden tests."""
    assert generated["code"] == 0, generated["log"][-6000:]
    released = generated["released"].get(f"{name}/{name}.ipynb")
    assert released is not None, generated["log"][-6000:]
    text = json.dumps(released)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    return released


def check_visible_tests(source: dict, released: dict) -> None:
    """Every visible test line is there; hidden ones are not."""
    for grade_id, cell in test_cells(source).items():
        [out] = [c for c in released["cells"] if nbgrader(c).get("grade_id") == grade_id]
        assert text(out).strip() == visible_part(cell).strip()


def check_full_marks(graded: dict, track: str, name: str) -> None:
    total = total_points(load(track, name))
    got = result(graded, name, "solusi")
    assert got["max_score"] == total
    assert got["score"] == total, (got, errors(graded, name, "solusi"))
    assert errors(graded, name, "solusi") == {}, "no cell of the solved notebook fails"


def blank_errors(graded: dict, name: str) -> dict[str, str]:
    """kosong scores zero; the errors in their autograded notebook, by cell."""
    got = result(graded, name, "kosong")
    assert got["score"] == 0, got
    return errors(graded, name, "kosong")


def check_mistake(graded: dict, name: str, mistake: Mistake) -> dict:
    """salah loses exactly the points of the mistake's test cells, and reads its
    messages; returns salah's result."""
    got = result(graded, name, "salah")
    failed = errors(graded, name, "salah")
    losing = {grade_id for grade_id, (score, best) in got["cells"].items() if score < best}
    assert losing == mistake.failing, (mistake.what, got, failed)
    assert got["score"] == mistake.score, (mistake.what, got, failed)
    shown = "\n".join(failed.values())
    for message in mistake.messages:
        assert message in shown, f"{message!r} not in:\n{shown}"
    assert set(failed) == set(mistake.failing), failed
    return got
