"""What a swarm machine's disks service does for the hub about learners'
containers on that machine, which the hub's Docker socket (the manager's)
cannot reach: the hub asks over the nodes network (disks_socket.py).

- limit_swap: memory+swap = memory on a learner's task container, as the hub
  does for tasks on its own machine (services cannot say it,
  balaikode_hub/swarm.py).
- wait_gone: wait until a stopped learner service's container has ended, so
  a quick restart never runs two servers on one home.

Only containers labelled as this project's learner servers are touched.
"""

from __future__ import annotations

import time

from docker.errors import NotFound

SERVICE_LABEL = "com.docker.swarm.service.name"


class Refused(ValueError):
    pass


def learner_container(client, project: str, container_id: str):
    try:
        container = client.containers.get(container_id)
    except NotFound:
        raise Refused(f"no container {container_id!r} on this machine") from None
    labels = container.labels or {}
    if labels.get("balaikode.project") != project or labels.get("balaikode.role") != "learner":
        raise Refused(f"{container_id!r} is not a learner server of {project}")
    return container


def limit_swap(client, project: str, container_id: str, memory: int) -> None:
    learner_container(client, project, container_id).update(mem_limit=memory, memswap_limit=memory)


def wait_gone(client, project: str, service: str, timeout: float) -> bool:
    """Whether the service's containers ended within `timeout` seconds."""
    if not service.startswith(f"{project}-"):
        raise Refused(f"{service!r} is not a service of {project}")
    deadline = time.monotonic() + min(timeout, 60)
    while time.monotonic() < deadline:
        if not client.containers.list(all=True, filters={"label": f"{SERVICE_LABEL}={service}"}):
            return True
        time.sleep(0.5)
    return False
