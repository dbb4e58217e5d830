"""Collect a course's submissions in a throwaway container (see
balaikode_nbgrader.inbound in the learner image for the checks)."""

from __future__ import annotations

import json

import docker


class CollectError(RuntimeError):
    pass


def collect(client: docker.DockerClient, image: str, project: str, course: dict,
            assignment: str, labels: dict[str, str]) -> dict:
    name = course["course"]
    container = client.containers.create(
        image,
        entrypoint=["python3", "-m", "balaikode_nbgrader.inbound",
                    f"--course={name}", f"--assignment={assignment}",
                    f"--gid={course['gid']}", f"--uids={json.dumps(course['learners'])}"],
        user="0:0",
        network_mode="none",
        cap_drop=["ALL"], cap_add=["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID"],
        security_opt=["no-new-privileges"],
        mem_limit="256m", pids_limit=64,
        volumes={f"{project}-exchange-{name}": {"bind": "/exchange", "mode": "ro"},
                 f"{project}-course-{name}": {"bind": "/course", "mode": "rw"}},
        labels={**labels, "balaikode.role": "collector"},
    )
    try:
        container.start()
        status = container.wait(timeout=120)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
    finally:
        container.remove(force=True)
    if status != 0:
        raise CollectError(f"collector exited {status}: {err[-2000:]}")
    return json.loads(out)
