#!/usr/bin/env python3
"""Class start: N learners arrive over T seconds, sign in, start their servers
and run a first cell; then all of them work at once for a while.

For the stock baseline (bench/baseline/) and for Balai Kode, each in its own
stack in the same run (see setups.py), with the same steps:

  arrival   learner i comes at i * T / (N - 1) seconds (evenly staggered)
  login     the real login form (GET + POST /hub/login, XSRF cookie), then an
            API token for the learner (as the hub's own pages get one)
  spawn     POST /hub/api/users/NAME/server with that token, then the hub's
            progress event stream until it says ready (what the spawn-pending
            page does)
  usable    JupyterLab opens through the proxy: /user/NAME/lab and the REST
            calls JupyterLab makes first (measure.LAB_OPEN_PATHS) answer 200
  first     a python3 kernel is started and `print(6*7)` runs over its
  cell      websocket through the proxy
  load      once every learner is in (or failed): for --load-seconds each one
            runs a small cell every --cell-every seconds on its open kernel
            websocket (round trip through the proxy) and asks GET
            /hub/api/user with its token (hub API latency)

Times are from the learner's arrival. CPU seconds (hub, proxy, learner
containers, dockerd, containerd, shims, docker-proxy: measure.CpuMeter) are
counted from the first arrival until every learner ran its first cell, and
separately for the load phase. Prints one JSON document, writes it and a PNG
timeline under bench/results/. Loopback only; every stack is removed at the end.

    /tmp/bv/bin/python -m bench.class_start [--learners 30] [--over 60]

With --mode burst the learners do not arrive over time: the whole class
presses start at once, first with new accounts, then again as a returning
class (bench/burst.py).

    /tmp/bv/bin/python -m bench.class_start --mode burst [--learners 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import threading
import time
from pathlib import Path

from bench import burst
from bench.common import bench_parser, output_paths
from bench.measure import (CpuMeter, container_memory, hub_reported_spawn_seconds, log_in, mib, open_kernel,
                     open_lab, start_like_browser, summarize)
from bench.setups import Setup, add_arguments, ratios, run_setups
from tests.support.stack import Stack

SMALL_CELL = "sum(range(1000))"
PHASES = ("login", "spawn", "usable", "first_cell")


def log(message: str) -> None:
    print(f"[class-start {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Class:
    """The learners' threads and what they share: the clock, the load window."""

    def __init__(self, stack: Stack, passwords: dict[str, str], args: argparse.Namespace):
        self.stack, self.passwords, self.args = stack, passwords, args
        self.records = {name: {"name": name} for name in passwords}
        self.arrived = threading.Semaphore(0)  # released when a learner is in or failed
        self.load_start = threading.Event()
        self.load_end = 0.0

    def learner(self, index: int, name: str) -> None:
        args, record = self.args, self.records[name]
        gap = args.over / max(1, len(self.passwords) - 1)
        time.sleep(max(0.0, self.t0 + index * gap - time.monotonic()))
        start = time.monotonic()
        record["arrival"] = round(start - self.t0, 3)

        def mark(phase: str) -> None:
            record[phase] = round(time.monotonic() - start, 3)

        channel = None
        try:
            learner = log_in(self.stack.url, name, self.passwords[name])
            mark("login")
            started = start_like_browser(learner, args.timeout)
            record["post_status"] = started["post_status"]
            if "error" in started:
                record["error"] = started["error"]
                return
            mark("spawn")
            while True:  # the proxy route may lag the hub's "ready" by a moment
                try:
                    open_lab(learner)
                    break
                except Exception:  # noqa: BLE001
                    if time.monotonic() - start > args.timeout:
                        raise
                    time.sleep(0.25)
            mark("usable")
            channel = open_kernel(learner, args.timeout)
            if channel.run("print(6*7)", args.timeout).strip() != "42":
                raise RuntimeError("first cell did not print 42")
            mark("first_cell")
        except Exception as error:  # noqa: BLE001 - a failed learner is a result
            record["error"] = repr(error)[:300]
            return
        finally:
            self.arrived.release()
            if "error" in record and channel is not None:
                channel.ws.close()
        self.load(learner, channel, record)

    def load(self, learner, channel, record: dict) -> None:
        args = self.args
        self.load_start.wait(args.over + 2 * args.timeout)
        record["exec_ms"], record["hub_api_ms"], record["load_errors"] = [], [], 0
        tick = time.monotonic() + random.uniform(0, args.cell_every)
        try:
            while tick < self.load_end:
                time.sleep(max(0.0, tick - time.monotonic()))
                try:
                    t = time.perf_counter()
                    channel.run(SMALL_CELL, 30)
                    record["exec_ms"].append(round((time.perf_counter() - t) * 1000, 2))
                    t = time.perf_counter()
                    learner.hub("GET", "/user").raise_for_status()
                    record["hub_api_ms"].append(round((time.perf_counter() - t) * 1000, 2))
                except Exception:  # noqa: BLE001
                    record["load_errors"] += 1
                tick += args.cell_every
        finally:
            channel.ws.close()

    def run(self) -> dict:
        args, names = self.args, list(self.passwords)
        meter = CpuMeter(self.stack, names)
        meter.start()
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self.learner, args=(i, n), daemon=True) for i, n in enumerate(names)]
        for thread in threads:
            thread.start()
        deadline = self.t0 + args.over + args.timeout + 60
        for _ in names:
            if not self.arrived.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
        start_wall = time.monotonic() - self.t0
        start_cpu = meter.stop()
        services = {s: container_memory(c) for s, c in meter.services.items()}

        meter = CpuMeter(self.stack, names)
        meter.start()
        self.load_end = time.monotonic() + args.load_seconds
        self.load_start.set()
        for thread in threads:
            thread.join(max(0.0, self.load_end - time.monotonic()) + 60)
        load_cpu = meter.stop()
        time.sleep(args.settle)
        learners = {}
        for name in names:
            try:
                learners[name] = container_memory(self.stack.learner_container(name))
            except Exception:  # noqa: BLE001 - failed spawn
                pass
        services_after = {s: container_memory(c) for s, c in meter.services.items()}
        return self.summary(start_wall, start_cpu, load_cpu, services, services_after, learners)

    def summary(self, start_wall, start_cpu, load_cpu, services, services_after, learners) -> dict:
        records = list(self.records.values())
        ok = [r for r in records if "first_cell" in r]
        exec_ms = [v for r in records for v in r.get("exec_ms", [])]
        hub_ms = [v for r in records for v in r.get("hub_api_ms", [])]
        return {
            "learners": len(records), "failures": len(records) - len(ok),
            "errors": {r["name"]: r["error"] for r in records if "error" in r},
            "seconds": {phase: summarize([r[phase] for r in records if phase in r]) for phase in PHASES},
            "wall_seconds": round(start_wall, 3),
            "hub_reported_start_seconds": summarize(list(hub_reported_spawn_seconds(
                self.stack, list(self.passwords)).values())),
            "cpu": {"class_start": start_cpu,
                    "class_start_per_learner_all": round(start_cpu["total_seconds"]["all"] / len(records), 3),
                    "load": load_cpu},
            "services_mib": {
                phase: {s: {"docker_stats": mib(m["docker_stats_bytes"]), "pss": mib(m["pss_bytes"])}
                        for s, m in values.items()}
                for phase, values in (("after_start", services), ("after_load", services_after))},
            "responsiveness": {
                "load_seconds": self.args.load_seconds, "cell_every_seconds": self.args.cell_every,
                "learners_in_load": sum(1 for r in records if r.get("exec_ms")),
                "exec_round_trip_ms": summarize(exec_ms), "hub_api_user_ms": summarize(hub_ms),
                "errors": sum(r.get("load_errors", 0) for r in records),
            },
            "learner_memory_mib": {
                "note": "after the load phase: server + one python3 kernel that ran the cells",
                "containers": len(learners),
                "docker_stats": summarize([mib(m["docker_stats_bytes"]) for m in learners.values()]),
                "pss": summarize([mib(m["pss_bytes"]) for m in learners.values()]),
                "pss_total": mib(sum(m["pss_bytes"] for m in learners.values())),
            },
            "per_learner": [{k: v for k, v in r.items() if k not in ("exec_ms", "hub_api_ms")}
                            for r in records],
        }


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    setups = [(name, runs[-1]) for name, runs in result["setups"].items() if runs]
    fig, axes = plt.subplots(1, len(setups), figsize=(7 * len(setups), 7), sharex=True, squeeze=False)
    colors = {"login": "tab:blue", "spawn": "tab:orange", "usable": "tab:green", "first_cell": "tab:purple"}
    for ax, (name, run) in zip(axes[0], setups):
        rows = sorted(run["per_learner"], key=lambda r: r.get("arrival", 0))
        for row, record in enumerate(rows):
            left = record.get("arrival", 0)
            previous = 0.0
            for phase in PHASES:
                if phase not in record:
                    break
                ax.barh(row, record[phase] - previous, left=left + previous, color=colors[phase],
                        label=phase if row == 0 else None)
                previous = record[phase]
            if "error" in record:
                ax.text(left + previous, row, " failed", va="center", fontsize=7, color="tab:red")
        usable = run["seconds"]["usable"]
        ax.set_title(f"{name}: {run['learners']} learners, usable p50 {usable['median']} s, "
                     f"p95 {usable['p95']} s, failures {run['failures']}\n"
                     f"CPU-s per learner {run['cpu']['class_start_per_learner_all']}", fontsize=9)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([r["name"] for r in rows], fontsize=6)
        ax.set_xlabel("seconds since the first arrival")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Class start over {result['settings']['over_seconds']} s, {result['date']}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


RATIOS = {
    "usable_p50_seconds": "seconds.usable.median", "usable_p95_seconds": "seconds.usable.p95",
    "first_cell_p95_seconds": "seconds.first_cell.p95",
    "cpu_seconds_per_learner_all": "cpu.class_start_per_learner_all",
    "hub_api_p95_ms": "responsiveness.hub_api_user_ms.p95",
    "exec_round_trip_p50_ms": "responsiveness.exec_round_trip_ms.median",
    "learner_docker_stats_median_mib": "learner_memory_mib.docker_stats.median",
    "learner_pss_median_mib": "learner_memory_mib.pss.median",
}


def main() -> int:
    parser = bench_parser(__doc__, learners=(30, "learners in the class"), timeout=180, settle=5)
    parser.add_argument("--over", type=float, default=60, help="seconds over which they arrive (default 60)")
    parser.add_argument("--load-seconds", type=float, default=60, help="length of the load phase (default 60)")
    parser.add_argument("--cell-every", type=float, default=3, help="seconds between a learner's cells (default 3)")
    parser.add_argument("--mode", choices=("arrive", "burst"), default="arrive",
                        help="arrive: over --over seconds, with login, JupyterLab and a load phase (default); "
                             "burst: all at once, new accounts then the same class returning (bench/burst.py)")
    parser.add_argument("--prefix", default="kelas", help="burst: user name prefix (default kelas)")
    parser.add_argument("--poll-every", type=float, default=0.5,
                        help="burst: seconds between GET /hub/api/user during a burst (default 0.5)")
    parser.add_argument("--background-seconds", type=float, default=10,
                        help="burst: seconds of the machine's own load measured before each burst (default 10)")
    add_arguments(parser)
    args = parser.parse_args()
    if not 1 <= args.learners <= 100 or not 0 <= args.over <= 600 or not 0 <= args.load_seconds <= 600:
        parser.error("--learners 1..100, --over and --load-seconds 0..600")

    def measure(setup: Setup, stack: Stack) -> dict:
        if args.mode == "burst":
            return burst.Burst(stack, setup.admin_token(stack), args, log).run()
        names = [f"kelas{i:02d}" for i in range(1, args.learners + 1)]
        log(f"{setup.name}: preparing {len(names)} accounts")
        passwords = setup.passwords(stack, names)
        log(f"{setup.name}: {len(names)} learners arrive over {args.over} s")
        result = Class(stack, passwords, args).run()
        log(f"{setup.name}: usable p50 {result['seconds']['usable']['median']} s, "
            f"p95 {result['seconds']['usable']['p95']} s, failures {result['failures']}")
        return result

    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {"benchmark": "class_start", "mode": args.mode, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "settings": {"learners": args.learners, "over_seconds": args.over,
                           "load_seconds": args.load_seconds, "cell_every_seconds": args.cell_every,
                           "timeout_seconds": args.timeout, "poll_every_seconds": args.poll_every, "setups": args.setups, "rounds": args.rounds,
                           "site_settings": dict(s.split("=", 1) for s in args.setting)}}
    result["setups"] = run_setups(args, "class_start", stamp, log, measure)
    bursting = args.mode == "burst"
    result["ratios_balaikode_to_baseline"] = ratios(result["setups"], burst.RATIOS if bursting else RATIOS)
    kind = "class_burst" if bursting else "class_start"
    json_out, png_out = output_paths(args, kind, stamp)
    json_out.write_text(json.dumps(result, indent=2) + "\n")
    (burst.plot if bursting else plot)(result, png_out)
    result["outputs"] = {"json": str(json_out), "png": str(png_out)}
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out} and {png_out}")
    failures = [r[phase]["failures"] if bursting else r["failures"]
                for runs in result["setups"].values() for r in runs
                for phase in (("new", "returning") if bursting else ("",))]
    return 0 if not any(failures) else 1


if __name__ == "__main__":
    sys.exit(main())
