"""Settings schema: defaults, layering over the environment, loud errors."""

import pytest

from balaikode.settings import SCHEMA, SettingsError, load_settings, parse_memory


def test_defaults_fill_every_setting():
    values = load_settings({})
    assert set(values) == set(SCHEMA)
    assert values["BALAIKODE_PORT"] == 8000
    assert values["BALAIKODE_MEM_LIMIT"] == 1024**3
    assert values["BALAIKODE_IDLE_TIMEOUT"] == 3600
    assert values["BALAIKODE_ADMIN_USERS"] == ["admin"]
    assert values["BALAIKODE_LEARNER_INTERNET"] is False


def test_environment_overrides_defaults_and_empty_means_default():
    values = load_settings({
        "BALAIKODE_MEM_LIMIT": "512M",
        "BALAIKODE_CPU_LIMIT": "0.5",
        "BALAIKODE_IDLE_TIMEOUT": "30m",
        "BALAIKODE_ADMIN_USERS": "admin, pelatih.satu",
        "BALAIKODE_LEARNER_INTERNET": "ya",
        "BALAIKODE_PIDS_LIMIT": "",
    })
    assert values["BALAIKODE_MEM_LIMIT"] == 512 * 1024**2
    assert values["BALAIKODE_CPU_LIMIT"] == 0.5
    assert values["BALAIKODE_IDLE_TIMEOUT"] == 1800
    assert values["BALAIKODE_ADMIN_USERS"] == ["admin", "pelatih.satu"]
    assert values["BALAIKODE_LEARNER_INTERNET"] is True
    assert values["BALAIKODE_PIDS_LIMIT"] == 256


def test_unknown_key_is_named_with_a_suggestion():
    with pytest.raises(SettingsError) as caught:
        load_settings({"BALAIKODE_MEM_LIMT": "1G"})
    assert caught.value.problems == [
        "BALAIKODE_MEM_LIMT: unknown setting (did you mean BALAIKODE_MEM_LIMIT?)"]


def test_other_environment_variables_are_ignored():
    assert load_settings({"PATH": "/bin", "HOME": "/root"})["BALAIKODE_PORT"] == 8000


@pytest.mark.parametrize("key, value, words", [
    ("BALAIKODE_MEM_LIMIT", "lots", "expected a size"),
    ("BALAIKODE_MEM_LIMIT", "10M", "at least 64M"),
    ("BALAIKODE_PORT", "80000", "between 1 and 65535"),
    ("BALAIKODE_PORT", "http", "whole number"),
    ("BALAIKODE_CPU_LIMIT", "0", "between 0.05"),
    ("BALAIKODE_PIDS_LIMIT", "-1", "greater than 0"),
    ("BALAIKODE_LEARNER_INTERNET", "maybe", "true or false"),
    ("BALAIKODE_IDLE_TIMEOUT", "soon", "duration"),
    ("BALAIKODE_ADMIN_USERS", "Admin Besar", "not a valid user name"),
    ("BALAIKODE_LEARNER_IMAGE", "balaikode/python:latest", "not 'latest'"),
    ("BALAIKODE_LEARNER_IMAGE", "balaikode/python", "version tag"),
    ("BALAIKODE_DB_URL", "oracle://x", "postgresql"),
    ("BALAIKODE_LOG_LEVEL", "LOUD", "DEBUG"),
    ("BALAIKODE_SUBMISSION_QUOTA", "100K", "at least 1M"),
    ("BALAIKODE_SUBMISSION_QUOTA", "banyak", "expected a size"),
])
def test_bad_values_name_the_key_and_the_rule(key, value, words):
    with pytest.raises(SettingsError) as caught:
        load_settings({key: value})
    [problem] = caught.value.problems
    assert problem.startswith(f"{key}=")
    assert words in problem


def test_all_problems_are_reported_at_once_and_secrets_are_not_echoed():
    with pytest.raises(SettingsError) as caught:
        load_settings({"BALAIKODE_PORT": "0", "BALAIKODE_DB_URL": "secret-pass",
                       "BALAIKODE_TYPO": "1"})
    text = str(caught.value)
    assert "BALAIKODE_PORT" in text and "BALAIKODE_DB_URL=***" in text
    assert "BALAIKODE_TYPO: unknown setting" in text
    assert "secret-pass" not in text


@pytest.mark.parametrize("text, size", [("1G", 1024**3), ("1.5g", 1536 * 1024**2),
                                        ("256MiB", 256 * 1024**2), ("134217728", 128 * 1024**2)])
def test_memory_sizes(text, size):
    assert parse_memory(text) == size
