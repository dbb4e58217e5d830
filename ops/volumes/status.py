"""status: the admin's table. status.sh asks Docker and the hub on the host
and leaves their answers, as they give them, in a folder mounted here
(FACTS_FILES); this module adds the disk use of the mounted homes and
course volumes and prints the tables.

The Docker socket stays on the host on purpose: this container reads every
learner's files, and with the socket it could do anything on the server."""

from __future__ import annotations

import json
import os
import re

from .messages import warn
from .sizes import disk_cell, human

# What status.sh writes into the facts folder; a missing file means Docker
# had nothing to say (no learner containers, nothing running, hub down).
FACTS_FILES = {
    "services": "services.json",      # docker compose ps --all --format json
    "containers": "containers.json",  # docker inspect of the learner containers
    "stats": "stats.json",            # docker stats --no-stream --format '{{json .}}'
    "users": "users.tsv",             # balaikode-admin users: NAME, ROLE, SERVER per line
}


def json_values(text: str) -> list[dict]:
    """Objects from one JSON array (docker inspect, older compose ps) or
    from JSON lines (docker stats, newer compose ps)."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def read_facts(facts_dir: str) -> dict:
    """The facts status.sh collected: lists of Docker's objects, and the
    hub's users as (name, role, server) rows."""
    facts = {}
    for fact, filename in FACTS_FILES.items():
        path = os.path.join(facts_dir, filename)
        text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if fact == "users":
            facts[fact] = [tuple(parts) for parts in (line.split("\t") for line in text.splitlines())
                           if len(parts) == 3]
            continue
        try:
            facts[fact] = json_values(text)
        except json.JSONDecodeError as error:
            warn(f"cannot read Docker's answer in {filename} ({error}); shown as unknown")
            facts[fact] = []
    return facts


def unescape(name: str) -> str:
    """DockerSpawner's escaping of user names in volume names ('-' + hex)."""
    return re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def table(rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


def hub_line(hub_health: str, services: list[dict]) -> str:
    hub = next((x for x in services if x.get("Service") == "hub"), {})
    if hub_health == "ok":
        return "Hub: OK, it answers /hub/health"
    if hub.get("State") == "running":
        return "Hub: PROBLEM, it runs but does not answer /hub/health (./balaikode logs hub)"
    return "Hub: STOPPED (start it with ./balaikode up; see ./balaikode logs hub)"


def services_table(services: list[dict], stats: dict[str, dict]) -> str:
    rows = [["SERVICE", "STATE", "HEALTH", "CPU", "MEMORY"]]
    for svc in sorted(services, key=lambda x: x.get("Service", "")):
        st = stats.get(svc.get("Name", ""), {})
        rows.append([svc.get("Service", "?"), svc.get("State", "?"), svc.get("Health") or "-",
                     st.get("CPUPerc", "-"), st.get("MemUsage", "-")])
    return table(rows) if len(rows) > 1 else "  (none: the stack is not created; ./balaikode up)"


def learners_by_name(facts: dict, volumes_root: str) -> tuple[dict[str, dict], int]:
    """Hub accounts, learner containers and home volumes, joined by user
    name; and the bytes all homes use."""
    learners: dict[str, dict] = {}
    for name, role, server in facts["users"]:
        learners.setdefault(name, {}).update(role=role, server=server)
    for container in facts["containers"]:
        env = dict(e.split("=", 1) for e in container.get("Config", {}).get("Env", []) if "=" in e)
        name = env.get("NB_USER") or container.get("Name", "").lstrip("/")
        row = learners.setdefault(name, {})
        state = container.get("State", {}).get("Status", "?")
        # Her running server wins over a container still on its way out
        # (with BALAIKODE_SWARM a stopped service's container goes seconds later).
        if row.get("docker_state") == "running" and state != "running":
            continue
        row["container"] = container.get("Name", "").lstrip("/")
        row["docker_state"] = state
        if env.get("BALAIKODE_ROLE") == "trainer":
            row["trainer"] = True
    homes = sorted(k for k in os.listdir(volumes_root) if k.startswith("home-")) \
        if os.path.isdir(volumes_root) else []
    total_disk = 0
    for key in homes:
        used, cell = disk_cell(os.path.join(volumes_root, key))
        total_disk += used
        learners.setdefault(unescape(key[len("home-"):]), {})["disk"] = cell
    return learners, total_disk


def learners_table(learners: dict[str, dict], stats: dict[str, dict]) -> tuple[str, int]:
    """The table, and how many servers run."""
    running = 0
    rows = [["USER", "ROLE", "SERVER", "CPU", "MEMORY (used / limit)", "MEM %", "DISK (home)"]]
    for name in sorted(learners):
        row = learners[name]
        st = stats.get(row.get("container", ""), {})
        server = row.get("server") or ("running" if row.get("docker_state") == "running" else "stopped")
        if row.get("docker_state") and row.get("docker_state") != "running":
            server = f"container {row['docker_state']}"
        running += server == "running"
        role = row.get("role", "-") + ("+trainer" if row.get("trainer") else "")
        rows.append([name, role, server, st.get("CPUPerc", "-"), st.get("MemUsage", "-"),
                     st.get("MemPerc", "-"), row.get("disk", "-")])
    return (table(rows) if len(rows) > 1 else "  (none yet)"), running


def courses_table(volumes_root: str) -> str | None:
    if not os.path.isdir(volumes_root):
        return None
    courses = sorted({k.split("-", 1)[1] for k in os.listdir(volumes_root)
                      if k.startswith(("course-", "exchange-"))})
    if not courses:
        return None
    rows = [["COURSE", "DISK (course folder)", "DISK (exchange)"]]
    for course in courses:
        cells = []
        for kind in ("course", "exchange"):
            root = os.path.join(volumes_root, f"{kind}-{course}")
            cells.append(disk_cell(root)[1] if os.path.isdir(root) else "-")
        rows.append([course, *cells])
    return table(rows)


def report(*, project: str, version: str, url: str, hub_health: str, facts: dict,
           volumes_root: str) -> str:
    stats = {row.get("Name", "").lstrip("/"): row for row in facts["stats"]}
    address = url.replace("0.0.0.0", "SERVER-ADDRESS")
    lines = [f"Balai Kode {version or '?'}  (project {project or '?'})"
             + (f"  http://{address}/" if address else ""),
             hub_line(hub_health, facts["services"]),
             "", "Services:", services_table(facts["services"], stats)]
    learners, total_disk = learners_by_name(facts, volumes_root)
    learner_rows, running = learners_table(learners, stats)
    lines += ["", f"Learners: {len(learners)} account(s)/home(s), {running} server(s) running, "
                  f"homes use {human(total_disk)} on disk", learner_rows]
    courses = courses_table(volumes_root)
    if courses:
        lines += ["", "Courses:", courses]
    return "\n".join(lines)
