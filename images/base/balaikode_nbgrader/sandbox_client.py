"""nbgrader preprocessor that executes the notebook in the grading sandbox.

Configured in place of nbgrader's Execute for trainers (nbgrader_config.py):
the submission's code never runs in the trainer's server, where it could reach
the gradebook, the course source or the trainer's session. In a batch, the
other learners' notebooks are already running in their own sandboxes
(ahead.py), `parallel` at a time.
"""

import json
import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

from . import ahead
from .service import call_grader


class SandboxExecute(NbGraderPreprocessor):
    # nbgrader's own Execute.timeout default; a course sets its own in its
    # folder's nbgrader_config.py: c.SandboxExecute.cell_timeout = 60
    cell_timeout = Integer(30, help="Seconds one cell may run; a cell over it ends the notebook "
                                    "(its tests and the later ones score 0).").tag(config=True)
    notebook_timeout = Integer(300, help="Seconds the whole notebook may run.").tag(config=True)
    parallel = Integer(2, help="Notebooks of a batch sent to the grader at once (the grader "
                               "runs at most BALAIKODE_SANDBOX_PARALLEL per trainer).").tag(config=True)
    # Set per course by nbgrader_config.py and each course's formgrader
    # (teaching.py): a trainer may grade several courses in one server.
    course = Unicode(help="The course whose submissions this grades.").tag(config=True)

    def execute(self, student: str, notebook_name: str, text: str) -> dict:
        return call_grader("/execute", {
            "course": self.course or os.environ.get("BALAIKODE_COURSE", ""),
            "student": student,
            "notebook_name": notebook_name,
            "kernel": json.loads(text)["metadata"].get("kernelspec", {}).get("name", "python3"),
            "cell_timeout": self.cell_timeout,
            "notebook_timeout": self.notebook_timeout,
            "notebook": text,
        }, timeout=self.notebook_timeout + 60, again=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        student, name = info.get("student", ""), info.get("notebook", "")
        text = nbformat.writes(nb)
        converter = getattr(self.parent, "parent", None)
        batch = ahead.batch_for(converter, self.execute, self.parallel)
        started = batch and batch.take(student, name, ahead.digest(text))
        reply = started.result() if started else self.execute(student, name, text)
        if reply.get("problem"):
            self.log.warning("Sandbox: %s/%s: %s", student, name, reply["problem"])
        executed = nbformat.reads(reply["notebook"], as_version=4)
        return executed, resources
