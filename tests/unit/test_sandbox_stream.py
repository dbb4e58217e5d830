"""The grader sandbox's I/O (src/balaikode/grader/sandbox.py) on real sockets.

The far end of a socketpair plays the Docker engine and writes its attach
stream byte for byte (8-byte header: stream 1 stdout or 2 stderr, three zero
bytes, big-endian payload length; then the payload). Our end is read the way
`container.attach(stream=True, demux=True)` reads it: docker-py's
`frames_iter` and `demux_adaptor`.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import socket
import struct
import termios
import threading
import time
from collections.abc import Iterable

import pytest
from docker.utils.socket import STDERR, STDOUT, demux_adaptor, frames_iter

from balaikode.grader.sandbox import collect_stdout, send_stdin, within_deadline
from support.hub_client import poll


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def demuxed(sock: socket.socket):
    """What docker-py's attach(stream=True, demux=True) yields for a socket."""
    return (demux_adaptor(*chunk) for chunk in frames_iter(sock, tty=False))


def queued(sock: socket.socket) -> int:
    """Bytes waiting in a socket's receive buffer (FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0" * 4))[0]


def serve(engine: socket.socket, pieces: Iterable[bytes], close: bool = True,
          read_by: socket.socket | None = None) -> threading.Thread:
    """Send `pieces` one send() each from a thread, as a slow engine would:
    all at once, or each once the previous one has been read from `read_by`
    (so every piece arrives in a read of its own; endless pieces then keep
    coming for as long as the reader reads)."""
    def run():
        try:
            for piece in pieces:
                engine.sendall(piece)
                if read_by is not None:
                    poll("the reader to take the piece", lambda: queued(read_by) == 0, 10, 0.001)
        except (OSError, TimeoutError):  # we hung up first (overflow tests), or stopped reading
            pass
        if close:
            with contextlib.suppress(OSError):
                engine.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=run, daemon=True)
    sender.start()
    return sender


def test_frames_split_anywhere_are_joined(pair):
    ours, engine = pair
    notebook = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    stream = frame(STDOUT, notebook[:20]) + frame(STDOUT, notebook[20:])
    # Cut inside the first header, inside a payload and inside the second header.
    cuts = [0, 3, 8, 15, 30, 31, 36, len(stream)]
    serve(engine, [stream[a:b] for a, b in zip(cuts, cuts[1:])], read_by=ours)
    assert collect_stdout(demuxed(ours)) == (notebook, False)


def test_stderr_frames_are_left_out(pair):
    ours, engine = pair
    serve(engine, [frame(STDERR, b"[NbClientApp] Executing\n"), frame(STDOUT, b"{\"a\": "),
                   frame(STDERR, b"x" * 70_000), frame(STDOUT, b"1}")])
    assert collect_stdout(demuxed(ours)) == (b'{"a": 1}', False)


def test_a_truncated_stream_returns_what_came(pair):
    """The container died mid-frame: the header promised 1000 bytes, 10 came.
    The reader ends (the caller then finds no readable notebook)."""
    ours, engine = pair
    serve(engine, [frame(STDOUT, b"{}"), struct.pack(">BxxxL", STDOUT, 1000) + b"0123456789"])
    assert collect_stdout(demuxed(ours)) == (b"{}0123456789", False)


def test_a_stream_cut_inside_a_header_returns_what_came(pair):
    ours, engine = pair
    serve(engine, [frame(STDOUT, b"{}"), b"\x01\x00\x00"])
    assert collect_stdout(demuxed(ours)) == (b"{}", False)


def test_a_flood_stops_reading_past_the_limit(pair):
    ours, engine = pair
    # An engine that never stops: far more than the limit is on offer.
    serve(engine, [frame(STDOUT, b"x" * 65536)] * 1000, close=False)
    started = time.monotonic()
    out, overflowed = collect_stdout(demuxed(ours), limit=1024 * 1024)
    assert overflowed
    assert 1024 * 1024 < len(out) <= 1024 * 1024 + 65536
    assert time.monotonic() - started < 5


def test_a_silent_peer_is_cut_off_at_the_deadline(pair):
    """A sandbox that never writes and never ends: the deadline calls stop,
    which (like closing docker-py's stream) shuts the socket, and the reader
    thread ends with it."""
    ours, engine = pair
    stopped, finished = threading.Event(), threading.Event()

    def stop():
        stopped.set()
        ours.shutdown(socket.SHUT_RDWR)

    def work():
        try:
            return collect_stdout(demuxed(ours))
        finally:
            finished.set()

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        within_deadline(work, 0.5, stop)
    elapsed = time.monotonic() - started
    assert stopped.is_set()
    assert 0.5 <= elapsed < 3, elapsed
    assert finished.wait(2), "the reader must end once the stream is stopped"


def test_a_dribbling_peer_is_cut_off_at_the_deadline_too(pair):
    """Output that keeps coming slowly does not extend the deadline."""
    ours, engine = pair
    # A frame each time the reader has taken the last: output never stops.
    serve(engine, itertools.repeat(frame(STDOUT, b"x")), close=False, read_by=ours)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        within_deadline(lambda: collect_stdout(demuxed(ours)), 0.5,
                        lambda: ours.shutdown(socket.SHUT_RDWR))
    assert time.monotonic() - started < 3


def test_work_done_in_time_returns_and_is_not_stopped(pair):
    ours, engine = pair
    serve(engine, [frame(STDOUT, b"{}")])
    stopped = threading.Event()
    assert within_deadline(lambda: collect_stdout(demuxed(ours)), 5, stopped.set) == (b"{}", False)
    assert not stopped.is_set()


def test_an_error_in_the_work_reaches_the_caller():
    def work():
        raise ConnectionResetError("engine went away")
    with pytest.raises(ConnectionResetError):
        within_deadline(work, 5, lambda: None)


def test_stdin_is_sent_whole_and_then_closed(pair):
    """send_stdin gets the connection as attach_socket returns it (a file
    object over a socket that docker-py's timeout made non-blocking); a
    notebook far larger than the socket buffers arrives whole, then EOF."""
    ours, engine = pair
    ours.settimeout(60)  # what docker-py's client timeout leaves on the connection
    attached = socket.SocketIO(ours, "rwb")
    data = bytes(range(256)) * (8 * 1024 * 1024 // 256)
    received = bytearray()

    def drain():
        # Start reading only once the engine's receive buffer is full, so the
        # sender meets a full socket (the non-blocking case) before any byte goes.
        wanted = engine.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 2
        with contextlib.suppress(TimeoutError):  # a smaller buffer: read anyway
            poll("the engine's buffer to fill", lambda: queued(engine) >= wanted, 10, 0.005)
        while chunk := engine.recv(1 << 16):
            received.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    send_stdin(attached, data)
    reader.join(10)
    assert not reader.is_alive(), "EOF must reach the engine after the data"
    assert bytes(received) == data


def test_stdin_to_a_container_that_is_gone_does_not_raise(pair):
    ours, engine = pair
    engine.close()
    send_stdin(socket.SocketIO(ours, "rwb"), b"x" * (4 * 1024 * 1024))
