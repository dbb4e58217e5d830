"""A stack switched to Docker Swarm as an admin does it (`./balaikode swarm`),
for the swarm-mode tests (docs/scaling.md). One per test session, beside the
ordinary `stack`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docker
import pytest

from .stack import ARTIFACTS, REPO, TEST_STACK_SETTINGS, admin_browser, learner_factory, start_stack

SWARM_FILES = "docker-compose.yml:docker-compose.swarm.yml"


def balaikode(stack, *args: str) -> subprocess.CompletedProcess:
    """`./balaikode ARGS` as the admin types it, on this stack."""
    return subprocess.run([str(REPO / "balaikode"), *args], cwd=REPO,
                          env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def swarm_engine():
    """Leaves the swarm again afterwards if the engine was not in one (the
    tests make it a manager through `./balaikode swarm`)."""
    client = docker.from_env()
    was_inactive = client.info()["Swarm"]["LocalNodeState"] == "inactive"
    yield client
    if was_inactive:
        subprocess.run(["docker", "swarm", "leave", "--force"], capture_output=True)


@pytest.fixture(scope="session")
def swarm_stack(built_images, swarm_engine, tmp_path_factory):
    """A one-server stack switched over with `./balaikode swarm`."""
    stack = start_stack(tmp_path_factory, **TEST_STACK_SETTINGS)
    try:
        stack.up()
        switched = balaikode(stack, "swarm", "--advertise-addr", "127.0.0.1")
        assert switched.returncode == 0, switched.stdout + switched.stderr
        settings = Path(stack.env["COMPOSE_ENV_FILES"]).read_text()
        assert "BALAIKODE_SWARM=true" in settings and f"COMPOSE_FILE={SWARM_FILES}" in settings
        stack.wait_healthy()
    except BaseException:
        print(stack.logs(), file=sys.stderr)
        stack.remove_everything()
        raise
    yield stack
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{stack.project}-swarm-compose.log").write_text(stack.logs())
    stack.remove_everything()


@pytest.fixture(scope="session")
def swarm_learner(swarm_stack):
    """Factory: a learner of the swarm stack, signed up, approved, logged in."""
    return learner_factory(swarm_stack, admin_browser(swarm_stack))
