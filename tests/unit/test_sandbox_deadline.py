"""When the grader stops a sandbox (src/balaikode/grader/sandbox.py): the
notebook's limit, the start-up's, and a cell's, renewed by the runner's
progress marks on stderr. Clocks are fake where only the arithmetic matters;
the stream tests use real sockets, as test_sandbox_stream.py does."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from docker.utils.socket import STDERR, STDOUT

from balaikode.grader.sandbox import (PROGRESS, Deadline, SandboxTimeout, collect_stdout,
                                      within_deadline)
from support.clock import Clock
from support.hub_client import poll
from test_sandbox_stream import demuxed, frame, serve


def test_start_up_then_each_cell_gets_its_own_time():
    clock = Clock()
    deadline = Deadline(total=300, first_step=60, step=40, clock=clock)
    clock.now += 59
    assert deadline.passed() is None
    deadline.progress()  # the kernel is up, the first cell starts
    clock.now += 39
    assert deadline.passed() is None and deadline.left() == pytest.approx(1)
    clock.now += 1
    assert deadline.passed() == "cell"


def test_progress_never_goes_past_the_notebooks_limit():
    clock = Clock()
    deadline = Deadline(total=100, first_step=60, step=40, clock=clock)
    for _ in range(10):
        clock.now += 30
        deadline.progress()
    assert deadline.passed() == "notebook"
    assert deadline.left() == 0


def test_marks_split_between_chunks_count_and_stderr_is_dropped():
    calls = []
    mark = PROGRESS
    chunks = [(None, b"log " + mark[:3]), (b"{", mark[3:] + b"more"), (None, b"x" * 100),
              (b"}", mark + mark)]
    assert collect_stdout(iter(chunks), on_progress=lambda: calls.append(1)) == (b"{}", False)
    assert len(calls) == 2  # one per chunk that completes a mark


def test_a_runner_that_keeps_marking_is_not_stopped(pair):
    """Cells that each finish in time: the sandbox runs longer than one cell's limit."""
    ours, engine = pair
    deadline = Deadline(total=10, first_step=0.5, step=0.5)
    marks_taken = []

    def took_mark():
        marks_taken.append(1)
        deadline.progress()

    def runner():
        # Each cell ends (a mark) only once more than half its time is
        # spent, and after the last mark was taken: four cells outlast one.
        for taken in range(4):
            poll("the last mark to be taken", lambda: len(marks_taken) == taken, 5, 0.005)
            poll("half the cell's time to pass", lambda: deadline.left() < 0.25, 5, 0.005)
            engine.sendall(frame(STDERR, PROGRESS))
        engine.sendall(frame(STDOUT, b"{}"))
        engine.shutdown(socket.SHUT_WR)

    threading.Thread(target=runner, daemon=True).start()
    started = time.monotonic()
    out = within_deadline(lambda: collect_stdout(demuxed(ours), on_progress=took_mark),
                          deadline, lambda: ours.shutdown(socket.SHUT_RDWR))
    assert out == (b"{}", False)
    assert len(marks_taken) == 4 and time.monotonic() - started > 0.75


def test_a_runner_that_goes_quiet_is_stopped_after_one_cell(pair):
    """A fork bomb starves the runner: no more marks, stopped at the cell's limit."""
    ours, engine = pair
    serve(engine, [frame(STDERR, PROGRESS), frame(STDOUT, b"{")], close=False)
    deadline = Deadline(total=30, first_step=5, step=0.5)
    stopped = threading.Event()

    def stop():
        stopped.set()
        ours.shutdown(socket.SHUT_RDWR)

    started = time.monotonic()
    with pytest.raises(SandboxTimeout) as raised:
        within_deadline(lambda: collect_stdout(demuxed(ours), on_progress=deadline.progress),
                        deadline, stop)
    assert raised.value.which == "cell"
    assert stopped.is_set()
    assert 0.5 <= time.monotonic() - started < 3

