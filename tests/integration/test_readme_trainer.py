"""The README's trainer steps, typed into a trainer's JupyterLab terminal
exactly as README.md writes them (issue 17: in the Lab terminal `nbgrader`,
`python` and `pip` were "command not found", and the documented `cp -r`
silently made `source/01-variabel.ipynb` because the course had no `source/`)."""

from __future__ import annotations

import re

import pytest

from support.course import Student, Trainer
from support.hub_client import Terminal
from support.stack import REPO

COURSE = "readme-uji"
README_COURSE = "python-dasar-2026"
ASSIGNMENT = "01-variabel"


def readme_command(starts_with: str) -> str:
    """The README's inline command that starts with `starts_with`, for our course."""
    text = (REPO / "README.md").read_text()
    found = re.findall(rf"`({re.escape(starts_with)}[^`]*)`", text)
    assert found, f"README.md has no `{starts_with}...` command any more"
    return found[0].replace(README_COURSE, COURSE)


@pytest.fixture(scope="module")
def course_people(stack, new_learner):
    guru, murid = new_learner("guru"), new_learner("murid")
    stack.enrol(COURSE, trainers=[guru.name], learners=[murid.name])
    for person in (guru, murid):
        person.start_server()
    return guru, murid


def test_the_terminal_has_the_tools_the_readme_uses(course_people):
    guru, _ = course_people
    with Terminal(guru) as terminal:
        for tool in ("nbgrader --version", "python --version", "pip --version"):
            printed = terminal.type(tool)
            assert "[exit 0]" in printed, printed
            assert "command not found" not in printed, printed


def test_readme_copy_puts_the_assignment_where_formgrader_finds_it(course_people):
    guru, murid = course_people
    with Terminal(guru) as terminal:
        printed = terminal.type(readme_command("cp -r /opt/balaikode/assignments/"))
        assert "[exit 0]" in printed, printed
    notebook = guru.server("GET", f"/contents/kursus/{COURSE}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                           params={"content": 0})
    assert notebook.status_code == 200, notebook.text

    trainer, student = Trainer(guru, COURSE), Student(murid, COURSE)
    trainer.generate(ASSIGNMENT)
    trainer.release(ASSIGNMENT)
    assert student.act("fetch", ASSIGNMENT)["success"]
    assert student.act("submit", ASSIGNMENT)["success"]
    trainer.collect(ASSIGNMENT)
    trainer.autograde_ok(ASSIGNMENT, murid.name)

    # README step 6, in the terminal as written there.
    with Terminal(guru, timeout=300) as terminal:
        printed = terminal.type(readme_command("cd ~/kursus/").replace("`", ""))
        assert "[exit 0]" in printed, printed
    grades = guru.read_file(f"kursus/{COURSE}/grades.csv")
    assert grades is not None, "nbgrader export wrote no grades.csv"
    rows = [line for line in grades.splitlines() if murid.name in line and ASSIGNMENT in line]
    assert rows, grades
