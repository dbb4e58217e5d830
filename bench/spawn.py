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

    /tmp/bv/bin/python -m bench.spawn [--learners 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

# The test suite's own helpers (stack, forms, API, kernel client) via common.
from bench.common import bench_parser, benchmark_stack, output_paths
from bench.measure import (CpuMeter, container_memory, environment, form_login, hub_reported_spawn_seconds,
                     idle_memory, make_learner, mib, spawn, summarize)
from tests.support.hub_client import Browser, Learner
from tests.support.stack import Stack


# ---------------------------------------------------------------- helpers

def log(message: str) -> None:
    print(f"[spawn-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
    parser = bench_parser(__doc__, learners=(10, "learners starting at once"), timeout=300, settle=5)
    parser.add_argument("--poll-interval", type=float, default=0.25, help="seconds between readiness polls")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE",
                        help="site setting for the benchmark stack, e.g. BALAIKODE_MEM_LIMIT=512M (repeatable)")
    args = parser.parse_args()
    if args.learners < 1 or any("=" not in s for s in args.setting):
        parser.error("--learners must be >= 1 and --setting must be KEY=VALUE")

    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_out, png_out = output_paths(args, "spawn", stamp)
    with benchmark_stack("spawn", stamp, log, build=not args.no_build,
                         **dict(s.split("=", 1) for s in args.setting)) as stack:
        result = run(args, stack)

    json_out.write_text(json.dumps(result, indent=2) + "\n")
    plot(result, png_out)
    result["outputs"] = {"json": str(json_out), "png": str(png_out)}
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out} and {png_out}")
    return 0 if result["burst"]["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
