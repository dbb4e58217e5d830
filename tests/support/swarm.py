"""A stack switched to Docker Swarm as an admin does it (`./balaikode swarm`),
for the swarm-mode tests (docs/scaling.md). One per test session, beside the
ordinary `stack`."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import docker
import pytest

from .nodes import swarm_address
from .stack import ARTIFACTS, REPO, TEST_STACK_SETTINGS, admin_browser, learner_factory, start_stack

SWARM_FILES = "docker-compose.yml:docker-compose.swarm.yml"


def balaikode(stack, *args: str) -> subprocess.CompletedProcess:
    """`./balaikode ARGS` as the admin types it, on this stack."""
    return subprocess.run([str(REPO / "balaikode"), *args], cwd=REPO,
                          env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def swarm_engine():
    """The engine's swarm state when the session first needed a swarm. Left
    again only at the session's end, if the session made it and no service
    of anyone's is left in it: in one run, leaving in the middle was followed
    by the other stacks' servers never getting ready."""
    client = docker.from_env()
    was_inactive = client.info()["Swarm"]["LocalNodeState"] == "inactive"
    yield client
    if (was_inactive and client.info()["Swarm"]["LocalNodeState"] == "active"
            and not client.services.list()):
        subprocess.run(["docker", "swarm", "leave", "--force"], capture_output=True)


@contextmanager
def switched_stack(workdir, **settings: str):
    """A stack with `settings`, switched over with `./balaikode swarm` as an
    admin does it (the engine becomes a one-node swarm manager); removed, its
    logs kept, at the end. Use it with the `swarm_engine` fixture."""
    stack = start_stack(workdir, **{**TEST_STACK_SETTINGS, **settings})
    try:
        stack.up()
        # Advertised where containers reach this engine, so that test
        # machines in containers (support.nodes) can join the swarm.
        switched = balaikode(stack, "swarm", "--advertise-addr", swarm_address(stack.docker))
        assert switched.returncode == 0, switched.stdout + switched.stderr
        written = Path(stack.env["COMPOSE_ENV_FILES"]).read_text()
        assert "BALAIKODE_SWARM=true" in written and f"COMPOSE_FILE={SWARM_FILES}" in written
        stack.wait_healthy()
        yield stack
    except BaseException:
        print(stack.logs(), file=sys.stderr)
        raise
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{stack.project}-swarm-compose.log").write_text(stack.logs())
        stack.remove_everything()


@pytest.fixture(scope="session")
def swarm_stack(built_images, swarm_engine, tmp_path_factory):
    """The session's swarm stack, with the test settings."""
    with switched_stack(tmp_path_factory) as stack:
        yield stack


@pytest.fixture(scope="session")
def swarm_learner(swarm_stack):
    """Factory: a learner of the swarm stack, signed up, approved, logged in."""
    return learner_factory(swarm_stack, admin_browser(swarm_stack))
