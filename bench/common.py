"""What every benchmark here does around its measurement: build the images
(cached), start its own stack with the test suite's start_stack, and always
remove that stack again, keeping the compose logs when something failed."""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"

from tests.support.stack import start_stack


def bench_parser(description: str, *, plot: bool = True, build: bool = True,
                 learners: tuple[int, str] | None = None, timeout: float | None = None,
                 settle: float | None = None) -> argparse.ArgumentParser:
    """A benchmark's command line with the options they share: where the JSON
    (and the plot) go, whether to build the images first, and, with a default
    given, --learners (default, what they do), --timeout and --settle."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    if learners:
        parser.add_argument("--learners", type=int, default=learners[0],
                            help=f"{learners[1]} (default {learners[0]})")
    if timeout:
        parser.add_argument("--timeout", type=float, default=timeout,
                            help=f"seconds before a wait counts as failed (default {timeout:g})")
    if settle:
        parser.add_argument("--settle", type=float, default=settle,
                            help=f"seconds of rest before measuring memory (default {settle:g})")
    parser.add_argument("--json-out", type=Path, help="JSON file (default bench/results/NAME-DATE.json)")
    if plot:
        parser.add_argument("--png-out", type=Path, help="plot (default bench/results/NAME-DATE.png)")
    if build:
        parser.add_argument("--no-build", action="store_true",
                            help="skip `docker compose build` (the images must exist)")
    return parser


def output_paths(args, name: str, stamp: str) -> tuple[Path, Path | None]:
    """The JSON file and plot a run writes (--json-out, --png-out, else
    bench/results/NAME-STAMP.*), their folders made."""
    json_out = args.json_out or RESULTS / f"{name}-{stamp}.json"
    png_out = getattr(args, "png_out", None) or RESULTS / f"{name}-{stamp}.png"
    for path in (json_out, png_out):
        path.parent.mkdir(parents=True, exist_ok=True)
    return json_out, (png_out if hasattr(args, "png_out") else None)


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
