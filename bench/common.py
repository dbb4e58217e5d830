"""What every benchmark here does around its measurement: build the images
(cached), start its own stack with the test suite's start_stack, and always
remove that stack again, keeping the compose logs when something failed."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"

from tests.support.stack import start_stack


@contextmanager
def benchmark_stack(name: str, stamp: str, log, *, build: bool = True, compose_file: Path | None = None,
                    **settings: str):
    """Yield a Stack (not started: callers time `up` themselves if they want).

    compose_file: another compose file instead of docker-compose.yml (the
    stock baseline, bench/baseline/compose.yml); its images are built too.
    """
    if build:
        log("docker compose build (cached layers)")
        for extra in ([] if compose_file is None else [["-f", str(compose_file)]]) + [[]]:
            subprocess.run(["docker", "compose", *extra, "build", "--quiet"], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL)

    def interrupted(*_):
        raise KeyboardInterrupt("SIGTERM")

    signal.signal(signal.SIGTERM, interrupted)  # e.g. `timeout`: clean up as on Ctrl-C
    tmp = Path(tempfile.mkdtemp(prefix="balaikode-bench-"))
    stack = start_stack(tmp, **settings)
    if compose_file is not None:
        stack.env["COMPOSE_FILE"] = str(compose_file)
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
