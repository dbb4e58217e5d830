"""Keep learner containers away from the host's own services.

The `learners` network is internal (no route out), but Docker 20.10 still
gives it a gateway address on the host, and the host accepts connections
there: sshd, databases, other sites' ports would answer a learner. This
service (network_mode: host, NET_ADMIN only) keeps one rule per learner
bridge, `INPUT -i <bridge> -j DROP`, for IPv4 and IPv6. Containers on the
bridge still reach each other (the hub, the proxy), which is bridged traffic,
not the host's INPUT. Rules for bridges that no longer exist are removed.
"""

import os
import subprocess
import sys
import time

import docker

PROJECT = os.environ["COMPOSE_PROJECT_NAME"]
NETWORKS = [f"{PROJECT}_learners", f"{PROJECT}_learners-internet"]
TOOLS = ["iptables", "ip6tables"]


def log(message):
    print(f"[firewall] {message}", flush=True)


def bridge_name(network) -> str:
    options = network.attrs.get("Options") or {}
    return options.get("com.docker.network.bridge.name") or f"br-{network.id[:12]}"


def ensure_drop(tool: str, bridge: str) -> None:
    rule = ["INPUT", "-i", bridge, "-j", "DROP"]
    if subprocess.run([tool, "-w", "-C", *rule], capture_output=True).returncode != 0:
        subprocess.run([tool, "-w", "-I", *rule], check=True, capture_output=True)
        log(f"{tool}: learners on {bridge} cannot reach the host's own services")


def remove_stale(tool: str) -> None:
    listed = subprocess.run([tool, "-w", "-S", "INPUT"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        parts = line.split()
        if parts[:2] == ["-A", "INPUT"] and parts[2:3] == ["-i"] and parts[4:] == ["-j", "DROP"]:
            bridge = parts[3]
            if bridge.startswith("br-") and not os.path.exists(f"/sys/class/net/{bridge}"):
                subprocess.run([tool, "-w", "-D", "INPUT", "-i", bridge, "-j", "DROP"],
                               capture_output=True)


def main() -> None:
    client = docker.from_env()
    tools = [t for t in TOOLS if subprocess.run([t, "-w", "-S", "INPUT"], capture_output=True).returncode == 0]
    if "iptables" not in tools:
        sys.exit("firewall: iptables does not work here (needs network_mode: host and NET_ADMIN)")
    while True:
        for name in NETWORKS:
            try:
                network = client.networks.get(name)
            except docker.errors.NotFound:
                continue
            for tool in tools:
                ensure_drop(tool, bridge_name(network))
        for tool in tools:
            remove_stale(tool)
        time.sleep(10)


if __name__ == "__main__":
    main()
