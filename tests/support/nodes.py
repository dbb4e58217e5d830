"""More machines for the swarm-mode tests (issue 16, docs/scaling.md), on one
test host: each "machine" is a Docker engine in a container (Docker-in-Docker,
image from tests/support/node-image) that joins this host's swarm as a
worker, as `./balaikode join` makes a second donated PC do.

    with worker_nodes(client, 2, ["balaikode/hub:0.3.0"], REPO) as (one, two):
        one.sh("cd /srv/balaikode-repo && ls")

The host engine must already be the swarm's manager, advertised at an address
the nodes reach (`swarm_address`: `switched_stack` does that). Everything a
call makes (containers, volumes, swarm node entries, cgroup folders) is named
`bktnode-RUN-N` and removed at the end, whatever the body did."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import docker

NODE_IMAGE = "balaikode-test/node:0.3.0"
NODE_IMAGE_DIR = Path(__file__).resolve().parent / "node-image"
# The host's Compose v2 plugin, shared read-only: each node runs
# `docker compose` (./balaikode join) with the very same binary.
COMPOSE_PLUGINS = "/usr/local/lib/docker/cli-plugins"
REPO_IN_NODE = "/srv/balaikode-repo"
SWARM_PORT = 2377
CGROUP_ROOT = Path("/sys/fs/cgroup")


def wait_for(what: str, check: Callable[[], object], timeout: float, interval: float = 0.5):
    """check()'s first true value, polled until `timeout` seconds; a
    TimeoutError naming `what` (and the last error check raised) otherwise."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as error:  # a daemon still starting refuses for a while
            last_error = error
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"{what}: not after {timeout:.0f} s{detail}")
        time.sleep(interval)


def build_node_image(base_image: str = "debian:bookworm-slim") -> str:
    """The nodes' image, built (cached layers: a few seconds when unchanged).
    It needs apt over plain http only, so no extra CA."""
    result = subprocess.run(
        ["docker", "build", "-q", "--build-arg", f"BASE_IMAGE={base_image}",
         "-t", NODE_IMAGE, str(NODE_IMAGE_DIR)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return NODE_IMAGE


def swarm_address(client: docker.DockerClient) -> str:
    """The host as containers on the default bridge reach it (its gateway,
    usually 172.17.0.1): where the manager must listen for the nodes."""
    config = client.networks.get("bridge").attrs["IPAM"]["Config"][0]
    # Docker 20.10 (Debian 12's) leaves out the gateway it chose: the
    # subnet's first address.
    return config.get("Gateway") or str(next(ipaddress.ip_network(config["Subnet"]).hosts()))


def manager_address(client: docker.DockerClient) -> str:
    """The address the host engine's swarm manager is advertised at, refused
    with the reason when nodes in containers could not join it."""
    swarm = client.info()["Swarm"]
    if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        raise RuntimeError(
            f"worker_nodes needs this engine to be a swarm manager (state "
            f"{swarm.get('LocalNodeState')!r}): start a swarm stack first "
            f"(switched_stack runs ./balaikode swarm --advertise-addr {swarm_address(client)})")
    address = swarm["NodeAddr"]
    if address.startswith("127."):
        # A worker learns the managers' addresses from the swarm itself, so
        # even a join at the bridge gateway would then dial 127.0.0.1 (itself).
        raise RuntimeError(
            f"this engine is a swarm manager advertised at {address} (an earlier run's "
            f"./balaikode swarm --advertise-addr 127.0.0.1?): nodes in containers cannot "
            f"reach it there. When no service uses it, run `docker swarm leave --force` "
            f"and let the swarm stack make it again at {swarm_address(client)}")
    return address


def in_parallel(calls: list[Callable[[], object]]) -> list:
    """Run `calls` in threads, wait for all, return their results; raise the
    first error only after every call has ended (none is left half done)."""
    if not calls:
        return []
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
    errors = [future.exception() for future in futures if future.exception()]
    if errors:
        raise errors[0]
    return [future.result() for future in futures]


class Node:
    """One test machine: a Docker engine in the container `name`, a worker
    of the host's swarm once `boot` has run."""

    def __init__(self, client: docker.DockerClient, name: str, index: int, run: str):
        self.client = client
        self.name = name
        self.index = index
        self.run = run
        self.volume = f"{name}-docker"
        self.container = None
        self.node_id = ""
        self.address = ""
        self.timings: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"Node({self.name}, {self.node_id or 'not joined'})"

    # ---- using it

    def _exec(self, argv: list[str], timeout: float, stdin=None) -> subprocess.CompletedProcess:
        interactive = ["-i"] if stdin is not None else []
        return subprocess.run(["docker", "exec", *interactive, self.name, *argv], stdin=stdin,
                              capture_output=True, text=stdin is None, timeout=timeout)

    def sh(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """`sh -c COMMAND` on this machine as root, its output as text."""
        return self._exec(["sh", "-c", command], timeout)

    def docker(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """`docker ARGS` against this machine's own engine."""
        return self._exec(["docker", *args], timeout)

    def swarm_state(self) -> str:
        """What the host (manager) says of this machine: ready, down, unknown..."""
        return self.client.nodes.get(self.node_id).attrs["Status"]["State"]

    def wait_state(self, state: str, timeout: float = 120) -> float:
        """Seconds until the manager sees this machine `state`."""
        started = time.monotonic()
        wait_for(f"the manager to see {self.name} {state} (it says "
                 f"{self._state_or_error()})", lambda: self.swarm_state() == state, timeout)
        return time.monotonic() - started

    def _state_or_error(self) -> str:
        try:
            return self.swarm_state()
        except Exception as error:
            return str(error)

    def stop(self, kill: bool = False) -> None:
        """The machine goes away: its engine is stopped (SIGTERM, as at a
        shutdown) or, with kill, cut off at once (a power cut). Its state
        stays in its volume, so `start` brings it back into the swarm."""
        self.container.reload()
        if kill:
            self.container.kill()
        else:
            self.container.stop(timeout=30)

    def start(self, timeout: float = 120) -> None:
        """The machine comes back: its engine starts and rejoins by itself."""
        self.container.start()
        self._wait_engine(timeout)
        self.wait_state("ready", timeout)

    # ---- making it

    def boot(self, repo: Path, manager: str, token: str) -> None:
        """Start the engine and join the swarm as a worker."""
        started = time.monotonic()
        self._run_container(repo)
        self._wait_engine(60)
        self.timings["engine"] = time.monotonic() - started
        self._check_loop_devices()
        started = time.monotonic()
        self._join(manager, token)
        self.timings["join"] = time.monotonic() - started

    def _run_container(self, repo: Path) -> None:
        # --privileged fails on these VMs (no CAP_SYS_RESOURCE to give), so
        # every other capability and device. Inner containers' cgroups go
        # under /NAME of the host's hierarchies (removed at the end); the
        # node's own bridge gets a subnet off the host bridge's 172.17/16,
        # which its eth0 is on.
        labels = {"balaikode-test.role": "node", "balaikode-test.run": self.run}
        self.client.volumes.create(self.volume, labels=labels)
        self.container = self.client.containers.run(
            NODE_IMAGE,
            ["dockerd", "--host=unix:///var/run/docker.sock",
             f"--bip=192.168.{200 + self.index}.1/24", f"--cgroup-parent=/{self.name}"],
            name=self.name, hostname=self.name, detach=True, labels=labels,
            cap_add=["ALL"], cap_drop=["SYS_RESOURCE"],
            security_opt=["seccomp=unconfined", "apparmor=unconfined"],
            device_cgroup_rules=["a *:* rwm"],
            tmpfs={"/run": "", "/tmp": ""},
            volumes={
                "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"},
                # Loop devices (and /dev/loop-control) for the disks service.
                "/dev": {"bind": "/dev", "mode": "rw"},
                self.volume: {"bind": "/var/lib/docker", "mode": "rw"},
                COMPOSE_PLUGINS: {"bind": COMPOSE_PLUGINS, "mode": "ro"},
                str(repo): {"bind": REPO_IN_NODE, "mode": "ro"},
            })
        self.container.reload()
        self.address = self.container.attrs["NetworkSettings"]["IPAddress"]

    def _wait_engine(self, timeout: float) -> None:
        def answers() -> bool:
            self.container.reload()
            if self.container.status != "running":
                raise RuntimeError(f"{self.name} exited: {self.container.logs(tail=30).decode()}")
            return self.docker("info", "--format", "{{.ID}}", timeout=20).returncode == 0
        wait_for(f"the Docker engine inside {self.name}", answers, timeout)

    def _check_loop_devices(self) -> None:
        found = self.sh("losetup -f", timeout=30)
        if found.returncode != 0 or not found.stdout.startswith("/dev/loop"):
            raise RuntimeError(f"{self.name} cannot use loop devices (losetup -f): "
                               f"{found.stdout}{found.stderr}")

    def _join(self, manager: str, token: str) -> None:
        joined = self.docker("swarm", "join", "--token", token, "--advertise-addr", self.address,
                             f"{manager}:{SWARM_PORT}", timeout=120)
        if joined.returncode != 0:
            raise RuntimeError(f"{self.name} could not join the swarm at {manager}: "
                               f"{joined.stdout}{joined.stderr}")
        self.node_id = self.docker("info", "--format", "{{.Swarm.NodeID}}").stdout.strip()
        self.wait_state("ready", 60)

    def load(self, archive: Path) -> None:
        """Load a `docker save` archive into this machine's engine."""
        started = time.monotonic()
        with open(archive, "rb") as images:
            loaded = self._exec(["docker", "load", "-q"], 900, stdin=images)
        if loaded.returncode != 0:
            raise RuntimeError(f"docker load into {self.name}: {loaded.stderr.decode()[-2000:]}")
        self.timings["load"] = time.monotonic() - started

    # ---- removing it

    def remove(self) -> list[str]:
        """Remove all this made, each step tried even if another failed;
        what could not be removed, in words."""
        problems = []
        for step in (self._leave, self._remove_container, self._remove_volume,
                     self._remove_swarm_entry, self._remove_cgroups):
            try:
                step()
            except Exception as error:
                problems.append(f"{self.name}: {step.__name__}: {error}")
        return problems

    def _leave(self) -> None:
        # Leaving first tells the manager at once; a stopped node cannot.
        if self.container is not None and self.node_id:
            self.container.reload()
            if self.container.status == "running":
                self.docker("swarm", "leave", "--force", timeout=60)

    def _remove_container(self) -> None:
        try:
            self.client.containers.get(self.name).remove(force=True)
        except docker.errors.NotFound:
            pass

    def _remove_volume(self) -> None:
        try:
            self.client.volumes.get(self.volume).remove(force=True)
        except docker.errors.NotFound:
            pass

    def _remove_swarm_entry(self) -> None:
        if self.node_id:
            try:
                self.client.api.remove_node(self.node_id, force=True)
            except docker.errors.NotFound:
                pass

    def _remove_cgroups(self) -> None:
        # The inner engine's containers had their cgroups at /NAME/ID in every
        # hierarchy of the host; their processes ended with the container,
        # and the kernel may take a moment to let the folders go.
        def folders() -> list[Path]:
            tops = {Path(os.path.realpath(top)) for top in CGROUP_ROOT.glob(f"*/{self.name}")}
            return sorted((Path(dirpath) for top in tops for dirpath, _, _ in os.walk(top)),
                          key=lambda path: len(path.parts), reverse=True)

        def removed() -> bool:
            for folder in folders():
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    return False
            return not folders()
        wait_for(f"the cgroup folders of {self.name} to be removable", removed, 30)


def save_images(images: list[str], folder: Path) -> Path:
    """One `docker save` archive of all `images` (shared layers once)."""
    archive = folder / "images.tar"
    saved = subprocess.run(["docker", "save", "-o", str(archive), *images],
                           capture_output=True, text=True, timeout=900)
    assert saved.returncode == 0, saved.stderr[-2000:]
    return archive


@contextmanager
def worker_nodes(client: docker.DockerClient, count: int, images: list[str],
                 repo: Path) -> Iterator[list[Node]]:
    """`count` test machines joined to the host's swarm as workers, with
    `images` loaded and the repository `repo` read-only at /srv/balaikode-repo
    on each; all removed again at the end, even if the body failed."""
    manager = manager_address(client)
    token = client.swarm.attrs["JoinTokens"]["Worker"]
    run = uuid.uuid4().hex[:6]
    nodes = [Node(client, f"bktnode-{run}-{index}", index, run) for index in range(1, count + 1)]
    body_failed = True
    try:
        in_parallel([lambda node=node: node.boot(repo, manager, token) for node in nodes])
        if images:
            with tempfile.TemporaryDirectory(prefix="bktnode-images-") as folder:
                started = time.monotonic()
                archive = save_images(images, Path(folder))
                for node in nodes:
                    node.timings["save"] = time.monotonic() - started
                in_parallel([lambda node=node: node.load(archive) for node in nodes])
        yield nodes
        body_failed = False
    finally:
        problems = [problem for found in in_parallel([node.remove for node in nodes])
                    for problem in found]
        if problems:
            message = "test machines not fully removed:\n" + "\n".join(problems)
            if body_failed:
                print(message, file=sys.stderr)  # the body's own error matters more
            else:
                raise RuntimeError(message)


def _smoke(client: docker.DockerClient) -> None:
    """Self-check, run by hand: `python3 -m tests.support.nodes` as root on a
    swarm manager. Two machines; a service on the first is reached by name,
    over an internal overlay network, from a plain container on the second;
    then the first goes away and the manager must notice."""
    repo = Path(__file__).resolve().parents[2]
    started = time.monotonic()
    build_node_image()
    print(f"node image: {time.monotonic() - started:.1f} s")
    images = ["balaikode/hub:0.3.0", "balaikode/python:0.3.0"]
    started = time.monotonic()
    with worker_nodes(client, 2, images, repo) as (first, second):
        print(f"2 nodes up, joined, images loaded: {time.monotonic() - started:.1f} s")
        for node in (first, second):
            print(f"  {node.name} {node.node_id} {node.address}: "
                  + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in node.timings.items()))
        assert "docker-compose" in second.sh(f"ls {COMPOSE_PLUGINS}").stdout
        assert second.docker("compose", "version").returncode == 0
        assert "balaikode" in second.sh(f"ls {REPO_IN_NODE}").stdout
        name = f"{first.name}-web"
        network = client.networks.create(name, driver="overlay", attachable=True, internal=True)
        service = None
        try:
            service = client.services.create(
                "balaikode/hub:0.3.0", ["python3", "-m", "http.server", "8000"], name=name,
                networks=[network.name], constraints=[f"node.id=={first.node_id}"])
            started = time.monotonic()
            wait_for("the web service's task to run on the first node",
                     lambda: any(task["Status"]["State"] == "running" for task in service.tasks()), 120)
            print(f"service task running on {first.name}: {time.monotonic() - started:.1f} s")
            fetch = ("import urllib.request;"
                     f"print(urllib.request.urlopen('http://{name}:8000/', timeout=5).status)")
            started = time.monotonic()
            fetched = wait_for(
                "a container on the second node to fetch the service by name",
                lambda: second.docker("run", "--rm", "--network", network.name, "balaikode/hub:0.3.0",
                                      "python3", "-c", fetch, timeout=60).stdout.strip() == "200", 120,
                interval=2)
            print(f"fetched from {second.name} over the overlay: {fetched} in {time.monotonic() - started:.1f} s")
            started = time.monotonic()
            first.stop()
            stopped = time.monotonic() - started
            down = first.wait_state("down", 120)
            print(f"{first.name} stopped in {stopped:.1f} s; manager saw it down {down:.1f} s later")
            started = time.monotonic()
            first.start()
            print(f"{first.name} back and ready: {time.monotonic() - started:.1f} s")
            started = time.monotonic()
            first.stop(kill=True)
            down = first.wait_state("down", 120)
            print(f"{first.name} killed; manager saw it down {down:.1f} s later")
        finally:
            if service is not None:
                service.remove()
            # The service's task may still hold the network for a moment.
            wait_for("the smoke network to be removable", lambda: network.remove() is None, 60)


if __name__ == "__main__":
    _smoke(docker.from_env())
