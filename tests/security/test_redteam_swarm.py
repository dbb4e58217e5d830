"""Red team, BALAIKODE_SWARM: a hostile learner on a swarm stack with
learner internet on (the learners-internet overlay, whose traffic leaves
through docker_gwbridge, the bridge every swarm container of the host
shares). What tests/integration/test_swarm.py does not already cover: every
one of her processes (not only the kernel), the cgroup limits as the kernel
sees them, the host's addresses over TCP and UDP (swarm's own ports
included), the hub, proxy and grader on every port of the overlay and of
docker_gwbridge, and what happens when she kills her own server."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

from support.hub_client import poll
from support.stack import admin_browser, learner_factory
from support.swarm import switched_stack


@pytest.fixture(scope="module")
def swarm_internet_stack(built_images, swarm_engine, tmp_path_factory):
    with switched_stack(tmp_path_factory, BALAIKODE_LEARNER_INTERNET="true") as stack:
        yield stack


@pytest.fixture(scope="module")
def learners(swarm_internet_stack):
    make = learner_factory(swarm_internet_stack, admin_browser(swarm_internet_stack))
    mallory, victim = make("maling"), make("korban")
    mallory.start_server()
    victim.start_server()
    return mallory, victim


def run_json(learner, code: str, timeout: float = 60):
    return json.loads(learner.run_code(code, timeout=timeout).strip().splitlines()[-1])


PROCESSES = """
import json, os
seen = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        status = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status").read().splitlines() if ":" in l)
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError:
        continue
    seen.append({"pid": int(pid), "uid": status["Uid"].split(), "nnp": status["NoNewPrivs"].strip(),
                 "eff": status["CapEff"].strip(), "prm": status["CapPrm"].strip(),
                 "bnd": status["CapBnd"].strip(), "amb": status["CapAmb"].strip(), "cmd": cmd})
print(json.dumps(seen))
"""


def test_every_process_of_hers_has_no_new_privs_and_no_capability(learners):
    """Swarm cannot set no-new-privileges; the start script's setpriv
    stands in. Her kernel, her subprocesses and every setuid program she
    runs must stay without privileges; the only root process is PID 1
    (docker-init), which she cannot signal or trace."""
    mallory, _ = learners
    # A setuid program run from her kernel: with no_new_privs the kernel
    # ignores the bit, so `su` stays her (and fails to authenticate).
    facts = run_json(mallory, """
import os, subprocess
setuid = []
for root in ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/libexec", "/usr/local"]:
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_mode & 0o6000 and not os.path.islink(path):
                setuid.append(path)
sleeper = subprocess.Popen(["sleep", "30"])
su = subprocess.run(["su", "-c", "id -u", "root"], input="", capture_output=True, text=True)
escalation = {"setuid": setuid, "su": su.returncode, "su_out": su.stdout}
""" + PROCESSES.replace("print(json.dumps(seen))", "print(json.dumps([escalation, seen]))"))
    escalation, processes = facts
    assert escalation["setuid"], "the image has setuid programs: the attack is real"
    assert escalation["su"] != 0 and escalation["su_out"].strip() != "0", escalation
    root = [p for p in processes if "0" in p["uid"]]
    assert [p["pid"] for p in root] == [1], root
    assert "docker-init" in root[0]["cmd"] or "tini" in root[0]["cmd"], root
    hers = [p for p in processes if p["pid"] != 1]
    assert any(p["cmd"].strip() == "sleep 30" for p in hers), "her own subprocess is in the list"
    for process in hers:
        assert process["nnp"] == "1", process
        assert {process["eff"], process["prm"], process["bnd"], process["amb"]} == {"0000000000000000"}, process
        assert int(process["uid"][0]) >= 10000, process


def test_her_container_limits_as_the_kernel_sees_them(swarm_internet_stack, learners):
    """The service's limits reach the cgroups: memory (and no swap beyond
    it: the host has none, but a host that adds some must not give it to
    her), processes, CPU, and the in-memory folders' sizes."""
    mallory, _ = learners
    facts = run_json(mallory, """
import json, os
def read(path):
    try:
        return open(path).read().strip()
    except OSError as error:
        return type(error).__name__
mounts = [l.split() for l in open("/proc/mounts")]
print(json.dumps({
    "memory": read("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    "memsw": read("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
    "pids": read("/sys/fs/cgroup/pids/pids.max"),
    "cfs_quota": read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
    "cfs_period": read("/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    "tmpfs": {m[1]: m[3] for m in mounts if m[2] == "tmpfs"},
    "swap_total": [l for l in open("/proc/meminfo") if l.startswith("SwapTotal")][0].split()[1],
}))
""")
    assert facts["memory"] == str(1024**3), facts
    assert facts["pids"] == "256", facts
    assert int(facts["cfs_quota"]) / int(facts["cfs_period"]) == 1.0, facts
    assert "size=" in facts["tmpfs"]["/tmp"], facts
    # Memory plus swap: no more than memory (swarm alone would allow twice).
    assert facts["memsw"] == str(1024**3), facts
    assert swarm_internet_stack.learner_container(mallory.name).attrs["HostConfig"]["MemorySwap"] == 1024**3


SCAN = """
import asyncio, concurrent.futures, json, socket
async def state(host, port, timeout):
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.close()
        return "OPEN"
    except asyncio.TimeoutError:
        return "timeout"
    except OSError as error:
        return type(error).__name__
async def scan(targets, timeout):
    gate = asyncio.Semaphore(400)
    async def one(host, port):
        async with gate:
            return (host, port, await state(host, port, timeout))
    return await asyncio.gather(*(one(h, p) for h, p in targets))
def resolve(name):
    try:
        return sorted({a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)})
    except OSError:
        return []
def mine(host):  # her own address: her own ports are hers to reach
    with socket.socket() as probe:
        try:
            probe.bind((host, 0))
            return True
        except OSError:
            return False
result = {"names": {n: resolve(n) for n in NAMES}, "open": []}
targets = [(h, p) for h, ports in TARGETS if not mine(h) for p in ports]
# The kernel runs an event loop of its own: the scan gets a thread.
with concurrent.futures.ThreadPoolExecutor(1) as pool:
    scanned = pool.submit(asyncio.run, scan(targets, TIMEOUT)).result()
for host, port, how in scanned:
    if how == "OPEN":
        result["open"].append(f"{host}:{port}")
for host in UDP_HOSTS:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for port in UDP_PORTS:
            try:
                udp.sendto(b"maling " + host.encode(), (host, port))
            except OSError:
                pass
print(json.dumps(result))
"""


def learner_addresses(container) -> dict[str, str]:
    return {name: net["IPAddress"] for name, net in container.attrs["NetworkSettings"]["Networks"].items()}


def gwbridge_endpoints(client) -> tuple[str, list[str]]:
    """docker_gwbridge's gateway (the host) and the addresses of the swarm
    containers on it (container inspect does not show these endpoints)."""
    attrs = client.networks.get("docker_gwbridge").attrs
    return (attrs["IPAM"]["Config"][0]["Gateway"],
            sorted(c["IPv4Address"].split("/")[0] for c in attrs["Containers"].values()))


ROUTE = """
import json, socket, struct
routes = [l.split() for l in open("/proc/net/route").read().splitlines()[1:]]
default = [socket.inet_ntoa(struct.pack("<L", int(r[2], 16))) for r in routes if r[1] == "00000000"]
print(json.dumps(default))
"""


def host_addresses() -> list[str]:
    listed = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=True).stdout
    return sorted({line.split()[3].split("/")[0] for line in listed.splitlines()} - {"127.0.0.1"})


def test_the_host_and_swarm_ports_are_out_of_reach_over_docker_gwbridge(swarm_internet_stack, learners):
    """Her traffic reaches the host through docker_gwbridge, not through a
    project bridge: the firewall must drop that too, on every host address,
    TCP (ssh, the Docker API, swarm's 2377 and 7946, any host service) and
    UDP (gossip 7946, VXLAN 4789, any host service)."""
    mallory, _ = learners
    gateway, _ = gwbridge_endpoints(swarm_internet_stack.docker)
    assert run_json(mallory, ROUTE) == [gateway], "her way out is docker_gwbridge"
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("0.0.0.0", 0))
        tcp.listen(16)
        udp.bind(("0.0.0.0", 0))
        udp.settimeout(0.2)
        hosts = host_addresses()
        tcp_ports = [22, 53, 80, 111, 443, 2375, 2376, 2377, 7946, tcp.getsockname()[1]]
        # hub:8081, hers to reach: the probe does see an open port.
        code = (f"NAMES = []\nTARGETS = {[(h, tcp_ports) for h in hosts] + [('hub', [8081])]!r}\nTIMEOUT = 3\n"
                f"UDP_HOSTS = {hosts!r}\nUDP_PORTS = {[udp.getsockname()[1]]!r}\n" + SCAN)
        facts = run_json(mallory, code, timeout=180)
        received = []
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                received.append(udp.recvfrom(512))
            except socket.timeout:
                pass
    assert facts["open"] == ["hub:8081"], facts
    assert received == [], received


def test_on_the_overlay_she_reaches_only_the_ports_meant_for_her(swarm_internet_stack, learners):
    """Every TCP port of the hub, proxy, grader and another learner, over
    the overlay (allowed: the proxy's 8000, the hub's 8081, the grader's API
    9000, the other server's 8888 behind its OAuth), and their
    docker_gwbridge addresses (no container talks to another there)."""
    mallory, victim = learners
    stack = swarm_internet_stack
    network = f"{stack.project}_learners-internet"
    peers = {"hub": {8081}, "proxy": {8000}, "grader": {9000}}
    overlay = {}
    # Their addresses on docker_gwbridge, and on the bridges she is not on
    # (control, with the proxy's API; frontend): no way there either.
    _, elsewhere = gwbridge_endpoints(stack.docker)
    gwbridge = list(elsewhere)
    for service, allowed in peers.items():
        [container] = stack.docker.containers.list(filters={"label": [
            f"com.docker.compose.project={stack.project}", f"com.docker.compose.service={service}"]})
        addresses = learner_addresses(container)
        overlay[addresses[network]] = allowed
        # Bridges only: an overlay she is not on (the hub's `nodes`) has no
        # route from her at all; a packet to its address leaves by her
        # internet route (where this test machine's egress proxy accepts
        # every port of every outside address), never into the overlay.
        elsewhere += [address for name, address in addresses.items() if not name.endswith("_learners-internet")
                      and not name.endswith("_learners") and address
                      and stack.docker.networks.get(name).attrs["Driver"] == "bridge"]
    assert not [name for name in learner_addresses(stack.learner_container(mallory.name))
                if name.endswith("_nodes")], "she is not on the machines' network"
    victim_addresses = learner_addresses(stack.learner_container(victim.name))
    overlay[victim_addresses[network]] = {8888}
    victim_service = f"{stack.project}-learner-{victim.name}"
    code = (f"NAMES = {['proxy-api', 'hub', 'tasks.' + victim_service, victim_service, 'tasks.hub']!r}\n"
            f"TARGETS = {[(h, range(1, 65536)) for h in overlay]!r}\n"
            f"TARGETS += {[(h, [22, 80, 443, 2375, 5432, 8000, 8001, 8081, 8888, 9000]) for h in elsewhere]!r}\n"
            "TIMEOUT = 2\nUDP_HOSTS = []\nUDP_PORTS = []\n" + SCAN)
    facts = run_json(mallory, code, timeout=600)
    print("names:", json.dumps(facts["names"]), "docker_gwbridge peers:", gwbridge, "elsewhere:", elsewhere)
    assert len(gwbridge) >= 4, "hub, proxy, grader and both learners are on docker_gwbridge"
    allowed = {f"{host}:{port}" for host, ports in overlay.items() for port in ports}
    assert set(facts["open"]) <= allowed, sorted(set(facts["open"]) - allowed)
    assert len(facts["open"]) == 4, "the scan sees each port meant for her (one each)"
    assert facts["names"]["proxy-api"] == [], facts["names"]


SWARM_RESTART_DELAY_SECONDS = 5


def test_killing_her_own_server_leaves_no_server_swarm_restarts(swarm_internet_stack, learners):
    """Restart policy none: her server's end is its end. Swarm starts no new
    task for it, the hub notices it stopped, and she can start again."""
    mallory, _ = learners
    stack = swarm_internet_stack
    service_name = f"{stack.project}-learner-{mallory.name}"
    [service] = stack.docker.services.list(filters={"name": service_name})
    before = {task["ID"] for task in service.tasks()}
    try:
        mallory.run_code("import os, signal, threading\n"
                         "threading.Timer(1, os.kill, (os.getppid(), signal.SIGKILL)).start()\nprint('ok')",
                         timeout=20)
    except Exception:
        pass
    poll("the hub to see her server stopped", lambda: not mallory.server_model().get("ready"), timeout=120)
    # A restart would come after swarm's restart delay (5 s unless set):
    # Docker's event stream over a window a little longer than that says
    # whether any container of her service started again.
    since = time.time()
    restarted = list(stack.docker.events(
        decode=True, since=since, until=since + SWARM_RESTART_DELAY_SECONDS + 3,
        filters={"type": "container", "event": "start",
                 "label": f"com.docker.swarm.service.name={service_name}"}))
    assert restarted == [], restarted
    services = stack.docker.services.list(filters={"name": service_name})
    if services:  # the hub may have removed it already: nothing left to restart
        tasks = services[0].tasks()
        assert {task["ID"] for task in tasks} == before, tasks
        assert all(task["Status"]["State"] != "running" for task in tasks), tasks
    mallory.start_server()
    assert mallory.run_code("print(6 * 7)").strip() == "42"
