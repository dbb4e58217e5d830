"""Learners spread over several machines (docs/scaling.md, issue 16), on a
real multi-node swarm on one machine: this engine is the main server (the
swarm manager, with the hub), and two Docker-in-Docker machines join it
with `./balaikode join` as an admin types it. The learners' servers run on
all three; the course flows across them; a machine that goes away keeps her
saved work, and she is told where it is until it is back."""

from __future__ import annotations

import json
import subprocess

import pytest

from support.attack import assert_contained, probe, tcp_reach
from support.course import Student, Trainer
from support.hub_client import poll, signed_in
from support.nodes import build_node_image, swarm_address, worker_nodes
from support.stack import REPO
from support.swarm import balaikode

COURSE = "kelas-desa"
TASK = "01-variabel"
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"


def release_images() -> list[str]:
    """What another machine needs, as `./balaikode join` checks it: every
    image of docker-compose.yml but the build-only base."""
    listed = subprocess.run(["docker", "compose", "-f", "docker-compose.yml", "config", "--images"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return sorted({image for image in listed if not image.startswith("balaikode/base:")})


@pytest.fixture(scope="module")
def machines(swarm_stack, swarm_engine, debian_image):
    """Two more machines, joined with the line `./balaikode swarm
    --join-command` prints on the main server."""
    printed = balaikode(swarm_stack, "swarm", "--join-command")
    assert printed.returncode == 0, printed.stdout + printed.stderr
    join = printed.stdout.strip().splitlines()[-1].replace("sudo ", "", 1)
    assert f"--manager {swarm_address(swarm_engine)}:2377" in join, join
    build_node_image(debian_image("bookworm"))
    with worker_nodes(swarm_engine, 2, release_images(), REPO) as nodes:
        for node in nodes:
            # A copy of the release on that machine, as an admin puts it there.
            joined = node.sh("mkdir -p /srv/balaikode && tar -C /srv/balaikode-repo --exclude=./.git "
                             "--exclude=./.venv-test --exclude=./tests --exclude=./bench/results "
                             "--exclude=./.env -cf - . | tar -C /srv/balaikode -xf - "
                             f"&& cd /srv/balaikode && {join}", timeout=600)
            assert joined.returncode == 0, joined.stdout + joined.stderr
        yield nodes
        for node in nodes:
            # Their loop devices are this test host's: detached before the
            # machine goes (its learners' servers are stopped by then).
            released = node.sh("cd /srv/balaikode && docker compose exec -T disks "
                               "python3 -m balaikode.disks release")
            if released.returncode != 0:
                # What the machine's services said: the clue when one did not come back.
                said = node.sh("cd /srv/balaikode && docker compose ps -a && docker compose logs --tail 80 disks")
                raise AssertionError(f"{node.name}: {released.stdout}{released.stderr}\n{said.stdout}{said.stderr}")


def task_machine(stack, user) -> str:
    """The hostname of the machine her server's task runs on."""
    [service] = stack.docker.services.list(filters={"name": f"{stack.project}-learner-{user.name}"})
    [task] = [t for t in service.tasks() if t["DesiredState"] == "running"]
    return stack.docker.nodes.get(task["NodeID"]).attrs["Description"]["Hostname"]


@pytest.fixture(scope="module")
def spread(swarm_stack, swarm_learner, machines):
    """A trainer and three new learners: the trainer on the main server, the
    learners one per machine (the fewest homes first)."""
    guru = swarm_learner("guru")
    learners = [swarm_learner("desa") for _ in range(3)]
    swarm_stack.enrol(COURSE, trainers=[guru.name], learners=[u.name for u in learners])
    for user in [guru, *learners]:
        user.start_server()
    trainer = Trainer(guru, COURSE)
    trainer.upload_source("python-dasar", TASK)
    trainer.generate(TASK)
    trainer.release(TASK)
    yield trainer, [Student(u, COURSE) for u in learners]
    for user in [guru, *learners]:
        user.stop_server()


def test_new_learners_are_spread_over_the_machines_and_trainers_stay_on_the_main_server(
        swarm_stack, machines, spread):
    trainer, students = spread
    main = swarm_stack.docker.info()["Name"]
    assert task_machine(swarm_stack, trainer.user) == main
    placed = sorted(task_machine(swarm_stack, s.user) for s in students)
    assert placed == sorted([main, *(node.name for node in machines)]), placed


def test_a_learner_on_another_machine_is_contained_there(swarm_stack, machines, spread):
    """Her home is a size-limited disk of that machine; she is the same
    unprivileged user; neither that machine's nor the main server's Docker
    API and services, nor the machines' disks services, nor the hub's
    database are in reach."""
    _, students = spread
    node = machines[0]
    [ani] = [s.user for s in students if task_machine(swarm_stack, s.user) == node.name]
    assert_contained(ani, probe(ani))
    mounts = json.loads(node.docker("volume", "inspect", f"{swarm_stack.project}-home-{ani.name}").stdout)
    assert mounts[0]["Options"]["type"] == "ext4", mounts
    machines_ports = (22, 2375, 2376, 2377, 7000, 7946)
    main_server = swarm_address(swarm_stack.docker)
    targets = [(address, port) for address in (node.address, main_server) for port in machines_ports] + [
        (f"disks-{node.name}", 7000), ("hub", 5432), ("proxy-api", 8001)]
    reach = tcp_reach(ani, targets)
    assert "OPEN" not in reach.values(), reach


def test_the_course_flows_between_machines(spread):
    trainer, students = spread
    for student in students:
        student.hand_in(TASK, {"jawab_total": CORRECT_TOTAL})
    trainer.collect(TASK)
    for student in students:
        trainer.autograde_ok(TASK, student.user.name)
        assert trainer.submissions(TASK)[student.user.name]["score"] == 5.0
    trainer.generate_and_release_feedback(TASK)
    for student in students:
        assert student.act("fetch_feedback", TASK)["success"]
        assert "5.0" in student.feedback_html(TASK)


def start_refusal(user) -> str:
    """Press start as she does; the text of her start page once the hub has
    given up (JupyterHub's page for a start that failed)."""
    browser = signed_in(user)
    response = user.hub("POST", f"/users/{user.name}/server")
    assert response.status_code in (201, 202), response.text

    def failed_page() -> str:
        page = browser.get(f"/hub/spawn-pending/{user.name}")
        return page.text if "<h1>Ruang kerja gagal dimulai</h1>" in page.text else ""
    return poll(f"{user.name}'s start page to say why it failed", failed_page, 120)


@pytest.mark.machine_away
def test_a_machine_that_goes_away_keeps_her_saved_work_and_she_is_told_where_it_is(
        swarm_stack, machines, spread):
    _, students = spread
    node = machines[1]
    [eko] = [s.user for s in students if task_machine(swarm_stack, s.user) == node.name]
    eko.write_file("tersimpan.txt", "masih ada")
    node.stop()
    poll(f"{node.name} to be down", lambda: swarm_stack.docker.nodes.get(node.node_id)
         .attrs["Status"]["State"] == "down", 120)
    # The hub notices at its next check of her server (or when her page
    # finds it gone) and counts it stopped.
    poll(f"{eko.name}'s server to count as stopped", lambda: not eko.server_model(), 180)
    message = start_refusal(eko)
    assert node.name in message and "tidak tersambung" in message, message
    node.start()
    poll(f"{node.name} to be back", lambda: swarm_stack.docker.nodes.get(node.node_id)
         .attrs["Status"]["State"] == "ready", 180)
    eko.start_server(timeout=300)
    assert task_machine(swarm_stack, eko) == node.name
    assert eko.read_file("tersimpan.txt") == "masih ada"


def test_a_machine_refuses_a_request_not_signed_with_the_secret(swarm_stack, machines):
    """The nodes network carries requests to each machine's disks service;
    one not signed with the shared secret for its connection's challenge
    changes nothing there."""
    node = machines[0]
    asked = node.sh(
        "docker run --rm --network " + f"{swarm_stack.project}_nodes "
        "balaikode/hub:0.3.0 python3 -c \"import json, socket; "
        f"s = socket.create_connection(('disks-{node.name}', 7000), timeout=10); f = s.makefile(); "
        "print(f.readline().strip()); "
        "s.sendall(json.dumps({'op': 'remove_volume', 'proof': '0' * 64, 'volume': "
        f"'{swarm_stack.project}-home-x'}}).encode() + b'\\\\n'); print(f.readline())\"")
    challenge, reply = asked.stdout.splitlines()[:2]
    assert len(challenge) == 32 and int(challenge, 16) >= 0, asked.stdout
    assert "wrong or missing secret" in reply, asked.stdout + asked.stderr
