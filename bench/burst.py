"""A whole class pressing start at the same moment: `class_start.py --mode burst`.

For each setup (stock baseline, Balai Kode), in its own stack:

  single     one new account started alone, stopped, started again (the
             floor: what one learner waits on an idle hub)
  new        N accounts created through the admin API just before (so homes
             and disks are new), then all N servers started at once
  returning  the same N stopped, then started again at once

Each start is `POST /hub/api/users/NAME/server` and the hub's progress event
stream until it says ready (what the spawn-pending page listens to); the
time is from the POST. During each burst the hub API is polled (GET
/hub/api/user every 0.5 s), and the whole machine's CPU is read from
/proc/stat, with the rate of the seconds just before as the background that
other work on a shared machine would have used anyway.
"""

from __future__ import annotations

import re
import threading
import time

from bench.measure import CpuMeter, hub_reported_spawn_seconds, start_like_browser, summarize
from bench.sampling import HubPoller, MachineCpu
from tests.support.hub_client import Learner, poll
from tests.support.stack import Stack


UNRESPONSIVE = re.compile(r"Event loop was unresponsive for at least ([\d.]+)s")


def loop_stalls(stack: Stack) -> list[float]:
    """JupyterHub's own event-loop monitor: every stall it logged so far (s)."""
    logs = stack.compose("logs", "--no-color", "hub", check=False).stdout
    return [float(seconds) for seconds in UNRESPONSIVE.findall(logs)]


BUCKET = re.compile(r'^jupyterhub_event_loop_interval_seconds_bucket\{le="([^"]+)"\} ([\d.e+]+)$', re.M)


def loop_histogram(admin: Learner) -> dict[float, float]:
    """JupyterHub's event-loop tick histogram (/hub/metrics): {upper bound: ticks so far}."""
    response = admin.http.get(f"{admin.base_url}/hub/metrics", timeout=30)
    if response.status_code != 200:
        return {}
    return {float(le): float(n) for le, n in BUCKET.findall(response.text)}


def loop_ticks(before: dict[float, float], after: dict[float, float]) -> dict:
    """The ticks between two histograms: how many, and how many took longer
    than 0.1, 0.5 and 1 s (a tick is 50 ms when nothing blocks the loop)."""
    if not before or not after:
        return {}
    count = after[float("inf")] - before[float("inf")]

    def slower(bound: float) -> float:
        within = max((le for le in after if le <= bound), default=None)
        return count - (after[within] - before.get(within, 0)) if within is not None else count
    return {"ticks": count, "over_0.1s": slower(0.1), "over_0.5s": slower(0.5), "over_1s": slower(1.0)}


class Burst:
    def __init__(self, stack: Stack, admin_token: str, args, log):
        self.stack, self.token, self.args, self.log = stack, admin_token, args, log
        self.admin = Learner(stack.url, "admin", admin_token)

    def as_admin(self, name: str) -> Learner:
        """A client for NAME's server calls with the admin's token (one
        session per thread)."""
        return Learner(self.stack.url, name, self.token)

    def create_accounts(self, names: list[str]) -> None:
        response = self.admin.hub("POST", "/users", json={"usernames": names})
        if response.status_code != 201:
            raise RuntimeError(f"creating {len(names)} users failed: {response.status_code} {response.text[:200]}")

    def stop_all(self, names: list[str]) -> None:
        for name in names:
            self.admin.hub("DELETE", f"/users/{name}/server")
        for name in names:
            poll(f"{name}'s server to stop", lambda n=name: not self.as_admin(n).server_model(), 180)

    def start_all(self, names: list[str]) -> dict:
        """All NAMEs started at once (one thread each, released together)."""
        records = {name: {"name": name} for name in names}
        gate = threading.Barrier(len(names) + 1)

        def start(name: str) -> None:
            learner, record = self.as_admin(name), records[name]
            gate.wait()
            t0 = time.monotonic()
            try:
                started = start_like_browser(learner, self.args.timeout)
                record["post_status"] = started["post_status"]
                if "error" in started:
                    record["error"] = started["error"]
                else:
                    record["ready"] = round(time.monotonic() - t0, 3)
            except Exception as error:  # noqa: BLE001 - a failed start is a result
                record["error"] = repr(error)[:300]

        threads = [threading.Thread(target=start, args=(n,), daemon=True) for n in names]
        for thread in threads:
            thread.start()
        gate.wait()
        for thread in threads:
            thread.join(self.args.timeout + 30)
        return records

    def measure(self, names: list[str], phase: str) -> dict:
        """One burst with its CPU and hub latency; `names` must be stopped."""
        machine = MachineCpu(self.stack.docker, self.stack.project)
        background = machine.background(self.args.background_seconds)
        stalls0, histogram0 = len(loop_stalls(self.stack)), loop_histogram(self.admin)
        meter = CpuMeter(self.stack, names)
        meter.start()
        machine.start()
        t0 = time.monotonic()
        with HubPoller(self.stack.url, self.token, self.args.poll_every) as hub:
            records = self.start_all(names)
        wall = time.monotonic() - t0
        cpu = machine.stop(len(names), background)
        attributed = meter.stop()
        stalls = loop_stalls(self.stack)[stalls0:]
        ticks = loop_ticks(histogram0, loop_histogram(self.admin))
        ready = [r["ready"] for r in records.values() if "ready" in r]
        self.log(f"{phase}: {len(ready)}/{len(names)} ready, p95 {summarize(ready)['p95']} s, "
                 f"{cpu['per_spawn_seconds']} CPU-s per spawn, hub API p95 {hub.result()['ms']['p95']} ms")
        return {
            "learners": len(names), "failures": len(names) - len(ready),
            "errors": {n: r["error"] for n, r in records.items() if "error" in r},
            "ready_seconds": summarize(ready), "wall_seconds": round(wall, 3),
            "hub_reported_start_seconds": summarize(list(hub_reported_spawn_seconds(self.stack, names).values())),
            "cpu": cpu, "cpu_attributed": attributed, "hub_api_user": hub.result(),
            # Logged a moment after they end, so the last may be missing.
            "hub_event_loop_stalls": {"count": len(stalls), "total_seconds": round(sum(stalls), 2),
                                      "max_seconds": max(stalls, default=0.0)},
            "hub_event_loop_ticks": ticks,
            "per_learner": list(records.values()),
        }

    def single(self, name: str) -> dict:
        """One learner alone: new account, then the same again after a stop."""
        self.create_accounts([name])
        out = {}
        for phase in ("new", "returning"):
            out[phase] = self.start_all([name])[name]
            self.stop_all([name])
        return out

    def run(self) -> dict:
        names = [f"{self.args.prefix}{i:02d}" for i in range(1, self.args.learners + 1)]
        result = {"single": self.single(f"{self.args.prefix}solo")}
        self.create_accounts(names)
        result["new"] = self.measure(names, "new")
        self.stop_all(names)
        result["returning"] = self.measure(names, "returning")
        self.stop_all(names)
        return result


RATIOS = {
    f"{phase}_{label}": f"{phase}.{path}"
    for phase in ("new", "returning")
    for label, path in (("ready_p50_seconds", "ready_seconds.median"), ("ready_p95_seconds", "ready_seconds.p95"),
                        ("cpu_seconds_per_spawn_machine", "cpu.per_spawn_seconds.machine"),
                        ("cpu_seconds_per_spawn_minus_background", "cpu.per_spawn_seconds.machine_minus_background"),
                        ("cpu_seconds_per_spawn_attributed", "cpu_attributed.per_spawn_seconds.all"),
                        ("hub_api_p50_ms", "hub_api_user.ms.median"), ("hub_api_p95_ms", "hub_api_user.ms.p95"))
}


def plot(result: dict, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    setups = [(name, runs[-1]) for name, runs in result["setups"].items() if runs]
    phases = ("new", "returning")
    fig, axes = plt.subplots(len(phases), len(setups), figsize=(7 * len(setups), 9), sharey="row", squeeze=False)
    for col, (name, run) in enumerate(setups):
        for row, phase in enumerate(phases):
            ax, burst = axes[row][col], run[phase]
            ready = sorted(r.get("ready", float("nan")) for r in burst["per_learner"])
            ax.bar(range(len(ready)), ready, color="tab:orange", label="ready (s since the POST)")
            ax.set_xlabel("learners, sorted by time to ready")
            ax.set_ylabel("seconds")
            hub = ax.twinx()
            samples = burst["hub_api_user"]["samples"]
            hub.plot([t / max(1e-9, burst["wall_seconds"]) * (len(ready) - 1) for t, _ in samples],
                     [ms for _, ms in samples], color="tab:blue", lw=0.8, label="hub API ms (time scaled)")
            hub.set_ylabel("GET /hub/api/user ms", color="tab:blue")
            cpu = burst["cpu"]["per_spawn_seconds"]
            ax.set_title(f"{name}, {phase}: {burst['learners']} at once, p95 {burst['ready_seconds']['p95']} s, "
                         f"failures {burst['failures']}\nCPU-s per spawn {cpu['machine']} "
                         f"({cpu['machine_minus_background']} without background), "
                         f"hub API p95 {burst['hub_api_user']['ms']['p95']} ms", fontsize=8)
    fig.suptitle(f"Burst class start, {result['date']}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
