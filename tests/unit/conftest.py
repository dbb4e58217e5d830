"""Fixtures shared by unit test files."""

import socket

import pytest


@pytest.fixture
def pair():
    """Two ends of a socket: ours, read like a Docker attach stream, and the
    engine's, which the test writes (test_sandbox_stream.py, test_sandbox_deadline.py)."""
    ours, engine = socket.socketpair()
    yield ours, engine
    ours.close()
    engine.close()
