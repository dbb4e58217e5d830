"""Which `INPUT -i <bridge> -j DROP` rules the firewall keeps (pure: the
service in __main__.py asks Docker and iptables, and applies the plan)."""

from __future__ import annotations

from dataclasses import dataclass


def learner_networks(project: str) -> list[str]:
    return [f"{project}_learners", f"{project}_learners-internet"]


def bridge_name(attrs: dict) -> str:
    """The host interface of a bridge network, from `docker network inspect`."""
    options = attrs.get("Options") or {}
    return options.get("com.docker.network.bridge.name") or f"br-{attrs['Id'][:12]}"


# With BALAIKODE_SWARM the learner networks are overlays. An internal one
# has no interface on the host at all; any other reaches the host (and the
# internet) through this bridge, which every swarm container of the host
# shares.
SWARM_EGRESS_BRIDGE = "docker_gwbridge"


def host_interface(attrs: dict) -> str | None:
    """Where a learner network's traffic enters the host: its bridge, the
    swarm egress bridge, or None (an internal overlay never enters it)."""
    if attrs.get("Driver") == "overlay":
        return None if attrs.get("Internal") else SWARM_EGRESS_BRIDGE
    return bridge_name(attrs)


def drop_rule(bridge: str) -> list[str]:
    return ["INPUT", "-i", bridge, "-j", "DROP"]


def dropped_bridges(listed: str) -> set[str]:
    """Interfaces that `iptables -S INPUT` shows with exactly our DROP rule."""
    found = set()
    for line in listed.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "-A" and parts[1:] == drop_rule(parts[3]):
            found.add(parts[3])
    return found


@dataclass(frozen=True)
class Plan:
    add: list[str]
    remove: list[str]


def plan(wanted: set[str], listed: str, interfaces: set[str], ours: set[str]) -> Plan:
    """Which DROP rules to add and remove, for one tool.

    wanted: the bridges of this project's learner networks now;
    listed: that tool's `-S INPUT`; interfaces: the host's interfaces now;
    ours: bridges this process has protected before. A rule goes when its
    bridge (br-*, Docker's) no longer exists, or when it was ours and its
    network is gone; a rule for a bridge that is wanted never goes."""
    have = dropped_bridges(listed)
    gone = {bridge for bridge in have if bridge.startswith("br-") and bridge not in interfaces}
    return Plan(add=sorted(wanted - have), remove=sorted((gone | (have & ours)) - wanted))
