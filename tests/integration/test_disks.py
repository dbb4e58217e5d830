"""Each learner's home is a size-limited disk of its own (the disks service):
an ext4 image on a loop device, mounted by Docker as the home volume. It must
hold the learner's files across everything that drops the loop device (a
reboot) and grow when the admin raises the limit, without losing a file.
(Filling it is in tests/security/test_abuse.py, the exchange in test_faults.py.)"""

from __future__ import annotations

import json
import subprocess

from support.hub_client import poll

HOME_DISK_SIZE = 2 * 1024**3  # BALAIKODE_HOME_DISK_SIZE's default

STAT_HOME = """
import json, os
st = os.statvfs(os.path.expanduser("~"))
print(json.dumps({"size": st.f_blocks * st.f_frsize, "uid": os.stat(os.path.expanduser("~")).st_uid,
                  "me": os.getuid(), "entries": sorted(os.listdir(os.path.expanduser("~")))}))
"""


def home_facts(learner) -> dict:
    return json.loads(learner.run_code(STAT_HOME).strip().splitlines()[-1])


def disks(stack, *args: str):
    return stack.compose("exec", "-T", "disks", *args, check=False)


def home_volume(stack, learner):
    return stack.docker.volumes.get(f"{stack.project}-home-{learner.name}")


def test_a_new_home_is_an_empty_disk_of_the_configured_size(stack, new_learner):
    learner = new_learner("cakram")
    learner.start_server()
    volume = home_volume(stack, learner)
    assert volume.attrs["Labels"]["balaikode.disk"] == "home"
    assert volume.attrs["Options"]["type"] == "ext4"
    assert volume.attrs["Options"]["device"].startswith("/dev/loop")
    assert "nosuid" in volume.attrs["Options"]["o"] and "nodev" in volume.attrs["Options"]["o"]
    facts = home_facts(learner)
    # ext4 keeps a few percent for itself; nothing of mkfs shows (no lost+found).
    assert 0.9 * HOME_DISK_SIZE <= facts["size"] <= HOME_DISK_SIZE, facts
    assert facts["uid"] == facts["me"] >= 10000, facts
    assert "lost+found" not in facts["entries"], facts


def test_loop_devices_of_deleted_disks_are_released_when_the_service_starts(stack):
    """An admin who reinstalls runs `docker compose down -v`: the disk images
    go with the volume, their loop devices stayed attached (issue 18: 126 on
    one machine). The next start of any stack's disks service detaches them."""
    ghost = f"/srv/balaikode/disks/{stack.project}x-home-hantu.img"
    made = disks(stack, "sh", "-c", f"truncate -s 8M {ghost} && losetup --find --show {ghost} "
                                    f"&& rm {ghost}")
    assert made.returncode == 0, made.stderr
    device = made.stdout.strip()
    listed = disks(stack, "losetup", "--noheadings", "--output", "BACK-FILE", device).stdout
    assert "(deleted)" in listed, listed
    stack.compose("restart", "disks")
    stack.compose("up", "-d", "--wait", "--no-deps", "disks")
    after = disks(stack, "losetup", "--noheadings", "--output", "NAME,BACK-FILE", device)
    assert "hantu" not in after.stdout, after.stdout
    assert "detached" in stack.compose("logs", "--no-color", "disks").stdout


def test_files_survive_losing_the_loop_device_as_in_a_reboot(stack, new_learner):
    learner = new_learner("reboot")
    learner.start_server()
    learner.write_file("tugas.py", "print('tetap ada')\n")
    learner.stop_server()
    device = home_volume(stack, learner).attrs["Options"]["device"]

    # A reboot drops every loop device; the disks service re-attaches the
    # images when it starts (attach_all) ...
    assert disks(stack, "losetup", "--detach", device).returncode == 0
    stack.compose("restart", "disks")
    stack.compose("up", "-d", "--wait", "--no-deps", "disks")
    device = home_volume(stack, learner).attrs["Options"]["device"]
    attached = disks(stack, "losetup", "--noheadings", "--output", "BACK-FILE", device)
    assert f"{stack.project}-home-{learner.name}.img" in attached.stdout, attached

    # ... and before every start (ensure), e.g. when it was lost meanwhile.
    assert disks(stack, "losetup", "--detach", device).returncode == 0
    learner.start_server()
    assert learner.read_file("tugas.py") == "print('tetap ada')\n"
    assert learner.run_code("exec(open('tugas.py').read())") == "tetap ada\n"


def test_a_home_grows_when_the_limit_is_raised_and_keeps_its_files(stack, new_learner):
    learner = new_learner("tumbuh")
    learner.start_server()
    learner.write_file("catatan.md", "# minggu 1\n")
    before = home_facts(learner)["size"]
    learner.stop_server()

    # What a raised BALAIKODE_HOME_DISK_SIZE does at the next start, asked
    # for directly (the session stack keeps its settings).
    volume = f"{stack.project}-home-{learner.name}"
    grown = disks(stack, "python3", "-m", "balaikode.disks", "ensure", volume, "--min-size", "3G")
    assert grown.returncode == 0, grown.stdout + grown.stderr
    assert json.loads(grown.stdout)["size"] == 3 * 1024**3

    learner.start_server()
    after = home_facts(learner)["size"]
    assert after > before + 0.9 * 1024**3, (before, after)
    assert learner.read_file("catatan.md") == "# minggu 1\n"


def test_the_disks_service_refuses_volumes_that_are_not_homes_or_exchanges(stack):
    for name in (f"{stack.project}_hub-data", f"{stack.project}-course-x", "lain-home-ani",
                 f"{stack.project}-home-../../etc"):
        refused = disks(stack, "python3", "-m", "balaikode.disks", "ensure", name)
        assert refused.returncode == 1, (name, refused.stdout)
        assert "is not a home or exchange volume" in refused.stderr, (name, refused.stderr)


WRITABLE_OUTSIDE_HOME = r"""
import json, os, subprocess
home = os.path.expanduser("~")
# Folders this user may write to on the image's own filesystem (-xdev lists
# mount points but does not go into them) ...
found = subprocess.run(["find", "/", "-xdev", "-type", "d", "-writable"], capture_output=True,
                       text=True).stdout.split()
# ... and every mount point this user may write to.
mounts = {line.split()[4]: line.split(" - ")[1].split()[0] for line in open("/proc/self/mountinfo")}
found += [path for path in mounts if os.access(path, os.W_OK)]
writable = {}
for path in found:
    if path == home or path.startswith((home + "/", "/proc", "/sys", "/dev")):
        continue
    st = os.statvfs(path)
    writable[path] = {"fs": mounts.get(path, "the image's own"), "size": st.f_blocks * st.f_frsize}
print(json.dumps(writable))
"""


def test_outside_the_home_a_learner_writes_only_to_small_memory_folders(stack, new_learner):
    """The image's world-writable folders (/tmp, ...) would put files on the
    server's own disk, past the home's limit: they are small tmpfs mounts,
    charged to the learner's memory limit. (/dev/shm is Docker's own 64 MiB
    tmpfs.)"""
    learner = new_learner("tulis")
    learner.start_server()
    writable = json.loads(learner.run_code(WRITABLE_OUTSIDE_HOME).strip().splitlines()[-1])
    assert {"/tmp", "/var/tmp"} <= set(writable), writable
    for path, facts in writable.items():
        assert facts["fs"] == "tmpfs", (path, facts, writable)
        assert facts["size"] <= 512 * 1024**2, (path, facts)


def loops_of_project(stack) -> dict[str, str]:
    """{loop device: backing file} of this stack's disk images, from the host."""
    listed = subprocess.run(["losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE"],
                            capture_output=True, text=True, check=True).stdout
    return {device: back for device, back in (line.split(None, 1) for line in listed.splitlines())
            if f"/{stack.project}-home-" in back or f"/{stack.project}-exchange-" in back}


def test_deleting_learners_takes_their_disks_off_the_loop_devices(stack, admin, new_learner):
    """20 learners who used their homes, then deleted by the admin (REST API,
    as the admin page does): each home volume goes, its loop device is
    detached, its image waits in removed/ for a week; nobody else's disk moves."""
    keeper = new_learner("tetap")
    keeper.start_server()
    keeper.write_file("punyaku.txt", "jangan hilang\n")
    names = [f"hapus{i:02d}" for i in range(20)]
    assert admin.api("POST", "/users", json={"usernames": names}).status_code == 201
    for name in names:
        # What the hub asks before her first start.
        made = disks(stack, "python3", "-m", "balaikode.disks", "ensure", f"{stack.project}-home-{name}")
        assert made.returncode == 0, made.stderr
    before = loops_of_project(stack)
    assert sum(f"-home-{n}.img" in back for back in before.values() for n in names) == 20

    for name in names:
        assert admin.api("DELETE", f"/users/{name}").status_code == 204

    def all_released():
        now = loops_of_project(stack)
        return not any(f"-home-{n}.img" in back for back in now.values() for n in names)
    poll("the deleted learners' loop devices to be detached", all_released, 60)
    for name in names:
        assert not any(v.name == f"{stack.project}-home-{name}" for v in stack.docker.volumes.list())
    kept = disks(stack, "sh", "-c", "ls /srv/balaikode/disks /srv/balaikode/disks/removed")
    for name in names:
        assert f"{stack.project}-home-{name}.img\n" not in kept.stdout
        assert f"{stack.project}-home-{name}." in kept.stdout  # in removed/, with its date
    # The other learner's disk is untouched, and so are her files.
    assert any(f"-home-{keeper.name}.img" in back for back in loops_of_project(stack).values())
    assert keeper.read_file("punyaku.txt") == "jangan hilang\n"
