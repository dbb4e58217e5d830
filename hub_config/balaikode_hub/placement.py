"""Which machine of a swarm holds a learner's home (docs/scaling.md).

A home is a disk image on one machine; a learner's server runs where her
home is. The first start chooses: trainers (they need the course folders),
admins' and everyone whose home already exists stay on the main server; a
new learner goes to the machine, main server included, with the fewest
homes, among the machines whose disks service answers. The choice is kept
in her server's state in the hub's database and never changes by itself.

When her machine leaves the swarm (switched off, unplugged), her running
server counts as stopped at the hub's next check (what she had not saved is
lost, as when her laptop's tab closes; what she saved is on that machine's
disk), and it does not start anywhere else: she is told where her files are.
When the machine is back, she starts again as before.
"""

from __future__ import annotations

import asyncio
import collections
from typing import ClassVar

from balaikode.disks_socket import node_address, request
from docker.errors import NotFound
from jupyterhub import orm
from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from .refusal import StartRefused

MAIN = ""  # the main server's name here: the manager node
MAIN_CONSTRAINT = "node.role == manager"
PING_SECONDS = 3
# A machine back from a restart is "ready" in the swarm before its disks
# service has attached every home again: a start waits this long for it.
WAKE_SECONDS = 90
MACHINE_AWAY = ("Komputer tempat berkasmu disimpan ({node}) sedang tidak tersambung. Berkasmu "
                "aman di sana; minta admin menyalakannya lalu coba lagi. "
                "(The machine that holds your files, {node}, is not in the swarm.)")
MACHINE_WAKING = ("Komputer tempat berkasmu disimpan ({node}) sudah tersambung, tetapi layanan "
                  "penyimpanannya belum menjawab. Coba lagi sebentar lagi; kalau tetap gagal, minta "
                  "admin melihat 'docker compose logs disks' di komputer itu. "
                  "(The disks service of {node} does not answer.)")
TRAINER_AWAY = ("Server pelatih berjalan di server utama (di sana folder kursus), tetapi berkasmu "
                "ada di komputer {node}. Minta admin memindahkan berkasmu (docs/scaling.md). "
                "(A trainer's server runs on the main server; your files are on {node}.)")


class MachineAway(StartRefused):
    """The machine that holds her home is not in the swarm."""


def ready_workers(nodes: list[dict]) -> list[str]:
    """Hostnames of the swarm's workers that are up and take new tasks."""
    return sorted(node["Description"]["Hostname"] for node in nodes
                  if node["Spec"].get("Role") == "worker" and node["Status"].get("State") == "ready"
                  and node["Spec"].get("Availability") == "active")


def is_ready(nodes: list[dict], hostname: str) -> bool:
    return hostname in ready_workers(nodes)


def fewest_homes(candidates: list[str], homes: dict[str, str]) -> str:
    """The candidate holding the fewest of `homes` ({user: machine}); the
    main server first, then by name, when they hold as many."""
    counts = collections.Counter(homes.values())
    return min(candidates, key=lambda machine: (counts[machine], machine != MAIN, machine))


def placement_constraint(machine: str) -> str:
    return f"node.hostname == {machine}" if machine else MAIN_CONSTRAINT


class HomeMachine(LoggingConfigurable):
    """Mixin for the swarm spawner: her home's machine, chosen once, kept in
    the server's state; the service placed there; what only that machine's
    disks service can do for her container asked of it."""

    node_secret = Unicode(
        "",
        config=True,
        help="""BALAIKODE_NODE_SECRET: the key every request to another
        machine's disks service carries. Empty: no other machine takes learners.""",
    )

    # Hostname of the machine with her home; MAIN for the main server; None
    # until her first start.
    home_node = Unicode(None, allow_none=True)

    # Homes chosen by this hub process and maybe not yet in the database
    # (a class arriving at once is placed before any state is saved).
    chosen: ClassVar[dict[str, str]] = {}

    def load_state(self, state):
        super().load_state(state)
        self.home_node = state.get("home_node", self.chosen.get(self.user.name))

    def get_state(self):
        state = super().get_state()
        if self.home_node is not None:
            state["home_node"] = self.home_node
        return state

    async def place_home(self, teaches: bool) -> None:
        """Choose her home's machine at her first start; refuse to start when
        that machine is away."""
        if self.home_node is None:
            self.home_node = await self.choose_machine(teaches)
            self.chosen[self.user.name] = self.home_node
            self.log.info("Home of %s: %s", self.user.name, self.home_node or "the main server")
        if self.home_node and teaches:
            # The course folders are volumes of the main server only.
            raise MachineAway(TRAINER_AWAY.format(node=self.home_node))
        if self.home_node and not is_ready(await self.docker("nodes"), self.home_node):
            raise MachineAway(MACHINE_AWAY.format(node=self.home_node))
        if self.home_node and not await self.wait_answers(self.home_node, WAKE_SECONDS):
            raise MachineAway(MACHINE_WAKING.format(node=self.home_node))

    async def choose_machine(self, teaches: bool) -> str:
        if teaches or self.user.admin or not self.node_secret or await self.home_on_main():
            return MAIN
        workers = ready_workers(await self.docker("nodes"))
        answers = await asyncio.gather(*(self.answers(worker) for worker in workers))
        for worker, up in zip(workers, answers):
            if not up:
                self.log.warning("The disks service of %s does not answer: no new homes there", worker)
        candidates = [MAIN, *(worker for worker, up in zip(workers, answers) if up)]
        # Synchronous from here to the choice: no other start interleaves.
        return fewest_homes(candidates, self.known_homes())

    async def home_on_main(self) -> bool:
        """Whether her home volume is already on the main server (she
        started before other machines joined)."""
        for volume in self.volumes:
            name = self.format_volume_name(volume, self)
            if "-home-" in name:
                try:
                    await self.docker("inspect_volume", name)
                    return True
                except NotFound:
                    return False
        return False

    def known_homes(self) -> dict[str, str]:
        homes = {}
        for spawner in self.user.db.query(orm.Spawner).filter(orm.Spawner.name == ""):
            state = spawner.state or {}
            if "home_node" in state and spawner.user is not None:
                homes[spawner.user.name] = state["home_node"]
        return {**homes, **self.chosen}

    async def answers(self, machine: str) -> bool:
        try:
            reply = await request({"op": "ping"}, timeout=PING_SECONDS,
                                  host=node_address(machine), secret=self.node_secret)
        except (OSError, asyncio.TimeoutError, ValueError):
            return False
        return bool(reply.get("ok"))

    async def wait_answers(self, machine: str, timeout: float) -> bool:
        """Whether `machine`'s disks service answers within `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not await self.answers(machine):
            if asyncio.get_running_loop().time() >= deadline:
                return False
            self.log.info("%s: waiting for the disks service of %s", self.service_name, machine)
            await asyncio.sleep(2)
        return True

    async def machine_request(self, message: dict, timeout: float = 60) -> dict:
        """Ask her home machine's disks service; raises RuntimeError with its error."""
        try:
            reply = await request(message, timeout=timeout, host=node_address(self.home_node),
                                  secret=self.node_secret)
        except (OSError, asyncio.TimeoutError, ValueError) as error:
            reply = {"ok": False, "error": f"unreachable: {error!r}"}
        if not reply.get("ok"):
            raise RuntimeError(f"disks service of {self.home_node}: {reply.get('error')}")
        return reply

    async def create_object(self):
        self.extra_placement_spec = {**self.extra_placement_spec,
                                     "constraints": [placement_constraint(self.home_node or MAIN)]}
        return await super().create_object()

    async def limit_swap(self, task: dict) -> None:
        if not self.home_node or not self.mem_limit:
            return await super().limit_swap(task)
        await self.machine_request({"op": "limit_swap", "memory": int(self.mem_limit),
                                    "container": task["Status"]["ContainerStatus"]["ContainerID"]})

    async def delete_forever(self):
        await super().delete_forever()
        self.chosen.pop(self.user.name, None)

    async def remove_home_volume(self, name: str) -> None:
        if not self.home_node:
            return await super().remove_home_volume(name)
        await self.machine_request({"op": "remove_volume", "volume": name})

    async def wait_container_gone(self) -> bool:
        if not self.home_node:
            return await super().wait_container_gone()
        try:
            reply = await self.machine_request({"op": "wait_gone", "service": self.service_name},
                                               timeout=70)
        except RuntimeError as error:
            # Her machine is away: nothing runs there until it is back, and
            # then swarm ends the task of the removed service first.
            self.log.warning("%s: not waiting for its container (%s)", self.service_name, error)
            return False
        return reply["gone"]

    async def poll(self):
        """A server on a machine that left the swarm is stopped as far as the
        hub is concerned (swarm still reports its last state, "running"): her
        next start says where her files are instead of a broken page."""
        status = await super().poll()
        if status is None and self.home_node and not is_ready(await self.docker("nodes"), self.home_node):
            self.log.warning("%s: its machine %s is away", self.service_name, self.home_node)
            return f"machine {self.home_node} is away"
        return status
