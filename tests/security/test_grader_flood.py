"""Anyone who reaches the server's port (no account) sends large bodies to
the grader's /execute through the proxy. (Found by the red team: /execute
and /collect used to be read whole, up to 64 MB each, before the token was
asked for; two dozen parallel uploads took the grader past its 1 GB limit
and the kernel killed it, with the submissions and autograding in flight.)
The grader now answers before it reads a body and throws a refused body
away as it arrives (grader.app.GraderHandler): no memory is held, and the
refusal, not a proxy's 503 for a reset connection, reaches the sender."""

from __future__ import annotations

import socket
import threading

SIZE = 60 * 2**20
UPLOADS = 24


def upload(port: int, path: str, answers: list) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {SIZE}\r\n\r\n".encode())
        chunk, sent = b"a" * 2**20, 0
        try:
            while sent < SIZE:
                sock.sendall(chunk)
                sent += len(chunk)
            sock.settimeout(120)
            answers.append(sock.recv(64))
        except OSError as error:
            answers.append(repr(error))


def test_anonymous_uploads_to_execute_do_not_kill_the_grader(stack):
    grader = stack.docker.containers.get(f"{stack.project}-grader-1")
    restarts = grader.attrs["RestartCount"]
    answers: list = []
    threads = [threading.Thread(target=upload, args=(stack.port, "/services/grader/execute", answers))
               for _ in range(UPLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grader.reload()
    assert not grader.attrs["State"]["OOMKilled"], "the grader was killed for memory"
    assert grader.attrs["RestartCount"] == restarts, "the grader restarted"
    assert all(str(answer).startswith("b'HTTP/1.1 401") for answer in answers), answers[:3]
