"""BALAIKODE_SWARM on a one-node swarm (docs/scaling.md): the stack as
`./balaikode swarm` leaves it, learners' servers as swarm services. The same
person-level promises as the container path: her server starts and keeps her
files, it is hardened the same way, the host and the Docker API stay out of
reach, and the course flow (release, fetch, submit, collect, sandboxed
autograde, feedback) works."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from support.attack import assert_contained, probe, tcp_reach
from support.course import answer
from support.hub_client import poll
from support.stack import admin_browser, course_factory, start_stack
from support.swarm import balaikode

COURSE = "kelas-kawanan"
TASK = "01-variabel"
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"


@pytest.fixture(scope="module")
def course(swarm_stack, swarm_learner):
    trainer, (ani,) = course_factory(swarm_stack, swarm_learner)(COURSE, TASK, learners=1)
    return trainer, ani


def service_of(stack, name: str):
    [service] = stack.docker.services.list(filters={"name": f"{stack.project}-learner-{name}"})
    return service


@pytest.fixture(scope="module")
def budi(swarm_learner):
    return swarm_learner("budi")


def test_a_learners_server_is_a_swarm_service_and_keeps_her_files(swarm_stack, budi):
    budi.start_server()
    service = service_of(swarm_stack, budi.name)
    assert service.attrs["Spec"]["Labels"]["balaikode.project"] == swarm_stack.project
    assert budi.run_code("print(6 * 7)").strip() == "42"
    budi.write_file("catatan.txt", "tetap ada")
    budi.stop_server()
    assert not swarm_stack.docker.services.list(filters={"name": service.name}), \
        "stopping her server removes its service"
    budi.start_server()
    assert budi.read_file("catatan.txt") == "tetap ada"


def test_the_admins_status_shows_her_service_like_a_container(swarm_stack, budi):
    """`./balaikode status` reads the task's container: her name, role,
    state and memory, as on one server (tests/integration/test_status.py)."""
    budi.start_server()  # still running from the test before; started if not
    result = balaikode(swarm_stack, "status")
    assert result.returncode == 0, result.stdout + result.stderr
    [row] = [line.split() for line in result.stdout.splitlines() if line.split()[:1] == [budi.name]]
    assert row[1] == "learner" and row[2] == "running" and row[4].endswith("MiB"), row




def test_her_service_is_hardened_like_her_container_and_the_host_is_out_of_reach(swarm_stack,
                                                                                 swarm_learner):
    """The service spec says the container's limits in its own terms
    (balaikode_hub/swarm.py); the learner network is an internal overlay,
    which has no gateway on the host at all."""
    eko = swarm_learner("eko")
    eko.start_server()
    container = swarm_stack.learner_container(eko.name)
    host = container.attrs["HostConfig"]
    assert host["Memory"] == 1024**3 and host["NanoCpus"] == 10**9
    assert host["PidsLimit"] == 256
    assert host["CapDrop"] == ["ALL"] and "SYS_ADMIN" not in (host["CapAdd"] or [])
    assert host["Init"] is True and host["Privileged"] is False
    mounts = {m["Destination"]: m for m in container.attrs["Mounts"]}
    assert mounts[f"/home/{eko.name}"]["Type"] == "volume"
    assert mounts["/tmp"]["Type"] == "tmpfs"
    assert not any("docker.sock" in (m.get("Source") or "") for m in mounts.values())
    # Swarm neither restarts nor moves it: the hub decides when it runs.
    assert service_of(swarm_stack, eko.name).attrs["Spec"]["TaskTemplate"]["RestartPolicy"]["Condition"] == "none"

    with socket.socket() as listener:  # a service of the host's own, on every address
        listener.bind(("0.0.0.0", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        gateways = {"172.17.0.1", "172.18.0.1"}
        # 2377 and 7946: the swarm's own control and gossip ports.
        targets = ([(g, p) for g in gateways for p in (22, 2375, 2377, 7946, 5432, port)]
                   + [("hub", 5432), ("proxy-api", 8001), ("1.1.1.1", 53)])
        reach = tcp_reach(eko, targets)
    assert_contained(eko, probe(eko))
    assert "OPEN" not in reach.values(), reach


def test_a_course_runs_from_release_to_feedback(swarm_stack, course):
    """Her server mounts no course volume (it could run on another machine):
    the Assignments tab lists, fetches and gets feedback through the grader."""
    trainer, ani = course
    container = swarm_stack.learner_container(ani.user.name)
    assert not [m for m in container.attrs["Mounts"] if "exchange" in (m.get("Name") or "")]
    assert "BALAIKODE_EXCHANGE=service" in container.attrs["Config"]["Env"]
    [listed] = ani.assignments()
    assert (listed["assignment_id"], listed["status"]) == (TASK, "released")
    assert ani.act("fetch", TASK)["success"]
    ani.save_notebook(TASK, answer(ani.read_notebook(TASK), {"jawab_total": CORRECT_TOTAL}))
    assert ani.act("submit", TASK)["success"]
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, ani.user.name)
    assert trainer.submissions(TASK)[ani.user.name]["score"] == 5.0
    trainer.generate_and_release_feedback(TASK)
    assert ani.act("fetch_feedback", TASK)["success"]
    assert "5.0" in ani.feedback_html(TASK)


def stop_every_server(admin) -> list[str]:
    """What an admin does on the admin page ("Stop All"), through the same API."""
    running = [u["name"] for u in admin.api("GET", "/users?state=active").json()]
    for name in running:
        assert admin.api("DELETE", f"/users/{name}/server").status_code in (202, 204)
    poll("every server to stop", lambda: not admin.api("GET", "/users?state=active").json(), timeout=120)
    return running


def test_the_admin_switches_back_to_containers_and_again_to_swarm_and_her_files_stay(swarm_stack, budi):
    """`./balaikode swarm --off`, then `./balaikode swarm` again (the
    session's swarm stack is left as it was found). Both refuse while
    servers run (they would lose unsaved work)."""
    refused = balaikode(swarm_stack, "swarm", "--off")
    assert refused.returncode != 0 and "learner servers are running: stop them first" in refused.stderr
    settings_file = Path(swarm_stack.env["COMPOSE_ENV_FILES"])
    assert "BALAIKODE_SWARM=true" in settings_file.read_text()
    admin = admin_browser(swarm_stack)
    assert budi.name in stop_every_server(admin)

    back = balaikode(swarm_stack, "swarm", "--off")
    assert back.returncode == 0, back.stdout + back.stderr
    settings = settings_file.read_text()
    assert "BALAIKODE_SWARM=false" in settings and "COMPOSE_FILE" not in settings
    swarm_stack.wait_healthy()
    budi.start_server()
    assert budi.read_file("catatan.txt") == "tetap ada"
    assert not swarm_stack.docker.services.list(filters={"label": f"balaikode.project={swarm_stack.project}"})
    assert swarm_stack.learner_container(budi.name).name == f"{swarm_stack.project}-learner-{budi.name}"

    assert "learner servers are running" in balaikode(swarm_stack, "swarm").stderr
    stop_every_server(admin)
    again = balaikode(swarm_stack, "swarm", "--advertise-addr", "127.0.0.1")
    assert again.returncode == 0, again.stdout + again.stderr
    swarm_stack.wait_healthy()
    budi.start_server()
    assert service_of(swarm_stack, budi.name)
    assert budi.read_file("catatan.txt") == "tetap ada"


def test_the_hub_refuses_to_start_in_swarm_mode_on_bridge_networks(built_images, swarm_stack,
                                                                  tmp_path_factory):
    """The setting without docker-compose.swarm.yml (a half-done switch by
    hand) stops the hub with the fix, instead of failing every start."""
    stack = start_stack(tmp_path_factory, BALAIKODE_SWARM="true")
    try:
        stack.compose("up", "-d", "--no-build", "hub")

        def refusal():
            text = stack.compose("logs", "hub", check=False).stdout
            return text if "BALAIKODE_SWARM: the learner network" in text else None

        logs = poll("the hub to refuse bridge networks", refusal, timeout=90)
        assert "./balaikode swarm" in logs and "Traceback" not in logs
        assert not stack.healthy()
    finally:
        stack.remove_everything()
