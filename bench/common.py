"""What every benchmark here does around its measurement: build the images
(cached), start its own stack with the test suite's start_stack, and always
remove that stack again, keeping the compose logs when something failed."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO / "tests"))

from support.stack import start_stack  # noqa: E402


@contextmanager
def benchmark_stack(name: str, stamp: str, log, *, build: bool = True, **settings: str):
    """Yield a Stack (not started: callers time `up` themselves if they want)."""
    if build:
        log("docker compose build (cached layers)")
        subprocess.run(["docker", "compose", "build", "--quiet"], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)

    def interrupted(*_):
        raise KeyboardInterrupt("SIGTERM")

    signal.signal(signal.SIGTERM, interrupted)  # e.g. `timeout`: clean up as on Ctrl-C
    tmp = Path(tempfile.mkdtemp(prefix="balaikode-bench-"))
    stack = start_stack(tmp, **settings)
    try:
        yield stack
    except BaseException:
        logs = RESULTS / f"{name}-{stamp}-compose.log"
        RESULTS.mkdir(parents=True, exist_ok=True)
        logs.write_text(stack.logs())
        log(f"failed; compose logs in {logs}")
        raise
    finally:
        log("removing the benchmark stack")
        stack.remove_everything()
        shutil.rmtree(tmp, ignore_errors=True)
