"""Run a batch's submissions in the sandbox ahead of nbgrader's serial loop.

`nbgrader autograde` takes one submission after the other: sanitize it (the
course's test cells written over the learner's), execute it, score it into
the gradebook. Executing is the slow part and happens in the grader
service's sandbox, one container per notebook, so it can run for several
learners at once while nbgrader's loop stays as it is: the gradebook keeps
its one writer, nbgrader's own code scores and writes every notebook.

When the first notebook of a batch reaches SandboxExecute, a thread here runs
nbgrader's own sanitize step (a fresh exporter with the converter's sanitize
preprocessors, which only read the gradebook) over every submission of the
batch, in the loop's order, and sends each result to the grader through a
pool of `parallel` threads. SandboxExecute then takes the execution whose
notebook is exactly the one nbgrader hands it, for that learner; anything
else (a submission changed meanwhile, one the loop reaches first) is executed
then and there, as before. So a mismatch costs time, never a wrong grade, and
each execution is one learner's notebook in its own sandbox.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import nbformat
from nbformat.validator import normalize

Execute = Callable[[str, str, str], dict]  # (student, notebook name, notebook text) -> grader's reply


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_back(output: str) -> str:
    """The text SandboxExecute sends for a notebook the sanitize step wrote
    as `output`: the autograde step reads the file back and nbconvert
    normalizes it before the preprocessors see it."""
    _, notebook = normalize(nbformat.reads(output, as_version=4))
    return nbformat.writes(nbformat.from_dict(notebook))


class Batch:
    """Executions of one converter run, started ahead, taken once each."""

    def __init__(self, execute: Execute, parallel: int):
        self.execute = execute
        self.pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="sandbox")
        self.ready: dict[tuple[str, str], tuple[str, Future] | None] = {}
        self.changed = threading.Condition()
        self.done = False
        # Executions nobody will take (nbgrader stopped, the trainer pressed
        # Ctrl-C) are not started once this batch or the process goes.
        self.close = weakref.finalize(self, self.pool.shutdown, wait=False, cancel_futures=True)

    def offer(self, student: str, notebook_id: str, text: str | None) -> None:
        """The sanitized text of a learner's notebook (None: could not be
        made; the loop will execute it itself)."""
        entry = None
        if text is not None:
            entry = (digest(text), self.pool.submit(self.execute, student, notebook_id, text))
        with self.changed:
            self.ready[(student, notebook_id)] = entry
            self.changed.notify_all()

    def finish(self) -> None:
        with self.changed:
            self.done = True
            self.changed.notify_all()

    def take(self, student: str, notebook_id: str, key: str) -> Future | None:
        """The execution started for exactly this notebook, or None."""
        with self.changed:
            self.changed.wait_for(lambda: self.done or (student, notebook_id) in self.ready)
            entry = self.ready.pop((student, notebook_id), None)
            if self.done and not self.ready:
                self.pool.shutdown(wait=False)  # all taken: let its threads end
        if entry is None:
            return None
        started_key, future = entry
        if started_key != key:
            future.cancel()
            return None
        return future


def submissions(converter) -> list[tuple[str, str, str, str]]:
    """(student, assignment, notebook id, path) of every notebook the converter's loop
    will autograde, in its order."""
    coursedir = converter.coursedir
    pattern = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.*)",
                                    "(?P<assignment_id>.*)", escape=True)
    excluded = set(filter(None, (coursedir.student_id_exclude or "").split(",")))
    found = []
    for folder in sorted(converter.assignments):
        match = re.match(pattern, folder)
        if match is None or match["student_id"] in excluded:
            continue
        dest = coursedir.format_path(coursedir.autograded_directory, match["student_id"],
                                     match["assignment_id"])
        if os.path.exists(dest) and not converter.force:
            continue  # nbgrader skips it unless it was submitted again
        for path in sorted(converter.assignments[folder]):
            found.append((match["student_id"], match["assignment_id"],
                          os.path.splitext(os.path.basename(path))[0], path))
    return found


def sanitize_all(converter, batch: Batch) -> None:
    """nbgrader's sanitize step over the batch, into `batch` (a thread's work)."""
    try:
        exporter = type(converter.exporter)(parent=converter, config=converter.config)
        exporter._preprocessors = []  # as Autograde._init_preprocessors does
        for preprocessor in converter.sanitize_preprocessors:
            exporter.register_preprocessor(preprocessor)
        for student, assignment, notebook_id, path in submissions(converter):
            resources = {"unique_key": notebook_id, "output_files_dir": f"{notebook_id}_files",
                         "nbgrader": {"student": student, "notebook": notebook_id,
                                      "assignment": assignment, "db_url": converter.coursedir.db_url}}
            try:
                output, _ = exporter.from_filename(path, resources=resources)
                text = read_back(output)
            except Exception as error:  # noqa: BLE001 - the loop reports it itself
                converter.log.debug("Not ahead: %s: %s", path, error)
                text = None
            batch.offer(student, notebook_id, text)
    finally:
        batch.finish()


_batches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_starting = threading.Lock()


def batch_for(converter, execute: Execute, parallel: int) -> Batch | None:
    """The converter's batch, started on first use; None when there is
    nothing to run ahead (one notebook, or not nbgrader's Autograde)."""
    if not all(hasattr(converter, name) for name in ("assignments", "sanitize_preprocessors",
                                                     "coursedir", "exporter", "force")):
        return None
    if sum(len(found) for found in converter.assignments.values()) < 2 or parallel < 2:
        return None
    with _starting:
        batch = _batches.get(converter)
        if batch is None:
            batch = _batches[converter] = Batch(execute, parallel)
            threading.Thread(target=sanitize_all, args=(converter, batch), daemon=True,
                             name="sanitize-ahead").start()
    return batch
