"""Build the hub's traitlets config from the validated site settings."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any, Mapping

from traitlets.config import Config

from .apply import APPLIERS, HUB_DATA_DIR, Deployment, apply_services
from .swarm import SWARM_SPAWNER, engine_problems
from balaikode.paths import GRADER_TOKEN
from balaikode.settings import SettingsError, load_settings

ADMIN_CLI_TOKEN_FILE = f"{HUB_DATA_DIR}/admin-cli-token"
# Shared with the grader service only (its own small volume).


def read_or_create_secret(path: str) -> str:
    """A random token kept in a root-only file, created on first use."""
    file = Path(path)
    try:
        return file.read_text().strip()
    except FileNotFoundError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(32)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created meanwhile by another process
        return file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def build_config(environ: Mapping[str, str], *, admin_cli_token: str,
                 grader_token: str) -> Config:
    """Validated settings applied to a fresh Config (raises SettingsError)."""
    settings: dict[str, Any] = load_settings(environ)
    problems = []
    if not settings["BALAIKODE_LEARNER_IMAGE"]:
        problems.append("BALAIKODE_LEARNER_IMAGE: not set (docker-compose.yml sets it)")
    project = environ.get("COMPOSE_PROJECT_NAME", "")
    if not project:
        problems.append("COMPOSE_PROJECT_NAME: not set (start the hub with docker compose)")
    if problems:
        raise SettingsError(problems)
    deployment = Deployment(project=project)
    c = Config()
    for apply in APPLIERS:
        apply(c, settings, deployment)
    apply_services(c, settings, deployment, python=sys.executable,
                   admin_cli_token=admin_cli_token, grader_token=grader_token)
    return c


def check_engine(built: Config) -> None:
    """With BALAIKODE_SWARM, the engine must be ready for services (raises SettingsError)."""
    if built.JupyterHub.spawner_class != SWARM_SPAWNER:
        return
    import docker  # the hub's image has it; unit tests of build_config need not

    client = docker.from_env(timeout=30)
    try:
        problems = engine_problems(client, built.DockerSpawner.network_name)
    finally:
        client.close()
    if problems:
        raise SettingsError(problems)


def configure(c: Config, environ: Mapping[str, str] = os.environ) -> None:
    """Entry point from jupyterhub_config.py; exits with a clear message on bad settings."""
    try:
        built = build_config(environ,
                             admin_cli_token=read_or_create_secret(ADMIN_CLI_TOKEN_FILE),
                             grader_token=read_or_create_secret(str(GRADER_TOKEN)))
        check_engine(built)
    except SettingsError as error:
        print("Balai Kode: refusing to start, fix these settings in .env "
              "(pengaturan salah, perbaiki di .env):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(2)
    c.merge(built)
