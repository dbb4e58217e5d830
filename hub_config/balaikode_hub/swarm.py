"""Learner servers as Docker Swarm services (BALAIKODE_SWARM, docs/scaling.md).

A swarm service is not a container: Docker's service spec has no host
config, so the hardening that apply_spawner gives a container through
`extra_host_config` is said again here in the service's own terms. What the
service spec of Docker 20.10 (API 1.41) cannot say, and what stands in:

- `no-new-privileges`: the image's start script execs the server with
  `setpriv --no-new-privs` and an empty bounding set, so every process of the
  learner has it (tests check /proc/self/status); only the start script,
  root for a moment, runs without it.
- `memswap_limit`: services cannot set it; Docker then allows as much swap
  again as the memory limit. The hub sets it on the task's container as soon
  as it runs (`docker update`, which swarm leaves alone), so a server on a
  machine with swap cannot thrash its disk (tests/security/test_redteam_swarm.py).

Swarm would restart a stopped server and move it to another node; the hub
decides when a server runs, and the home is on one node, so neither happens
(restart policy none, placement on the machine that holds her home:
placement.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from docker.types import Mount, RestartPolicy
from traitlets import Dict, Int, Unicode
from traitlets.config import Config, LoggingConfigurable

from .refusal import StartRefused

SWARM_SPAWNER = "balaikode_hub.spawner.BalaiKodeSwarmSpawner"
FIX = "run ./balaikode swarm, which sets both (docs/scaling.md)"


class LearnerService(LoggingConfigurable):
    """What a learner's swarm service needs beyond DockerSpawner's SwarmSpawner:
    named volumes mounted as volumes (SwarmSpawner binds host paths), the
    in-memory folders, a process limit, the task's own address, and a
    start that is noticed within a second."""

    pids_limit = Int(
        0,
        config=True,
        help="""Maximum processes and threads in the service's container
        (Resources.Limits.Pids, Docker API 1.41). 0: no limit.""",
    )

    tmpfs = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        config=True,
        help="""Folders mounted in memory, as {path: "size=512m,mode=1777"}
        (the options of a container's --tmpfs).""",
    )

    @property
    def mounts(self) -> list[Mount]:
        mounts = [
            Mount(target=bind["bind"], source=source, type="volume",
                  read_only=bind["mode"] == "ro")
            for source, bind in self.volume_binds.items()
        ]
        for target, options in sorted(self.tmpfs.items()):
            mounts.append(tmpfs_mount(target, options))
        return mounts

    async def get_ip_and_port(self):
        """The running task's address on the learner network. Not the
        service's name: when a learner stops and starts again at once, the
        name can still resolve to the old task's address for minutes (seen
        in a returning class's burst: every server "never showed up")."""
        task = await self.get_task()
        for attachment in (task or {}).get("NetworksAttachments") or []:
            if attachment["Network"]["Spec"]["Name"] == self.network_name and attachment.get("Addresses"):
                return attachment["Addresses"][0].split("/")[0], self.port
        raise RuntimeError(f"{self.service_name} has no address on {self.network_name}")

    async def start_object(self):
        """Wait for the task to run. SwarmSpawner waits 1 s, then 1.5 times
        longer each time up to 11 s, so a server ready after 5 s was noticed
        after 8; here every half second, then at most every 2 s."""
        wait = 0.5
        while True:
            task = await self.get_task()
            if not task:
                raise RuntimeError(f"Service {self.service_name} not found")
            state = task["Status"]["State"].lower()
            if state == "running":
                await self.limit_swap(task)
                return
            if state not in PENDING_TASK_STATES:
                status = task["Status"]
                raise StartRefused(f"server tidak bisa dinyalakan; minta admin melihat log hub "
                                   f"(swarm task {state}: {status.get('Err') or status.get('Message')})")
            await asyncio.sleep(wait)
            wait = min(wait * 1.3, 2.0)

    async def remove_object(self):
        """Remove the service, then wait until its container is gone, as a
        container's stop does: swarm stops it in the background, and a
        learner who starts again at once would otherwise have two servers
        on her home for a few seconds."""
        await super().remove_object()
        if not await self.wait_container_gone():
            self.log.warning("%s: its container is still there %d s after the service was removed",
                             self.service_name, STOP_WAIT_SECONDS)

    async def wait_container_gone(self) -> bool:
        """Whether the service's container on this machine ended in time
        (placement.HomeMachine asks another machine for its own)."""
        label = f"com.docker.swarm.service.name={self.service_name}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_WAIT_SECONDS
        while loop.time() < deadline:
            if not await self.docker("containers", all=True, filters={"label": label}):
                return True
            await asyncio.sleep(0.5)
        return False

    async def limit_swap(self, task: dict) -> None:
        """No swap beyond the memory limit, as the container has it. A failure
        fails the start: a server without its limit does not run."""
        if not self.mem_limit:
            return
        container = task["Status"]["ContainerStatus"]["ContainerID"]
        await self.docker("update_container", container, mem_limit=self.mem_limit,
                          memswap_limit=self.mem_limit)

    async def docker(self, method, *args, **kwargs):
        if method == "create_service" and self.pids_limit:
            # docker-py's Resources has no field for it; the API has.
            limits = kwargs["task_template"].setdefault("Resources", {}).setdefault("Limits", {})
            limits["Pids"] = self.pids_limit
        return await super().docker(method, *args, **kwargs)


# Swarm's own grace period before it kills a container is 10 s.
STOP_WAIT_SECONDS = 15

# A task on its way to running (Docker's TaskState values before it).
PENDING_TASK_STATES = {"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready",
                       "starting"}


def tmpfs_mount(target: str, options: str) -> Mount:
    """A container's --tmpfs options ("size=64m,mode=1777") as a service's mount."""
    fields = dict(part.split("=", 1) for part in options.split(",") if part)
    unknown = set(fields) - {"size", "mode"}
    if unknown:
        raise ValueError(f"tmpfs {target}: only size and mode can be given to a service, not {sorted(unknown)}")
    return Mount(target=target, source=None, type="tmpfs",
                 tmpfs_size=fields.get("size"),
                 tmpfs_mode=int(fields["mode"], 8) if "mode" in fields else None)


def apply_swarm(c: Config, s: dict[str, Any], d) -> None:
    """With BALAIKODE_SWARM: the same learner server as apply_spawner's
    container, as a service. Runs after apply_spawner and reads what it set."""
    if not s["BALAIKODE_SWARM"]:
        return
    host = c.DockerSpawner.extra_host_config
    labels = c.DockerSpawner.extra_create_kwargs["labels"]
    c.JupyterHub.spawner_class = SWARM_SPAWNER
    c.BalaiKodeSwarmSpawner.extra_container_spec = {
        "cap_drop": host["cap_drop"],
        "cap_add": host["cap_add"],
        "init": host["init"],
        "labels": labels,
    }
    c.BalaiKodeSwarmSpawner.pids_limit = host["pids_limit"]
    c.BalaiKodeSwarmSpawner.tmpfs = host["tmpfs"]
    # Where each server runs: the machine of her home (placement.py).
    c.BalaiKodeSwarmSpawner.node_secret = s["BALAIKODE_NODE_SECRET"] or ""
    c.BalaiKodeSwarmSpawner.extra_task_spec = {"restart_policy": RestartPolicy(condition="none")}
    # No virtual IP (an internal overlay does not route it): the hub uses the
    # task's own address, and the service's name resolves to that too.
    c.BalaiKodeSwarmSpawner.extra_endpoint_spec = {"mode": "dnsrr"}


def engine_problems(client, network: str) -> list[str]:
    """Why this Docker engine cannot run learners' services on `network`
    (checked when the hub starts with BALAIKODE_SWARM, so a half-done switch
    stops the hub with a message instead of failing every learner's start)."""
    swarm = client.info().get("Swarm") or {}
    if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        return [f"BALAIKODE_SWARM: this Docker engine is not a swarm manager; {FIX}"]
    driver = (client.networks.get(network).attrs.get("Driver") or "?")
    if driver != "overlay":
        return [f"BALAIKODE_SWARM: the learner network {network} is a {driver} network, services "
                f"need an overlay one (COMPOSE_FILE must name docker-compose.swarm.yml); {FIX}"]
    return []
