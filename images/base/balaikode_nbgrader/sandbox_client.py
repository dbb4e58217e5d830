"""nbgrader preprocessor that executes the notebook in the grading sandbox.

Configured in place of nbgrader's Execute for trainers (nbgrader_config.py):
the submission's code never runs in the trainer's server, where it could reach
the gradebook, the course source or the trainer's session.
"""

import os

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

from .service import call_grader


class SandboxExecute(NbGraderPreprocessor):
    cell_timeout = Integer(30, help="Seconds one cell may run.").tag(config=True)
    notebook_timeout = Integer(300, help="Seconds the whole notebook may run.").tag(config=True)
    # Set per course by nbgrader_config.py and each course's formgrader
    # (teaching.py): a trainer may grade several courses in one server.
    course = Unicode(help="The course whose submissions this grades.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
        reply = call_grader("/execute", {
            "course": self.course or os.environ.get("BALAIKODE_COURSE", ""),
            "student": info.get("student", ""),
            "assignment": info.get("assignment", ""),
            "notebook_name": info.get("notebook", ""),
            "kernel": kernel,
            "cell_timeout": self.cell_timeout,
            "notebook_timeout": self.notebook_timeout,
            "notebook": nbformat.writes(nb),
        }, timeout=self.notebook_timeout + 60)
        if reply.get("problem"):
            self.log.warning("Sandbox: %s/%s: %s", info.get("student"), info.get("notebook"),
                             reply["problem"])
        executed = nbformat.reads(reply["notebook"], as_version=4)
        return executed, resources
