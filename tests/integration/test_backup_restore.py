"""Issue: operations. Back up a running Balai Kode, destroy it completely,
restore it onto a freshly started stack under the same project name, then
upgrade it: accounts, passwords, files (content, numeric owners, modes,
times), course folders, gradebooks and exchanges survive.

Runs on its own stack (not the shared session one): it deletes volumes. The
commands are run exactly as an admin types them (./balaikode backup|restore),
with COMPOSE_PROJECT_NAME selecting this stack.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
import sys
import tarfile
import time

import pytest

from support.course import Student, Trainer
from support.hub_client import Browser, Learner, poll
from support.stack import ARTIFACTS, REPO, TEST_STACK_SETTINGS, _STACKS, start_stack

COURSE = "kelas-ops"
TASK = "01-variabel"
HUB_IMAGE = "balaikode/hub:0.3.0"
# A name with a dot: DockerSpawner escapes it in the volume name (home-siti-2en).
LEARNERS = ("ani", "siti.n")
TRAINER = "guru"
FILES = {
    "ani": {"catatan.md": "# Catatan Ani\nbelajar Python\n",
            "proyek/skrip.py": "print('halo dari ani')\n"},
    "siti.n": {"tugas.py": "angka = [1, 2, 3]\nprint(sum(angka))\n"},
}


def balaikode(stack, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """./balaikode as an admin runs it, aimed at this test's stack."""
    started = time.monotonic()
    result = subprocess.run(["./balaikode", *args], cwd=REPO, capture_output=True, text=True,
                            env={**stack.env, "COMPOSE_PROJECT_NAME": stack.project},
                            timeout=timeout)
    print(f"$ ./balaikode {' '.join(args)}  -> exit {result.returncode} "
          f"after {time.monotonic() - started:.1f}s\n{result.stdout}{result.stderr}")
    return result


def project_volumes(stack) -> list[str]:
    p = stack.project
    return sorted(v.name for v in stack.docker.volumes.list()
                  if v.name.startswith((f"{p}_", f"{p}-")))


def remove_all(stack) -> None:
    """stack.remove_everything() plus the course and exchange volumes."""
    stack.remove_everything()
    for name in project_volumes(stack):
        stack.docker.volumes.get(name).remove(force=True)


SNAPSHOT = r"""
import hashlib, json, os, stat, sys
out = {}
for key in sorted(os.listdir('/volumes')):
    root = '/volumes/' + key
    for dirpath, dirnames, filenames in os.walk(root):
        names = [('', dirpath)] if dirpath == root else []
        names += [(n, os.path.join(dirpath, n)) for n in dirnames + filenames]
        for _, path in names:
            st = os.lstat(path)
            rel = os.path.relpath(path, '/volumes')
            entry = [stat.filemode(st.st_mode), st.st_uid, st.st_gid, st.st_mtime]
            if stat.S_ISREG(st.st_mode):
                entry.append(hashlib.sha256(open(path, 'rb').read()).hexdigest())
            elif stat.S_ISLNK(st.st_mode):
                entry.append(os.readlink(path))
            out['volumes/' + rel] = entry
json.dump(out, sys.stdout)
"""


def throwaway(volumes: dict[str, str], *command: str) -> str:
    """stdout of a command in a throwaway hub-image container (attached, not
    read back from the logs, which can lag behind a container that just ended)."""
    mounts = [arg for name, target in volumes.items() for arg in ("-v", f"{name}:{target}:ro")]
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", *mounts, HUB_IMAGE,
                             *command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def snapshot_volumes(stack, keys: list[str]) -> dict[str, list]:
    """Type, mode, owner, mtime and sha256 of everything in the given volumes,
    read in a throwaway container (independent of ops/voltool.py)."""
    volumes = {f"{stack.project}-{key}": f"/volumes/{key}" for key in keys}
    return json.loads(throwaway(volumes, "python3", "-c", SNAPSHOT))


def archive_snapshot(path, prefixes: tuple[str, ...]) -> dict[str, list]:
    """The same facts, read from the archive with Python's tarfile."""
    import stat as st
    out = {}
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.name.startswith(prefixes):
                continue
            kind = (st.S_IFDIR if member.isdir() else st.S_IFLNK if member.issym()
                    else st.S_IFIFO if member.isfifo() else st.S_IFREG)
            entry = [st.filemode(kind | member.mode), member.uid, member.gid, member.mtime]
            if member.isreg() or member.islnk():
                if member.islnk():
                    data = tar.extractfile(tar.getmember(member.linkname)).read()
                else:
                    data = tar.extractfile(member).read()
                entry.append(hashlib.sha256(data).hexdigest())
            elif member.issym():
                entry.append(member.linkname)
            out[member.name.rstrip("/")] = entry
    return out


def log_in(stack, name: str, password: str) -> Learner:
    """The login form, landing on the hub's home page (no server started yet)."""
    browser = Browser(stack.url)
    result = browser.submit("/hub/login", {"username": name, "password": password},
                            action="/hub/login?next=%2Fhub%2Fhome")
    assert result.status == 200, f"{name} cannot log in: {result.text[:500]}"
    learner = Learner(stack.url, name, browser.new_token(name))
    learner.password = password
    return learner


def sign_up(stack, admin: Browser, name: str) -> Learner:
    password = "Sandi-" + secrets.token_urlsafe(10)
    assert Browser(stack.url).signup(name, password).status == 200
    assert admin.approve(name).status == 200
    return log_in(stack, name, password)


def start_servers(*users: Learner) -> None:
    """Ask for all servers at once, then wait for each."""
    for user in users:
        response = user.hub("POST", f"/users/{user.name}/server")
        assert response.status_code in (201, 202, 400), response.text
    for user in users:
        user.start_server()


@pytest.fixture(scope="module")
def site(built_images, tmp_path_factory):
    stack = start_stack(tmp_path_factory, **TEST_STACK_SETTINGS)
    _STACKS.append(stack)  # compose logs are attached to failing tests
    try:
        stack.up()
        yield {"stack": stack, "dir": tmp_path_factory.mktemp("backups")}
    finally:
        _STACKS.remove(stack)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{stack.project}-compose.log").write_text(stack.logs())
        remove_all(stack)


def test_a_class_at_work_is_backed_up_while_running(site):
    stack = site["stack"]
    admin = Browser(stack.url)
    assert admin.login("admin", stack.admin_password).status == 200
    users = {name: sign_up(stack, admin, name) for name in (*LEARNERS, TRAINER)}
    stack.enrol(COURSE, trainers=[TRAINER], learners=LEARNERS)
    # Course volumes and roles are given when a server starts.
    start_servers(*users.values())
    trainer = Trainer(users[TRAINER], COURSE)
    trainer.upload_source("python-dasar", TASK)
    trainer.generate(TASK)
    trainer.release(TASK)
    for name in LEARNERS:
        assert Student(users[name], COURSE).act("fetch", TASK)["success"]
        for path, text in FILES[name].items():
            if "/" in path:
                users[name].server("PUT", f"/contents/{path.rsplit('/', 1)[0]}",
                                   json={"type": "directory"})
            users[name].write_file(path, text)
    site["passwords"] = {name: user.password for name, user in users.items()}
    site["settings"] = stack.env["COMPOSE_ENV_FILES"]

    archive = site["dir"] / "kelas.tar.gz"
    made = balaikode(stack, "backup", str(archive))  # servers and hub keep running
    assert made.returncode == 0, made.stderr
    assert f"Backup written: {archive} (" in made.stdout
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert stack.healthy() and stack.learner_container("ani").status == "running"

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("MANIFEST.json"))
    assert names[0] == "BALAIKODE-BACKUP.json" and names[-1] == "MANIFEST.json"
    assert manifest["project"] == stack.project and manifest["version"] == "0.3.0"
    keys = {v["key"] for v in manifest["volumes"]}
    # (The admin's home is there too if logging in started the admin's server.)
    assert keys - {"home-admin"} == {"hub-data", "proxy-secret", "grader-secret", "home-ani",
                                     "home-siti-2en", "home-guru", f"course-{COURSE}",
                                     f"exchange-{COURSE}"}
    assert {"volumes/hub-data/jupyterhub.sqlite",
            f"volumes/course-{COURSE}/gradebook.db"} <= set(manifest["sqlite_online_backup"])
    files = manifest["files"]
    assert files["volumes/home-ani/catatan.md"]["sha256"] == hashlib.sha256(
        FILES["ani"]["catatan.md"].encode()).hexdigest()
    assert files["settings/env"]["sha256"]
    # Numeric owners and special modes are recorded: learner UIDs, course GIDs,
    # the setgid inbound folder of the exchange.
    assert files["volumes/home-ani"]["uid"] >= 10000 and files["volumes/home-ani"]["mode"] == 0o700
    course_root = files[f"volumes/course-{COURSE}"]
    assert course_root["gid"] >= 20000 and course_root["mode"] & 0o070 == 0o070
    assert files[f"volumes/exchange-{COURSE}/inbound"]["mode"] & 0o7777 == 0o2770
    site["archive"] = archive


def test_restore_onto_a_fresh_stack_after_everything_was_deleted(site):
    stack, archive = site["stack"], site["archive"]
    remove_all(stack)
    assert project_volumes(stack) == []
    # A fresh install: same project name, new empty volumes, its own settings file.
    settings = site["settings"]
    with open(settings, "a") as handle:
        handle.write("# dipasang ulang\n")
    stack.up()

    restored = balaikode(stack, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "all match" in restored.stdout
    assert stack.healthy()
    # The backup's settings are back; the fresh install's are kept beside them.
    assert "# dipasang ulang" not in open(settings).read()
    assert "# dipasang ulang" in open(settings + ".before-restore").read()

    # Independently of the tool: what is in the volumes now is what the archive holds
    # (content, type, mode incl. setgid/sticky, numeric owner, mtime).
    keys = ["home-ani", "home-siti-2en", "home-guru", f"course-{COURSE}", f"exchange-{COURSE}"]
    expected = archive_snapshot(archive, tuple(f"volumes/{k}" for k in keys))
    found = snapshot_volumes(stack, keys)
    assert sorted(found) == sorted(expected)
    for name, (mode, uid, gid, mtime, *content) in expected.items():
        assert found[name][:3] == [mode, uid, gid] and found[name][4:] == content, name
        assert abs(found[name][3] - mtime) < 1e-5, name  # the float round trip, below 1 µs

    # Homes and the exchange came back as size-limited disks, not plain volumes.
    for key in keys:
        labels = stack.docker.volumes.get(f"{stack.project}-{key}").attrs.get("Labels") or {}
        kind = key.split("-")[0]
        assert labels.get("balaikode.disk") == (kind if kind in ("home", "exchange") else None), key

    # Once restored, a second restore refuses to overwrite and leaves the stack running.
    again = balaikode(stack, "restore", str(archive))
    assert again.returncode == 1
    assert "already holds data" in again.stderr and "--force" in again.stderr
    assert stack.healthy()


def check_class(stack, passwords, start=LEARNERS) -> dict[str, Learner]:
    """Everyone logs in with their password (a wrong one is refused); the
    learners' servers start and show their files and the fetched assignment."""
    users = {}
    for name, password in passwords.items():
        users[name] = log_in(stack, name, password)
        assert Browser(stack.url).login(name, password + "x").status == 403
    start_servers(*(users[name] for name in start))
    for name in LEARNERS:
        for path, text in FILES[name].items():
            assert users[name].read_file(path) == text
        # The fetched assignment is still in their home, and the release in the exchange.
        [listed] = [a for a in Student(users[name], COURSE).assignments()
                    if a["assignment_id"] == TASK]
        assert listed["status"] == "fetched"
    return users


def test_learners_log_in_with_old_passwords_and_find_their_work(site):
    stack = site["stack"]
    users = check_class(stack, site["passwords"], start=(*LEARNERS, TRAINER))
    # The course's gradebook: the trainer's formgrader lists the assignment...
    trainer = Trainer(users[TRAINER], COURSE)
    response = trainer.formgrader("GET", "/assignments")
    assert response.status_code == 200, response.text
    assert TASK in [a["name"] for a in response.json()]
    # ...from gradebook.db, intact.
    output = throwaway({f"{stack.project}-course-{COURSE}": "/c"}, "sqlite3", "-readonly",
                       "/c/gradebook.db", "PRAGMA integrity_check; SELECT name FROM assignment;")
    assert output.split() == ["ok", TASK]


def test_upgrade_keeps_accounts_and_files(site):
    """What docs/operations.md tells the admin to do: new images (the session
    built them), then `docker compose up -d` recreating every service."""
    stack = site["stack"]
    ani = log_in(stack, "ani", site["passwords"]["ani"])
    ani.start_server()
    ani.write_file("sebelum-upgrade.txt", "tetap ada\n")
    running = stack.learner_container("ani").id
    hub = stack.compose("ps", "-q", "hub").stdout.strip()
    stack.compose("up", "-d", "--no-build", "--force-recreate")
    assert stack.compose("ps", "-q", "hub").stdout.strip() != hub
    stack.wait_healthy()
    # Her running server was left alone; at its next start it uses the new image.
    poll("ani's server to be listed again", lambda: ani.server_model().get("ready"), 60)
    assert stack.learner_container("ani").id == running
    ani.stop_server()
    check_class(stack, site["passwords"])
    ani = log_in(stack, "ani", site["passwords"]["ani"])
    assert ani.read_file("sebelum-upgrade.txt") == "tetap ada\n"
    assert stack.learner_container("ani").attrs["Image"] == \
        stack.docker.images.get("balaikode/python:0.3.0").id


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-x", "-v"]))
