"""Jobs on a course's volumes, each in a throwaway container as root with no
network: collect submissions into the course folder, write a learner's
submission into inbound/ (balaikode_nbgrader.inbound and .deposit in the
learner image do the work and say what they check), read the gradebook for
the progress page (progress.py sends its own script in)."""

from __future__ import annotations

import io
import json
import tarfile

import docker


class ExchangeJobError(RuntimeError):
    pass


class Refused(Exception):
    """The job said no (quota, full disk, bad request); the message is for the learner."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def as_tar(files: dict[str, bytes], mode: int = 0o600) -> bytes:
    """Files for docker-py's put_archive, each with this mode."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), mode
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


# What a job that writes the exchange or the course folder needs as root.
WRITER_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID")
SCRIPT_PATH = "/tmp/job.py"


def run_job(client: docker.DockerClient, image: str, module: str | None, args: list[str],
            volumes: dict, labels: dict[str, str], role: str, input_json: dict | None = None,
            *, script: bytes | None = None,
            capabilities: tuple[str, ...] = WRITER_CAPABILITIES) -> dict:
    """Run balaikode_nbgrader.`module` of the image, or `script` (a file of
    the grader's, for a job the image has no module for), and return the
    JSON it prints."""
    program = [SCRIPT_PATH] if script is not None else ["-m", f"balaikode_nbgrader.{module}"]
    container = client.containers.create(
        image,
        entrypoint=["python3", "-I", *program, *args],
        user="0:0",
        network_mode="none",
        cap_drop=["ALL"], cap_add=list(capabilities),
        security_opt=["no-new-privileges"],
        mem_limit="256m", pids_limit=64,
        volumes=volumes,
        labels={**labels, "balaikode.role": role},
    )
    files = {}
    if input_json is not None:
        files["request.json"] = json.dumps(input_json).encode()
    if script is not None:
        files[SCRIPT_PATH.rpartition("/")[2]] = script
    try:
        if files:
            # Into the container's own /tmp before it starts: nothing on the
            # command line (size limits, other users' `ps`).
            container.put_archive("/tmp", as_tar(files))
        container.start()
        status = container.wait(timeout=120)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
    finally:
        container.remove(force=True)
    if status == 3:
        reply = json.loads(out)
        raise Refused(reply["refused"], reply["message"])
    if status != 0:
        raise ExchangeJobError(f"{module} exited {status}: {err[-2000:]}")
    return json.loads(out)


def collect(client: docker.DockerClient, image: str, project: str, course: dict,
            assignment: str, labels: dict[str, str]) -> dict:
    name = course["course"]
    return run_job(
        client, image, "inbound",
        [f"--course={name}", f"--assignment={assignment}",
         f"--gid={course['gid']}", f"--uids={json.dumps(course['learners'])}"],
        {f"{project}-exchange-{name}": {"bind": "/exchange", "mode": "ro"},
         f"{project}-course-{name}": {"bind": "/course", "mode": "rw"}},
        labels, "collector")


def deposit(client: docker.DockerClient, image: str, project: str, course: str,
            request: dict, labels: dict[str, str]) -> dict:
    return run_job(
        client, image, "deposit", ["--request=/tmp/request.json"],
        {f"{project}-exchange-{course}": {"bind": "/exchange", "mode": "rw"}},
        labels, "deposit", input_json=request)
