"""Profiles (Python / Web learner images) on a bare traitlets Config."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from tornado.web import HTTPError
import yaml

from balaikode_hub.config import build_config
from balaikode.profiles import course_image, enabled_images
from balaikode_hub.profile_choice import make_apply_user_options
from balaikode.settings import SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]
ENV = {"COMPOSE_PROJECT_NAME": "kelas", "BALAIKODE_LEARNER_IMAGE": "balaikode/python:0.3.0",
       "BALAIKODE_WEBDEV_IMAGE": "balaikode/webdev:0.3.0"}


def config(**overrides):
    return build_config({**ENV, **overrides}, admin_cli_token="t", grader_token="g")


def spawner(courses=(), options=None, path="/hub/spawn/budi"):
    groups = [SimpleNamespace(name=f"nbgrader-{c}") for c in courses]
    request = SimpleNamespace(path=path)
    return SimpleNamespace(
        user=SimpleNamespace(groups=groups, name="budi"), user_options=dict(options or {}),
        handler=SimpleNamespace(request=request), image=None, _log_name="budi",
        log=SimpleNamespace(warning=lambda *a: None), volumes={}, environment={})


def start(sp, **env):
    """The image DockerSpawner.start runs after JupyterHub's apply_user_options."""
    images = enabled_images(load_settings({**ENV, **env}))
    make_apply_user_options(images)(sp, sp.user_options)
    choice = sp.user_options.get("image")
    return images[choice] if choice else sp.image


def test_both_profiles_offered_by_default_python_first():
    c = config()
    assert c.DockerSpawner.allowed_images == {"python": "balaikode/python:0.3.0",
                                              "webdev": "balaikode/webdev:0.3.0"}
    assert c.DockerSpawner.image == "balaikode/python:0.3.0"


def test_choice_course_rule_and_default():
    assert start(spawner()) == "balaikode/python:0.3.0"
    assert start(spawner(courses=["web-dasar"])) == "balaikode/webdev:0.3.0"
    assert start(spawner(courses=["python-dasar"])) == "balaikode/python:0.3.0"
    # An explicit (or remembered) choice wins over the course rule.
    assert start(spawner(courses=["web-dasar"], options={"image": "python"})) == "balaikode/python:0.3.0"
    assert start(spawner(options={"image": "webdev"})) == "balaikode/webdev:0.3.0"


def test_an_unknown_choice_is_refused():
    with pytest.raises(HTTPError) as refused:
        start(spawner(options={"image": "debian:latest"}))
    assert refused.value.status_code == 400


def test_a_choice_no_longer_offered_falls_back_to_the_default():
    sp = spawner(options={"image": "webdev"})
    assert start(sp, BALAIKODE_PROFILES="python") == "balaikode/python:0.3.0"
    assert "image" not in sp.user_options


def test_form_only_on_a_deliberate_start_in_indonesian():
    c = config()
    form = c.DockerSpawner.options_form
    # Right after login JupyterHub sends the user to /hub/spawn: no form.
    assert form(spawner(path="/hub/spawn")) == ""
    html = form(spawner(path="/hub/spawn/budi"))
    assert "<legend>Pilih lingkungan kerja</legend>" in html
    assert 'name="image" id="profil-python" value="python"' in html
    assert "Web (HTML, CSS, JavaScript, PHP)" in html
    assert re.search(r'value="python"[^>]*checked', html)
    # Remembered choice and course rule pre-select the web profile.
    assert re.search(r'value="webdev"[^>]*checked', form(spawner(options={"image": "webdev"})))
    assert re.search(r'value="webdev"[^>]*checked', form(spawner(courses=["web-dasar"])))
    # One profile: nothing to choose.
    assert config(BALAIKODE_PROFILES="webdev").DockerSpawner.options_form(spawner()) == ""


def test_profiles_setting_is_checked():
    with pytest.raises(SettingsError, match="BALAIKODE_PROFILES"):
        config(BALAIKODE_PROFILES="python,ruby")
    with pytest.raises(SettingsError, match="BALAIKODE_WEBDEV_IMAGE"):
        build_config({**ENV, "BALAIKODE_WEBDEV_IMAGE": "", "BALAIKODE_PROFILES": "webdev"},
                     admin_cli_token="t", grader_token="g")
    # Without a web-dev image and without BALAIKODE_PROFILES: Python only.
    only = build_config({k: v for k, v in ENV.items() if k != "BALAIKODE_WEBDEV_IMAGE"},
                        admin_cli_token="t", grader_token="g")
    assert list(only.DockerSpawner.allowed_images) == ["python"]
    assert config(BALAIKODE_PROFILES="webdev, python").DockerSpawner.image == "balaikode/webdev:0.3.0"


def test_course_image_for_grading():
    s = load_settings(ENV)
    assert course_image(s, "web-dasar") == "balaikode/webdev:0.3.0"
    assert course_image(s, "python-dasar") == "balaikode/python:0.3.0"
    assert list(enabled_images(s)) == ["python", "webdev"]


def test_compose_builds_and_passes_the_webdev_image_of_this_release():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    webdev = compose["services"]["webdev"]
    assert webdev["scale"] == 0 and webdev["build"]["args"]["BASE_IMAGE"] == compose["services"]["base"]["image"]
    default = compose["services"]["hub"]["environment"]["BALAIKODE_WEBDEV_IMAGE"]
    assert default == "${BALAIKODE_WEBDEV_IMAGE:-" + webdev["image"] + "}"
