"""Nothing is lost: hub restart keeps servers running; files survive server
restarts and `docker compose down` + `up`."""

from support.hub_client import poll


def test_hub_restart_keeps_the_server_running_and_reachable(stack, new_learner):
    learner = new_learner("tetap")
    learner.start_server()
    learner.write_file("tugas.py", "print('halo kampung')\n")
    container_id = stack.learner_container(learner.name).id

    stack.compose("restart", "hub")
    stack.wait_healthy()

    assert stack.learner_container(learner.name).id == container_id
    poll("the server to be listed as ready again", lambda: learner.server_model().get("ready"), 60)
    assert learner.read_file("tugas.py") == "print('halo kampung')\n"
    assert learner.run_code("exec(open('tugas.py').read())") == "halo kampung\n"


def test_files_survive_compose_down_and_up(stack, new_learner):
    learner = new_learner("awet")
    learner.start_server()
    learner.write_file("catatan.md", "# Catatan\n")
    learner.stop_server()

    stack.compose("down")
    stack.up()

    learner.start_server()
    assert learner.read_file("catatan.md") == "# Catatan\n"
