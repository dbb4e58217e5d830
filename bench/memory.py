#!/usr/bin/env python3
"""Idle memory per learner: the server alone, then with one idle python3 kernel.

For the stock baseline (bench/baseline/) and for Balai Kode, each in its own
stack in the same run (see setups.py): --learners (3) learners log in through
the real form and start their servers; then, one after another, each opens
JupyterLab (measure.LAB_OPEN_PATHS), rests --settle seconds and is measured
(server alone), starts a python3 kernel, runs `x = 1`, rests and is measured
again (with an idle kernel), and shuts the kernel down. Memory is the
learner container's, as `docker stats` shows it (cgroup usage minus inactive
file cache) and as PSS summed over its processes (measure.container_memory).

    /tmp/bv/bin/python -m bench.memory [--learners 3] [--settle 5]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from bench.common import bench_parser, output_paths
from bench.measure import idle_memory, log_in, mib, start_like_browser, summarize
from bench.setups import Setup, add_arguments, ratios, run_setups
from tests.support.stack import Stack

STATES = ("server_alone", "with_idle_python3_kernel")
RATIOS = {f"{state}_{kind}_median_mib": f"summary_mib.{state}.{kind}.median"
          for state in STATES for kind in ("docker_stats", "pss")}


def log(message: str) -> None:
    print(f"[memory {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = bench_parser(__doc__, plot=False, learners=(3, "learners measured in each setup"),
                          timeout=180, settle=5)
    add_arguments(parser)
    args = parser.parse_args()
    if not 1 <= args.learners <= 20:
        parser.error("--learners 1..20")

    def measure(setup: Setup, stack: Stack) -> dict:
        names = [f"memori{i}" for i in range(1, args.learners + 1)]
        passwords = setup.passwords(stack, names)
        learners = []
        for name in names:
            learner = log_in(stack.url, name, passwords[name])
            started = start_like_browser(learner, args.timeout)
            if "error" in started:
                raise RuntimeError(f"{setup.name}: {name}: {started['error']}")
            learners.append(learner)
        per_learner = {}
        for learner in learners:
            log(f"{setup.name}: measuring {learner.name}")
            per_learner[learner.name] = idle_memory(learner, stack, args.settle)
        return {
            "summary_mib": {state: {kind: summarize([mib(m[state][f"{kind}_bytes"]) for m in per_learner.values()])
                                    for kind in ("docker_stats", "pss", "uss")} for state in STATES},
            "per_learner": per_learner,
        }

    stamp = time.strftime("%Y%m%d-%H%M%S")
    result = {"benchmark": "memory", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "settings": {"learners": args.learners, "settle_seconds": args.settle, "setups": args.setups,
                           "rounds": args.rounds, "site_settings": dict(s.split("=", 1) for s in args.setting)}}
    result["setups"] = run_setups(args, "memory", stamp, log, measure)
    result["ratios_balaikode_to_baseline"] = ratios(result["setups"], RATIOS)
    json_out, _ = output_paths(args, "memory", stamp)
    json_out.write_text(json.dumps(result, indent=2) + "\n")
    result["outputs"] = {"json": str(json_out)}
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
