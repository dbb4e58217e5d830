"""Execute one notebook in a throwaway container and return it.

The notebook goes in through the container's stdin and comes back on its
stdout, read through the attach socket with a size cap, so the sandbox needs
no volume and nothing it prints is written to the host's disk.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from dataclasses import dataclass

import docker
import nbformat

MAX_NOTEBOOK_BYTES = 30 * 1024 * 1024


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


def _read_stdout(sock: socket.socket, deadline: float) -> tuple[bytes, bool]:
    """Demultiplex Docker's attach stream; return (stdout, overflowed)."""
    out = bytearray()
    buffer = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(out), False
        buffer += chunk
        while len(buffer) >= 8:
            kind, size = buffer[0], struct.unpack(">I", buffer[4:8])[0]
            if len(buffer) < 8 + size:
                break
            if kind == 1:
                out += buffer[8:8 + size]
                if len(out) > MAX_NOTEBOOK_BYTES:
                    return bytes(out), True
            buffer = buffer[8 + size:]


def run_notebook(client: docker.DockerClient, image: str, notebook_text: str, *,
                 kernel: str, cell_timeout: int, notebook_timeout: int,
                 limits: SandboxLimits, labels: dict[str, str]) -> SandboxResult:
    api = client.api
    # The low-level API: a container whose stdin closes after the one
    # attached client is done (StdinOnce) needs a hand-made config.
    host_config = api.create_host_config(
        network_mode="none",
        read_only=True, tmpfs={"/tmp": f"size={limits.tmp_size},mode=1777"},
        mem_limit=limits.memory, memswap_limit=limits.memory,
        nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.pids,
        cap_drop=["ALL"], security_opt=["no-new-privileges"],
        log_config={"Type": "none", "Config": {}},
    )
    config = api.create_container_config(
        image, None,
        entrypoint=["python3", "-m", "balaikode_nbgrader.run_notebook",
                    f"--cell-timeout={cell_timeout}", f"--kernel={kernel}"],
        user="65534:65534",
        environment={"HOME": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
                     "IPYTHONDIR": "/tmp/ipython", "JUPYTER_DATA_DIR": "/tmp/data"},
        working_dir="/tmp",
        stdin_open=True, tty=False,
        network_disabled=True,
        host_config=host_config,
        labels={**labels, "balaikode.role": "sandbox"},
    )
    config["StdinOnce"] = True  # docker-py hard-codes False
    created = api.create_container_from_config(config)
    container = client.containers.get(created["Id"])
    try:
        sock = client.api.attach_socket(container.id, params={
            "stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        raw = sock._sock  # the plain socket under docker-py's wrapper
        container.start()
        raw.sendall(notebook_text.encode())
        raw.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + notebook_timeout
        try:
            out, overflowed = _read_stdout(raw, deadline)
        except (TimeoutError, socket.timeout):
            return SandboxResult(mark_failed(notebook_text, (
                f"waktu habis: notebook berjalan lebih dari {notebook_timeout} detik "
                "(mungkin ada perulangan tanpa akhir)")), "timeout")
        finally:
            raw.close()
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
