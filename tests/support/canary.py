"""A canary learner and an abuser, for the safety battery (tests/security/test_abuse.py).

The canary measures what a learner feels: the round trip of a tiny
``execute_request`` (``1+1``) from this test process, through the proxy and the
kernel websocket, into the learner's kernel and back (to its ``execute_reply``),
with the same messages as :func:`support.hub_client.execute`, but with one
kernel and one websocket kept open for many requests, so each sample is one
round trip and not a kernel start or a websocket handshake.

The abuser's code runs in their own kernel, driven from a *separate process*
(``python -m support.canary``): reading a flood of output must not compete with
the canary's measurements for this process's GIL, or we would be measuring the
test harness instead of the stack.

Container facts (pids, memory, CPU) come from the Docker stats API in one-shot
mode (no two-sample wait), the same numbers ``docker stats`` shows.
"""

from __future__ import annotations

import json
import math
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket

from .hub_client import KernelChannel, Learner

TESTS = Path(__file__).resolve().parents[1]


# -- one kernel, one websocket, many requests -----------------------------------

class KernelSession(KernelChannel):
    """A new kernel in a learner's server and one open websocket to it
    (removed again by close())."""

    def __init__(self, learner: Learner, kernel: str = "python3", timeout: float = 60):
        self.learner = learner
        created = learner.server("POST", "/kernels", json={"name": kernel})
        assert created.status_code == 201, created.text
        self.kernel_id = created.json()["id"]
        super().__init__(learner.ws_url(f"/kernels/{self.kernel_id}/channels"), learner.token,
                         timeout)

    def close(self) -> None:
        try:
            super().close()
        finally:
            try:
                self.learner.server("DELETE", f"/kernels/{self.kernel_id}")
            except requests.RequestException:
                pass  # the server may already be gone


# -- latency statistics ----------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); with 60 samples p95 is the 57th."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latencies:
    samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def max(self) -> float:
        return max(self.samples)

    def summary(self) -> dict:
        return {"n": len(self.samples), "p50_ms": round(self.p50 * 1000, 1),
                "p95_ms": round(self.p95 * 1000, 1), "max_ms": round(self.max * 1000, 1)}


class Canary:
    """A learner whose `1+1` round trip is the yardstick."""

    CODE = "1+1"

    def __init__(self, learner: Learner):
        self.learner = learner
        self.kernel = KernelSession(learner)
        for _ in range(5):  # warm up: first executions import and compile
            self.kernel.run(self.CODE, timeout=60)

    def sample(self) -> float:
        """One round trip, request to execute_reply.

        Not to the `idle` status that follows: ipykernel publishes it a
        constant ~45 ms after the reply (measured here, at any load), which
        would only pad baseline and abuse windows alike and hide a real
        slowdown of that size. The kernel is still drained to idle before the
        next request, so samples never overlap.
        """
        self.kernel.run(self.CODE, timeout=30)
        return self.kernel.reply_seconds

    def measure(self, samples: int, between=None, every: int = 5) -> Latencies:
        """`samples` round trips; `between()` is called after every `every`-th one
        (hub probes, container stats) so those never overlap a measured sample."""
        result = Latencies()
        for index in range(samples):
            result.samples.append(self.sample())
            if between is not None and index % every == every - 1:
                between()
        return result

    def close(self) -> None:
        self.kernel.close()


def hub_api_seconds(base_url: str) -> float:
    """One unauthenticated GET /hub/api/ through the proxy; its wall time."""
    started = time.perf_counter()
    response = requests.get(f"{base_url}/hub/api/", timeout=10)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and "version" in response.json(), response.text[:300]
    return elapsed


# -- container facts ------------------------------------------------------------

@dataclass
class ContainerSample:
    at: float            # time.monotonic()
    pids: int
    memory: int          # bytes in use now
    memory_peak: int     # cgroup v1 max_usage (0 where Docker does not report it)
    memory_limit: int
    cpu_ns: int          # total CPU time used since the container started


def container_sample(container) -> ContainerSample | None:
    """The container's pids, memory and CPU now (None once it is gone)."""
    try:
        stats = container.stats(stream=False, one_shot=True)
    except Exception:  # noqa: BLE001 - removed, or the daemon is busy
        return None
    memory = stats.get("memory_stats") or {}
    if not memory:
        return None  # a stopped container reports empty stats
    return ContainerSample(
        at=time.monotonic(),
        pids=int((stats.get("pids_stats") or {}).get("current") or 0),
        memory=int(memory.get("usage") or 0),
        memory_peak=int(memory.get("max_usage") or 0),
        memory_limit=int(memory.get("limit") or 0),
        cpu_ns=int(stats["cpu_stats"]["cpu_usage"]["total_usage"]),
    )


@dataclass
class ContainerWatch:
    """Samples of one container, taken between canary measurements.

    CPU is counted only over the *active* windows (between begin_active()
    and end_active()), so a container paused in between does not dilute it.
    """

    container: object
    samples: list[ContainerSample] = field(default_factory=list)
    active_cpu_ns: int = 0
    active_seconds: float = 0.0
    _active_start: ContainerSample | None = None

    def take(self) -> ContainerSample | None:
        sample = container_sample(self.container)
        if sample is not None:
            self.samples.append(sample)
        return sample

    def begin_active(self) -> None:
        self._active_start = self.take()

    def end_active(self) -> None:
        end = self.take()
        if self._active_start is not None and end is not None:
            self.active_cpu_ns += end.cpu_ns - self._active_start.cpu_ns
            self.active_seconds += end.at - self._active_start.at
        self._active_start = None

    @property
    def max_pids(self) -> int:
        return max((s.pids for s in self.samples), default=0)

    @property
    def max_memory(self) -> int:
        return max((max(s.memory, s.memory_peak) for s in self.samples), default=0)

    def cpu_cores(self) -> float:
        """Mean CPU cores used over the active windows (or first to last sample)."""
        if self.active_seconds:
            return self.active_cpu_ns / 1e9 / self.active_seconds
        if len(self.samples) < 2:
            return 0.0
        first, last = self.samples[0], self.samples[-1]
        return (last.cpu_ns - first.cpu_ns) / 1e9 / max(1e-6, last.at - first.at)


# -- the abuser, from its own process -------------------------------------------

class Abuse:
    """`code` running in the abuser's own new kernel, driven by a child process.

    The cell should print one line (any text) as soon as the abuse begins: the
    child reports STARTED when the first output of the cell arrives. The child
    keeps reading the websocket (like a browser tab would) until the cell is
    done, the kernel dies, the server goes away, or `timeout` passes, then
    prints one JSON line: the first and last output, how many output bytes
    arrived over how many seconds, and why it ended.
    """

    def __init__(self, learner: Learner, code: str, timeout: float):
        self.learner = learner
        self.code = code
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self._stdout = b""

    def start(self, started_within: float = 60) -> None:
        job = {"base_url": self.learner.base_url, "name": self.learner.name,
               "token": self.learner.token, "code": self.code, "timeout": self.timeout}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "support.canary", json.dumps(job)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        line = self._readline(started_within)
        if line.strip() != "STARTED":
            self.stop()
            raise AssertionError(f"the abuse did not start: {line!r} {self.result()}")

    def _readline(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._stdout and time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.05, deadline - time.monotonic()))
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    break
                self._stdout += chunk
        line, _, self._stdout = self._stdout.partition(b"\n")
        return line.decode(errors="replace")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def result(self, timeout: float = 60) -> dict:
        """The child's JSON report (waits for it to end)."""
        out, err = self.process.communicate(timeout=timeout)
        text = (self._stdout + out).decode(errors="replace").strip().splitlines()
        try:
            return json.loads(text[-1])
        except (IndexError, json.JSONDecodeError):
            return {"ended": "no report", "stdout": text[-5:], "stderr": err.decode(errors="replace")[-2000:]}

    def stop(self) -> None:
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _drive(job: dict) -> dict:
    """Child process: run job["code"] in a new kernel, read everything, report."""
    learner = Learner(job["base_url"], job["name"], job["token"])
    report = {"bytes": 0, "first": "", "last": "", "ended": "timeout", "errors": [], "seconds": 0.0}
    kernel = KernelSession(learner, timeout=job["timeout"])
    started = 0.0  # monotonic time of the first output
    try:
        msg_id = kernel.send(job["code"])
        deadline = time.monotonic() + job["timeout"]
        while time.monotonic() < deadline:
            kernel.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(kernel.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            except (websocket.WebSocketException, OSError) as error:
                report["ended"] = f"connection closed: {type(error).__name__}"
                break
            kind = message.get("msg_type")
            if kind == "status" and message["content"]["execution_state"] in ("dead", "restarting"):
                report["ended"] = "kernel " + message["content"]["execution_state"]
                break
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                text = message["content"]["text"]
                report["bytes"] += len(text)
                report["first"] = report["first"] or text[:2000]
                report["last"] = (report["last"] + text)[-2000:]
                if not started:
                    started = time.monotonic()
                    print("STARTED", flush=True)
            elif kind == "error":
                report["errors"].append(f"{message['content']['ename']}: {message['content']['evalue']}")
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                report["ended"] = "done"
                break
    finally:
        if not started:
            print("NOT STARTED", flush=True)
        else:
            report["seconds"] = time.monotonic() - started
        try:
            kernel.ws.close()
        except Exception:  # noqa: BLE001
            pass
    return report


if __name__ == "__main__":
    print(json.dumps(_drive(json.loads(sys.argv[1]))), flush=True)
