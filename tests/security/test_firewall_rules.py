"""The firewall service's rules in the host's iptables (tests run as root on
the Docker host). Whether a learner really cannot reach the host is
test_api_boundaries.py's test_a_learner_cannot_reach_the_hosts_own_ports;
this checks the rules themselves, and that they follow Docker's network
events rather than a poll."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import docker

from balaikode.firewall.rules import bridge_name, learner_networks

from support.hub_client import poll

REPO = Path(__file__).resolve().parents[2]
TOOLS = ["iptables", "ip6tables"]
# From a network event to its rule: well under a second on an idle host; a
# busy shared 2-core test machine gets some slack.
EVENT_SECONDS = 5


def drop_rule_listed(tool: str, bridge: str) -> bool:
    listed = subprocess.run([tool, "-w", "-S", "INPUT"], capture_output=True, text=True, check=True).stdout
    return f"-A INPUT -i {bridge} -j DROP" in listed.splitlines()


def test_every_learner_bridge_of_the_stack_has_its_drop_rule(stack):
    for name in learner_networks(stack.project):
        bridge = bridge_name(stack.docker.networks.get(name).attrs)
        for tool in TOOLS:
            poll(f"{tool}'s DROP rule for {name} ({bridge})", lambda: drop_rule_listed(tool, bridge), timeout=30)


def test_a_new_learner_network_gets_its_rule_at_once_and_loses_it_when_removed(tmp_path):
    """The firewall (the service's own code, run here on the host) for a
    project of its own: a learner network created after it started is
    protected within seconds (a poll would take up to 5 minutes now), and
    its rule goes with it."""
    client = docker.from_env()
    project = f"fwuji{secrets.token_hex(4)}"
    log = tmp_path / "firewall.log"
    with log.open("w") as out:
        service = subprocess.Popen(
            [sys.executable, "-m", "balaikode.firewall"], stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "COMPOSE_PROJECT_NAME": project, "PYTHONPATH": str(REPO / "src")})
    network = None
    try:
        # Past its first reconcile: what follows can only come from an event.
        poll("the firewall to follow events", lambda: "following Docker's network events" in log.read_text(),
             timeout=30)
        network = client.networks.create(f"{project}_learners", internal=True)
        bridge = bridge_name(network.attrs)
        for tool in TOOLS:
            poll(f"{tool}'s rule for the new {bridge}", lambda: drop_rule_listed(tool, bridge),
                 timeout=EVENT_SECONDS, interval=0.1)
        network.remove()
        network = None
        for tool in TOOLS:
            poll(f"{tool}'s rule for the removed {bridge} to go", lambda: not drop_rule_listed(tool, bridge),
                 timeout=EVENT_SECONDS, interval=0.1)
        assert service.poll() is None, log.read_text()
        assert f"iptables: learners on {bridge} cannot reach" in log.read_text()
    except Exception:
        print(log.read_text())  # the service's own account, for the report
        raise
    finally:
        service.terminate()
        service.wait(10)
        if network is not None:
            network.remove()
