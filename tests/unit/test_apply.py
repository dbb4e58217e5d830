"""Settings applied to a bare traitlets Config, as the hub would load them."""

import pytest
from tornado.web import GZipContentEncoding

from balaikode_hub.config import build_config
from balaikode_hub.apply import CULLER_ROLE_SCOPES, learner_uid
from balaikode.settings import SettingsError

ENV = {"COMPOSE_PROJECT_NAME": "kelas", "BALAIKODE_LEARNER_IMAGE": "balaikode/python:0.3.0"}


def config(**overrides):
    return build_config({**ENV, **overrides}, admin_cli_token="t0ken", grader_token="g")


def test_learner_containers_are_sandboxed_by_default():
    c = config()
    spawner = c.DockerSpawner
    assert spawner.image == "balaikode/python:0.3.0"
    assert spawner.mem_limit == 1024**3
    assert spawner.cpu_limit == 1.0
    host = spawner.extra_host_config
    assert host["pids_limit"] == 256
    assert host["cap_drop"] == ["ALL"]
    assert "SYS_ADMIN" not in host["cap_add"] and "NET_RAW" not in host["cap_add"]
    assert host["security_opt"] == ["no-new-privileges"]
    assert host["memswap_limit"] == spawner.mem_limit
    # Writable folders outside the home are small tmpfs mounts, never the host's disk.
    assert set(host["tmpfs"]) >= {"/tmp", "/var/tmp", "/run/lock", "/srv/nbgrader/exchange"}
    assert all("size=" in options for options in host["tmpfs"].values())
    # No bind mounts of the host, only the learner's own named volume.
    assert spawner.volumes == {"kelas-home-{username}": "/home/{raw_username}"}
    assert spawner.network_name == "kelas_learners"
    assert spawner.remove is True


def test_limits_and_internet_follow_settings():
    c = config(BALAIKODE_MEM_LIMIT="2G", BALAIKODE_CPU_LIMIT="0.5",
               BALAIKODE_PIDS_LIMIT="64", BALAIKODE_LEARNER_INTERNET="true")
    assert c.DockerSpawner.mem_limit == 2 * 1024**3
    assert c.DockerSpawner.cpu_limit == 0.5
    assert c.DockerSpawner.extra_host_config["pids_limit"] == 64
    assert c.DockerSpawner.network_name == "kelas_learners-internet"


def test_learner_uid_is_stable_and_distinct_per_user():
    class User:
        def __init__(self, id):
            self.id = id

    class Spawner:
        def __init__(self, id):
            self.user = User(id)

    assert learner_uid(Spawner(1)) == "10001"
    assert learner_uid(Spawner(1)) == learner_uid(Spawner(1))
    assert learner_uid(Spawner(2)) != learner_uid(Spawner(1))
    env = config().DockerSpawner.environment
    assert env["NB_UID"] is learner_uid


def test_hub_keeps_servers_running_across_restarts_and_admits_approved_users():
    c = config(BALAIKODE_ADMIN_USERS="admin,pak.guru")
    assert c.JupyterHub.cleanup_servers is False
    assert c.Authenticator.allow_all is True
    assert c.Authenticator.admin_users == {"admin", "pak.guru"}
    assert c.ConfigurableHTTPProxy.should_start is False
    assert c.JupyterHub.db_url.startswith("sqlite:////srv/jupyterhub/data/")
    assert c.JupyterHub.upgrade_db is True


def test_idle_culler_is_a_least_privilege_service():
    c = config(BALAIKODE_IDLE_TIMEOUT="45m")
    [culler] = [s for s in c.JupyterHub.services if s["name"] == "idle-culler"]
    assert "--timeout=2700" in culler["command"]
    [role] = [r for r in c.JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == ["idle-culler"]
    assert set(role["scopes"]) == set(CULLER_ROLE_SCOPES)
    assert not any(scope.startswith("admin") for scope in role["scopes"])


def test_idle_culling_can_be_switched_off():
    c = config(BALAIKODE_IDLE_TIMEOUT="0")
    assert [s["name"] for s in c.JupyterHub.services] == ["balaikode-admin", "grader"]


def test_admin_cli_service_gets_the_given_token():
    [service] = [s for s in config().JupyterHub.services if s["name"] == "balaikode-admin"]
    assert service["api_token"] == "t0ken"


def test_missing_compose_context_is_an_error_naming_it():
    with pytest.raises(SettingsError) as caught:
        build_config({"BALAIKODE_MEM_LIMIT": "1G"}, admin_cli_token="x", grader_token="g")
    text = str(caught.value)
    assert "COMPOSE_PROJECT_NAME" in text and "BALAIKODE_LEARNER_IMAGE" in text


def test_the_start_page_shows_progress_at_once_and_pages_are_compressed():
    settings = config().JupyterHub.tornado_settings
    assert settings["slow_spawn_timeout"] == 0
    assert settings["compress_response"] is True
    # An explicit transform list replaces tornado's default: gzip must be in it.
    assert GZipContentEncoding in settings["transforms"]


def test_hub_cookies_and_pages_carry_the_browser_protections():
    settings = config().JupyterHub.tornado_settings
    assert settings["cookie_options"] == {"samesite": "Lax"}
    assert settings["headers"]["X-Content-Type-Options"] == "nosniff"
    assert settings["headers"]["Referrer-Policy"] == "same-origin"


def test_without_a_domain_everything_is_on_one_origin():
    c = config()
    assert "subdomain_host" not in c.JupyterHub
    assert "cookie_host_prefix_enabled" not in c.JupyterHub


@pytest.mark.parametrize("domain, port, host", [
    ("balaikode.lan", "8000", "https://balaikode.lan:8000"),
    ("Kelas.Desa.ID.", "443", "https://kelas.desa.id"),
])
def test_a_domain_gives_each_server_its_own_origin_and_hub_cookies_the_host_prefix(domain, port, host):
    c = config(BALAIKODE_DOMAIN=domain, BALAIKODE_PORT=port)
    assert c.JupyterHub.subdomain_host == host
    assert c.JupyterHub.cookie_host_prefix_enabled is True


@pytest.mark.parametrize("domain", ["192.168.1.10", "lokal", "balai kode.lan", "-x.lan", "a..lan"])
def test_a_bad_domain_is_refused_naming_the_key(domain):
    with pytest.raises(SettingsError) as caught:
        config(BALAIKODE_DOMAIN=domain)
    assert "BALAIKODE_DOMAIN" in str(caught.value) and "domain name" in str(caught.value)


def test_hub_pages_show_balai_kodes_logo():
    from pathlib import Path
    logo = config().JupyterHub.logo_file
    assert logo.startswith("/srv/balaikode/hub_config/")
    # The compose file mounts ./hub_config there.
    local = Path(__file__).resolve().parents[2] / logo[len("/srv/balaikode/"):]
    assert local.is_file() and "Balai Kode" in local.read_text()
