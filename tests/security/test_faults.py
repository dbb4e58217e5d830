"""Issue: safety battery — faults. Things break; nobody loses work.

- A learner's container dies (docker kill) while the hub is down: when the hub
  comes back it notices, and the learner starts again with their files.
- A notebook file is corrupt: opening it gives a clear error, not a broken
  server, and the learner's other files are untouched.
- A learner fills the course exchange: it is a size-limited disk of its own,
  a later submission fails with a clear message and leaves nothing half-copied,
  and earlier submissions are intact.

Restarting the Docker daemon itself is not done here (it would kill every
other stack on a shared machine); tests/security/drill_docker_restart.sh is the
manual drill for an admin.
"""

from __future__ import annotations

import json
import os
import secrets
import time

import docker
import pytest

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
    status = learner.http.get(f"{stack.url}/user/{learner.name}/api/status", timeout=30,
                              allow_redirects=False)
    assert status.status_code != 200, status.text[:300]
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


EXCHANGE_DISK_SIZE = 2 * 1024**3  # BALAIKODE_EXCHANGE_DISK_SIZE's default

FILL_INBOUND = """
import json, os
inbound = {inbound!r}
st = os.statvfs(inbound)
path = os.path.join(inbound, os.environ["USER"] + "+isi+sampah")
written, error = 0, None
with open(path, "wb", buffering=0) as junk:
    # Big chunks, then the last crumbs; ext4's delayed allocation may give
    # back reserved blocks once written out (sync), so try each size again.
    for size in (16 * 1024 * 1024, 1024 * 1024, 4096):
        chunk = bytes(size)
        for _ in range(3):
            try:
                while written < {limit}:
                    written += junk.write(chunk)
            except OSError as failure:
                error = repr(failure)
            os.sync()
print(json.dumps({{"size": st.f_blocks * st.f_frsize, "blocks": st.f_blocks,
                  "written": written, "error": error, "path": path}}))
"""


def submission_times(student, task: str) -> set[str]:
    """Timestamps of the learner's submissions, as the Assignments tab lists them."""
    return {sub["timestamp"] for row in student.assignments()
            if row["assignment_id"] == task and row["status"] == "submitted"
            for sub in row["submissions"]}


def test_a_full_exchange_stops_submissions_clearly_and_loses_nothing(stack, make_course):
    """A learner fills the course's exchange (its inbound folder is writable
    by every learner of the course). The exchange is a disk of its own, so the
    rest of the server is untouched; a later submission fails with a message
    the learner can act on and leaves no half-copied submission behind; what
    was submitted before is intact; once the junk is gone, submitting works."""
    course, task = "kelas-penuh", "01-variabel"
    trainer, (jujur, pengisi) = make_course(course, task, learners=2)
    for student in (jujur, pengisi):
        assert student.act("fetch", task)["success"]
    assert jujur.act("submit", task)["success"]
    first_stamps = submission_times(jujur, task)

    inbound = f"/srv/nbgrader/exchange/{course}/inbound"
    facts = json.loads(pengisi.user.run_code(
        FILL_INBOUND.format(inbound=inbound, limit=EXCHANGE_DISK_SIZE + 2**30),
        timeout=300).strip().splitlines()[-1])
    record(stack, "exchange-fill", facts)
    host = os.statvfs(stack.docker.info()["DockerRootDir"])
    try:
        # The exchange is its own filesystem, no bigger than the setting, and
        # the filler was stopped there with "no space left on device".
        assert facts["blocks"] != host.f_blocks, facts
        assert facts["size"] <= EXCHANGE_DISK_SIZE, facts
        assert facts["error"] and "No space left" in facts["error"], facts
        assert facts["written"] <= facts["size"], facts

        # The honest learner's next submission fails, saying why and what to do...
        jujur.save_notebook(task, jujur.read_notebook(task))
        refused = jujur.act("submit", task)
        assert refused["success"] is False, refused
        assert "ruang pengumpulan kursus ini penuh" in refused["value"], refused
        assert "Traceback" not in refused["value"], refused
        # ...and leaves nothing half-copied in the exchange: the trainer
        # collects exactly the first, complete submission.
        trainer.collect(task)
        rows = trainer.submissions(task)
        assert rows[jujur.user.name]["timestamp"] is not None, rows
        listed = trainer.shell(f"ls submitted/{jujur.user.name}/{task}")
        assert "timestamp.txt" in listed and f"{task}.ipynb" in listed, listed
        assert jujur.read_notebook(task)["cells"], "the learner's own copy is intact"
    finally:
        # The filler may delete their own file (sticky inbound: nobody else's).
        pengisi.user.run_code(f"import os; os.remove({facts['path']!r})")

    again = jujur.act("submit", task)
    assert again["success"], again
    stamps = submission_times(jujur, task)
    assert first_stamps and first_stamps < stamps, (stamps, first_stamps)
