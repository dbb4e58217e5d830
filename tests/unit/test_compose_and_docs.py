"""docker-compose.yml, the settings schema and the docs agree."""

import re

import yaml

from balaikode.settings import SCHEMA, settings_reference
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_one_release_version_for_every_balaikode_image():
    text = (REPO / "docker-compose.yml").read_text()
    tags = set(re.findall(r"(?<![\w/.])balaikode/[a-z]+:([\w.-]+)", text))
    assert len(tags) == 1, tags
    assert "latest" not in tags


def test_hub_receives_exactly_the_hub_settings():
    passed = {k for k in COMPOSE["services"]["hub"]["environment"] if k.startswith("BALAIKODE_")}
    hub_keys = {k for k, s in SCHEMA.items() if s.used_by == "hub"}
    assert passed == hub_keys


def test_compose_only_settings_are_in_the_schema():
    # Every compose file: the settings file they read is checked whole.
    text = "".join(path.read_text() for path in REPO.glob("docker-compose*.yml"))
    used = set(re.findall(r"\$\{(BALAIKODE_\w+)", text))
    assert used <= set(SCHEMA), used - set(SCHEMA)


def test_example_env_file_only_uses_known_keys():
    keys = re.findall(r"^(BALAIKODE_\w+)=", (REPO / ".env.example").read_text(), re.M)
    assert keys and set(keys) <= set(SCHEMA)


def test_settings_doc_is_generated_from_the_schema():
    doc = (REPO / "docs" / "settings.md").read_text()
    assert settings_reference() in doc, "regenerate the table: PYTHONPATH=src python3 -m balaikode settings-doc"


def test_learner_network_is_internal_and_proxy_api_is_not_on_it():
    networks = COMPOSE["networks"]
    assert networks["learners"]["internal"] is True
    assert networks["control"]["internal"] is True
    proxy = COMPOSE["services"]["proxy"]["networks"]
    assert proxy["control"]["aliases"] == ["proxy-api"]
    assert "learners" in proxy and "aliases" not in (proxy["learners"] or {})
    # Only the proxy publishes a port; only the hub, the grader service, the
    # firewall and the disks service have the Docker socket.
    for name, service in COMPOSE["services"].items():
        if name != "proxy":
            assert "ports" not in service, name
        socket_mounts = [v for v in service.get("volumes", []) if "docker.sock" in v]
        assert (name in ("hub", "grader", "firewall", "disks")) == bool(socket_mounts), name


def test_only_the_disks_service_reaches_loop_devices_and_only_the_hub_its_socket():
    services = COMPOSE["services"]
    for name, service in services.items():
        assert ("device_cgroup_rules" in service) == (name == "disks"), name
        assert "privileged" not in service, name
        socket_volume = any(str(v).startswith("disks-socket:") for v in service.get("volumes", []))
        assert socket_volume == (name in ("hub", "disks")), name
    disks = services["disks"]
    assert disks["cap_drop"] == ["ALL"] and disks["cap_add"] == ["SYS_ADMIN"]
    assert disks["network_mode"] == "none"
