"""Keep learner containers away from the host's own services.

The `learners` network is internal (no route out), but Docker 20.10 still
gives it a gateway address on the host, and the host accepts connections
there: sshd, databases, other sites' ports would answer a learner. This
service (network_mode: host, NET_ADMIN only) keeps one rule per learner
bridge, `INPUT -i <bridge> -j DROP`, for IPv4 and IPv6. Containers on the
bridge still reach each other (the hub, the proxy), which is bridged traffic,
not the host's INPUT. Rules for bridges that no longer exist are removed.

It follows Docker's network events, so a learner network that is created
(again) gets its rule at once: the rules are brought up to date at the
start, on every network created or destroyed, and every few minutes anyway
in case an event was missed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import docker
import requests

from .rules import drop_rule, host_interface, learner_networks, plan

TOOLS = ["iptables", "ip6tables"]
# Only these change which bridges exist; connect/disconnect (every learner
# server start) do not.
NETWORK_EVENTS = {"type": "network", "event": ["create", "destroy"]}
FULL_RECONCILE_SECONDS = 300
MAX_BACKOFF_SECONDS = 60


def log(message: str) -> None:
    print(f"[firewall] {message}", flush=True)


class Firewall:
    def __init__(self, client: docker.DockerClient, project: str, tools: list[str]):
        self.client = client
        self.project = project
        self.tools = tools
        self.ours: set[str] = set()

    def wanted(self) -> set[str]:
        bridges = set()
        for name in learner_networks(self.project):
            try:
                interface = host_interface(self.client.networks.get(name).attrs)
            except docker.errors.NotFound:
                continue  # any other error stops the reconcile: no rule is removed on a guess
            if interface:
                bridges.add(interface)
        return bridges

    def reconcile(self) -> None:
        wanted = self.wanted()
        interfaces = set(os.listdir("/sys/class/net"))
        removed = set()
        for tool in self.tools:
            listed = subprocess.run([tool, "-w", "-S", "INPUT"], capture_output=True, text=True,
                                    check=True).stdout
            todo = plan(wanted, listed, interfaces, self.ours)
            for bridge in todo.add:
                subprocess.run([tool, "-w", "-I", *drop_rule(bridge)], check=True, capture_output=True)
                log(f"{tool}: learners on {bridge} cannot reach the host's own services")
            for bridge in todo.remove:
                subprocess.run([tool, "-w", "-D", *drop_rule(bridge)], capture_output=True)
                log(f"{tool}: rule for {bridge} removed, its network is gone")
            removed.update(todo.remove)
        self.ours = (self.ours - removed) | wanted


def follow(client: docker.DockerClient, on_change: Callable[[], None],
           window: float = FULL_RECONCILE_SECONDS) -> None:
    """Call `on_change` now, on every network event, and at least every
    `window` seconds; forever. Each window is one event stream from the
    window's start (so nothing between the call and the stream's start is
    missed) until its end. If Docker does not answer or the stream breaks,
    try again after 1, 2, 4 ... up to MAX_BACKOFF_SECONDS."""
    backoff = 1
    following = False
    while True:
        start = time.time()
        end = start + window
        try:
            on_change()
            events = client.events(decode=True, since=int(start), until=int(end) + 1, filters=NETWORK_EVENTS)
            if not following:
                # Said once, and again after a reconnect: from here on a new
                # learner network is protected by an event, not a poll.
                log("following Docker's network events")
                following = True
            for _event in events:
                on_change()
        except (docker.errors.DockerException, requests.exceptions.RequestException) as error:
            log(f"Docker did not answer ({error}); trying again in {backoff} s")
            following = False
        else:
            if time.time() >= end:
                backoff = 1
                continue
            # docker-py ends the stream quietly when the connection breaks
            # or the engine answers it with an error.
            log(f"Docker's event stream ended early; reconnecting in {backoff} s")
            following = False
        time.sleep(backoff)
        backoff = min(2 * backoff, MAX_BACKOFF_SECONDS)


def main() -> None:
    project = os.environ["COMPOSE_PROJECT_NAME"]
    tools = [t for t in TOOLS if subprocess.run([t, "-w", "-S", "INPUT"], capture_output=True).returncode == 0]
    if "iptables" not in tools:
        sys.exit("firewall: iptables does not work here (needs network_mode: host and NET_ADMIN)")
    client = docker.from_env()
    log(f"keeping learners on {', '.join(learner_networks(project))} off the host ({', '.join(tools)})")
    follow(client, Firewall(client, project, tools).reconcile)


if __name__ == "__main__":
    main()
