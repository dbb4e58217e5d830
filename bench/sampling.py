"""What a burst of server starts costs the whole machine, and how the hub
answers meanwhile: CPU from /proc/stat (every process, not only the ones we
know), the same CPU split by container and command, and the hub API's
latency polled every half second.

Only reads /proc, the cgroup lines of processes and the Docker API; run as root."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from bench.measure import CLK_TCK, host_busy_seconds, summarize

DOCKER_CGROUP = re.compile(r"/docker[/-]([0-9a-f]{64})")


def process_times() -> dict[tuple[int, int], tuple[str, str, float]]:
    """{(pid, start time): (command, container id or "", utime+stime+cutime+cstime
    seconds)}. The children's times count work of short-lived helpers (mkfs,
    runc, losetup) that their parent waited for; kernel workers are one
    "kworker" (their name says what they do at this moment)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
            cgroup = (entry / "cgroup").read_text()
        except OSError:
            continue  # exited meanwhile
        comm = text[text.index("(") + 1:text.rindex(")")]
        if comm.startswith("kworker"):
            comm = "kworker"
        fields = text[text.rindex(")") + 2:].split()
        seconds = sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLK_TCK
        match = DOCKER_CGROUP.search(cgroup)
        found[(int(entry.name), int(fields[19]))] = (comm, match.group(1) if match else "", seconds)
    return found


class MachineCpu:
    """Non-idle CPU seconds of the whole machine between start() and stop(),
    the machine's rate just before (what the other work on a shared machine
    costs), and where the seconds went by container and command."""

    def __init__(self, docker_client, project: str):
        self.docker, self.project = docker_client, project

    def background(self, seconds: float) -> float:
        """Busy CPU-s per second of the machine while nothing of ours starts."""
        busy0, t0 = host_busy_seconds(), time.monotonic()
        time.sleep(seconds)
        return (host_busy_seconds() - busy0) / (time.monotonic() - t0)

    def start(self) -> None:
        self.loadavg0 = os.getloadavg()
        self.processes0 = process_times()
        self.t0, self.busy0 = time.monotonic(), host_busy_seconds()

    def stop(self, spawns: int, background_rate: float) -> dict:
        busy, interval = host_busy_seconds() - self.busy0, time.monotonic() - self.t0
        processes = process_times()
        names = {c.id: c.name for c in self.docker.containers.list(all=True)}
        by_group: dict[str, float] = defaultdict(float)
        for key, (comm, container, seconds) in processes.items():
            before = self.processes0.get(key)
            spent = seconds - before[2] if before else seconds
            if spent > 0:
                by_group[self._group(names.get(container, container[:12]), comm)] += spent
        counted = sum(by_group.values())
        others = max(0.0, background_rate * interval)
        top = sorted(by_group.items(), key=lambda item: -item[1])
        return {
            "interval_seconds": round(interval, 3),
            "loadavg_before": self.loadavg0, "loadavg_after": os.getloadavg(),
            "machine_busy_seconds": round(busy, 3),
            "background_rate_cpus": round(background_rate, 3),
            "per_spawn_seconds": {
                "machine": round(busy / spawns, 3),
                # The rate of the minute before, taken away: what the other
                # stacks on a shared machine would have used anyway.
                "machine_minus_background": round(max(0.0, busy - others) / spawns, 3)},
            "by_process_seconds": {k: round(v, 2) for k, v in top if v >= 0.05},
            "by_process_counted_seconds": round(counted, 2),
        }

    def _group(self, container_name: str, comm: str) -> str:
        if not container_name:
            return f"host:{comm}"
        if container_name.startswith(f"{self.project}-learner-"):
            return f"learners:{comm}"
        if container_name.startswith(f"{self.project}-"):
            service = container_name[len(self.project) + 1:].rsplit("-", 1)[0]
            return f"{service}:{comm}"
        return f"other stacks:{comm}"


class HubPoller:
    """GET /hub/api/user every `every` seconds in a thread, as a page of the
    hub would; each answer's latency (a failure counts as its timeout)."""

    def __init__(self, url: str, token: str, every: float = 0.5, timeout: float = 10):
        self.url, self.every, self.timeout = f"{url}/hub/api/user", every, timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self._stop = threading.Event()

    def __enter__(self) -> "HubPoller":
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self.thread.join(self.timeout + 1)

    def _run(self) -> None:
        tick = time.monotonic()
        while not self._stop.is_set():
            sent = time.perf_counter()
            try:
                self.session.get(self.url, timeout=self.timeout).raise_for_status()
                ms = (time.perf_counter() - sent) * 1000
            except requests.RequestException:
                self.errors += 1
                ms = self.timeout * 1000
            self.samples.append((round(time.monotonic() - self.t0, 3), round(ms, 1)))
            tick += self.every
            self._stop.wait(max(0.0, tick - time.monotonic()))

    def result(self) -> dict:
        return {"every_seconds": self.every, "errors": self.errors,
                "ms": summarize([ms for _, ms in self.samples]), "samples": self.samples}
