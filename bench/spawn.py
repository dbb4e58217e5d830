#!/usr/bin/env python3
"""Class start benchmark: spawn time, CPU per spawn and idle memory per learner.

Starts its own Balai Kode stack (random compose project and port, like the
integration tests), signs up, approves and logs in learners through the real
forms, then measures:

  single  one learner's server: POST /hub/api/users/NAME/server until
          GET /user/NAME/api/status answers 200 through the proxy; then the
          same learner again after a stop (home volume already exists).
  burst   N learners (default 10) pressing "start" at the same moment (one
          thread each): per-learner seconds, median, p95, max, failures.
  cpu     CPU seconds used during the single spawn and during the burst by the
          hub, the proxy (and any other service container of the stack) and
          the learner containers (cpuacct.usage, as docker stats), plus
          dockerd (/proc/PID/stat), and, separately, containerd, the
          containers' shims and the docker-proxy of the published port.
  memory  a learner container when idle: the server alone, then with one
          idle python3 kernel; and every learner container after the burst.
          Both as `docker stats` shows it (usage minus inactive file cache)
          and as PSS summed over the container's processes.

Prints one JSON document and writes it (and a PNG plot) under bench/results/.
Everything it created is removed at the end, also on failure or Ctrl-C.

    /tmp/bv/bin/python bench/spawn.py [--learners 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

# The test suite's own helpers (stack, forms, API, kernel client) via common.
from common import RESULTS, benchmark_stack  # noqa: E402
from support.hub_client import Browser, Learner, execute  # noqa: E402
from support.stack import Stack  # noqa: E402
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- helpers

def log(message: str) -> None:
    print(f"[spawn-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


# ---------------------------------------------------------------- the stack

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


def make_learner(stack: Stack, admin: Browser, name: str) -> Learner:
    password = "Bench-" + secrets.token_urlsafe(12)
    browser = Browser(stack.url)
    if (result := browser.signup(name, password)).status != 200:
        raise RuntimeError(f"sign-up of {name} failed: {result.status}")
    if (response := admin.get(f"/hub/authorize/{name}")).status_code != 200:
        raise RuntimeError(f"approving {name} failed: {response.status_code}")
    form_login(browser, name, password)
    learner = Learner(stack.url, name, browser.new_token(name))
    if learner.server_model():
        raise RuntimeError(f"{name}'s server started at login; the benchmark needs it stopped")
    return learner


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
    usage at the end (new containers). Learner containers do not carry the
    compose project label, so nothing is counted twice.
    """

    def __init__(self, stack: Stack, new_learners: list[str]):
        self.stack = stack
        self.new_learners = new_learners

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
            try:
                container = self.stack.learner_container(name)
            except Exception:  # noqa: BLE001 - failed spawn, no container
                continue
            learners += container_cpu_seconds(container)
            shims += self._shim_seconds(container)
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


def idle_memory(learner: Learner, stack: Stack, settle: float) -> dict:
    """The learner opens JupyterLab; measure; start a python3 kernel; measure."""
    container = stack.learner_container(learner.name)
    for path in ("/lab", "/api/contents", "/api/kernelspecs", "/api/sessions"):
        learner.http.get(f"{learner.base_url}/user/{learner.name}{path}", timeout=60).raise_for_status()
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


def environment(stack: Stack) -> dict:
    client = stack.docker
    info = client.info()
    images = {}
    for tag in ("balaikode/hub:0.1.0", "balaikode/python:0.1.0"):
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


# ---------------------------------------------------------------- plot

def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    burst = result["burst"]["per_learner"]
    fig, (timeline, memory) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    t0 = min(r["start_epoch"] for r in burst)
    for row, record in enumerate(sorted(burst, key=lambda r: r.get("seconds", 1e9))):
        start = record["start_epoch"] - t0
        ok = "seconds" in record
        length = record["seconds"] if ok else result["settings"]["timeout_seconds"]
        timeline.barh(row, length, left=start, color="tab:green" if ok else "tab:red")
        timeline.text(start + length, row, f" {length:.1f} s" if ok else " failed", va="center", fontsize=8)
    timeline.set_yticks(range(len(burst)))
    timeline.set_yticklabels([r["name"] for r in sorted(burst, key=lambda r: r.get("seconds", 1e9))], fontsize=8)
    stats = result["burst"]["seconds"]
    timeline.set_title(f"{len(burst)} learners press start at once: median {stats['median']} s, "
                       f"p95 {stats['p95']} s (single: {result['single']['first']['seconds']} s)", fontsize=10)
    timeline.set_xlabel("seconds from POST /hub/api/users/NAME/server to /user/NAME/api/status = 200")

    solo = result["memory"]["single_learner"]
    after = result["memory"]["after_burst"]["summary_mib"]
    labels = ["server alone", "+ idle python3\nkernel", f"after burst\n(median of {after['containers']})"]
    stats_mib = [mib(solo["server_alone"]["docker_stats_bytes"]),
                 mib(solo["with_idle_python3_kernel"]["docker_stats_bytes"]), after["docker_stats"]["median"]]
    pss_mib = [mib(solo["server_alone"]["pss_bytes"]),
               mib(solo["with_idle_python3_kernel"]["pss_bytes"]), after["pss"]["median"]]
    xs = range(len(labels))
    memory.bar([x - 0.2 for x in xs], stats_mib, width=0.4, label="docker stats (usage - inactive file)")
    memory.bar([x + 0.2 for x in xs], pss_mib, width=0.4, label="PSS of the container's processes")
    for x, (a, b) in enumerate(zip(stats_mib, pss_mib)):
        memory.text(x - 0.2, a, f"{a:.0f}", ha="center", va="bottom", fontsize=8)
        memory.text(x + 0.2, b, f"{b:.0f}", ha="center", va="bottom", fontsize=8)
    memory.set_xticks(list(xs))
    memory.set_xticklabels(labels, fontsize=9)
    memory.set_ylabel("MiB per learner container")
    memory.set_title("Idle memory per learner", fontsize=10)
    memory.legend(fontsize=8, loc="lower center")
    fig.suptitle(f"Balai Kode spawn benchmark, {result['date']} ({result['host']['cpus']} CPUs)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main

def run(args: argparse.Namespace, stack: Stack) -> dict:
    settings = dict(s.split("=", 1) for s in args.setting)
    result: dict = {"benchmark": "spawn", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "settings": {"learners": args.learners, "poll_interval_seconds": args.poll_interval,
                                 "timeout_seconds": args.timeout, "settle_seconds": args.settle,
                                 "site_settings": settings, "project": stack.project}}
    log(f"starting stack {stack.project} on port {stack.port}")
    stack.up()
    result["host"] = environment(stack)
    admin = Browser(stack.url)
    form_login(admin, "admin", stack.admin_password)  # the admin's own server stays stopped

    names = [f"bench{i:02d}" for i in range(1, args.learners + 1)]
    log(f"signing up, approving and logging in {len(names) + 1} learners")
    solo = make_learner(stack, admin, "solo")
    learners = [make_learner(stack, admin, name) for name in names]

    # (a) one learner, nothing else starting
    log("single spawn")
    meter = CpuMeter(stack, ["solo"])
    meter.start()
    first = spawn(solo, args.timeout, args.poll_interval)
    single_cpu = meter.stop()
    if "error" in first:
        raise RuntimeError(f"single spawn failed: {first['error']}")

    # (d) idle memory of that learner, alone on the server
    log("idle memory of one learner (server alone, then with a kernel)")
    memory_single = idle_memory(solo, stack, args.settle)
    solo.stop_server()
    log("single spawn again (home volume exists)")
    again = spawn(solo, args.timeout, args.poll_interval)
    result["single"] = {"first": first, "restart": again, "cpu": single_cpu}

    # (b) + (c) everybody at once
    log(f"burst: {len(learners)} learners start at once")
    barrier = threading.Barrier(len(learners))
    records: list[dict] = [{} for _ in learners]

    def worker(index: int, learner: Learner) -> None:
        records[index] = spawn(learner, args.timeout, args.poll_interval, barrier)

    threads = [threading.Thread(target=worker, args=(i, l), daemon=True) for i, l in enumerate(learners)]
    meter = CpuMeter(stack, names)
    load_before = os.getloadavg()
    meter.start()
    burst_t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.timeout + 120)
    wall = time.monotonic() - burst_t0
    burst_cpu = meter.stop()
    ok = [r["seconds"] for r in records if "seconds" in r]
    hub_times = hub_reported_spawn_seconds(stack, names)
    result["burst"] = {
        "learners": len(learners), "failures": len(learners) - len(ok),
        "seconds": summarize(ok), "wall_seconds": round(wall, 3),
        "post_seconds": summarize([r["post_seconds"] for r in records if "post_seconds" in r]),
        "hub_reported_start_seconds": summarize(list(hub_times.values())),
        "loadavg_before": load_before, "per_learner": records,
    }
    result["cpu"] = {"single": single_cpu, "burst": burst_cpu}

    # (d) every learner container after the burst (shared pages now split N+1 ways)
    time.sleep(args.settle)
    after = {}
    for name in ["solo", *names]:
        try:
            after[name] = container_memory(stack.learner_container(name))
        except Exception as error:  # noqa: BLE001
            after[name] = {"error": repr(error)}
    measured = [m for m in after.values() if "error" not in m]
    result["memory"] = {
        "single_learner": memory_single,
        "single_learner_mib": {k: {"docker_stats": mib(v["docker_stats_bytes"]), "pss": mib(v["pss_bytes"]),
                                   "uss": mib(v["uss_bytes"])}
                               for k, v in memory_single.items() if isinstance(v, dict)},
        "after_burst": {
            "note": "server alone, /api/status polled only (JupyterLab page not opened)",
            "summary_mib": {
                "containers": len(measured),
                "docker_stats": summarize([mib(m["docker_stats_bytes"]) for m in measured]),
                "pss": summarize([mib(m["pss_bytes"]) for m in measured]),
                "uss": summarize([mib(m["uss_bytes"]) for m in measured]),
                "pss_total": mib(sum(m["pss_bytes"] for m in measured)),
            },
            "per_container": after,
        },
    }
    result["host"]["loadavg_after"] = os.getloadavg()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=10, help="learners starting at once (default 10)")
    parser.add_argument("--json-out", type=Path, help="JSON file (default bench/results/spawn-DATE.json)")
    parser.add_argument("--png-out", type=Path, help="plot (default bench/results/spawn-DATE.png)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a spawn counts as failed")
    parser.add_argument("--poll-interval", type=float, default=0.25, help="seconds between readiness polls")
    parser.add_argument("--settle", type=float, default=5, help="seconds to let a server go idle before measuring memory")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE",
                        help="site setting for the benchmark stack, e.g. BALAIKODE_MEM_LIMIT=512M (repeatable)")
    parser.add_argument("--no-build", action="store_true", help="skip `docker compose build` (images must exist)")
    args = parser.parse_args()
    if args.learners < 1 or any("=" not in s for s in args.setting):
        parser.error("--learners must be >= 1 and --setting must be KEY=VALUE")

    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_out = args.json_out or RESULTS / f"spawn-{stamp}.json"
    png_out = args.png_out or RESULTS / f"spawn-{stamp}.png"
    with benchmark_stack("spawn", stamp, log, build=not args.no_build,
                         **dict(s.split("=", 1) for s in args.setting)) as stack:
        result = run(args, stack)

    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(result, indent=2) + "\n")
    png_out.parent.mkdir(parents=True, exist_ok=True)
    plot(result, png_out)
    result["outputs"] = {"json": str(json_out), "png": str(png_out)}
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out} and {png_out}")
    return 0 if result["burst"]["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
