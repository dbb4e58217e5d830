"""docs/upgrading.md, done: a class at work on the previous release (0.2.0:
Debian 12, Python 3.11) is upgraded in place to this one (Debian 13, Python
3.13), the way the admin does it: `./balaikode backup` with the old program,
then the new program's `./balaikode up` on the same volumes. Accounts,
passwords, learners' files, a graded submission and the hub database survive;
the learners' kernels run the new Python.

The previous release's images are built from its commit (`git archive`)
under the tag 0.2.0-uji, so that they never replace the 0.2.0 images other
work on this machine may use; the tag is kept, and a rerun builds from the
cache in seconds. Runs on its own stack: it replaces the hub under it.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import time

import pytest

from support.course import Student, Trainer, answer
from support.hub_client import Browser, Learner
from support.stack import ARTIFACTS, REPO, TEST_STACK_SETTINGS, _STACKS, Stack, start_stack

# The last commit of release 0.2.0 (main before the Debian 13 upgrade).
PREVIOUS_COMMIT = "fce323b381aff5560c938dc47f515ee1c51b96aa"
PREVIOUS_TAG = "0.2.0-uji"
NEW_TAG = "0.3.0"
COURSE = "kelas-naik"
TASK = "01-variabel"
CORRECT = {"jawab_total": "def hitung_total(harga, jumlah):\n    return harga * jumlah\n",
           "jawab_rupiah": "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"}
NOTE = "# Catatan Ani\nsebelum naik versi\n"
# A venv a learner made in her home points at the Python that made it
# (/usr/bin/python3.11), which 0.3.0's image no longer has (docs/upgrading.md).
OWN_VENV = "import os, sys; print(sys.version_info[:2], os.path.exists(os.path.expanduser('~/proyek/bin/python')))"
MAKE_VENV = ("import os, subprocess, sys\n"
             "subprocess.run([sys.executable, '-m', 'venv', '--clear', '--without-pip', "
             "os.path.expanduser('~/proyek')], check=True)")


def timed(args, cwd, env=None, timeout=1800) -> subprocess.CompletedProcess:
    started = time.monotonic()
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(map(str, args))}  -> exit {result.returncode} after "
          f"{time.monotonic() - started:.0f}s\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


@pytest.fixture(scope="module")
def previous_release(built_images, debian_image, tmp_path_factory):
    """The previous release's program folder, its images built as 0.2.0-uji."""
    folder = tmp_path_factory.mktemp("previous") / "balaikode"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", PREVIOUS_COMMIT],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="tar")
    for name in ("docker-compose.yml", "images/python/Dockerfile", "images/webdev/Dockerfile"):
        path = folder / name
        path.write_text(path.read_text().replace(":0.2.0", f":{PREVIOUS_TAG}"))
    for pem in (REPO / "images" / "extra-ca").glob("*.pem"):
        shutil.copy(pem, folder / "images" / "extra-ca")
    debian_image("bookworm")  # the previous release's base
    built = timed([str(folder / "balaikode"), "build"], cwd=folder)
    assert built.returncode == 0, "building the previous release failed (output above)"
    return folder


@pytest.fixture(scope="module")
def site(previous_release, tmp_path_factory):
    old = start_stack(tmp_path_factory, **TEST_STACK_SETTINGS)
    old.root = previous_release
    _STACKS.append(old)
    new = Stack(old.project, old.port, old.admin_password, old.env, old.docker)
    try:
        old.up()
        yield {"old": old, "new": new, "backups": tmp_path_factory.mktemp("backups")}
    finally:
        _STACKS.remove(old)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{old.project}-compose.log").write_text(new.logs())
        # The new program's compose file names the same services and volumes.
        new.remove_everything()
        for volume in old.docker.volumes.list(filters={"name": old.project}):
            if volume.name.startswith((f"{old.project}_", f"{old.project}-")):
                volume.remove(force=True)


def balaikode(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    """./balaikode from the stack's own program folder, aimed at its project."""
    return timed([str(stack.root / "balaikode"), *args], cwd=stack.root,
                 env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project})


def signed_in(stack: Stack, name: str, password: str) -> Learner:
    browser = Browser(stack.url)
    result = browser.login(name, password, follow_redirects=False)
    assert result.status == 302, f"{name} cannot sign in: {result.text[:300]}"
    learner = Learner(stack.url, name, browser.new_token(name))
    learner.password = password
    return learner


def admin_of(stack: Stack) -> Browser:
    admin = Browser(stack.url)
    assert admin.login("admin", stack.admin_password, follow_redirects=False).status == 302
    return admin


def hub_db(stack: Stack, sql: str) -> str:
    """A query on the hub's SQLite file, read-only, in a throwaway container."""
    result = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{stack.project}_hub-data:/d:ro",
         f"balaikode/hub:{NEW_TAG}", "sh", "-c", f'sqlite3 -readonly /d/jupyterhub.sqlite "{sql}"; ls /d'],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_class_works_and_is_graded_on_the_previous_release(site):
    old = site["old"]
    running = old.compose("ps", "--format", "{{.Image}}").stdout.split()
    assert f"balaikode/hub:{PREVIOUS_TAG}" in running, running
    admin = admin_of(old)
    users = {}
    for name in ("ani", "guru"):
        password = f"Sandi-{name}-naik-versi"
        assert Browser(old.url).signup(name, password).status == 200
        assert admin.approve(name).status == 200
        users[name] = signed_in(old, name, password)
    made = old.admin_cli("course", COURSE, "--trainers", "guru", "--learners", "ani")
    assert made.returncode == 0, made.stdout + made.stderr
    for user in users.values():
        user.start_server()
    trainer, ani = Trainer(users["guru"], COURSE), Student(users["ani"], COURSE)
    trainer.upload_source("python-dasar", TASK)
    trainer.generate(TASK)
    trainer.release(TASK)
    assert ani.act("fetch", TASK)["success"]
    ani.save_notebook(TASK, answer(ani.read_notebook(TASK), CORRECT))
    assert ani.act("submit", TASK)["success"]
    users["ani"].write_file("catatan.md", NOTE)
    users["ani"].run_code(MAKE_VENV)
    assert users["ani"].run_code(OWN_VENV).strip() == "(3, 11) True"
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, "ani")
    assert trainer.submissions(TASK)["ani"]["score"] == 10.0
    site["passwords"] = {name: user.password for name, user in users.items()}
    site["hub_users"] = sorted(u["name"] for u in admin.api("GET", "/users").json())
    site["schema"] = hub_db(old, "SELECT version_num FROM alembic_version").split()[0]


def test_the_admin_backs_up_with_the_old_program_and_upgrades_in_place(site):
    old, new = site["old"], site["new"]
    archive = site["backups"] / "sebelum-naik.tar.gz"
    made = balaikode(old, "backup", str(archive))
    assert made.returncode == 0 and archive.stat().st_size > 0
    # The new program, on the same project, settings and volumes.
    upgraded = balaikode(new, "up")
    assert upgraded.returncode == 0
    new.wait_healthy(timeout=300)
    running = new.compose("ps", "--format", "{{.Image}}").stdout.split()
    assert f"balaikode/hub:{NEW_TAG}" in running and f"balaikode/hub:{PREVIOUS_TAG}" not in running
    # Same JupyterHub (6.1.1) on both sides: its database needs no migration.
    facts = hub_db(new, "SELECT version_num FROM alembic_version").split()
    assert facts[0] == site["schema"], "the hub database schema changed"


def test_after_the_upgrade_everyone_signs_in_and_finds_work_and_grades(site):
    new = site["new"]
    admin = admin_of(new)
    assert sorted(u["name"] for u in admin.api("GET", "/users").json()) == site["hub_users"]
    users = {name: signed_in(new, name, password) for name, password in site["passwords"].items()}
    assert Browser(new.url).login("ani", site["passwords"]["ani"] + "x").status == 403
    for user in users.values():
        # Servers from before the upgrade keep their old image until they stop.
        user.stop_server()
        user.start_server()
        image = new.learner_container(user.name).attrs["Image"]
        assert image == new.docker.images.get(f"balaikode/python:{NEW_TAG}").id, user.name
    assert users["ani"].read_file("catatan.md") == NOTE
    # Kernels run Python 3.13; her 3.11 venv is dangling until she remakes it.
    assert users["ani"].run_code(OWN_VENV).strip() == "(3, 13) False"
    users["ani"].run_code(MAKE_VENV)
    assert users["ani"].run_code(OWN_VENV).strip() == "(3, 13) True"
    ani = Student(users["ani"], COURSE)
    assert "submitted" in {a["status"] for a in ani.assignments() if a["assignment_id"] == TASK}
    trainer = Trainer(users["guru"], COURSE)
    assert trainer.submissions(TASK)["ani"]["score"] == 10.0
    # Sign-up and approval work on the new JupyterHub too.
    assert Browser(new.url).signup("budi", "Sandi-budi-baru-1").status == 200
    assert admin.approve("budi").status == 200
    signed_in(new, "budi", "Sandi-budi-baru-1")
