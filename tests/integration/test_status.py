"""Issue: operations. `./balaikode status` shows the volunteer admin the hub's
health and, per learner, the server with its memory and CPU use and the disk
use of their home."""

import re
import subprocess

from support.stack import REPO


def status(stack) -> subprocess.CompletedProcess:
    return subprocess.run(["./balaikode", "status"], cwd=REPO, capture_output=True, text=True,
                          env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project}, timeout=120)


def test_status_lists_a_running_learner_with_memory_and_disk(stack, new_learner):
    learner = new_learner("status")
    learner.start_server()
    # About 3 MiB of work in the home volume (random, so it takes real blocks).
    learner.run_code("import os\nopen('data.bin', 'wb').write(os.urandom(3 * 1024 * 1024))")

    result = status(stack)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    print(out)
    assert f"(project {stack.project})" in out
    assert "Hub: OK" in out
    # Docker's own health check of the hub runs every 10 s: "starting" until its first run.
    assert re.search(r"^\s+hub\s+running\s+(healthy|starting)\s", out, re.M), out

    [row] = [line.split() for line in out.splitlines() if line.split()[:1] == [learner.name]]
    # USER ROLE SERVER CPU MEMORY(used / limit) MEM% DISK
    assert row[1] == "learner" and row[2] == "running", row
    assert row[3].endswith("%"), row
    used, limit = row[4], row[6]
    assert re.fullmatch(r"[\d.]+MiB", used) and float(used[:-3]) > 20, row
    assert limit.endswith("iB") and row[7].endswith("%"), row
    # DISK: used / size of the home's own disk (BALAIKODE_HOME_DISK_SIZE, 2G
    # by default, less ext4's own blocks) and how full it is.
    disk_value, disk_unit, slash, size, size_unit, full = row[8:14]
    assert disk_unit == "MiB" and 3.0 <= float(disk_value) < 50, row
    assert slash == "/" and size_unit == "GiB" and 1.8 <= float(size) <= 2.0, row
    assert re.fullmatch(r"\(\d+%", full), row


def test_status_shows_a_stopped_server_with_its_disk(stack, new_learner):
    learner = new_learner("diam")
    learner.start_server()
    learner.write_file("catatan.md", "# sudah selesai\n")
    learner.stop_server()
    out = status(stack).stdout
    print(out)
    [row] = [line.split() for line in out.splitlines() if line.split()[:1] == [learner.name]]
    assert row[2] == "stopped" and row[3] == "-" and row[4] == "-", row
    assert row[-1] == "full)" and "/" in row, row
