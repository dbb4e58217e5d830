"""The batch that runs a class's submissions ahead of nbgrader's loop
(images/base/balaikode_nbgrader/ahead.py): each learner's notebook runs once,
in its own call, at most `parallel` at a time, and the loop gets an execution
only for exactly the notebook it hands over."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("nbformat")
from balaikode_nbgrader.ahead import Batch, digest


class Grader:
    """Stands in for the grader service: records the calls, runs at most as
    many at once as it is asked to."""

    def __init__(self, seconds: float = 0.0):
        self.seconds, self.calls, self.running, self.most = seconds, [], 0, 0
        self.lock = threading.Lock()

    def __call__(self, student, notebook, text):
        with self.lock:
            self.calls.append((student, notebook, text))
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return {"notebook": f"ran {text} for {student}", "problem": None}


def test_each_learner_gets_the_execution_of_her_own_notebook():
    grader = Grader()
    batch = Batch(grader, parallel=2)
    # Two learners handed in the same notebook: still two sandboxes.
    for student in ("ani", "budi"):
        batch.offer(student, "tugas", "same text")
    batch.finish()
    assert batch.take("budi", "tugas", digest("same text")).result()["notebook"] == "ran same text for budi"
    assert batch.take("ani", "tugas", digest("same text")).result()["notebook"] == "ran same text for ani"
    assert sorted(call[0] for call in grader.calls) == ["ani", "budi"]


def test_a_notebook_that_is_not_the_one_started_is_not_taken():
    batch = Batch(Grader(), parallel=2)
    batch.offer("ani", "tugas", "sanitized ahead")
    batch.offer("budi", "tugas", None)  # could not be sanitized ahead
    batch.finish()
    assert batch.take("ani", "tugas", digest("changed since")) is None
    assert batch.take("budi", "tugas", digest("anything")) is None
    assert batch.take("citra", "tugas", digest("never offered")) is None
    # Taken once: a second take (nbgrader retrying) executes anew.
    batch2 = Batch(Grader(), parallel=2)
    batch2.offer("ani", "tugas", "x")
    assert batch2.take("ani", "tugas", digest("x")) is not None
    batch2.finish()
    assert batch2.take("ani", "tugas", digest("x")) is None


def test_take_waits_for_the_notebook_to_be_offered():
    batch = Batch(Grader(), parallel=2)
    threading.Timer(0.3, batch.offer, args=("ani", "tugas", "x")).start()
    started = time.monotonic()
    assert batch.take("ani", "tugas", digest("x")).result()["notebook"] == "ran x for ani"
    assert time.monotonic() - started >= 0.25


def test_no_more_than_parallel_run_at_once():
    grader = Grader(seconds=0.2)
    batch = Batch(grader, parallel=3)
    for i in range(9):
        batch.offer(f"murid{i}", "tugas", str(i))
    batch.finish()
    started = time.monotonic()
    for i in range(9):
        batch.take(f"murid{i}", "tugas", digest(str(i))).result()
    assert grader.most == 3
    assert 0.55 < time.monotonic() - started < 1.5  # three rounds of 0.2 s


def test_a_batch_left_behind_starts_nothing_more():
    grader = Grader(seconds=0.2)
    batch = Batch(grader, parallel=1)
    for i in range(5):
        batch.offer(f"murid{i}", "tugas", str(i))
    batch.close()  # what happens when nbgrader stops or the process ends
    batch.pool.shutdown(wait=True)  # once its threads are gone nothing more can start
    assert len(grader.calls) == 1
