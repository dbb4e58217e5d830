"""Issue: safety battery — one learner abuses their server, the class goes on.

For each abuse (fork bomb, memory bomb, CPU hog on every core, endless output,
filling their home), a separate abuser learner runs it in their own kernel
while a canary learner keeps executing `1+1` through the proxy and the kernel
websocket. Pass means:

- the abuser's container is held by its limits (pids, memory, CPU) or killed;
- the canary's p95 round trip during the abuse stays under 2x its own p95
  measured right before (with a 50 ms floor, see NOISE_FLOOR); abuse and
  baseline windows alternate (the abuser frozen in between), see
  measure_abuse;
- the hub API answers in under 1 s throughout;
- nobody's saved work is lost (canary's and abuser's files are intact);
- the abuse is stopped by stopping the abuser's server, which always works.

Measured numbers are appended to tests/artifacts/safety-abuse-PROJECT.jsonl.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass

import docker
import pytest

from support.canary import Abuse, Canary, ContainerWatch, Latencies, hub_api_seconds
from support.hub_client import poll
from support.stack import ARTIFACTS

# 60 samples per condition (6 interleaved blocks of 10, see measure_abuse):
# p95 is then the 57th of 60, so two or three scheduling hiccups of a busy
# host do not decide the result by themselves.
BLOCKS = 6
PER_BLOCK = 10
# A pure 2x bound is meaningless when the baseline p95 is a few tens of ms: on
# the shared 2-core test machines (load average 10 to over 100 from other
# engineers' stacks) one lost CFS time slice adds 10-30 ms to a single round
# trip whatever our abuser does. The bound is therefore max(2 x baseline,
# baseline + 50 ms); 50 ms is still below what a person at a keyboard notices
# (about 100 ms), and any real starvation (a saturated proxy, a hub blocked on
# I/O, a host out of memory) costs hundreds of ms or whole seconds.
NOISE_FLOOR = 0.050
HUB_API_LIMIT = 1.0  # seconds, the bound
# Every abuse loop ends by itself after this long, even if stopping the
# server failed; the tests stop it much earlier.
ABUSE_SECONDS = 150
LEARNER_IMAGE = "balaikode/python:0.3.0"
# More than a home holds (BALAIKODE_HOME_DISK_SIZE is 2G by default): the
# abuser aims for 3 GiB and must be stopped by their own disk being full.
HOME_DISK_SIZE = 2 * 1024**3
DISK_FILL_LIMIT = 3 * 1024**3
IOPUB_DATA_RATE_LIMIT = 1_000_000  # bytes/s, jupyter-server's default (not changed in images/base)


def latency_bound(baseline: Latencies) -> float:
    return max(2 * baseline.p95, baseline.p95 + NOISE_FLOOR)


def cpu_cores_allowed(host_config: dict) -> float:
    """The CPU limit DockerSpawner set (cpu_quota / cpu_period), in cores."""
    if host_config.get("NanoCpus"):
        return host_config["NanoCpus"] / 1e9
    return host_config["CpuQuota"] / (host_config.get("CpuPeriod") or 100_000)


# -- fixtures ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def canary(stack, new_learner):
    learner = new_learner("kenari")
    learner.start_server()
    work = f"karya kenari {secrets.token_hex(8)}\n"
    learner.write_file("karya.txt", work)
    bird = Canary(learner)
    bird.work = work
    yield bird
    bird.close()


@pytest.fixture(scope="module")
def abuser_account(new_learner):
    learner = new_learner("nakal")
    learner.start_server()
    learner.work = f"karya nakal {secrets.token_hex(8)}\n"
    learner.write_file("karya.txt", learner.work)
    return learner


@pytest.fixture
def abuser(abuser_account):
    """The abuser with a running server; stopped again (ending the abuse) after the test."""
    abuser_account.start_server()
    yield abuser_account
    abuser_account.stop_server()


# -- the measurement ---------------------------------------------------------------

def read_home_file(stack, name: str, path: str) -> str:
    """A file from a learner's home volume, read by a throwaway container
    (the learner's server may be stopped)."""
    return stack.docker.containers.run(
        LEARNER_IMAGE, entrypoint=["cat", f"/x/{path}"], remove=True, user="0:0",
        network_mode="none", volumes={f"{stack.project}-home-{name}": {"bind": "/x", "mode": "ro"}},
    ).decode()


def remove_home_file(stack, name: str, path: str) -> None:
    stack.docker.containers.run(
        LEARNER_IMAGE, entrypoint=["rm", "-f", f"/x/{path}"], remove=True, user="0:0",
        network_mode="none", volumes={f"{stack.project}-home-{name}": {"bind": "/x", "mode": "rw"}})


def record(stack, case: str, facts: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    line = json.dumps({"case": case, "project": stack.project, **facts})
    with open(ARTIFACTS / f"safety-abuse-{stack.project}.jsonl", "a") as handle:
        handle.write(line + "\n")
    print(line)


@dataclass
class Run:
    case: str
    baseline: Latencies
    during: Latencies
    hub_times: list[float]
    watch: ContainerWatch
    container: object
    report: dict
    still_running: bool
    facts: dict
    gone: bool = False      # the abuser's container ended during the abuse
    oom_kills: int = 0      # OOM kills inside it, from Docker's events

    @property
    def canary_ok(self) -> bool:
        return self.during.p95 < latency_bound(self.baseline)

    @property
    def hub_ok(self) -> bool:
        return max(self.hub_times) < HUB_API_LIMIT


class AbuserGone(Exception):
    """The abuser's container ended during the abuse (e.g. its server was
    killed at its own memory limit, and the hub removed the container)."""


def freeze(container) -> None:
    """docker pause. The cgroup freezer can give up while hundreds of busy
    processes race it on an overloaded host ("unable to freeze"); runc then
    thaws everything again, so simply try again (bounded)."""
    def attempt():
        try:
            container.reload()
        except docker.errors.NotFound:
            return "gone"
        if container.status not in ("running", "paused"):
            return "gone"
        container.pause()
        return "frozen"

    if poll(f"{container.name} to freeze", attempt, 60, interval=0.2) == "gone":
        raise AbuserGone(container.name)


def thaw(container) -> None:
    try:
        container.unpause()
    except docker.errors.NotFound:
        pass  # gone meanwhile: the next freeze says so
    except docker.errors.APIError as error:
        if "is not paused" not in str(error) and "not running" not in str(error):
            raise


def oom_kills(stack, container, since: float) -> int:
    """How often the kernel's OOM killer struck in the container since then."""
    events = stack.docker.events(since=int(since) - 1, until=int(time.time()) + 1, decode=True,
                                 filters={"container": container.id, "event": "oom"})
    return sum(1 for _ in events)


def measure_abuse(stack, canary, abuser, case: str, code: str, ready=None,
                  ready_within: float = 60, before_stop=None) -> Run:
    """The canary before and during the abuse, then stop the abuser's server.

    Baseline and abuse windows are interleaved, so that both see the same
    background load from the other stacks on this shared machine (its load
    average swings between 10 and more than 100 within minutes): a first baseline block
    before the abuse starts, then, once the abuse is in full swing, BLOCKS
    rounds of [abuser paused (`docker pause`, the cgroup freezer): baseline
    block right before / abuser running: abuse block]. The abuse never
    stops, it is only frozen, so it resumes in full swing every time.

    `ready(watch)` says when the abuse is in full swing (e.g. the pids limit is
    reached). `before_stop()` runs after the measurement, while the abuse
    still goes on.
    """
    container = stack.learner_container(abuser.name)
    watch = ContainerWatch(container)
    hub_baseline: list[float] = []
    hub_during: list[float] = []

    first = canary.measure(PER_BLOCK, between=lambda: hub_baseline.append(hub_api_seconds(stack.url)))
    baseline = Latencies(list(first.samples))
    during = Latencies()

    def between():
        hub_during.append(hub_api_seconds(stack.url))
        watch.take()

    abuse = Abuse(abuser, code, timeout=ABUSE_SECONDS + 30)
    try:
        abuse.start()
        watch.take()
        if ready is not None:
            poll(f"the {case} to be in full swing",
                 lambda: watch.take() is not None and ready(watch), ready_within, interval=0.25)
        gone, abuse_began = False, time.time()
        try:
            for _ in range(BLOCKS):
                freeze(container)
                try:
                    baseline.samples += canary.measure(
                        PER_BLOCK, between=lambda: hub_baseline.append(hub_api_seconds(stack.url))).samples
                finally:
                    thaw(container)
                watch.begin_active()
                during.samples += canary.measure(PER_BLOCK, between=between).samples
                watch.end_active()
        except AbuserGone:
            # The abuse ended the abuser's own server. The canary and the hub
            # are still measured once more, right after.
            gone = True
            during.samples += canary.measure(PER_BLOCK, between=between).samples
        kills = oom_kills(stack, container, abuse_began)
        still_running = abuse.running()
        if before_stop is not None:
            before_stop()

        stop_started = time.monotonic()
        abuser.stop_server()
        stop_seconds = time.monotonic() - stop_started
    finally:
        abuse.stop()
    report = abuse.result()

    facts = {
        "baseline": baseline.summary(), "during": during.summary(),
        "baseline_before_start": first.summary(),
        "bound_ms": round(latency_bound(baseline) * 1000, 1),
        "hub_api_baseline_max_ms": round(max(hub_baseline) * 1000, 1),
        "hub_api_during_max_ms": round(max(hub_during) * 1000, 1),
        "hub_api_during_n": len(hub_during),
        "abuser_max_pids": watch.max_pids, "abuser_max_memory_mib": round(watch.max_memory / 2**20),
        "abuser_cpu_cores": round(watch.cpu_cores(), 2),
        "abuse_output_bytes": report.get("bytes"), "abuse_seconds": round(report.get("seconds", 0), 1),
        "abuse_ended": report.get("ended"),
        "abuse_still_running_after_window": still_running,
        "abuser_container_gone": gone, "abuser_oom_kills": kills,
        "stop_server_seconds": round(stop_seconds, 1),
        "load_average": os.getloadavg()[0],
    }
    record(stack, case, facts)
    return Run(case, baseline, during, hub_during, watch, container, report, still_running, facts,
               gone, kills)


def run_abuse(stack, canary, abuser, case: str, code: str, ready=None, before_stop=None) -> Run:
    """measure_abuse, then the checks every abuse shares.

    If the canary's or the hub's bound is missed, the whole cycle (abuser's
    server, baseline, abuse, measurement) runs once more and that second run
    decides: an effect of the abuse repeats, a burst of load from the other
    stacks on this shared host rarely hits the same windows twice. Both runs
    are recorded.
    """
    run = measure_abuse(stack, canary, abuser, case, code, ready, before_stop=before_stop)
    if not (run.canary_ok and run.hub_ok):
        abuser.start_server()
        run = measure_abuse(stack, canary, abuser, case + " (again)", code, ready, before_stop=before_stop)

    # The abuse really lasted through the measured window, or it ended the
    # abuser's own server at that server's memory limit ("limited or killed";
    # an output flood can do that on a busy host)...
    if run.gone:
        assert run.oom_kills > 0, ("the abuser's container ended, but not at its memory limit",
                                   run.report, run.facts)
    else:
        assert run.still_running, (run.report, run.facts)
    # ...the canary hardly noticed...
    assert run.canary_ok, run.facts
    # ...the hub answered promptly all along...
    assert run.hub_ok, run.facts
    # ...and no saved work was lost, the canary's or the abuser's.
    assert canary.learner.read_file("karya.txt") == canary.work
    assert read_home_file(stack, abuser.name, "karya.txt") == abuser.work
    return run


# -- the abuses ----------------------------------------------------------------

FORK_BOMB = f"""
import os, time
end = time.time() + {ABUSE_SECONDS}
parent = os.getpid()
print("MULAI", flush=True)
while time.time() < end:
    try:
        os.fork()          # every child forks too: a real fork bomb
    except OSError:
        pass
if os.getpid() != parent:
    os._exit(0)
"""


def test_fork_bomb_is_held_by_the_pids_limit(stack, canary, abuser):
    limit = stack.learner_container(abuser.name).attrs["HostConfig"]["PidsLimit"]
    result = run_abuse(stack, canary, abuser, "fork-bomb", FORK_BOMB,
                       ready=lambda watch: watch.max_pids >= 0.8 * limit)
    watch = result.watch
    # The bomb filled the pids cgroup up to its limit and never beyond it.
    assert 0.8 * limit <= watch.max_pids <= limit, result.facts


MEMORY_BOMB = f"""
import subprocess, sys, time
end = time.time() + {ABUSE_SECONDS}
bomb = "blocks = []\\nwhile True:\\n    blocks.append(b'x' * (64 * 1024 * 1024))\\n"
print("MULAI", flush=True)
while time.time() < end:
    code = subprocess.run([sys.executable, "-c", bomb]).returncode
    print("selesai", code, flush=True)
"""


def test_memory_bomb_is_killed_at_the_memory_limit(stack, canary, abuser):
    limit = stack.learner_container(abuser.name).attrs["HostConfig"]["Memory"]
    result = run_abuse(stack, canary, abuser, "memory-bomb", MEMORY_BOMB,
                       ready=lambda watch: watch.max_memory >= 0.8 * limit)
    # The bomb processes were killed by the OOM killer (SIGKILL: return code
    # -9), again and again, and the container never used more than its limit
    # (no swap beyond it: memswap_limit == mem_limit).
    kills = re.findall(r"selesai (-?\d+)", result.report["last"])
    assert kills and set(kills) == {"-9"}, result.report
    assert result.watch.max_memory <= limit, result.facts
    host = result.container.attrs["HostConfig"]
    assert host["MemorySwap"] == host["Memory"]


CPU_HOG = f"""
import multiprocessing, os, time
end = time.time() + {ABUSE_SECONDS}

def spin():
    while time.time() < end:
        pass

workers = [multiprocessing.Process(target=spin) for _ in range(2 * os.cpu_count())]
for worker in workers:
    worker.start()
print("MULAI", len(workers), "proses", flush=True)
for worker in workers:
    worker.join()
"""


def test_cpu_hog_on_every_core_is_held_to_its_cpu_limit(stack, canary, abuser):
    container = stack.learner_container(abuser.name)
    cores_allowed = cpu_cores_allowed(container.attrs["HostConfig"])
    assert cores_allowed > 0, container.attrs["HostConfig"]
    result = run_abuse(stack, canary, abuser, "cpu-hog", CPU_HOG)
    assert "MULAI" in result.report["first"]
    # Over the measured window (tens of seconds) the abuser got at most its
    # CPU limit; 10 % slack for where the stats samples fall in CFS periods.
    assert result.watch.cpu_cores() <= cores_allowed * 1.1, result.facts


OUTPUT_FLOOD = f"""
import sys, time
end = time.time() + {ABUSE_SECONDS}
print("MULAI", flush=True)
line = "banjir " * 140 + "\\n"
while time.time() < end:
    sys.stdout.write(line)
"""


def test_endless_output_does_not_drown_the_proxy(stack, canary, abuser):
    container = stack.learner_container(abuser.name)
    host = container.attrs["HostConfig"]
    result = run_abuse(stack, canary, abuser, "output-flood", OUTPUT_FLOOD)
    report, watch = result.report, result.watch
    # The kernel produced far more than the server's output rate limit
    # (ServerApp.iopub_data_rate_limit, 1 MB/s by default), so the abuser's
    # server stopped relaying it: the abuser's (reading) client got the notice
    # and at most about that rate, and the shared proxy never carried the flood
    # (50 % slack: the limit is an average over a 3 s window)...
    if not result.gone:
        assert "IOPub data rate exceeded" in report["last"], report
    assert report["bytes"] <= 1.5 * IOPUB_DATA_RATE_LIMIT * max(report["seconds"], 3.0), result.facts
    # ...and the abuser's server paid for the flood within its own limits.
    assert watch.max_memory <= host["Memory"], result.facts
    assert watch.cpu_cores() <= cpu_cores_allowed(host) * 1.1, result.facts


DISK_FILL = f"""
import json, os, time
end = time.time() + {ABUSE_SECONDS}
limit = {DISK_FILL_LIMIT}
chunk = b"\\0" * (16 * 1024 * 1024)
st = os.statvfs(os.path.expanduser("~"))
print("MULAI", json.dumps({{"home_size": st.f_blocks * st.f_frsize, "home_blocks": st.f_blocks,
                           "home_free": st.f_bavail * st.f_frsize}}), flush=True)
written, error, passes = 0, None, 0
if os.path.exists(os.path.expanduser("~/hasil-isi.json")):
    os.remove(os.path.expanduser("~/hasil-isi.json"))   # from an earlier attempt
# Unbuffered: a failed write leaves nothing pending for close() to retry.
with open(os.path.expanduser("~/besar.bin"), "wb", buffering=0) as big:
    while time.time() < end:
        big.seek(0)
        big.truncate(0)
        done, since_sync = 0, 0
        try:
            while done < limit and time.time() < end:
                wrote = big.write(chunk)   # a partial write when the disk fills
                done += wrote
                since_sync += wrote
                if since_sync >= 256 * 1024 * 1024:
                    os.fsync(big.fileno())   # real disk I/O, not only page cache
                    since_sync = 0
        except OSError as failure:
            error = error or repr(failure)
            big.truncate(0)   # room again, for the result file below
        written = max(written, done)
        passes += 1
        with open(os.path.expanduser("~/hasil-isi.json"), "w") as result:
            result.write(json.dumps({{"written": written, "error": error, "passes": passes}}))
        # Again and again (a full disk, emptied, filled again) until the test
        # has measured the canary and stops this server.
"""


def test_filling_the_home_disk(stack, canary, abuser):
    name = abuser.name
    outcome = {}

    def first_pass_done():
        # The measured window covers the start of the write; the verdict
        # needs the first full pass (3 GiB written or a write error).
        def parsed():
            text = abuser.read_file("hasil-isi.json")
            return json.loads(text) if text else None  # a half-written file: poll again

        outcome.update(poll("the first pass of the disk fill", parsed, 240))

    try:
        result = run_abuse(stack, canary, abuser, "disk-fill", DISK_FILL, before_stop=first_pass_done)
    finally:
        remove_home_file(stack, name, "besar.bin")
        remove_home_file(stack, name, "hasil-isi.json")
    report = result.report
    started = json.loads(report["first"].split("MULAI", 1)[1].strip().splitlines()[0])
    record(stack, "disk-fill-outcome", {**started, **outcome})
    host = os.statvfs(stack.docker.info()["DockerRootDir"])
    # The home is a filesystem of its own (not the host's, where every other
    # home and the hub database live), no bigger than the setting...
    assert started["home_blocks"] != host.f_blocks, (started, host)
    assert started["home_size"] <= HOME_DISK_SIZE, started
    # ...and the write stopped there cleanly, with "no space left on device"
    # in the abuser's own program, after at most what the home holds.
    assert outcome["error"] and "No space left" in outcome["error"], outcome
    assert outcome["written"] <= started["home_size"], outcome
