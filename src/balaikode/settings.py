"""Site settings: the schema, the defaults, and validation.

Every setting is a ``BALAIKODE_*`` environment variable (docker compose passes
them from ``.env`` or from the command line). The schema below is the single
place a key is declared: its parser, its default and its help text, which
``docs/settings.md`` is generated from. Unknown ``BALAIKODE_*`` keys are errors,
so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .names import USER, is_valid

PREFIX = "BALAIKODE_"


class SettingsError(ValueError):
    """One or more settings are wrong; the message names every bad key."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on", "ya"}:
        return True
    if value in {"0", "false", "no", "off", "tidak"}:
        return False
    raise ValueError("expected true or false")


def parse_port(text: str) -> int:
    port = parse_int(text)
    if not 1 <= port <= 65535:
        raise ValueError("a port must be between 1 and 65535")
    return port


def parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def positive_int(text: str) -> int:
    value = parse_int(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str, minimum: int) -> int:
    """'512M', '1G', '1.5G' or a byte count -> bytes (at least `minimum`)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not match:
        raise ValueError("expected a size such as 512M or 2G")
    number, unit = match.groups()
    size = int(float(number) * _SIZE_UNITS[unit])
    if size < minimum:
        raise ValueError(f"must be at least {minimum // 1024**2}M")
    return size


def parse_memory(text: str) -> int:
    return parse_size(text, 64 * 1024**2)


def parse_disk_size(text: str) -> int:
    """Like parse_memory, and 0 means 'no limit'."""
    if text.strip() == "0":
        return 0
    return parse_memory(text)


def parse_quota(text: str) -> int:
    """A share of a disk: at least 1M, and 0 means 'no limit'."""
    if text.strip() == "0":
        return 0
    return parse_size(text, 1024**2)


DOMAIN_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def parse_domain(text: str) -> str:
    """'' (no domain) or a DNS name with at least two labels, not an IP address."""
    name = text.strip().lower().rstrip(".")
    if not name:
        return ""
    labels = name.split(".")
    if (len(labels) < 2 or len(name) > 200 or not all(DOMAIN_LABEL.match(label) for label in labels)
            or labels[-1].isdigit()):
        raise ValueError("expected a domain name such as balaikode.lan (letters, digits, '-' and "
                         "dots; not an IP address)")
    return name


def parse_cpu(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("expected a number of CPU cores such as 0.5 or 1") from None
    if not 0.05 <= value <= 256:
        raise ValueError("must be between 0.05 and 256")
    return value


_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """'3600', '90s', '30m', '1h' -> seconds; 0 means 'never'."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise ValueError("expected a duration such as 3600, 30m or 1h")
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def parse_usernames(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError("name at least one user")
    for name in names:
        if not is_valid("user", name):
            raise ValueError(f"{name!r} is not a valid user name ({USER.pattern})")
    return names


def parse_text(text: str) -> str:
    return text


def parse_image(text: str) -> str:
    image = text.strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?", image):
        raise ValueError("expected an image name such as balaikode/python:0.3.0")
    if image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]:
        raise ValueError("pin the image with a version tag (not 'latest')")
    return image


# Learner server profiles (src/balaikode/profiles.py).
PROFILE_NAMES = ("python", "webdev")


def parse_profiles(text: str) -> list[str]:
    """'python,webdev' -> ['python', 'webdev'] (order kept: the first is the default)."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError("name at least one profile: " + ", ".join(PROFILE_NAMES))
    for name in names:
        if name not in PROFILE_NAMES:
            raise ValueError(f"unknown profile {name!r}; known: " + ", ".join(PROFILE_NAMES))
    return list(dict.fromkeys(names))


def parse_db_url(text: str) -> str:
    if not re.match(r"^(sqlite|postgresql(\+\w+)?|mysql(\+\w+)?)://", text.strip()):
        raise ValueError("expected sqlite:///..., postgresql://... or mysql://...")
    return text.strip()


LANGUAGES = ("id", "en")


def parse_language(text: str) -> str:
    language = text.strip().lower()
    if language not in LANGUAGES:
        raise ValueError("expected id (Bahasa Indonesia) or en (English)")
    return language


def parse_log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return level


def parse_node_secret(text: str) -> str:
    value = text.strip()
    if len(value) < 32 or not value.isalnum():
        raise ValueError("must be at least 32 letters and digits (./balaikode swarm makes one)")
    return value


def parse_node_name(text: str) -> str:
    value = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", value):
        raise ValueError("must be a plain host name (letters, digits, . and -), as `docker info` names the machine")
    return value


@dataclass(frozen=True)
class Setting:
    default: str | None
    parse: Callable[[str], Any]
    help: str
    # "compose" settings are read by docker-compose.yml or the balaikode
    # script, not by the hub; they are declared here so the hub knows them.
    used_by: str = "hub"
    secret: bool = False


SCHEMA: dict[str, Setting] = {
    "BALAIKODE_PORT": Setting(
        "8000", parse_port,
        "Port on the server where Balai Kode answers (http://SERVER:PORT/).",
        # Compose publishes it; the hub needs it for addresses with a domain.
        used_by="hub"),
    "BALAIKODE_DOMAIN": Setting(
        "", parse_domain,
        "Domain name of the server, e.g. balaikode.lan. When set, Balai Kode "
        "answers over HTTPS at https://DOMAIN:PORT/ and each learner's server "
        "at an address of its own, https://NAME.DOMAIN:PORT/ (docs/domain.md: "
        "the LAN's DNS must answer for DOMAIN and *.DOMAIN). Empty: one "
        "address, http://SERVER:PORT/."),
    "BALAIKODE_BIND_ADDRESS": Setting(
        "0.0.0.0", parse_text,
        "Address the published port listens on; 127.0.0.1 keeps it local "
        "(put a TLS reverse proxy in front).",
        used_by="compose"),
    "BALAIKODE_ADMIN_USERS": Setting(
        "admin", parse_usernames,
        "Comma-separated admin user names. Their accounts are created at first "
        "start, so nobody can claim them by signing up first."),
    "BALAIKODE_ADMIN_PASSWORD": Setting(
        None, parse_text,
        "First password of the admin accounts. If empty, a random one is "
        "generated at first start and written to the hub data volume "
        "(./balaikode admin-password shows it). Used only when the account "
        "is created; change it later in the hub (Ganti kata sandi).",
        secret=True),
    "BALAIKODE_MIN_PASSWORD_LENGTH": Setting(
        "8", positive_int, "Minimum password length at sign-up."),
    "BALAIKODE_LEARNER_IMAGE": Setting(
        None, parse_image,
        "Docker image of learner servers (set by docker-compose.yml to the "
        "Python image of this release)."),
    "BALAIKODE_WEBDEV_IMAGE": Setting(
        None, parse_image,
        "Docker image of learner servers with the web profile: HTML, CSS, "
        "JavaScript, PHP and the live preview (set by docker-compose.yml to "
        "the web-dev image of this release)."),
    "BALAIKODE_PROFILES": Setting(
        None, parse_profiles,
        "Comma-separated profiles (learner images) offered: python, webdev. "
        "The first is the default; members of a course whose id starts with "
        "web- get webdev. Learners switch on the hub's Start page (or with "
        "/hub/spawn?image=webdev) and the choice is remembered. Empty: every "
        "profile whose image is set."),
    "BALAIKODE_MEM_LIMIT": Setting(
        "1G", parse_memory, "Memory limit of each learner server (e.g. 512M, 2G)."),
    "BALAIKODE_HOME_DISK_SIZE": Setting(
        "2G", parse_disk_size,
        "Disk space of each learner's home folder (e.g. 1G, 5G). A learner "
        "who fills it gets 'no space left' in their own folder only. Raising "
        "it enlarges existing homes at their next start; lowering it affects "
        "new learners only. 0: no limit (plain Docker volumes)."),
    "BALAIKODE_EXCHANGE_DISK_SIZE": Setting(
        "2G", parse_disk_size,
        "Disk space of each course's exchange (released assignments, "
        "submissions, feedback). 0: no limit."),
    "BALAIKODE_SUBMISSION_QUOTA": Setting(
        "50M", parse_quota,
        "Space each learner's submissions may take in a course's exchange (her "
        "3 newest per assignment are kept). Keep learners x this below the "
        "exchange's size. 0: no per-learner limit."),
    "BALAIKODE_CPU_LIMIT": Setting(
        "1", parse_cpu, "CPU cores each learner server may use (e.g. 0.5, 1, 2)."),
    "BALAIKODE_PIDS_LIMIT": Setting(
        "256", positive_int,
        "Maximum processes/threads in a learner server (stops fork bombs)."),
    "BALAIKODE_LEARNER_INTERNET": Setting(
        "false", parse_bool,
        "Whether learner servers may reach the internet. Off by default: they "
        "only reach the hub."),
    "BALAIKODE_SWARM": Setting(
        "false", parse_bool,
        "Run learner servers as Docker Swarm services (docs/scaling.md) "
        "instead of plain containers. Set by `./balaikode swarm`, together "
        "with the overlay networks of docker-compose.swarm.yml; off: one "
        "server, as before."),
    "BALAIKODE_NODE_SECRET": Setting(
        None, parse_node_secret,
        "Swarm mode with more than one machine: the key the hub and each "
        "machine's disks service share (their requests carry it). Made by "
        "`./balaikode swarm`, given to `./balaikode join`; keep it like a "
        "password.",
        secret=True),
    "BALAIKODE_NODE_NAME": Setting(
        None, parse_node_name,
        "On another machine of a swarm only: its name in the swarm, which "
        "the hub reaches its disks service by (disks-NAME). Written by "
        "`./balaikode join`.",
        used_by="compose"),
    "BALAIKODE_IDLE_TIMEOUT": Setting(
        "1h", parse_duration,
        "Stop a learner server after this long without activity (e.g. 30m, "
        "2h); 0 turns culling off. Files are kept."),
    "BALAIKODE_CULL_EVERY": Setting(
        "5m", parse_duration, "How often the idle culler checks (e.g. 60s, 5m)."),
    "BALAIKODE_START_TIMEOUT": Setting(
        "120", positive_int, "Seconds a learner server may take to start."),
    "BALAIKODE_CONCURRENT_SPAWN_LIMIT": Setting(
        "40", positive_int,
        "How many learner servers may be starting at the same time."),
    "BALAIKODE_GRADING_CELL_TIMEOUT": Setting(
        "30", positive_int,
        "Autograding: seconds one notebook cell of a submission may run; a "
        "cell over it ends that submission (its test and later ones score 0). "
        "A course may set its own: c.SandboxExecute.cell_timeout in the "
        "nbgrader_config.py of its folder."),
    "BALAIKODE_GRADING_NOTEBOOK_TIMEOUT": Setting(
        "5m", parse_duration,
        "Autograding: how long one whole submission may run before it is "
        "stopped and scored 0 (e.g. 5m)."),
    "BALAIKODE_SANDBOX_MEM_LIMIT": Setting(
        "512M", parse_memory,
        "Autograding: memory limit of the sandbox that runs one submission."),
    "BALAIKODE_SANDBOX_PARALLEL": Setting(
        "2", positive_int,
        "Autograding: how many submissions may run at the same time "
        "(about one per CPU core)."),
    "BALAIKODE_DB_URL": Setting(
        "sqlite:////srv/jupyterhub/data/jupyterhub.sqlite", parse_db_url,
        "Hub database. SQLite in the hub data volume by default; for "
        "PostgreSQL use postgresql://user:password@host/dbname.",
        secret=True),
    "BALAIKODE_LOG_LEVEL": Setting(
        "INFO", parse_log_level, "Hub log level: DEBUG, INFO, WARNING or ERROR."),
    "BALAIKODE_LANGUAGE": Setting(
        "id", parse_language,
        "Language of the hub's pages (login, sign-up, approval, start-up, "
        "errors): id (Bahasa Indonesia) or en (English). Each visitor can "
        "switch with the link at the top of every page (kept in a cookie); "
        "the browser's own language is not used, because loaned laptops "
        "often have English browsers."),
}


def load_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Defaults overlaid with ``BALAIKODE_*`` variables, parsed and checked.

    Raises SettingsError naming every unknown key and every bad value at once,
    so an admin fixes the file in one go.
    """
    problems = []
    for key in sorted(k for k in environ if k.startswith(PREFIX)):
        if key not in SCHEMA:
            close = difflib.get_close_matches(key, SCHEMA, n=1, cutoff=0.85)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{key}: unknown setting{hint}")

    values: dict[str, Any] = {}
    for key, setting in SCHEMA.items():
        raw = environ.get(key)
        if raw is None or raw == "":
            raw = setting.default
        if raw is None:
            values[key] = None
            continue
        try:
            values[key] = setting.parse(raw)
        except ValueError as error:
            shown = "***" if setting.secret else repr(raw)
            problems.append(f"{key}={shown}: {error}")
    if problems:
        raise SettingsError(problems)
    return values


def disk_sizes(values: Mapping[str, Any]) -> dict[str, int]:
    """Disk size per kind (home, exchange) from validated settings (0: no limit)."""
    return {"home": values["BALAIKODE_HOME_DISK_SIZE"],
            "exchange": values["BALAIKODE_EXCHANGE_DISK_SIZE"]}


def settings_reference() -> str:
    """Markdown table of every setting, for docs/settings.md."""
    lines = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for key, setting in SCHEMA.items():
        default = "(empty)" if setting.default is None else f"`{setting.default}`"
        lines.append(f"| `{key}` | {default} | {setting.help} |")
    return "\n".join(lines) + "\n"
