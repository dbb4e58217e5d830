"""A village server without internet (issue 15): `./balaikode bundle` makes
one archive here, and `./balaikode install --from` installs and starts it in
a network namespace with no route anywhere; then the foundation checks run
against what it started: the admin logs in with the password the install
printed, a learner signs up, is approved, starts her server and runs code.

The Docker Engine packages of the bundle are installed in a Debian 12
container with no network (this host has Docker already)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tarfile
from pathlib import Path

import docker
import pytest

from support.hub_client import Browser, Learner
from support.stack import Stack, free_port

REPO = Path(__file__).resolve().parents[2]


def run(args, cwd, env=None, timeout=900):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def bundle(built_images, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    made = run([str(REPO / "balaikode"), "bundle", str(folder / "b.tar")], cwd=REPO)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    assert "Bundle: " in made.stdout
    return folder / "b.tar"


@pytest.fixture(scope="module")
def unpacked(bundle, tmp_path_factory):
    """The bundle as an admin unpacks it from a USB stick."""
    where = tmp_path_factory.mktemp("usb")
    with tarfile.open(bundle) as archive:
        archive.extractall(where, filter="tar")
    (tree,) = where.iterdir()
    return tree


def manifest(tree: Path) -> dict[str, str]:
    lines = (tree / "bundle" / "MANIFEST").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_the_bundle_holds_every_image_the_stack_runs(unpacked):
    images = run(["docker", "compose", "config", "--images"], cwd=REPO).stdout.split()
    assert set(manifest(unpacked)["images"].split()) == {i for i in images if i.startswith("balaikode/")}
    with tarfile.open(unpacked / "bundle" / "images.tar.gz") as saved:
        names = saved.getnames()
    assert "manifest.json" in names


def test_docker_engine_installs_from_the_bundle_on_a_debian_12_without_network(unpacked, debian_image):
    debs = f"bundle/{manifest(unpacked)['docker_engine_for']}"
    script = (f". /b/ops/host.sh && apt_install_offline /b/{debs} docker.io iptables > /tmp/apt.log 2>&1 "
              "|| { tail -n 30 /tmp/apt.log; exit 1; }; dockerd --version && iptables --version")
    result = run(["docker", "run", "--rm", "--network", "none", "-v", f"{unpacked}:/b:ro",
                  debian_image("bookworm"), "bash", "-c", script], cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Docker version" in result.stdout


def copy_without_images(tree: Path, where: Path) -> Path:
    """A copy of the unpacked bundle sharing the big image archive by hard link."""
    copy = where / tree.name
    shutil.copytree(tree, copy, copy_function=os.link)
    return copy


def test_a_damaged_bundle_is_refused_before_anything_changes(unpacked, tmp_path):
    copy = copy_without_images(unpacked, tmp_path)
    target = copy / "docker-compose.yml"
    text = target.read_text()
    target.unlink()  # a new file: the original is hard-linked
    target.write_text(text.replace("pull_policy: never", "pull_policy: always", 1))
    project = "bkoff" + secrets.token_hex(3)
    result = run(["./balaikode", "install", "--from", "."], cwd=copy,
                 env={**os.environ, "COMPOSE_PROJECT_NAME": project})
    assert result.returncode != 0
    assert "damaged" in result.stderr and "docker-compose.yml" in result.stderr, result.stderr
    assert not docker.from_env().containers.list(all=True, filters={"label": f"com.docker.compose.project={project}"})
    assert not (copy / ".env").exists()


def test_a_bundle_for_another_architecture_says_so(unpacked, tmp_path):
    copy = copy_without_images(unpacked, tmp_path)
    manifest_file = copy / "bundle" / "MANIFEST"
    text = manifest_file.read_text()
    manifest_file.unlink()
    manifest_file.write_text(re.sub(r"^architecture=.*$", "architecture=riscv64", text, flags=re.M))
    sums = copy / "SHA256SUMS"
    fixed = run(["sh", "-c", "find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum"],
                cwd=copy).stdout
    sums.unlink()
    sums.write_text(fixed)
    result = run(["./balaikode", "install", "--from", "."], cwd=copy)
    assert result.returncode != 0
    assert "this bundle is for riscv64 servers" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def offline_install(unpacked):
    """`./balaikode install --from .` run in a network namespace with no
    route at all (only a loopback that is down): Docker is reached over its
    Unix socket, everything else must come from the bundle."""
    project = "bkoff" + secrets.token_hex(4)
    port = free_port()
    env = {**os.environ, "COMPOSE_PROJECT_NAME": project, "BALAIKODE_PORT": str(port),
           "BALAIKODE_BIND_ADDRESS": "127.0.0.1"}
    env.pop("BALAIKODE_ADMIN_PASSWORD", None)
    stack = Stack(project, port, "", {**env, "COMPOSE_ENV_FILES": str(unpacked / ".env")}, docker.from_env())
    try:
        result = run(["unshare", "--net", "./balaikode", "install", "--from", "."], cwd=unpacked, env=env)
        yield stack, result
    finally:
        stack.remove_everything()
        # The made-up releases' images (release_from); the release's own
        # images stay, as the bundle loaded them.
        client = docker.from_env()
        for image in client.images.list(name="balaikode/*"):
            for tag in image.tags:
                if ":0.0.0-" in tag:
                    try:
                        client.images.remove(tag)
                    except docker.errors.APIError:
                        pass  # the same image also runs another stack's servers: the tag goes with it


def test_the_namespace_really_has_no_network(unpacked):
    probe = run(["unshare", "--net", "python3", "-c",
                 "import socket; socket.create_connection(('151.101.2.132', 80), timeout=5)"], cwd=unpacked)
    assert probe.returncode != 0 and "unreachable" in probe.stderr.lower(), probe.stderr


def test_install_from_the_bundle_starts_everything_without_network(offline_install):
    stack, result = offline_install
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    # Quiet: no pull attempt, no Bake warning, one line per step.
    for noise in ("registry-1.docker.io", "buildx", "pull access denied", "level=warning"):
        assert noise not in output, output
    assert [int(n) for n in re.findall(r"\[(\d)/6\]", output)] == [1, 2, 3, 4, 5, 6], output
    assert f"is running: http://127.0.0.1:{stack.port}/" in output
    assert "Kata sandi admin pertama / first admin password" in output


def first_admin(stack: Stack, install) -> Browser:
    """The admin, logged in with the password the install printed."""
    password = re.search(r"first admin password.*\n\s+(\S+)", install.stdout).group(1)
    admin = Browser(stack.url)
    assert admin.login("admin", password, follow_redirects=False).status == 302
    return admin


def approved_learner(stack: Stack, admin: Browser, prefix: str) -> tuple[Learner, str]:
    """Signed up through the form, approved, logged in: (learner, password)."""
    name, secret = prefix + secrets.token_hex(2), "Sandi-" + secrets.token_urlsafe(10)
    browser = Browser(stack.url)
    assert browser.signup(name, secret).status == 200
    assert admin.approve(name).status == 200
    assert browser.login(name, secret, follow_redirects=False).status == 302
    return Learner(stack.url, name, browser.new_token(name)), secret


def test_the_offline_server_works_for_the_admin_and_a_learner(offline_install):
    stack, result = offline_install
    stack.wait_healthy()
    learner, _ = approved_learner(stack, first_admin(stack, result), "desa")
    learner.start_server()
    assert learner.run_code("print(6 * 7)") == "42\n"


# --- upgrade --from: to a newer bundle, and back when the new hub fails ---

def release_from(tree: Path, where: Path, version: str, *, break_hub: bool = False) -> Path:
    """A bundle folder of release `version`: this release's program and images
    under the new tag (saved and untagged again, so that the upgrade really
    loads them). break_hub: its hub exits at once, like a bad release."""
    copy = copy_without_images(tree, where)
    old = manifest(tree)["version"]
    compose = copy / "docker-compose.yml"
    text = compose.read_text().replace(f":{old}", f":{version}")
    if break_hub:
        text = text.replace("  hub:\n", "  hub:\n    command: [\"sh\", \"-c\", \"echo a broken release; exit 3\"]\n", 1)
    compose.unlink()
    compose.write_text(text)
    images = [i.replace(f":{old}", f":{version}") for i in manifest(tree)["images"].split()]
    for image in images:
        assert run(["docker", "tag", image.replace(f":{version}", f":{old}"), image], cwd=REPO).returncode == 0
    saved = copy / "bundle" / "images.tar.gz"
    saved.unlink()
    made = run(["sh", "-c", f"docker save {' '.join(images)} | gzip -1 > {saved}"], cwd=REPO)
    assert made.returncode == 0, made.stderr
    run(["docker", "rmi", *images], cwd=REPO)
    text = (copy / "bundle" / "MANIFEST").read_text()
    (copy / "bundle" / "MANIFEST").unlink()
    (copy / "bundle" / "MANIFEST").write_text(re.sub(r"^version=.*$", f"version={version}", text, flags=re.M)
                                              .replace(f":{old}", f":{version}"))
    sums = run(["sh", "-c", "find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum"], cwd=copy)
    (copy / "SHA256SUMS").unlink()
    (copy / "SHA256SUMS").write_text(sums.stdout)
    return copy


def running_hub_image(stack: Stack) -> str:
    hub = stack.compose("ps", "-q", "hub").stdout.strip()
    return docker.from_env().containers.get(hub).attrs["Config"]["Image"]


@pytest.fixture(scope="module")
def learner_with_work(offline_install, unpacked):
    """Before the upgrade: a learner's file, and a course she teaches with a
    file in its folder (where nbgrader keeps the gradebook)."""
    stack, result = offline_install
    learner, secret = approved_learner(stack, first_admin(stack, result), "guru")
    name = learner.name
    stack.enrol("kelas-desa", trainers=[name])
    learner.start_server()
    learner.write_file("karya.txt", "buatan sendiri\n")
    learner.run_code("open('/srv/nbgrader/courses/kelas-desa/nilai.txt', 'w').write('A')")
    return name, secret


def kept_after_upgrade(stack: Stack, name: str, secret: str) -> None:
    browser = Browser(stack.url)
    assert browser.login(name, secret, follow_redirects=False).status == 302
    learner = Learner(stack.url, name, browser.new_token(name))
    learner.start_server()
    assert learner.read_file("karya.txt") == "buatan sendiri\n"
    assert learner.run_code("print(open('/srv/nbgrader/courses/kelas-desa/nilai.txt').read())") == "A\n"


def test_upgrade_from_a_newer_bundle_keeps_work_and_grades(offline_install, unpacked, learner_with_work,
                                                           tmp_path_factory):
    stack, _ = offline_install
    newer = release_from(unpacked, tmp_path_factory.mktemp("newer"), "0.0.0-next")
    result = run(["unshare", "--net", "./balaikode", "upgrade", "--from", str(newer)], cwd=unpacked,
                 env={k: v for k, v in stack.env.items() if k != "COMPOSE_ENV_FILES"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert [int(n) for n in re.findall(r"\[(\d)/6\]", output)] == [1, 2, 3, 4, 5, 6], output
    assert running_hub_image(stack) == "balaikode/hub:0.0.0-next"
    assert list((unpacked / "backups").glob("before-upgrade-*-to-0.0.0-next-*.tar.gz"))
    assert (unpacked / ".env").exists()
    kept_after_upgrade(stack, *learner_with_work)


def test_a_release_whose_hub_fails_is_undone(offline_install, unpacked, learner_with_work, tmp_path_factory):
    stack, _ = offline_install
    before = running_hub_image(stack)
    broken = release_from(unpacked, tmp_path_factory.mktemp("broken"), "0.0.0-broken", break_hub=True)
    env = {k: v for k, v in stack.env.items() if k != "COMPOSE_ENV_FILES"}
    result = run(["unshare", "--net", "./balaikode", "upgrade", "--from", str(broken)], cwd=unpacked,
                 env={**env, "BALAIKODE_UPGRADE_WAIT": "30"})
    assert result.returncode != 0
    assert "failed and was undone" in result.stderr, result.stdout[-3000:] + result.stderr[-3000:]
    assert "a broken release" in result.stderr  # the new hub's log, shown
    assert running_hub_image(stack) == before
    stack.wait_healthy()
    kept_after_upgrade(stack, *learner_with_work)
