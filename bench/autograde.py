"""Autograde throughput: N submissions x 5 test cells, sandboxed vs plain.

Starts its own stack (random project and port), a course with one trainer,
an assignment with 5 graded test cells, and N submissions placed in the
course's submitted/ folder. Then, in the trainer's server, times:

  plain      nbgrader autograde with nbgrader's own Execute (code runs in the
             trainer's server: what Balai Kode does NOT do)
  sandboxed  the same with Balai Kode's configuration (each notebook runs in
             a throwaway sandbox container started by the grader service,
             several learners' notebooks at once: balaikode_nbgrader/ahead.py)

About every third submission has a wrong answer (8 of 10 points), so "the same
grades" means something: the scores of both runs are compared per learner.

Prints JSON: wall seconds, host CPU seconds (all processes; the machine may be
shared, so compare the two rows of one run), how busy the cores were (CPU
seconds / wall / cores), peak memory of the stack's containers, per-submission
wall time, the sandboxed/plain wall ratio (target <= 0.5) and whether the
grades agree.

    python -m bench.autograde [--submissions 30] [--parallel 2] [--no-build] [--json-out FILE]
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.common import bench_parser, benchmark_stack, output_paths
from tests.support.course import Trainer
from tests.support.hub_client import Browser, Learner

COURSE = "bench-nilai"
TASK = "bench"


def bench_notebook() -> dict:
    def meta(grade_id, **kw):
        base = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
                "solution": False, "task": False}
        return {"nbgrader": {**base, **kw}}

    def code(source, metadata):
        return {"cell_type": "code", "execution_count": None, "metadata": metadata,
                "outputs": [], "source": source}

    cells = [{"cell_type": "markdown", "metadata": meta("intro", locked=True),
              "source": "# Bench\nLima fungsi kecil."}]
    for i in range(1, 6):
        cells.append(code(f"def f{i}(x):\n    ### BEGIN SOLUTION\n    return x * {i}\n    ### END SOLUTION",
                          meta(f"jawab{i}", solution=True)))
        cells.append(code(f"assert f{i}(2) == {2 * i}, 'f{i}(2) salah'",
                          meta(f"tes{i}", grade=True, locked=True, points=2)))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def host_cpu_seconds() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


CGROUPS = Path("/sys/fs/cgroup")  # cgroup v1 with Docker's cgroupfs driver (ENVIRONMENT.md)


def cgroup_number(controller: str, container_id: str, name: str) -> int | None:
    try:
        return int((CGROUPS / controller / "docker" / container_id / name).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None  # the container just ended


def inactive_file(container_id: str) -> int:
    try:
        for line in (CGROUPS / "memory" / "docker" / container_id / "memory.stat").read_text().splitlines():
            if line.startswith("total_inactive_file "):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class StackSampler(threading.Thread):
    """CPU seconds and peak summed memory of the stack's containers, sandboxes
    included, read from their cgroups every 0.1 s. The machine may be shared
    (other stacks, other people's builds): host CPU and wall time then
    measure them too, the stack's own CPU does not. What a sandbox uses in
    its last 0.1 s may be missed, and the Docker engine's own work is not in
    any container (engine_cpu_seconds, shared with everyone, is)."""

    def __init__(self, client, project: str):
        super().__init__(daemon=True)
        self.client, self.project, self.peak, self.running = client, project, 0, True
        self.ours: dict[str, bool] = {}
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def is_ours(self, container_id: str) -> bool:
        try:
            labels = self.client.api.inspect_container(container_id)["Config"]["Labels"] or {}
        except Exception:  # noqa: BLE001 - gone already
            return False
        return self.project in (labels.get("com.docker.compose.project"), labels.get("balaikode.project"))

    def run(self):
        started = False
        while self.running:
            memory = 0
            for container_id in os.listdir(CGROUPS / "cpuacct" / "docker"):
                if not (CGROUPS / "cpuacct" / "docker" / container_id).is_dir():
                    continue
                if container_id not in self.ours:
                    self.ours[container_id] = self.is_ours(container_id)
                if not self.ours[container_id]:
                    continue
                used = cgroup_number("cpuacct", container_id, "cpuacct.usage")
                if used is None:
                    continue
                # Containers that started during the run count from zero.
                self.first.setdefault(container_id, used if not started else 0)
                self.last[container_id] = used
                memory += (cgroup_number("memory", container_id, "memory.usage_in_bytes") or 0) \
                    - inactive_file(container_id)
            started = True
            self.peak = max(self.peak, memory)
            time.sleep(0.1)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.last[c] - self.first[c] for c in self.last) / 1e9


def engine_cpu_seconds() -> float:
    """CPU seconds so far of dockerd, containerd and the containers' shims."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            if name in ("dockerd", "containerd") or name.startswith("containerd-shim"):
                values = fields[1].split()
                total += int(values[11]) + int(values[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def timed(stack, trainer: Trainer, label: str, command: str, submissions: int) -> dict:
    sampler = StackSampler(stack.docker, stack.project)
    sampler.start()
    time.sleep(0.3)  # a first reading of the containers already up
    cpu0, engine0, t0 = host_cpu_seconds(), engine_cpu_seconds(), time.monotonic()
    # A shared machine can make 30 plain submissions take many minutes.
    output = trainer.shell(command, timeout=1800)
    wall, cpu = time.monotonic() - t0, host_cpu_seconds() - cpu0
    engine = engine_cpu_seconds() - engine0
    sampler.running = False
    sampler.join()
    if "EXIT 0" not in output:
        raise RuntimeError(f"{label} autograde failed:\n{output[-3000:]}")
    return {"mode": label, "wall_seconds": round(wall, 1), "host_cpu_seconds": round(cpu, 1),
            "cores_busy": round(cpu / wall / (os.cpu_count() or 1), 2),
            "stack_cpu_seconds": round(sampler.cpu_seconds, 1),
            "engine_cpu_seconds": round(engine, 1),
            "seconds_per_submission": round(wall / submissions, 2),
            "peak_container_memory_mib": round(sampler.peak / 2**20)}


def main() -> None:
    parser = bench_parser(__doc__.split("\n\n")[0], plot=False)
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=2,
                        help="BALAIKODE_SANDBOX_PARALLEL of the stack and the trainer's pool")
    args = parser.parse_args()

    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    with benchmark_stack("autograde", stamp, lambda message: print(message, file=sys.stderr),
                         build=not args.no_build, BALAIKODE_GRADING_NOTEBOOK_TIMEOUT="120s",
                         BALAIKODE_SANDBOX_PARALLEL=str(args.parallel)) as stack:
        stack.up()
        admin = Browser(stack.url)
        admin.login("admin", stack.admin_password)
        browser = Browser(stack.url)
        browser.signup("guru", "Sandi-bench-2026")
        admin.approve("guru")
        browser.login("guru", "Sandi-bench-2026")
        guru = Learner(stack.url, "guru", browser.new_token("guru"))
        made = stack.admin_cli("course", COURSE, "--trainers", "guru")
        assert made.returncode == 0, made.stderr
        guru.stop_server()
        guru.start_server()
        trainer = Trainer(guru, COURSE)
        trainer.ensure_dir(f"kursus/{COURSE}/source/{TASK}")
        response = guru.server("PUT", f"/contents/kursus/{COURSE}/source/{TASK}/{TASK}.ipynb",
                               json={"type": "notebook", "format": "json", "content": bench_notebook()})
        assert response.status_code in (200, 201), response.text
        trainer.generate(TASK)
        placed = trainer.shell(
            f"for i in $(seq -w 1 {args.submissions}); do d=submitted/murid$i/{TASK}; mkdir -p $d; "
            f"cp source/{TASK}/{TASK}.ipynb $d/; done; "
            # Learners whose number ends in 0, 3, 6 or 9 get f3 wrong: 8 points, not 10.
            f"for d in submitted/murid*[0369]/{TASK}; do sed -i 's/return x \\* 3/return x + 3/' "
            f"$d/{TASK}.ipynb; done; ls submitted | wc -l")
        assert str(args.submissions) in placed, placed

        plain = timed(stack, trainer, "plain",
                      f"env -u BALAIKODE_ROLE nbgrader autograde {TASK} --force "
                      f"--CourseDirectory.course_id={COURSE} --CourseDirectory.root=$HOME/kursus/{COURSE}",
                      args.submissions)
        plain_scores = {name: row["score"] for name, row in trainer.submissions(TASK).items()}
        sandboxed = timed(stack, trainer, "sandboxed",
                          f"nbgrader autograde {TASK} --force --SandboxExecute.parallel={args.parallel}",
                          args.submissions)
        scores = {name: row["score"] for name, row in trainer.submissions(TASK).items()}
        # One sandbox per notebook: more would mean executions started ahead
        # were not the notebooks nbgrader handed over, and were run again.
        grader_log = stack.docker.containers.get(f"{stack.project}-grader-1").logs().decode()
        sandbox_runs = grader_log.count(f"Executed {COURSE}/")
        full = sum(1 for score in scores.values() if score == 10.0)
        ratio = round(sandboxed["wall_seconds"] / plain["wall_seconds"], 2)
        # On a machine shared with other work, wall time measures that work
        # too; the stack's own CPU does not. This is the ratio if both runs
        # were bound by CPU on an idle machine: the sandboxed batch spread
        # over every core, plain nbgrader on one. Plain nbgrader is not
        # CPU-bound (it waits for each kernel; idle, its wall time was about
        # twice its CPU), so on an idle machine the real ratio is lower.
        cores = os.cpu_count() or 1
        cpu_ratio = round((sandboxed["stack_cpu_seconds"] / cores) / plain["stack_cpu_seconds"], 2)
        result = {
            "benchmark": "autograde",
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count()},
            "submissions": args.submissions, "test_cells_per_notebook": 5,
            "parallel": args.parallel,
            "runs": [plain, sandboxed],
            "sandboxed_vs_plain_wall_ratio": ratio,
            "target_ratio": 0.5, "target_met": ratio <= 0.5,
            "ratio_if_cpu_bound": cpu_ratio,
            "sandbox_runs": sandbox_runs,
            "full_marks_after_sandboxed_run": full,
            "same_grades_as_plain": scores == plain_scores,
            "grades_differing": {name: [plain_scores.get(name), score] for name, score in scores.items()
                                 if plain_scores.get(name) != score},
        }
        text = json.dumps(result, indent=2)
        print(text)
        out, _ = output_paths(args, "autograde", stamp)
        out.write_text(text + "\n")


if __name__ == "__main__":
    main()
