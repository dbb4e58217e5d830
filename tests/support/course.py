"""A trainer and learners running a real nbgrader course through their own
servers: the formgrader API (what the formgrader page calls) for the trainer,
the Assignments API (what the Assignments tab calls) for learners."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .hub_client import Learner

REPO = Path(__file__).resolve().parents[2]


def source_notebook(course_folder: str, assignment: str) -> dict:
    path = REPO / "assignments" / course_folder / "source" / assignment / f"{assignment}.ipynb"
    return json.loads(path.read_text())


def answer(notebook: dict, answers: dict[str, str]) -> dict:
    """A copy of the released notebook with solution cells (by grade_id) filled in."""
    filled = json.loads(json.dumps(notebook))
    for cell in filled["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return filled


class Trainer:
    def __init__(self, user: Learner, course: str):
        self.user = user
        self.course = course

    def ensure_dir(self, path: str) -> None:
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if self.user.server("GET", f"/contents/{sub}", params={"content": 0}).status_code == 404:
                created = self.user.server("PUT", f"/contents/{sub}", json={"type": "directory"})
                assert created.status_code in (200, 201), created.text

    def upload_source(self, course_folder: str, assignment: str) -> None:
        folder = f"kursus/{self.course}/source/{assignment}"
        self.ensure_dir(folder)
        response = self.user.server("PUT", f"/contents/{folder}/{assignment}.ipynb", json={
            "type": "notebook", "format": "json",
            "content": source_notebook(course_folder, assignment)})
        assert response.status_code in (200, 201), response.text

    def formgrader(self, method: str, path: str, **kwargs):
        return self.user.http.request(
            method, f"{self.user.base_url}/user/{self.user.name}/formgrader/api{path}",
            timeout=600, **kwargs)

    def action(self, path: str) -> dict:
        response = self.formgrader("POST", path)
        assert response.status_code == 200, response.text
        result = response.json()
        assert result.get("success"), result
        return result

    def generate(self, assignment):
        return self.action(f"/assignment/{assignment}/assign")

    def release(self, assignment):
        return self.action(f"/assignment/{assignment}/release")

    def collect(self, assignment):
        return self.action(f"/assignment/{assignment}/collect")

    def autograde(self, assignment, student):
        response = self.formgrader("POST", f"/submission/{assignment}/{student}/autograde")
        assert response.status_code == 200, response.text
        return response.json()

    def autograde_ok(self, assignment, student):
        result = self.autograde(assignment, student)
        assert result.get("success"), result.get("error") or result.get("log")
        return result

    def submissions(self, assignment) -> dict[str, dict]:
        response = self.formgrader("GET", f"/submissions/{assignment}")
        assert response.status_code == 200, response.text
        return {row["student"]: row for row in response.json()}

    def generate_and_release_feedback(self, assignment):
        self.action(f"/assignment/{assignment}/generate_feedback")
        self.action(f"/assignment/{assignment}/release_feedback")

    def shell(self, command: str, timeout: float = 300) -> str:
        code = ("import subprocess, sys\n"
                f"r = subprocess.run({command!r}, shell=True, capture_output=True, text=True,"
                f" cwd='/srv/nbgrader/courses/{self.course}')\n"
                "print(r.stdout + r.stderr)\nprint('EXIT', r.returncode)")
        return self.user.run_code(code, timeout=timeout)

    def export_grades(self) -> list[dict]:
        output = self.shell("nbgrader export --to grades.csv")
        assert "EXIT 0" in output, output
        text = self.user.read_file(f"kursus/{self.course}/grades.csv")
        return list(csv.DictReader(io.StringIO(text)))


class Student:
    def __init__(self, user: Learner, course: str):
        self.user = user
        self.course = course

    def assignments(self) -> list[dict]:
        response = self.user.http.get(f"{self.user.base_url}/user/{self.user.name}/assignments",
                                      params={"course_id": self.course}, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()["value"]

    def act(self, action: str, assignment: str) -> dict:
        response = self.user.http.post(
            f"{self.user.base_url}/user/{self.user.name}/assignments/{action}",
            data={"course_id": self.course, "assignment_id": assignment}, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()

    def hand_in(self, assignment: str, answers: dict[str, str]) -> None:
        """Fetch, fill in the cells `answers` names, save and submit, as she does."""
        assert self.act("fetch", assignment)["success"]
        self.save_notebook(assignment, answer(self.read_notebook(assignment), answers))
        assert self.act("submit", assignment)["success"]

    def notebook_path(self, assignment: str) -> str:
        return f"{self.course}/{assignment}/{assignment}.ipynb"

    def read_notebook(self, assignment: str) -> dict:
        response = self.user.server("GET", f"/contents/{self.notebook_path(assignment)}")
        assert response.status_code == 200, response.text
        return response.json()["content"]

    def save_notebook(self, assignment: str, notebook: dict, name: str | None = None) -> None:
        path = self.notebook_path(assignment) if name is None else f"{self.course}/{assignment}/{name}"
        response = self.user.server("PUT", f"/contents/{path}", json={
            "type": "notebook", "format": "json", "content": notebook})
        assert response.status_code in (200, 201), response.text

    def feedback_html(self, assignment: str) -> str | None:
        folder = self.user.server("GET", f"/contents/{self.course}/{assignment}/feedback")
        if folder.status_code != 200:
            return None
        stamps = sorted(item["name"] for item in folder.json()["content"])
        if not stamps:
            return None
        return self.user.read_file(f"{self.course}/{assignment}/feedback/{stamps[-1]}/{assignment}.html")
