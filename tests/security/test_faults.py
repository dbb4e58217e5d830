"""Issue: safety battery — faults. Things break; nobody loses work.

- A learner's container dies (docker kill) while the hub is down: when the hub
  comes back it notices, and the learner starts again with their files.
- A notebook file is corrupt: opening it gives a clear error, not a broken
  server, and the learner's other files are untouched.
(A full course exchange is in test_exchange_fill.py.)

Restarting the Docker daemon itself is not done here (it would kill every
other stack on a shared machine); tests/security/drill_docker_restart.sh is the
manual drill for an admin.
"""

from __future__ import annotations

import json
import secrets
import time

import docker

from support.hub_client import poll
from support.stack import ARTIFACTS


def record(stack, case: str, facts: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / f"safety-faults-{stack.project}.jsonl", "a") as handle:
        handle.write(json.dumps({"case": case, **facts}) + "\n")


def container_gone_or_dead(container) -> bool:
    try:
        container.reload()
    except docker.errors.NotFound:
        return True  # DockerSpawner creates learner containers with auto-remove
    return container.status in ("exited", "dead")


def test_container_killed_while_the_hub_is_down(stack, new_learner):
    learner = new_learner("tumbang")
    learner.start_server()
    work = f"karya {secrets.token_hex(8)}\n"
    learner.write_file("karya.txt", work)
    killed = stack.learner_container(learner.name)

    hub_stopped = time.monotonic()
    stack.compose("stop", "hub")
    try:
        killed.kill()
        poll("the learner container to be dead", lambda: container_gone_or_dead(killed), 60)
    finally:
        stack.compose("start", "hub")
    stack.wait_healthy()
    record(stack, "killed-while-hub-down", {"hub_back_after_s": round(time.monotonic() - hub_stopped, 1)})

    # The hub noticed at start-up: the server is no longer listed as running,
    # and the proxy no longer sends the learner to the dead container.
    poll("the hub to drop the dead server", lambda: not learner.server_model(), 60)
    # The hub checks the proxy's routes at start-up, after its API answers:
    # until then a request may still hang on the dead container's address.
    poll("the proxy to stop sending her to the dead container",
         lambda: learner.http.get(f"{stack.url}/user/{learner.name}/api/status", timeout=10,
                                  allow_redirects=False).status_code != 200, 120)
    # The learner starts again (a new container) and finds their work.
    learner.start_server()
    assert stack.learner_container(learner.name).id != killed.id
    assert learner.read_file("karya.txt") == work
    assert learner.run_code("print(open('karya.txt').read(), end='')") == work


CORRUPT = {
    "rusak-json.ipynb": '{"cells": [ {"cell_type": "code", "source": "print(1)"',  # cut off mid-save
    "kosong.ipynb": "",
    "bukan-notebook.ipynb": '{"halo": "ini bukan notebook"}',
}


def test_a_corrupt_notebook_gives_a_clear_error_and_nothing_else_breaks(stack, new_learner):
    learner = new_learner("berkas")
    learner.start_server()
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {},
                           "outputs": [], "source": "print('baik')"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    saved = learner.server("PUT", "/contents/baik.ipynb",
                           json={"type": "notebook", "format": "json", "content": notebook})
    assert saved.status_code in (200, 201), saved.text
    learner.write_file("catatan.txt", "tetap utuh\n")
    # Corrupted by the learner's own code, as a crash halfway through a copy would.
    learner.run_code(f"""
import json
for name, text in json.loads({json.dumps(json.dumps(CORRUPT))}).items():
    open(name, "w").write(text)
open("acak.ipynb", "wb").write(bytes(range(256)) * 4)
""")

    seen = {}
    for name in [*CORRUPT, "acak.ipynb"]:
        opened = learner.server("GET", f"/contents/{name}")
        seen[name] = [opened.status_code, opened.text[:200]]
        # Either a clear error (4xx/5xx with a JSON message naming the
        # problem) or, for JSON that is merely not a notebook, a notebook
        # model the UI can show; never a crashed server or an HTML trace.
        assert opened.headers["Content-Type"].startswith("application/json"), (name, opened.text[:300])
        body = opened.json()
        if opened.status_code >= 400:
            assert body.get("message"), (name, body)
            assert "Traceback" not in body["message"], (name, body)
        else:
            assert body["type"] == "notebook", (name, body)
        # The raw bytes are still there for the learner to repair.
        raw = learner.server("GET", f"/contents/{name}", params={"type": "file", "format": "base64"})
        assert raw.status_code == 200, (name, raw.text[:300])
        assert learner.server("GET", "/status").status_code == 200

    record(stack, "corrupt-notebooks", seen)

    # Everything else is untouched and the server works normally.
    listing = {item["name"] for item in learner.server("GET", "/contents").json()["content"]}
    assert {"baik.ipynb", "catatan.txt", *CORRUPT, "acak.ipynb"} <= listing, listing
    assert learner.read_file("catatan.txt") == "tetap utuh\n"
    reread = learner.server("GET", "/contents/baik.ipynb").json()
    assert reread["content"]["cells"][0]["source"] == "print('baik')"
    assert learner.server("GET", "/contents/rusak-json.ipynb",
                          params={"type": "file", "format": "text"}).json()["content"] == CORRUPT["rusak-json.ipynb"]
    lab = learner.http.get(f"{stack.url}/user/{learner.name}/lab/tree/rusak-json.ipynb", timeout=60)
    assert lab.status_code == 200
    assert learner.run_code("print(2 + 2)") == "4\n"
