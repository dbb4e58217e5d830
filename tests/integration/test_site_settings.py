"""Settings from the site's env file: a bad key stops the hub with that key in
its log; idle culling stops servers and keeps files. Each uses its own stack."""

from support.stack import start_stack
from support.hub_client import Browser, Learner, poll


def test_unknown_key_stops_the_hub_and_names_the_key(built_images, tmp_path_factory):
    stack = start_stack(tmp_path_factory, BALAIKODE_MEM_LIMT="2G", BALAIKODE_PIDS_LIMIT="lots")
    try:
        stack.compose("up", "-d", "--no-build")
        expected = ["BALAIKODE_MEM_LIMT: unknown setting (did you mean BALAIKODE_MEM_LIMIT?)",
                    "BALAIKODE_PIDS_LIMIT='lots': expected a whole number"]

        def refusal():
            text = stack.compose("logs", "hub", check=False).stdout
            return text if all(line in text for line in expected) else None

        logs = poll("the hub to refuse its settings, naming both keys", refusal, timeout=90)
        assert "refusing to start" in logs
        assert not stack.healthy()
        assert "Traceback" not in logs
    finally:
        stack.remove_everything()


def test_idle_servers_are_culled_and_files_stay(built_images, tmp_path_factory):
    stack = start_stack(tmp_path_factory, BALAIKODE_IDLE_TIMEOUT="20s", BALAIKODE_CULL_EVERY="5s")
    try:
        stack.up()
        admin = Browser(stack.url)
        assert admin.login("admin", stack.admin_password).status == 200
        browser = Browser(stack.url)
        assert browser.signup("lina", "nasi-uduk-77").status == 200
        assert admin.approve("lina").status == 200
        assert browser.login("lina", "nasi-uduk-77").status == 200
        lina = Learner(stack.url, "lina", browser.new_token("lina"))
        lina.start_server()
        lina.write_file("simpan.txt", "jangan hilang")

        poll("the idle culler to stop lina's server", lambda: not lina.server_model(), timeout=150)
        logs = stack.compose("logs", "hub", check=False).stdout
        assert "Culling server lina" in logs or "culling" in logs.lower()

        lina.start_server()
        assert lina.read_file("simpan.txt") == "jangan hilang"
    finally:
        stack.remove_everything()
