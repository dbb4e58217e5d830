"""BALAIKODE_SWARM on a bare traitlets Config: the learner's service carries
the same hardening as the learner's container."""

import asyncio
from types import SimpleNamespace

import pytest

from balaikode_hub.config import build_config
from balaikode_hub.spawner import BalaiKodeSpawner, BalaiKodeSwarmSpawner
from balaikode_hub import placement
from balaikode_hub.swarm import engine_problems, tmpfs_mount

ENV = {"COMPOSE_PROJECT_NAME": "kelas", "BALAIKODE_LEARNER_IMAGE": "balaikode/python:0.3.0"}


def config(**overrides):
    return build_config({**ENV, **overrides}, admin_cli_token="t0ken", grader_token="g")


def test_one_server_is_the_default():
    c = config()
    assert c.JupyterHub.spawner_class == "balaikode_hub.spawner.BalaiKodeSpawner"
    assert "BalaiKodeSwarmSpawner" not in c


def test_the_service_is_hardened_like_the_container():
    c = config(BALAIKODE_SWARM="ya", BALAIKODE_PIDS_LIMIT="64")
    assert c.JupyterHub.spawner_class == "balaikode_hub.spawner.BalaiKodeSwarmSpawner"
    host = c.DockerSpawner.extra_host_config
    swarm = c.BalaiKodeSwarmSpawner
    spec = swarm.extra_container_spec
    assert spec["cap_drop"] == ["ALL"] and spec["cap_add"] == host["cap_add"]
    assert spec["init"] is True
    assert spec["labels"] == {"balaikode.project": "kelas", "balaikode.role": "learner"}
    assert swarm.pids_limit == 64
    assert swarm.tmpfs == host["tmpfs"]
    # Never restarted or moved by swarm itself (placed by her home: placement.py).
    assert swarm.node_secret == ""
    assert swarm.extra_task_spec["restart_policy"]["Condition"] == "none"
    assert swarm.extra_endpoint_spec == {"mode": "dnsrr"}
    # The settings every spawner shares still come from DockerSpawner's section.
    assert c.DockerSpawner.mem_limit == 1024**3
    assert c.DockerSpawner.network_name == "kelas_learners"


def test_the_service_mounts_named_volumes_and_memory_folders():
    c = config(BALAIKODE_SWARM="true")
    service = BalaiKodeSwarmSpawner(config=c, user=SimpleNamespace(name="ani"))
    service.volumes = {"kelas-home-ani": "/home/ani",
                       "kelas-exchange-web1": {"bind": "/srv/nbgrader/exchange/web1", "mode": "ro"}}
    mounts = {m["Target"]: m for m in service.mounts}
    assert mounts["/home/ani"]["Type"] == "volume" and mounts["/home/ani"]["Source"] == "kelas-home-ani"
    assert mounts["/home/ani"]["ReadOnly"] is False
    assert mounts["/srv/nbgrader/exchange/web1"]["ReadOnly"] is True
    assert mounts["/tmp"]["Type"] == "tmpfs"
    assert mounts["/tmp"]["TmpfsOptions"] == {"SizeBytes": 512 * 1024**2, "Mode": 0o1777}
    assert service.format_volume_name(service.home_volume, service) == "kelas-home-ani"


def test_the_container_spawner_keeps_its_home_removal():
    service = BalaiKodeSpawner(config=config(), user=SimpleNamespace(name="ani"))
    assert service.format_volume_name(service.home_volume, service) == "kelas-home-ani"


def test_a_tmpfs_option_a_service_cannot_take_is_named():
    with pytest.raises(ValueError, match=r"/x: .*\['uid'\]"):
        tmpfs_mount("/x", "size=1m,uid=1000")


class Engine:
    """What engine_problems reads of docker-py's client: info() and networks.get()."""

    def __init__(self, state="active", manager=True, driver="overlay"):
        self.swarm = {"LocalNodeState": state, "ControlAvailable": manager}
        self.networks = SimpleNamespace(get=lambda name: SimpleNamespace(attrs={"Driver": driver}))

    def info(self):
        return {"Swarm": self.swarm}


@pytest.mark.parametrize("engine, said", [
    (Engine(state="inactive"), "not a swarm manager"),
    (Engine(manager=False), "not a swarm manager"),
    (Engine(driver="bridge"), "kelas_learners is a bridge network"),
])
def test_a_half_done_switch_stops_the_hub_with_the_fix(engine, said):
    problems = engine_problems(engine, "kelas_learners")
    assert len(problems) == 1 and said in problems[0]
    assert problems[0].startswith("BALAIKODE_SWARM: ") and "./balaikode swarm" in problems[0]


def test_a_ready_engine_has_no_problems():
    assert engine_problems(Engine(), "kelas_learners") == []


class TaskSpawner(BalaiKodeSwarmSpawner):
    """The spawner with Docker's answers about its task given, one per call."""

    def __init__(self, tasks, **kwargs):
        super().__init__(config=config(BALAIKODE_SWARM="true"), user=SimpleNamespace(name="ani"), **kwargs)
        self.tasks = list(tasks)
        self.calls = []

    async def docker(self, method, *args, **kwargs):
        self.calls.append((method, args, kwargs))

    async def get_task(self):
        return self.tasks.pop(0) if len(self.tasks) > 1 else self.tasks[0]


def task(state, err=None):
    return {"Status": {"State": state, "Err": err, "ContainerStatus": {"ContainerID": "c0ffee"}},
            "NetworksAttachments": [
                {"Network": {"Spec": {"Name": "ingress"}}, "Addresses": ["10.0.0.9/24"]},
                {"Network": {"Spec": {"Name": "kelas_learners"}}, "Addresses": ["10.0.1.7/24"]}]}


def test_the_hub_reaches_the_running_task_by_its_address_not_the_service_name():
    spawner = TaskSpawner([task("running")])
    assert asyncio.run(spawner.get_ip_and_port()) == ("10.0.1.7", 8888)


def test_a_start_waits_through_pending_states_and_a_rejected_task_fails_at_once():
    started = TaskSpawner([task("pending"), task("preparing"), task("running")])
    asyncio.run(started.start_object())
    # A service cannot say memswap_limit: the running container gets it.
    [(method, args, limits)] = started.calls
    assert (method, args) == ("update_container", ("c0ffee",))
    assert limits["memswap_limit"] == limits["mem_limit"] == started.mem_limit > 0
    with pytest.raises(RuntimeError, match=r"tidak bisa dinyalakan.*rejected: no suitable node") as refused:
        asyncio.run(TaskSpawner([task("pending"), task("rejected", "no suitable node")]).start_object())
    # JupyterHub's start page, once reloaded, shows only jupyterhub_message.
    assert refused.value.jupyterhub_message == str(refused.value)


def node(hostname, role="worker", state="ready", availability="active"):
    return {"Description": {"Hostname": hostname}, "Status": {"State": state},
            "Spec": {"Role": role, "Availability": availability}}


def test_new_homes_go_to_ready_machines_with_the_fewest_homes():
    nodes = [node("utama", role="manager"), node("pc-dua"), node("pc-tiga", state="down"),
             node("pc-empat", availability="drain"), node("pc-lima")]
    assert placement.ready_workers(nodes) == ["pc-dua", "pc-lima"]
    assert placement.is_ready(nodes, "pc-dua") and not placement.is_ready(nodes, "pc-tiga")
    candidates = [placement.MAIN, "pc-dua", "pc-lima"]
    # Equal: the main server first, then by name.
    assert placement.fewest_homes(candidates, {}) == placement.MAIN
    assert placement.fewest_homes(candidates, {"ani": placement.MAIN}) == "pc-dua"
    assert placement.fewest_homes(candidates, {"ani": placement.MAIN, "eko": "pc-dua"}) == "pc-lima"
    # Homes on a machine that is away count for nothing here.
    assert placement.fewest_homes(candidates, {"a": "", "b": "pc-dua", "c": "pc-lima",
                                               "d": "pc-tiga", "e": "pc-tiga"}) == placement.MAIN


def test_a_server_is_placed_on_the_machine_of_her_home_and_keeps_it_in_its_state():
    assert placement.placement_constraint(placement.MAIN) == "node.role == manager"
    assert placement.placement_constraint("pc-dua") == "node.hostname == pc-dua"
    c = config(BALAIKODE_SWARM="true", BALAIKODE_NODE_SECRET="k" * 40)
    service = BalaiKodeSwarmSpawner(config=c, user=SimpleNamespace(name="ani"))
    assert service.node_secret == "k" * 40
    service.load_state({})
    assert service.home_node is None and "home_node" not in service.get_state()
    service.load_state({"home_node": "pc-dua"})
    assert service.get_state()["home_node"] == "pc-dua"
    # The main server is a choice too, kept as such.
    service.load_state({"home_node": placement.MAIN})
    assert service.get_state()["home_node"] == placement.MAIN


def test_a_start_waits_for_her_machine_back_from_a_restart_until_its_disks_answer():
    service = BalaiKodeSwarmSpawner(config=config(BALAIKODE_SWARM="true", BALAIKODE_NODE_SECRET="k" * 40),
                                    user=SimpleNamespace(name="ani"))
    replies = iter([False, True])
    service.answers = lambda machine: asyncio.sleep(0, next(replies))
    assert asyncio.run(service.wait_answers("pc-dua", timeout=30)) is True
    service.answers = lambda machine: asyncio.sleep(0, False)
    assert asyncio.run(service.wait_answers("pc-dua", timeout=0)) is False


def test_a_server_found_stopped_loses_its_service_and_a_running_one_keeps_it():
    """JupyterHub does not stop a server it finds stopped; its service would
    linger until her next start."""
    ended = TaskSpawner([task("failed", "node gone")])
    assert asyncio.run(ended.poll()) is not None
    assert [call[:2] for call in ended.calls] == [("remove_service", (ended.service_name,))]
    running = TaskSpawner([task("running")])
    assert asyncio.run(running.poll()) is None and running.calls == []
