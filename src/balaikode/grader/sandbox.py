"""Execute one notebook in a throwaway container and return it.

The notebook goes in through the container's stdin and comes back on its
stdout, read through an attach stream with a size cap, so the sandbox needs
no volume and nothing it prints is written to the host's disk (the log
driver is "none"). All of it uses docker-py's documented calls: `attach`
with `stream` and `demux` for the output, `attach_socket` for stdin.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import docker
import nbformat

MAX_NOTEBOOK_BYTES = 30 * 1024 * 1024
# After the deadline has stopped a sandbox, how long its I/O thread gets to
# notice before the sandbox is removed anyway.
STOP_GRACE_SECONDS = 5
# The runner (balaikode_nbgrader/run_notebook.py, keep in step) writes this to
# stderr as it starts the kernel and before each cell. Learner code cannot
# write the runner's stderr (the kernel's is /dev/null); if it could, it
# would only keep its own sandbox up to the notebook's limit.
PROGRESS = b"\x1ebk-sel\n"
# Time for the container, the runner and the kernel to start before the first
# mark; on a busy server a kernel can take this long.
STARTUP_SECONDS = 60
# A cell over its timeout makes the runner write the notebook and end; this is
# its time to do so before the sandbox is stopped from outside.
CELL_GRACE_SECONDS = 10
POLL_SECONDS = 0.5

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxLimits:
    memory: int = 512 * 1024 * 1024  # bytes
    cpus: float = 1.0
    pids: int = 128
    tmp_size: str = "64m"


@dataclass
class SandboxResult:
    notebook: str
    problem: str | None  # why the notebook could not run to the end, in Indonesian


def mark_failed(notebook_text: str, reason: str) -> str:
    """The submitted notebook with every graded cell failing with `reason`,
    so the autograder scores 0 there and the trainer sees why."""
    nb = nbformat.reads(notebook_text, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [nbformat.v4.new_output(
                "error", ename="PenilaianGagal", evalue=reason, traceback=[f"PenilaianGagal: {reason}"])]
    return nbformat.writes(nb)


def collect_stdout(chunks: Iterable[tuple[bytes | None, bytes | None]],
                   limit: int = MAX_NOTEBOOK_BYTES,
                   on_progress: Callable[[], None] = lambda: None) -> tuple[bytes, bool]:
    """Join the stdout side of (stdout, stderr) chunks, as docker-py's
    `attach(stream=True, demux=True)` yields them; return (stdout, overflowed).

    stderr is dropped after `on_progress` is called for each PROGRESS mark
    in it: it holds the runner's own messages, which the notebook already
    reports, and must neither fill the grader's memory nor its log.
    Reading stops as soon as stdout passes `limit`."""
    out = bytearray()
    tail = b""  # a mark may be split between two chunks
    for stdout, stderr in chunks:
        if stderr:
            seen = tail + stderr
            if PROGRESS in seen:
                on_progress()
                seen = seen[seen.rindex(PROGRESS) + len(PROGRESS):]
            tail = seen[-(len(PROGRESS) - 1):]
        if stdout:
            out += stdout
            if len(out) > limit:
                return bytes(out), True
    return bytes(out), False


class Deadline:
    """When a sandbox must be stopped: `total` seconds after it was created,
    or when one step takes too long. The first step (start-up) may take
    `first_step` seconds; each progress mark starts a step of `step` seconds.
    Times come from `clock` (time.monotonic)."""

    def __init__(self, total: float, first_step: float, step: float,
                 clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        now = clock()
        self.total_end = now + total
        self.step_end = now + first_step
        self.step = step

    def progress(self) -> None:
        self.step_end = self.clock() + self.step

    def passed(self) -> str | None:
        """"notebook" or "cell" if that limit has passed, else None."""
        now = self.clock()
        if now >= self.total_end:
            return "notebook"
        if now >= self.step_end:
            return "cell"
        return None

    def left(self) -> float:
        return max(0.0, min(self.total_end, self.step_end) - self.clock())


class SandboxTimeout(TimeoutError):
    def __init__(self, which: str):
        super().__init__(which)
        self.which = which  # "notebook" or "cell", as Deadline.passed says


def within_deadline(work: Callable[[], T], deadline: Deadline | float, stop: Callable[[], None]) -> T:
    """Run `work` (blocking I/O with the sandbox) until `deadline` passes (a
    Deadline, or plain seconds).

    docker-py's attach stream blocks without a timeout of its own, so the
    work runs in a thread and the caller waits for it; at the deadline `stop`
    must end the work's I/O (kill the container, close the stream), and
    SandboxTimeout (a TimeoutError) is raised whether or not the thread has
    ended by then."""
    if not isinstance(deadline, Deadline):
        deadline = Deadline(deadline, deadline, deadline)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="sandbox-io", daemon=True)
    worker.start()
    while True:
        # Progress moves the deadline while we wait (sooner, too: a cell may
        # get less time than the start-up), so look again at least this often.
        worker.join(min(deadline.left(), POLL_SECONDS))
        if not worker.is_alive():
            break
        which = deadline.passed()
        if which:
            stop()
            worker.join(STOP_GRACE_SECONDS)
            raise SandboxTimeout(which)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def send_stdin(attached, data: bytes) -> None:
    """Write `data` to a container's stdin and close it.

    `attached` is what `attach_socket(params={"stdin": 1, "stream": 1})`
    returns: the hijacked connection as a file object, which can write but
    not half-close. A duplicate of its descriptor is a plain socket that can
    (shutting down the socket, not just this descriptor); the container was
    created with StdinOnce, so Docker then closes the container's stdin and
    the runner sees the end of the notebook. Works for the Unix socket and
    plain TCP, which the grader uses, not for TLS."""
    with socket.socket(fileno=os.dup(attached.fileno())) as sock:
        # The duplicate shares the non-blocking mode docker-py's client
        # timeout left on the connection; sendall needs it blocking (the
        # deadline is kept by within_deadline).
        sock.setblocking(True)
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            # The container ended (or was stopped) before reading it all; its
            # output, or the lack of it, tells what happened.
            pass
    attached.close()


def close_quietly(stream) -> None:
    """Close an attach stream that may be closed already or broken."""
    try:
        stream.close()
    except OSError:
        pass


def run_notebook(client: docker.DockerClient, image: str, notebook_text: str, *,
                 kernel: str, cell_timeout: int, notebook_timeout: int,
                 limits: SandboxLimits, labels: dict[str, str]) -> SandboxResult:
    container = client.containers.create(
        image,
        entrypoint=["python3", "-m", "balaikode_nbgrader.run_notebook",
                    f"--cell-timeout={cell_timeout}", f"--kernel={kernel}"],
        user="65534:65534",
        environment={"HOME": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
                     "IPYTHONDIR": "/tmp/ipython", "JUPYTER_DATA_DIR": "/tmp/data"},
        working_dir="/tmp",
        # stdin open and not detached: docker-py then sets StdinOnce, so the
        # container's stdin closes when our one stdin connection does.
        stdin_open=True, detach=False, tty=False,
        network_mode="none", network_disabled=True,
        read_only=True, tmpfs={"/tmp": f"size={limits.tmp_size},mode=1777"},
        mem_limit=limits.memory, memswap_limit=limits.memory,
        nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.pids,
        cap_drop=["ALL"], security_opt=["no-new-privileges"],
        log_config=docker.types.LogConfig(type=docker.types.LogConfig.types.NONE),
        labels={**labels, "balaikode.role": "sandbox"},
    )
    output = None
    try:
        # Both attached before the start, so no output is missed.
        output = container.attach(stdout=True, stderr=True, stream=True, demux=True)
        stdin = container.attach_socket(params={"stdin": 1, "stream": 1})
        container.start()

        deadline = Deadline(notebook_timeout, STARTUP_SECONDS, cell_timeout + CELL_GRACE_SECONDS)

        def exchange() -> tuple[bytes, bool]:
            send_stdin(stdin, notebook_text.encode())
            return collect_stdout(output, on_progress=deadline.progress)

        def stop() -> None:
            try:
                container.kill()
            except docker.errors.APIError:
                pass  # already ended
            close_quietly(output)

        try:
            out, overflowed = within_deadline(exchange, deadline, stop)
        except SandboxTimeout as timeout:
            what = (f"notebook berjalan lebih dari {notebook_timeout} detik" if timeout.which == "notebook"
                    else f"satu sel berjalan lebih dari {cell_timeout} detik")
            return SandboxResult(mark_failed(notebook_text, (
                f"waktu habis: {what} (mungkin ada perulangan tanpa akhir)")), "timeout")
        if overflowed:
            return SandboxResult(mark_failed(notebook_text, "keluaran terlalu besar"), "output too large")
        state = container.wait(timeout=30)
        container.reload()
        if container.attrs["State"].get("OOMKilled"):
            return SandboxResult(mark_failed(notebook_text, (
                f"memori habis (batas {limits.memory // 1024 // 1024} MB); kode memakai memori terlalu banyak")), "oom")
        try:
            nbformat.reads(out.decode(), as_version=4)
        except Exception:  # noqa: BLE001 - anything unreadable is a failed run
            return SandboxResult(mark_failed(notebook_text, (
                f"notebook tidak bisa dijalankan sampai selesai (kode keluar {state.get('StatusCode')})")),
                "no notebook")
        return SandboxResult(out.decode(), None)
    finally:
        container.remove(force=True)
        if output is not None:
            close_quietly(output)


def notebook_problem(notebook_text: str) -> str | None:
    """Reason a submitted notebook cannot be graded at all, or None."""
    if not isinstance(notebook_text, str):
        return "berkas notebook rusak atau bukan notebook: isinya bukan teks"
    try:
        nb = nbformat.reads(notebook_text, as_version=4)
        nbformat.validate(nb)
    except (json.JSONDecodeError, nbformat.ValidationError, ValueError, KeyError, TypeError, AttributeError) as error:
        return f"berkas notebook rusak atau bukan notebook: {str(error)[:200]}"
    return None
