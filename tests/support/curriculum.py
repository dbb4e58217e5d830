"""The starter curriculum in assignments/TRACK/source, read as plain JSON
(no nbgrader needed): its assignments, their cells by grade_id, and the
answers in the solution regions, ready to fill a released notebook with."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
