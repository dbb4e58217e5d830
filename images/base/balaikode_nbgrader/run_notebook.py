"""Execute one notebook read from stdin; write the executed notebook to stdout.

Runs inside the grading sandbox (no network, no volumes, limits set by the
grader service). Output is capped per cell so that a flood of prints cannot
exhaust memory or the trainer's gradebook; errors stay in the notebook (the
autograder scores them), they do not stop execution of later cells.

Test cells are judged here, outside the kernel (grading_status.py): by the
kernel's reply status for that cell and a fresh token the cell must print as
its last line; a failed test cell gets an error output, so nbgrader scores 0.
The learner's kernel runs as the same user, so this process makes itself
non-dumpable (no ptrace, no /proc/PID/fd or mem of it from the kernel) and
gives the kernel no handle on its stdout: she cannot write a forged notebook
in its place.

A cell that runs past the cell timeout ends the run: its test cells and all
later ones fail with the reason, and the container ends with the runner (its
processes with it), so an endless loop or a fork bomb costs one cell's time,
not the notebook's. Before each cell the runner writes PROGRESS to stderr;
the grader service (src/balaikode/grader/sandbox.py) stops a sandbox whose
runner goes quiet for longer than a cell may run, which catches a runner
starved by a fork bomb too.
"""

import argparse
import asyncio
import ctypes
import secrets
import subprocess
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from . import grading_status, warden

TRUNCATED = "\n... [keluaran dipotong: terlalu panjang] ...\n"
# Keep in step with PROGRESS in src/balaikode/grader/sandbox.py.
PROGRESS = b"\x1ebk-sel\n"
PR_SET_DUMPABLE = 4


def make_non_dumpable() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: nothing to protect against here
        pass


class CappedClient(NotebookClient):
    max_output_chars = 100_000

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            used = sum(len(o.get("text", "")) for o in outs if o.get("output_type") == "stream")
            room = self.max_output_chars - used
            if room <= 0:
                return None
            text = msg["content"]["text"]
            if len(text) > room:
                msg["content"]["text"] = text[:room] + TRUNCATED
        return super().output(outs, msg, display_id, cell_index)


def progress() -> None:
    sys.stderr.buffer.write(PROGRESS)
    sys.stderr.buffer.flush()


def timeout_reason(seconds: int) -> str:
    return (f"waktu habis: sel berjalan lebih dari {seconds} detik "
            "(mungkin ada perulangan tanpa akhir)")


class WardenClient(CappedClient):
    """Runs the cells itself so that test cells are judged by the kernel's reply."""

    # The container goes when the runner ends: no graceful kernel shutdown to
    # wait for (a fork bomb's kernel would not answer one anyway).
    shutdown_kernel = "immediate"

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        progress()
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    async def _run(self, kind: str, code: str) -> None:
        # nbclient writes the executed cell back at its index: give it a
        # slot at the end and take it away again.
        cell = nbformat.v4.new_code_cell(code)
        self.nb.cells.append(cell)
        try:
            await self.async_execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        finally:
            self.nb.cells.pop()

    async def judge(self) -> None:
        replies = {}

        def record(cell, cell_index, execute_reply):
            replies[cell_index] = (execute_reply or {}).get("content", {}).get("status")

        self.on_cell_executed = record
        name = "_bk_" + secrets.token_hex(12)
        language = (self.nb.metadata.get("kernelspec", {}).get("language")
                    or self.nb.metadata.get("language_info", {}).get("name") or "python")
        dead = None
        progress()
        async with self.async_setup_kernel(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL):
            try:
                if language == "python":
                    await self._run("snapshot", warden.snapshot_code(name))
            except DeadKernelError:
                dead = "kernel mati sebelum notebook berjalan"
            except CellTimeoutError:
                dead = "kernel tidak menjawab sebelum notebook berjalan"
            for index, cell in enumerate(list(self.nb.cells)):
                if cell.cell_type != "code":
                    continue
                test = grading_status.is_test_cell(cell)
                if dead:
                    if test:
                        grading_status.mark_cell_failed(cell, dead)
                    continue
                try:
                    if not test:
                        await self.async_execute_cell(cell, index)
                        continue
                    if language == "python":
                        await self._run("restore", warden.restore_code(name))
                    token = "BK" + secrets.token_hex(16)
                    source = cell.source
                    marked = grading_status.with_token(source, token, language)
                    cell.source = marked or source
                    replies.pop(index, None)
                    try:
                        await self.async_execute_cell(cell, index)
                    finally:
                        cell.source = source
                    cell.outputs, seen = grading_status.take_token(cell.get("outputs", []), token)
                    seen = seen or marked is None
                    if not grading_status.verdict(replies.get(index), seen, cell.outputs):
                        grading_status.mark_cell_failed(
                            cell, "tes tidak lulus (sel tes tidak selesai dengan benar)")
                except DeadKernelError:
                    dead = "kernel berhenti (mis. sys.exit/os._exit atau memori habis) sebelum tes ini"
                    if test:
                        grading_status.mark_cell_failed(cell, dead)
                except CellTimeoutError:
                    # Shown on the cell that ran too long, answer or test,
                    # so the trainer sees where; later tests fail with it.
                    grading_status.mark_cell_failed(cell, timeout_reason(self.timeout))
                    dead = (f"tidak dijalankan: sel sebelumnya berjalan lebih dari {self.timeout} "
                            "detik (waktu habis)")
        return self.nb


def main() -> None:
    make_non_dumpable()
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell-timeout", type=int, default=30)
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args()
    nb = nbformat.reads(sys.stdin.read(), as_version=4)
    client = WardenClient(nb, timeout=args.cell_timeout, kernel_name=args.kernel,
                          allow_errors=True, interrupt_on_timeout=False,
                          record_timing=False, resources={"metadata": {"path": "/tmp"}})
    asyncio.run(client.judge())
    sys.stdout.write(nbformat.writes(nb))


if __name__ == "__main__":
    main()
