"""Measuring tools the benchmarks share: CPU seconds of the stack, the
engine and the host; memory of a container (docker stats and PSS); the
learner's way in (form login, token, start, readiness through the proxy).

Only reads /proc, the cgroup files and the Docker API; run as root."""

from __future__ import annotations

import json
import math
import os
import platform
import re
import secrets
import statistics
import threading
import time
from pathlib import Path

import requests

from tests.support.hub_client import Browser, KernelChannel, Learner, execute
from tests.support.stack import Stack

CLK_TCK = os.sysconf("SC_CLK_TCK")


def summarize(values: list[float]) -> dict:
    """min, median, p95 (nearest rank), max, mean; None when empty."""
    if not values:
        return {"n": 0, "min": None, "median": None, "p95": None, "max": None, "mean": None}
    ordered = sorted(values)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"n": len(ordered), "min": round(ordered[0], 3), "median": round(statistics.median(ordered), 3),
            "p95": round(p95, 3), "max": round(ordered[-1], 3), "mean": round(statistics.fmean(ordered), 3)}


def proc_stat(pid: int) -> dict:
    """utime, stime, cutime, cstime (seconds) and ppid from /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # fields[0] is the state (field 3)
    ticks = [int(fields[i]) / CLK_TCK for i in (11, 12, 13, 14)]
    return {"ppid": int(fields[1]), "self": ticks[0] + ticks[1], "children": ticks[2] + ticks[3]}


def pids_named(name: str, args_contain: str = "") -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != name:
                continue
            if args_contain and args_contain not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                continue
            found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)


def host_busy_seconds() -> float:
    """All CPUs' non-idle time since boot (first line of /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def container_stats(container) -> dict:
    return container.stats(stream=False, one_shot=True)


def container_cpu_seconds(container) -> float:
    """The container's total CPU time: cpuacct.usage, the number `docker stats` reads.

    Read from the cgroup file when it is there (cgroup v1, cgroupfs driver), so
    that measuring does not itself make dockerd work; else the docker stats API.
    """
    try:
        return int(Path(f"/sys/fs/cgroup/cpuacct/docker/{container.id}/cpuacct.usage").read_text()) / 1e9
    except OSError:
        return container_stats(container)["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9


def container_pids(container) -> list[int]:
    for group in (f"/sys/fs/cgroup/memory/docker/{container.id}/cgroup.procs",
                  f"/sys/fs/cgroup/system.slice/docker-{container.id}.scope/cgroup.procs"):
        try:
            return [int(p) for p in Path(group).read_text().split()]
        except OSError:
            continue
    top = container.top()  # fallback: `docker top`, PIDs as the host sees them
    column = top["Titles"].index("PID")
    return [int(row[column]) for row in top["Processes"]]


def smaps_rollup(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[-1] == "kB":
            values[key] = int(parts[0]) * 1024
    return values


def container_memory(container) -> dict:
    """Memory of one container in bytes: docker-stats style and PSS/USS."""
    stats = container_stats(container)["memory_stats"]
    usage, detail = stats["usage"], stats.get("stats", {})
    # Same rule as the docker CLI: cgroup v1 total_inactive_file, v2 inactive_file.
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    pss = uss = rss = 0
    processes = 0
    for pid in container_pids(container):
        try:
            rollup = smaps_rollup(pid)
        except OSError:
            continue  # exited meanwhile
        processes += 1
        pss += rollup.get("Pss", 0)
        rss += rollup.get("Rss", 0)
        uss += rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
    return {
        "docker_stats_bytes": usage - inactive if inactive < usage else usage,
        "cgroup_usage_bytes": usage,
        "cgroup_rss_bytes": detail.get("total_rss", detail.get("anon")),
        "cgroup_cache_bytes": detail.get("total_cache", detail.get("file")),
        "pss_bytes": pss, "uss_bytes": uss, "rss_sum_bytes": rss, "processes": processes,
    }


def mib(value: float | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


# ---------------------------------------------------------------- learners

def form_login(browser: Browser, name: str, password: str) -> None:
    """Log in through the form without following the redirect.

    Browser.login follows /hub/login -> /hub/spawn, which starts the user's
    server; here starting it is what is measured, so it must not happen early.
    """
    browser.get("/hub/login")
    xsrf = browser.session.cookies.get("_xsrf", path="/hub/") or browser.session.cookies.get("_xsrf")
    response = browser.session.post(f"{browser.base_url}/hub/login", allow_redirects=False, timeout=60,
                                    data={"username": name, "password": password, "_xsrf": xsrf})
    if response.status_code != 302:
        raise RuntimeError(f"login of {name} failed: {response.status_code}")


def register(stack: Stack, admin: Browser, name: str) -> str:
    """Sign NAME up through the real form and approve it as the admin; the password."""
    password = "Bench-" + secrets.token_urlsafe(12)
    if (result := Browser(stack.url).signup(name, password)).status != 200:
        raise RuntimeError(f"sign-up of {name} failed: {result.status}")
    if (response := admin.approve(name)).status != 200:
        raise RuntimeError(f"approving {name} failed: {response.status}")
    return password


def log_in(url: str, name: str, password: str) -> Learner:
    """The login form (server not started), then an API token for the learner."""
    browser = Browser(url)
    form_login(browser, name, password)
    learner = Learner(url, name, browser.new_token(name))
    if learner.server_model():
        raise RuntimeError(f"{name}'s server started at login; the benchmark needs it stopped")
    return learner


def make_learner(stack: Stack, admin: Browser, name: str) -> Learner:
    return log_in(stack.url, name, register(stack, admin, name))


def spawn(learner: Learner, timeout: float, interval: float, barrier: threading.Barrier | None = None) -> dict:
    """Press start; return seconds until the server answers through the proxy."""
    record: dict = {"name": learner.name}
    if barrier is not None:
        barrier.wait()
    t0 = time.monotonic()
    record["start_epoch"] = time.time()
    try:
        response = learner.hub("POST", f"/users/{learner.name}/server")
        record["post_status"] = response.status_code
        record["post_seconds"] = round(time.monotonic() - t0, 3)
        if response.status_code not in (201, 202):
            record["error"] = f"POST answered {response.status_code}: {response.text[:200]}"
            return record
        status_url = f"{learner.base_url}/user/{learner.name}/api/status"
        polls = 0
        while time.monotonic() - t0 < timeout:
            try:
                answer = learner.http.get(status_url, allow_redirects=False, timeout=30)
                if answer.status_code == 200 and "started" in answer.json():
                    record["seconds"] = round(time.monotonic() - t0, 3)
                    record["polls"] = polls + 1
                    return record
            except (requests.RequestException, ValueError):
                pass
            polls += 1
            if polls % 8 == 0 and not learner.server_model():
                record["error"] = "the hub gave up: server neither pending nor running"
                return record
            time.sleep(interval)
        record["error"] = f"not answering after {timeout} s"
    except Exception as error:  # noqa: BLE001 - a failed spawn is a result, not a crash
        record["error"] = repr(error)
    return record


class CpuMeter:
    """CPU seconds of the stack's containers and the Docker engine between two points.

    The stack's service containers (hub, proxy, ...) existed before: difference
    before/after. Learner containers started during the interval: their whole
    usage at the end (new containers); those already running at the start:
    difference. Learner containers do not carry the compose project label, so
    nothing is counted twice.
    """

    def __init__(self, stack: Stack, new_learners: list[str]):
        self.stack = stack
        self.new_learners = new_learners

    def _learner(self, name: str):
        try:
            container = self.stack.learner_container(name)
        except Exception:  # noqa: BLE001 - not started (yet), or a failed spawn
            return None
        return container

    def _engine(self) -> dict:
        values = {"dockerd": sum(proc_stat(p)["self"] for p in pids_named("dockerd")),
                  "containerd": sum(proc_stat(p)["self"] for p in pids_named("containerd"))}
        values["docker_proxy"] = sum(proc_stat(p)["self"] for p in
                                     pids_named("docker-proxy", f"-host-port {self.stack.port} "))
        return values

    def _services(self) -> dict:
        """Running containers of the compose project (hub, proxy, grader, ...)."""
        found = self.stack.docker.containers.list(
            filters={"label": f"com.docker.compose.project={self.stack.project}"})
        return {c.labels.get("com.docker.compose.service", c.name): c for c in found}

    @staticmethod
    def _shim_seconds(container) -> float:
        container.reload()
        pid = container.attrs["State"]["Pid"]
        shim = proc_stat(pid)["ppid"]
        stat = proc_stat(shim)
        return stat["self"] + stat["children"]  # children: the runc calls it made

    def start(self) -> None:
        # Look the containers up first: those API calls are not part of the interval.
        self.services = self._services()
        self.shims0 = sum(self._shim_seconds(c) for c in self.services.values())
        running = {name: c for name in self.new_learners if (c := self._learner(name)) is not None}
        self.learners0 = {name: (container_cpu_seconds(c), self._shim_seconds(c)) for name, c in running.items()}
        self.t0 = time.monotonic()
        self.host0 = host_busy_seconds()
        self.services0 = {s: container_cpu_seconds(c) for s, c in self.services.items()}
        self.engine0 = self._engine()

    def stop(self) -> dict:
        engine1 = self._engine()
        services = {s: container_cpu_seconds(c) - self.services0[s] for s, c in self.services.items()}
        host_busy = host_busy_seconds() - self.host0
        interval = time.monotonic() - self.t0
        learners, shims = 0.0, sum(self._shim_seconds(c) for c in self.services.values()) - self.shims0
        for name in self.new_learners:
            if (container := self._learner(name)) is None:
                continue
            cpu0, shim0 = self.learners0.get(name, (0.0, 0.0))
            learners += container_cpu_seconds(container) - cpu0
            shims += self._shim_seconds(container) - shim0
        engine = {k: engine1[k] - self.engine0[k] for k in engine1}
        containers = sum(services.values()) + learners
        with_dockerd = containers + engine["dockerd"]
        everything = with_dockerd + engine["containerd"] + shims + engine["docker_proxy"]
        spawns = max(1, len(self.new_learners))
        return {
            "interval_seconds": round(interval, 3),
            "spawns": len(self.new_learners),
            "seconds": {"hub": round(services.get("hub", 0), 3), "proxy": round(services.get("proxy", 0), 3),
                        "other_services": {k: round(v, 3) for k, v in services.items() if k not in ("hub", "proxy")},
                        "learner_containers": round(learners, 3), "dockerd": round(engine["dockerd"], 3),
                        "containerd": round(engine["containerd"], 3), "shims": round(shims, 3),
                        "docker_proxy": round(engine["docker_proxy"], 3)},
            "total_seconds": {"containers": round(containers, 3), "containers_and_dockerd": round(with_dockerd, 3),
                              "all": round(everything, 3)},
            "per_spawn_seconds": {"containers": round(containers / spawns, 3),
                                  "containers_and_dockerd": round(with_dockerd / spawns, 3),
                                  "all": round(everything / spawns, 3)},
            "host_busy_seconds": round(host_busy, 3),
        }


# What JupyterLab asks its server for when it opens (the page, then the REST
# calls it makes before the launcher shows), through the proxy.
LAB_OPEN_PATHS = ("/lab", "/api/status", "/api/contents", "/api/kernelspecs", "/api/sessions",
                  "/lab/api/settings")


def open_lab(learner: Learner) -> None:
    for path in LAB_OPEN_PATHS:
        learner.http.get(f"{learner.base_url}/user/{learner.name}{path}", timeout=60).raise_for_status()


def start_like_browser(learner: Learner, timeout: float) -> dict:
    """POST /hub/api/users/NAME/server, then follow the hub's progress event
    stream until it says ready, as the hub's spawn-pending page does (one
    long request instead of polling). {"post_status", "error"?}."""
    response = learner.hub("POST", f"/users/{learner.name}/server")
    record: dict = {"post_status": response.status_code}
    if response.status_code == 201:  # ready within the hub's slow_spawn_timeout
        return record
    if response.status_code != 202:
        record["error"] = f"POST answered {response.status_code}: {response.text[:200]}"
        return record
    deadline = time.monotonic() + timeout
    with learner.http.get(f"{learner.base_url}/hub/api/users/{learner.name}/server/progress",
                          stream=True, timeout=min(timeout, 60)) as stream:
        for line in stream.iter_lines():
            if line.startswith(b"data:"):
                event = json.loads(line[5:])
                if event.get("ready"):
                    return record
                if event.get("failed"):
                    record["error"] = f"spawn failed: {event.get('message')}"
                    return record
            if time.monotonic() > deadline:
                break
    record["error"] = f"not ready after {timeout} s"
    return record


def open_kernel(learner: Learner, timeout: float) -> KernelChannel:
    """A new python3 kernel and an open websocket to it, through the proxy."""
    kernel = learner.server("POST", "/kernels", json={"name": "python3"})
    kernel.raise_for_status()
    return KernelChannel(learner.ws_url(f"/kernels/{kernel.json()['id']}/channels"), learner.token, timeout)


def idle_memory(learner: Learner, stack: Stack, settle: float) -> dict:
    """The learner opens JupyterLab; measure; start a python3 kernel; measure."""
    container = stack.learner_container(learner.name)
    open_lab(learner)
    time.sleep(settle)  # let the just-started server go idle (this is an idle measurement)
    alone = container_memory(container)
    kernel = learner.server("POST", "/kernels", json={"name": "python3"})
    kernel.raise_for_status()
    kernel_id = kernel.json()["id"]
    execute(learner.ws_url(f"/kernels/{kernel_id}/channels"), learner.token, "x = 1", 60)
    time.sleep(settle)
    with_kernel = container_memory(container)
    learner.server("DELETE", f"/kernels/{kernel_id}")
    return {"image": container.attrs["Config"]["Image"], "server_alone": alone,
            "with_idle_python3_kernel": with_kernel}


def hub_reported_spawn_seconds(stack: Stack, names: list[str]) -> dict[str, float]:
    logs = stack.compose("logs", "--no-color", "hub", check=False).stdout
    found = {}
    for name, seconds in re.findall(r"User (\S+?):? took ([\d.]+) seconds to start", logs):
        if name in names:
            found[name] = float(seconds)
    return found


def environment(stack: Stack, tags=("balaikode/hub:0.3.0", "balaikode/python:0.3.0")) -> dict:
    client = stack.docker
    info = client.info()
    images = {}
    for tag in tags:
        try:
            images[tag] = client.images.get(tag).id[7:19]
        except Exception:  # noqa: BLE001
            images[tag] = None
    others = [c.name for c in client.containers.list() if not c.name.startswith(stack.project)]
    return {
        "cpus": os.cpu_count(), "mem_total_gib": round(info["MemTotal"] / 2**30, 1),
        "kernel": platform.release(), "docker": info["ServerVersion"], "cgroup": info.get("CgroupVersion"),
        "loadavg": os.getloadavg(), "other_running_containers": len(others), "images": images,
    }


