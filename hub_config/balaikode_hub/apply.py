"""Turn validated settings into JupyterHub traitlets config.

One function per concern, each only *sets* keys on the Config object it is
given (no globals, no mutation of shared state), so unit tests run them on a
bare ``traitlets.config.Config``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balaikode import paths
from balaikode.grader_scope import GRADER_SCOPE, GRADER_SERVICE
from balaikode.names import anchored
from balaikode.settings import disk_sizes
from traitlets.config import Config

from . import static_cache
from .courses import user_uid
from .disks import make_spawn_hook
from .language import apply_language
from .profile_choice import apply_profiles
from .swarm import apply_swarm

HUB_DATA_DIR = str(paths.HUB_DATA)
GRADER_URL = "http://grader:9000"

# Capabilities the learner image's start script needs while it is still root:
# create the learner's passwd entry, chown a fresh home volume, set the course
# folders' group and setgid bit (FSETID: root is not in that group), then drop to
# the learner's UID with an empty bounding set (SETPCAP). The learner's own
# processes end with no capabilities at all.
START_SCRIPT_CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID",
                             "SETPCAP"]


# Every folder of the learner images a learner can write to outside their
# home (find / -xdev -perm -0002 -type d; tests/security checks the list).
LEARNER_TMPFS = {
    "/tmp": "size=512m,mode=1777",
    "/var/tmp": "size=64m,mode=1777",
    "/run/lock": "size=1m,mode=1777",
    # Holds only the mount points of the course exchanges.
    "/srv/nbgrader/exchange": "size=1m,mode=1777",
    # PHP's sessions of the web preview (web-dev image).
    "/var/lib/php/sessions": "size=16m,mode=1733",
}


@dataclass(frozen=True)
class Deployment:
    """Facts about where the hub runs, given by docker-compose.yml."""

    project: str  # compose project name: prefix of networks and volumes

    @property
    def learner_network(self) -> str:
        return f"{self.project}_learners"

    @property
    def learner_internet_network(self) -> str:
        return f"{self.project}_learners-internet"

    def user_volume(self) -> str:
        # DockerSpawner fills {username} with the escaped hub user name.
        return f"{self.project}-home-{{username}}"


def learner_uid(spawner) -> str:
    """Stable per-learner UID: the hub user id never changes for a user."""
    return str(user_uid(spawner.user))


def apply_hub(c: Config, s: dict[str, Any], d: Deployment) -> None:
    c.JupyterHub.hub_ip = "0.0.0.0"
    c.JupyterHub.hub_port = 8081
    # Learner servers and the proxy reach the hub by its compose service name.
    c.JupyterHub.hub_connect_ip = "hub"
    c.JupyterHub.db_url = s["BALAIKODE_DB_URL"]
    # A new JupyterHub release migrates an existing install's database at
    # start instead of refusing to start (docs/upgrading.md); for SQLite it
    # first copies the old file beside it.
    c.JupyterHub.upgrade_db = True
    c.JupyterHub.cookie_secret_file = f"{HUB_DATA_DIR}/jupyterhub_cookie_secret"
    c.JupyterHub.log_level = s["BALAIKODE_LOG_LEVEL"]
    # Restarting or upgrading the hub must not stop learners' servers.
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.concurrent_spawn_limit = s["BALAIKODE_CONCURRENT_SPAWN_LIMIT"]
    c.JupyterHub.template_paths = [str(paths.TEMPLATES)]
    # Learners see Balai Kode's name at the top of every hub page, not Jupyter's.
    c.JupyterHub.logo_file = str(paths.LOGO)
    c.JupyterHub.tornado_settings = {
        # Slow, shared links: gzip the hub's pages, scripts and styles, and
        # let browsers keep Font Awesome (static_cache.py).
        "compress_response": True,
        "transforms": static_cache.transforms("/hub/"),
        # Show the start-up page with its progress bar at once, instead of
        # holding the sign-in request for up to 10 s (JupyterHub's default)
        # while the learner looks at a page that seems stuck.
        "slow_spawn_timeout": 0,
        # Hub cookies are not sent along when another site posts to the hub
        # (docs/security.md); JupyterHub already makes them HttpOnly.
        "cookie_options": {"samesite": "Lax"},
        # JupyterHub's own CSP keeps frame-ancestors 'self'.
        "headers": {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"},
    }


def apply_proxy(c: Config, s: dict[str, Any], d: Deployment) -> None:
    # The proxy is its own compose service so that a hub restart does not
    # drop learners' connections; its API listens only on the control network.
    c.JupyterHub.proxy_class = "configurable-http-proxy"
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.api_url = "http://proxy-api:8001"
    if s["BALAIKODE_DOMAIN"]:
        apply_domain(c, s["BALAIKODE_DOMAIN"], s["BALAIKODE_PORT"])


def apply_domain(c: Config, domain: str, port: int) -> None:
    """Per-user origins: each learner's server at https://NAME.DOMAIN, so
    nothing she serves shares an origin with the hub or anyone else
    (JupyterHub's security overview). The proxy speaks HTTPS (start-proxy);
    hub cookies get the __Host- prefix (Secure, only the hub's own host, no
    Domain attribute), so a learner's subdomain cannot toss cookies at the
    hub (GHSA-7r3h-4ph8-w38g)."""
    c.JupyterHub.subdomain_host = f"https://{domain}" + ("" if port == 443 else f":{port}")
    c.JupyterHub.cookie_host_prefix_enabled = True


def apply_auth(c: Config, s: dict[str, Any], d: Deployment) -> None:
    c.JupyterHub.authenticator_class = "balaikode_hub.auth.BalaiKodeAuthenticator"
    c.Authenticator.admin_users = set(s["BALAIKODE_ADMIN_USERS"])
    # JupyterHub 5 refuses every user not listed in allowed_users unless
    # allow_all is set; NativeAuthenticator's own approval check still applies.
    c.Authenticator.allow_all = True
    c.Authenticator.username_pattern = anchored("user")
    c.NativeAuthenticator.minimum_password_length = s["BALAIKODE_MIN_PASSWORD_LENGTH"]
    c.NativeAuthenticator.check_common_password = True
    # No lockout (anyone could lock the admin out): throttle.py slows the
    # guesser per address and name instead.
    c.NativeAuthenticator.allowed_failed_logins = 0
    c.BalaiKodeAuthenticator.admin_password = s["BALAIKODE_ADMIN_PASSWORD"] or ""
    c.BalaiKodeAuthenticator.admin_password_file = f"{HUB_DATA_DIR}/admin-password"


def apply_spawner(c: Config, s: dict[str, Any], d: Deployment) -> None:
    c.JupyterHub.spawner_class = "balaikode_hub.spawner.BalaiKodeSpawner"
    c.DockerSpawner.image = s["BALAIKODE_LEARNER_IMAGE"]
    c.DockerSpawner.name_template = f"{d.project}-learner-{{username}}"
    c.DockerSpawner.network_name = (
        d.learner_internet_network if s["BALAIKODE_LEARNER_INTERNET"] else d.learner_network
    )
    c.DockerSpawner.use_internal_ip = True
    # A new container per start picks up upgraded images; the home volume
    # keeps everything the learner made.
    c.DockerSpawner.remove = True
    # {username} is DockerSpawner's escaped name (safe in Docker object names);
    # {raw_username} is the hub name, which is also the Linux user inside.
    c.DockerSpawner.notebook_dir = "/home/{raw_username}"
    c.DockerSpawner.volumes = {d.user_volume(): "/home/{raw_username}"}
    # Deleting a learner deletes her home (kept a week by the disks service).
    c.HomeRemoval.home_volume = d.user_volume()
    c.DockerSpawner.default_url = "/lab"
    c.DockerSpawner.mem_limit = s["BALAIKODE_MEM_LIMIT"]
    c.DockerSpawner.cpu_limit = s["BALAIKODE_CPU_LIMIT"]
    c.DockerSpawner.start_timeout = s["BALAIKODE_START_TIMEOUT"]
    c.DockerSpawner.http_timeout = s["BALAIKODE_START_TIMEOUT"]
    c.DockerSpawner.environment = {
        "NB_UID": learner_uid,
        "NB_USER": lambda spawner: spawner.user.name,
        "BALAIKODE_GRADER_URL": f"{GRADER_URL}/services/grader",
        # Read by trainers' nbgrader (autograding time limits).
        "BALAIKODE_GRADING_CELL_TIMEOUT": str(s["BALAIKODE_GRADING_CELL_TIMEOUT"]),
        "BALAIKODE_GRADING_NOTEBOOK_TIMEOUT": str(s["BALAIKODE_GRADING_NOTEBOOK_TIMEOUT"]),
        # How many of a batch's submissions the trainer's nbgrader sends at once.
        "BALAIKODE_SANDBOX_PARALLEL": str(s["BALAIKODE_SANDBOX_PARALLEL"]),
        # JupyterLab and nbgrader follow the hub's language: its cookie when
        # the person chose one, else this (images/base/balaikode_i18n).
        "BALAIKODE_LANGUAGE": s["BALAIKODE_LANGUAGE"],
    }
    # Course volumes and the trainer/learner role, from the user's groups;
    # then the home and exchanges as size-limited disks. In swarm mode
    # learners read the exchange through the grader (courses.course_mounts).
    c.DockerSpawner.pre_spawn_hook = make_spawn_hook(d.project, disk_sizes(s), s["BALAIKODE_SWARM"])
    c.DockerSpawner.extra_create_kwargs = {
        "labels": {"balaikode.project": d.project, "balaikode.role": "learner"},
    }
    c.DockerSpawner.extra_host_config = {
        "pids_limit": s["BALAIKODE_PIDS_LIMIT"],
        "cap_drop": ["ALL"],
        "cap_add": START_SCRIPT_CAPABILITIES,
        "security_opt": ["no-new-privileges"],
        "init": True,
        # No swap beyond the memory limit: a memory hog is stopped, not slowed.
        "memswap_limit": s["BALAIKODE_MEM_LIMIT"],
        # The image's world-writable folders would otherwise put learners'
        # files on the server's own disk, with no limit (the home is a
        # size-limited disk); in memory they count against the memory limit.
        "tmpfs": LEARNER_TMPFS,
    }


CULLER_ROLE_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
ADMIN_CLI_ROLE_SCOPES = ["admin:users", "list:users", "read:users", "read:servers",
                         "servers", "admin:groups", "read:groups", "list:groups"]
# Every user may call the grader (which checks her place in the course)
# with tokens given its scope (balaikode/grader_scope.py): JupyterHub's
# default user role ("self") plus that scope. Servers' own tokens (nbgrader
# submit, collect and autograde call the grader with them) get JupyterHub's
# default server scopes plus that scope.
USER_ROLE_SCOPES = ["self", GRADER_SCOPE]
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", GRADER_SCOPE]
# The grader service identifies callers with JupyterHub's HubAuth, which
# asks GET /hub/api/user with the caller's own token; its own token reads
# courses: the list, for who trains some course (others are refused
# /execute and /collect before their upload is read), and the one a
# request names (GET /hub/api/balaikode/courses/NAME).
GRADER_ROLE_SCOPES = ["read:groups"]


def apply_services(c: Config, s: dict[str, Any], d: Deployment, *, python: str,
                   admin_cli_token: str, grader_token: str) -> None:
    services: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    timeout = s["BALAIKODE_IDLE_TIMEOUT"]
    if timeout:
        services.append({
            "name": "idle-culler",
            "command": [python, "-m", "jupyterhub_idle_culler",
                        f"--timeout={timeout}", f"--cull-every={s['BALAIKODE_CULL_EVERY']}"],
        })
        roles.append({"name": "idle-culler", "scopes": CULLER_ROLE_SCOPES,
                      "services": ["idle-culler"]})
    # Token for the `balaikode` command run inside the hub container
    # (approve sign-ups, list users) so scripts use the same checks as the API.
    services.append({"name": "balaikode-admin", "api_token": admin_cli_token})
    roles.append({"name": "balaikode-admin", "scopes": ADMIN_CLI_ROLE_SCOPES,
                  "services": ["balaikode-admin"]})
    # Executes submissions in sandboxes and collects them (docker-compose.yml).
    services.append({"name": GRADER_SERVICE, "url": GRADER_URL, "api_token": grader_token})
    roles.append({"name": "grader", "scopes": GRADER_ROLE_SCOPES, "services": [GRADER_SERVICE]})
    roles.append({"name": "user", "scopes": USER_ROLE_SCOPES})
    c.Spawner.server_token_scopes = SERVER_TOKEN_SCOPES
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles


# apply_profiles and apply_swarm after apply_spawner: the first sets the
# image per user, the second restates the container's hardening for a service.
APPLIERS = [apply_hub, apply_proxy, apply_auth, apply_spawner, apply_swarm, apply_profiles,
            apply_language]
