"""Run a learner's program (node, php) with a time limit and an output limit,
without a shell, and explain in Indonesian when it cannot finish."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from .result import GraderFailure

DEFAULT_TIMEOUT = 5.0
MAX_OUTPUT_BYTES = 1_000_000


@dataclass
class Outcome:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    too_much_output: bool = False


def find_program(names: tuple[str, ...], language: str, package: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise GraderFailure(
        f"Program {names[0]} untuk menjalankan {language} tidak ditemukan di komputer ini, "
        f"jadi kode kamu belum bisa diperiksa. Ini bukan kesalahanmu: minta pelatih atau "
        f"admin memasang {package}.")


def run_program(argv: list[str], *, stdin: bytes = b"", timeout: float = DEFAULT_TIMEOUT,
                max_output: int = MAX_OUTPUT_BYTES, cwd: str | None = None,
                env: dict[str, str] | None = None) -> Outcome:
    """Run ``argv`` and collect at most ``max_output`` bytes of each stream.

    The program gets its own process group so that a timeout or a flood of
    output kills everything it started, not just the first process.
    """
    process = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=cwd, env=env, start_new_session=True)
    overflow = threading.Event()
    captured: dict[str, bytes] = {}

    def collect(name: str, stream) -> None:
        chunks, size = [], 0
        while chunk := stream.read1(65536):
            if size < max_output:
                chunks.append(chunk[: max_output - size])
            size += len(chunk)
            if size > max_output and not overflow.is_set():
                overflow.set()
                _kill(process)
        captured[name] = b"".join(chunks)

    def feed() -> None:
        try:
            process.stdin.write(stdin)
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the program stopped reading; its exit status tells the story

    threads = [threading.Thread(target=collect, args=("stdout", process.stdout), daemon=True),
               threading.Thread(target=collect, args=("stderr", process.stderr), daemon=True),
               threading.Thread(target=feed, daemon=True)]
    for thread in threads:
        thread.start()
    timed_out = not _exited(process.pid, timeout)
    # Kill the group even after a normal exit: a background child could still
    # hold the pipes open and keep the readers waiting. The leader is not
    # reaped yet, so its group id cannot have been reused by another program.
    _kill(process)
    process.wait()
    for thread in threads:
        thread.join(timeout=5)
    return Outcome(
        returncode=process.returncode,
        stdout=captured.get("stdout", b"").decode("utf-8", errors="replace"),
        stderr=captured.get("stderr", b"").decode("utf-8", errors="replace"),
        timed_out=timed_out and not overflow.is_set(),
        too_much_output=overflow.is_set(),
    )


def _exited(pid: int, timeout: float) -> bool:
    """Wait for ``pid`` to exit without reaping it (WNOWAIT)."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.02)
    return True


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def seconds(value: float) -> str:
    """``5`` or ``0,5``: Indonesian writes a decimal comma."""
    text = f"{value:g}"
    return text.replace(".", ",")


def describe_stop(outcome: Outcome, language: str, timeout: float, max_output: int,
                  context: str = "") -> str | None:
    """The learner's message when the program was stopped, else None.
    ``context`` says how it was run, e.g. " (dengan GET ?nama=Budi)"."""
    if outcome.too_much_output:
        megabytes = seconds(round(max_output / 1_000_000, 2))
        return (f"Kode {language} kamu{context} mengeluarkan terlalu banyak teks (lebih dari "
                f"{megabytes} MB), jadi dihentikan. Mungkin ada perulangan (loop) yang tidak pernah berhenti.")
    if outcome.timed_out:
        return (f"Kode {language} kamu{context} tidak selesai dalam {seconds(timeout)} detik, jadi "
                f"dihentikan. Mungkin ada perulangan (loop) yang tidak pernah berhenti.")
    return None
