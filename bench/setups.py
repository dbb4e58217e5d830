"""The two setups every comparing benchmark measures in one run: the stock
baseline (bench/baseline/: stock JupyterHub + DockerSpawner settings, a plain
jupyterhub-singleuser image from the same Debian base) and Balai Kode. Each
gets its own stack (random project and port) that is removed afterwards, so
machine noise at that hour affects both; ratios are Balai Kode / baseline."""

from __future__ import annotations

import secrets
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, benchmark_stack
from bench.measure import environment, form_login, register
from tests.support.hub_client import Browser
from tests.support.stack import Stack


@dataclass(frozen=True)
class Setup:
    name: str
    compose_file: Path | None  # None: Balai Kode's docker-compose.yml
    images: tuple[str, ...]

    def passwords(self, stack: Stack, names: list[str]) -> dict[str, str]:
        """Accounts ready to log in (not timed): Balai Kode's learners sign up
        and the admin approves them; the stock DummyAuthenticator takes any."""
        if self.compose_file is not None:
            return {name: "stock-" + secrets.token_urlsafe(8) for name in names}
        admin = Browser(stack.url)
        form_login(admin, "admin", stack.admin_password)  # the admin's own server stays stopped
        return {name: register(stack, admin, name) for name in names}

    def admin_token(self, stack: Stack) -> str:
        """An API token of the admin (the stock hub names "admin" an admin
        in bench/baseline/jupyterhub_config.py; any password)."""
        admin = Browser(stack.url)
        form_login(admin, "admin", "stock-admin" if self.compose_file is not None else stack.admin_password)
        return admin.new_token("admin")


BASELINE = Setup("baseline", REPO / "bench" / "baseline" / "compose.yml",
                 ("balaikode/hub:0.3.0", "balaikode-baseline/singleuser:6.1.1-trixie"))
BALAIKODE = Setup("balaikode", None, ("balaikode/hub:0.3.0", "balaikode/python:0.3.0"))
SETUPS = {setup.name: setup for setup in (BASELINE, BALAIKODE)}


def add_arguments(parser) -> None:
    parser.add_argument("--setups", default="baseline,balaikode",
                        help="which setups, in this order (default baseline,balaikode)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the setups alternately this many times (default 1)")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE",
                        help="site setting for the Balai Kode stack, e.g. BALAIKODE_MEM_LIMIT=512M (repeatable)")


def run_setups(args, bench: str, stamp: str, log, measure) -> dict[str, list[dict]]:
    """measure(setup, stack) for each setup and round, each in its own stack:
    {setup name: [one result per round]}."""
    names = [name.strip() for name in args.setups.split(",") if name.strip()]
    unknown = [name for name in names if name not in SETUPS]
    if unknown or not names:
        raise SystemExit(f"--setups: unknown {unknown}; known: {', '.join(SETUPS)}")
    settings = dict(s.split("=", 1) for s in args.setting)
    results: dict[str, list[dict]] = {name: [] for name in names}
    build = not args.no_build
    for round_ in range(1, args.rounds + 1):
        for name in names:
            setup = SETUPS[name]
            log(f"round {round_}/{args.rounds}: {name}")
            with benchmark_stack(f"{bench}-{name}", stamp, log, build=build, compose_file=setup.compose_file,
                                 **({} if setup.compose_file else settings)) as stack:
                build = False  # once per run
                stack.up()
                result = {"setup": name, "round": round_, "project": stack.project,
                          "host": environment(stack, setup.images)}
                result.update(measure(setup, stack))
                results[name].append(result)
    return results


def dig(result: dict, path: str):
    for key in path.split("."):
        if not isinstance(result, dict) or result.get(key) is None:
            return None
        result = result[key]
    return result


def ratios(results: dict[str, list[dict]], paths: dict[str, str]) -> dict:
    """Balai Kode / baseline for each named number (median over rounds)."""
    out = {}
    for label, path in paths.items():
        medians = {}
        for name in ("baseline", "balaikode"):
            values = [v for r in results.get(name, []) if (v := dig(r, path)) is not None]
            medians[name] = statistics.median(values) if values else None
        ratio = (round(medians["balaikode"] / medians["baseline"], 3)
                 if medians["baseline"] and medians["balaikode"] is not None else None)
        out[label] = {**medians, "ratio": ratio}
    return out
