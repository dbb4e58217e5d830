"""One real Balai Kode stack per test session, under its own compose project.

Images are built once (docker compose build is cached), the stack is started
with a random project name and port, readiness is polled, and everything the
project created (containers, learner containers, volumes, networks) is removed
at the end. A failing test gets the compose logs attached to its report.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import docker
import pytest
import requests

from .hub_client import Browser, Learner, poll

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    project: str
    port: int
    admin_password: str
    env: dict[str, str]
    docker: docker.DockerClient = field(repr=False)
    # BALAIKODE_DOMAIN: the hub at https://DOMAIN:PORT (tests resolve the
    # domain and its subdomains to 127.0.0.1: support/local_dns.py).
    domain: str = ""
    ca_file: Path | None = None
    # The program folder whose docker-compose.yml runs this stack (another
    # release's for tests/integration/test_upgrade.py).
    root: Path = REPO

    @property
    def url(self) -> str:
        if self.domain:
            return f"https://{self.domain}:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    def verify(self):
        """requests' `verify` for this stack: the proxy's local CA with a domain."""
        if not self.domain:
            return True
        if self.ca_file is None:
            ca = self.compose("exec", "-T", "proxy", "balaikode-tls", "ca", check=False)
            if ca.returncode != 0 or "BEGIN CERTIFICATE" not in ca.stdout:
                raise RuntimeError(f"no local CA from the proxy yet: {ca.stderr.strip()}")
            path = Path(self.env["COMPOSE_ENV_FILES"]).with_suffix(".ca.pem")
            path.write_text(ca.stdout)
            self.ca_file = path
        return str(self.ca_file)

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        result = subprocess.run(["docker", "compose", "-p", self.project, *args], cwd=self.root,
                                env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"docker compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def logs(self) -> str:
        """The compose services' logs, then each learner server's (the hub
        starts those outside compose; a trainer's formgrader logs there)."""
        text = self.compose("logs", "--no-color", "--tail=400", check=False).stdout
        for container in self.docker.containers.list(
                all=True, filters={"label": ["balaikode.role=learner",
                                             f"balaikode.project={self.project}"]}):
            tail = container.logs(tail=200).decode(errors="replace")
            text += f"\n--- {container.name} ---\n{tail}"
        return text

    def healthy(self) -> bool:
        return requests.get(self.url + "/hub/health", timeout=5, verify=self.verify()).status_code == 200

    def wait_healthy(self, timeout: float = 120) -> None:
        poll(f"{self.project} hub health", self.healthy, timeout)

    def up(self) -> None:
        self.compose("up", "-d", "--no-build")
        self.wait_healthy()

    def learner_container(self, name: str):
        """The container of NAME's server (with BALAIKODE_SWARM, her service's one task)."""
        service = f"{self.project}-learner-{name}"
        tasks = self.docker.containers.list(filters={"label": f"com.docker.swarm.service.name={service}"})
        return tasks[0] if tasks else self.docker.containers.get(service)

    def admin_cli(self, *args: str) -> subprocess.CompletedProcess:
        return self.compose("exec", "-T", "hub", "balaikode-admin", *args, check=False)

    def enrol(self, course: str, trainers=(), learners=()) -> None:
        """`./balaikode course` as an admin types it; the named people are added."""
        args = ["course", course]
        if trainers:
            args += ["--trainers", ",".join(trainers)]
        if learners:
            args += ["--learners", ",".join(learners)]
        made = self.admin_cli(*args)
        assert made.returncode == 0, made.stdout + made.stderr

    def release_disks(self) -> None:
        """Detach the project's loop devices (the kernel's, not Docker's: they
        would outlive the disk images that `down -v` deletes)."""
        release = ["python3", "-m", "balaikode.disks", "release"]
        if self.compose("exec", "-T", "disks", *release, check=False).returncode != 0:
            self.compose("run", "--rm", "--no-deps", "-T", "disks", *release, check=False)

    def remove_everything(self) -> None:
        # Learner servers first: they hold the mounts of the disks. A swarm
        # service would start its container again: it goes as a whole.
        if self.docker.info()["Swarm"].get("ControlAvailable"):
            for service in self.docker.services.list(filters={"label": f"balaikode.project={self.project}"}):
                service.remove()
        for container in self.docker.containers.list(
                all=True, filters={"label": f"balaikode.project={self.project}"}):
            try:
                container.remove(force=True)
            except docker.errors.NotFound:
                pass  # a removed service's container, gone meanwhile
            except docker.errors.APIError as error:
                if error.status_code != 409:  # 409: Docker is removing it already
                    raise
        self.release_disks()
        self.compose("down", "-v", "--remove-orphans", check=False)
        # Learner homes, course folders and exchanges are made by the hub,
        # outside compose: PROJECT-home-*, PROJECT-course-*, PROJECT-exchange-*.
        for volume in self.docker.volumes.list(filters={"name": f"{self.project}-"}):
            if volume.name.startswith(f"{self.project}-"):
                volume.remove(force=True)


def start_stack(workdir, **settings: str) -> Stack:
    """A Stack object (not started yet) with a random project, port and admin
    password. `workdir`: a folder for its settings file, or pytest's
    tmp_path_factory."""
    project = "bkt" + secrets.token_hex(4)
    folder = workdir.mktemp(project) if hasattr(workdir, "mktemp") else Path(workdir)
    folder.mkdir(parents=True, exist_ok=True)
    env_file = folder / f"{project}.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    password = "admin-" + secrets.token_urlsafe(12)
    port = free_port()
    env = {**os.environ, "BALAIKODE_PORT": str(port), "BALAIKODE_BIND_ADDRESS": "127.0.0.1",
           "BALAIKODE_ADMIN_PASSWORD": password, "COMPOSE_ENV_FILES": str(env_file)}
    stack = Stack(project, port, password, env, docker.from_env(),
                  domain=settings.get("BALAIKODE_DOMAIN", ""))
    return stack


@pytest.fixture(scope="session")
def built_images():
    """Build every image once per session (cached layers make reruns fast)."""
    result = subprocess.run([str(REPO / "balaikode"), "build"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.fixture(scope="session")
def debian_image():
    """`debian_image("bookworm")`: the name of debian:RELEASE-slim, got or
    built with debootstrap by ./balaikode (a fresh machine has only the
    images' own base)."""
    def ensure(release: str) -> str:
        result = subprocess.run([str(REPO / "balaikode"), "debian-image", release], cwd=REPO,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return f"debian:{release}-slim"
    return ensure


# Short autograding limits keep the hostile-submission tests quick.
TEST_STACK_SETTINGS = {"BALAIKODE_GRADING_CELL_TIMEOUT": "10",
                       "BALAIKODE_GRADING_NOTEBOOK_TIMEOUT": "60s"}


@pytest.fixture(scope="session")
def stack(built_images, tmp_path_factory):
    stack = start_stack(tmp_path_factory, **TEST_STACK_SETTINGS)
    try:
        stack.up()
    except Exception:
        print(stack.logs(), file=sys.stderr)
        stack.remove_everything()
        raise
    _STACKS.append(stack)
    yield stack
    _STACKS.remove(stack)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{stack.project}-compose.log").write_text(stack.logs())
    stack.remove_everything()


_STACKS: list[Stack] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _STACKS:
        for stack in _STACKS:
            report.sections.append((f"docker compose logs ({stack.project})", stack.logs()))


def admin_browser(stack) -> Browser:
    """The first admin, logged in to `stack`."""
    browser = Browser(stack.url)
    result = browser.login("admin", stack.admin_password, follow_redirects=False)
    assert result.status == 302, result.text
    return browser


@pytest.fixture(scope="session")
def admin(stack) -> Browser:
    return admin_browser(stack)


_counter = iter(range(1, 10_000))


@pytest.fixture(scope="session")
def make_course(stack, new_learner):
    return course_factory(stack, new_learner)


def course_factory(stack, new_learner):
    """Factory: a course with a trainer and learners whose servers run with
    the course mounted, and one assignment from assignments/ released (with
    release=False only its source is put in the course, for the trainer to
    generate and release)."""
    from .course import Student, Trainer

    def make(course: str, assignment: str, learners: int, *, track: str = "python-dasar",
             release: bool = True):
        guru = new_learner("guru")
        students = [new_learner("murid") for _ in range(learners)]
        stack.enrol(course, trainers=[guru.name], learners=[s.name for s in students])
        # Course volumes and roles are set when a server starts.
        for user in [guru, *students]:
            user.start_server()
        trainer = Trainer(guru, course)
        trainer.upload_source(track, assignment)
        if release:
            trainer.generate(assignment)
            trainer.release(assignment)
        return trainer, [Student(user, course) for user in students]

    return make


def learners_with_secrets(new_learner, *prefixes: str) -> list[Learner]:
    """Learners whose servers run, each holding a `rahasia.txt` that is hers
    alone: the files the isolation and attack tests try to reach."""
    learners = [new_learner(prefix) for prefix in prefixes]
    for learner in learners:
        learner.start_server()
        learner.write_file("rahasia.txt", f"milik {learner.name}")
    return learners


@pytest.fixture(scope="session")
def new_learner(stack, admin):
    return learner_factory(stack, admin)


def learner_factory(stack, admin):
    """Factory: a learner who signed up, was approved by the admin and logged in."""

    def make(prefix: str = "pelajar") -> Learner:
        name = f"{prefix}{next(_counter)}"
        password = "Sandi-" + secrets.token_urlsafe(10)
        browser = Browser(stack.url)
        assert browser.signup(name, password).status == 200
        assert admin.approve(name).status == 200
        # Not following the login redirect: it would start the server, and
        # tests start servers themselves when they need one.
        result = browser.login(name, password, follow_redirects=False)
        assert result.status == 302, result.text
        learner = Learner(stack.url, name, browser.new_token(name))
        learner.password = password
        return learner

    return make
