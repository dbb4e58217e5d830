#!/usr/bin/env python3
"""Image sizes and build times of Balai Kode.

  sizes  `docker image inspect` size of every balaikode/* image in
         docker-compose.yml and of the Debian base, plus the disk they take
         together (layers shared between images counted once).
  warm   `docker compose build` when nothing changed (every layer cached):
         what `./balaikode up` costs on an already installed server.
  cold   (only with --cold; takes minutes) `docker compose build --no-cache`:
         every image built from scratch, downloading every Debian, Python and
         npm package again. The Debian base image itself is not rebuilt.
         The cold images get throwaway tags (balaikode-bench-XXXX/...:cold)
         so the real balaikode/* tags, and stacks running from them, are not
         touched; they are removed again unless --keep-cold-images.

Prints one JSON document and writes it to bench/results/ (or --json-out).

    /tmp/bv/bin/python -m bench.install_time [--cold]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import bench_parser, output_paths

REPO = Path(__file__).resolve().parents[1]
BASE_IMAGE = "debian:trixie-slim"


def log(message: str) -> None:
    print(f"[install-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, **kwargs)


def compose_images() -> list[str]:
    """Image names docker-compose.yml builds or runs, first seen first."""
    out = run("docker", "compose", "config", "--images", check=True).stdout.split()
    return list(dict.fromkeys(out))


def inspect(image: str) -> dict | None:
    result = run("docker", "image", "inspect", image)
    return json.loads(result.stdout)[0] if result.returncode == 0 else None


def layer_sizes(layers: list[str], docker_root: Path) -> list[tuple[str, int]] | None:
    """(chain ID, size) of each layer, from the engine's layer store; None if unreadable."""
    found, chain = [], None
    for diff in layers:
        chain = diff if chain is None else "sha256:" + hashlib.sha256(f"{chain} {diff}".encode()).hexdigest()
        try:
            found.append((chain, int((docker_root / "image/overlay2/layerdb/sha256" / chain[7:] / "size").read_text())))
        except (OSError, ValueError):
            return None
    return found


def image_sizes(images: list[str]) -> dict:
    docker_root = Path(run("docker", "info", "--format", "{{.DockerRootDir}}").stdout.strip() or "/var/lib/docker")
    report, distinct, readable = {}, {}, True
    for image in images:
        data = inspect(image)
        if data is None:
            report[image] = None
            continue
        layers = data["RootFS"].get("Layers", [])
        report[image] = {"id": data["Id"][7:19], "created": data["Created"][:19] + "Z",
                         "size_bytes": data["Size"], "size_mb": round(data["Size"] / 1e6, 1),
                         "layers": len(layers)}
        sizes = layer_sizes(layers, docker_root)
        if sizes is None:
            readable = False
        else:
            distinct.update(sizes)
    total = sum(distinct.values()) if readable and distinct else None
    return {"images": report,
            "sum_of_sizes_mb": round(sum(r["size_bytes"] for r in report.values() if r) / 1e6, 1),
            "on_disk_distinct_layers_mb": None if total is None else round(total / 1e6, 1)}


def timed_build(*compose_args: str, timeout: float) -> dict:
    started = time.monotonic()
    result = run("docker", "compose", *compose_args, timeout=timeout)
    seconds = round(time.monotonic() - started, 2)
    if result.returncode != 0:
        raise RuntimeError(f"docker compose {' '.join(compose_args)} failed after {seconds} s:\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    # BuildKit's plain progress: "#12 [base 3/6] RUN ..." then "#12 CACHED".
    steps, cached = {}, set()
    for line in (result.stdout + result.stderr).splitlines():
        number, _, rest = line.partition(" ")
        if number.startswith("#") and re.match(r"\[[^\]]* \d+/\d+\] ", rest) and number not in steps:
            steps[number] = rest[:90]
        elif number in steps and rest == "CACHED":
            cached.add(number)
    built = [steps[n] for n in steps if n not in cached and " FROM " not in steps[n]]
    return {"seconds": seconds, "steps": len(steps), "cached_steps": len(cached), "built_steps": built}


def warm_builds(runs: int) -> dict:
    log("priming: docker compose build (rebuilds whatever changed)")
    prime = timed_build("build", timeout=3600)
    times = []
    for i in range(runs):
        log(f"warm build {i + 1}/{runs}")
        times.append(timed_build("build", timeout=600))
    return {"prime": prime, "runs": times,
            "median_seconds": statistics.median(t["seconds"] for t in times)}


def cold_build(keep: bool) -> dict:
    prefix = "balaikode-bench-" + secrets.token_hex(3)
    project = prefix.replace("-", "")
    # Every balaikode/* image gets a throwaway tag, also where a build arg names one.
    config = json.loads(run("docker", "compose", "config", "--format", "json", check=True).stdout)
    rename = lambda image: f"{prefix}/{image.split('/', 1)[1].split(':')[0]}:cold"  # noqa: E731
    services, tags = {}, {}
    for name, service in config["services"].items():
        image = service.get("image", "")
        if not image.startswith("balaikode/"):
            continue
        services[name] = {"image": rename(image)}
        tags[name] = rename(image)
        args = (service.get("build") or {}).get("args") or {}
        renamed = {k: rename(v) for k, v in args.items() if isinstance(v, str) and v.startswith("balaikode/")}
        if renamed:
            services[name]["build"] = {"args": renamed}
    override = json.dumps({"services": services}, indent=1)  # JSON is YAML
    with tempfile.TemporaryDirectory(prefix="balaikode-cold-") as tmp:
        override_file = Path(tmp) / "cold-tags.yml"
        override_file.write_text(override)
        files = ("-p", project, "-f", str(REPO / "docker-compose.yml"), "-f", str(override_file))
        log(f"cold build: docker compose build --no-cache (tags {prefix}/*:cold), takes minutes")
        try:
            build = timed_build(*files, "build", "--no-cache", timeout=7200)
            sizes = image_sizes(list(dict.fromkeys(tags.values())))
        finally:
            if not keep:
                for tag in dict.fromkeys(tags.values()):
                    run("docker", "image", "rm", tag)
    return {**build, "tags": sorted(set(tags.values())), "kept": keep, "sizes": sizes,
            "note": "includes downloading every Debian, PyPI and npm package; the Debian base image is not rebuilt"}


def main() -> int:
    parser = bench_parser(__doc__, plot=False, build=False)
    parser.add_argument("--cold", action="store_true", help="also time a build with --no-cache (minutes)")
    parser.add_argument("--keep-cold-images", action="store_true", help="keep the throwaway cold-build images")
    parser.add_argument("--warm-runs", type=int, default=3, help="timed cached builds (default 3)")
    args = parser.parse_args()

    result: dict = {"benchmark": "install_time",
                    "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "host": {"cpus": os.cpu_count(), "loadavg": os.getloadavg(),
                             "docker": run("docker", "version", "--format", "{{.Server.Version}}").stdout.strip(),
                             "compose": run("docker", "compose", "version", "--short").stdout.strip()}}
    result["warm_build"] = warm_builds(max(1, args.warm_runs))
    result["sizes"] = image_sizes([*compose_images(), BASE_IMAGE])
    if args.cold:
        result["cold_build"] = cold_build(args.keep_cold_images)
    result["host"]["loadavg_after"] = os.getloadavg()

    json_out, _ = output_paths(args, "install", time.strftime('%Y%m%d-%H%M%S'))
    json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
