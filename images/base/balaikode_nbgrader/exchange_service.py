"""nbgrader's list, fetch, fetch-feedback and submit for a learner whose server does
not mount the course exchange (swarm mode: her server may run on another
machine; the hub sets BALAIKODE_EXCHANGE=service).

Each command asks the grader service (src/balaikode/grader/exchange_read.py)
for what it would have read from the exchange, writes that into a private
temporary folder laid out like an exchange, and lets nbgrader's own command
run on it: the Assignments tab sees the same answers, statuses and messages
as on one machine. What the service gives a learner is what a read-only
exchange gives her: the released assignments of her courses, and feedback
pages only by the secret names her own submissions carry.
"""

import base64
import glob
import os
import tempfile

from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.fetch_feedback import ExchangeFetchFeedback
from nbgrader.exchange.default.list import ExchangeList
from nbgrader.utils import notebook_hash

from .service import GraderServiceError, call_grader
from .submit import PrivateSubmit

TIMEOUT = 120
SECRET = "submission_secret.txt"


def learner_courses(course_id: str = "") -> list[str]:
    """Her courses, from the hub's "course:gid" words (or just `course_id`
    if it is one of them)."""
    courses = [word.split(":", 1)[0] for word in os.environ.get("BALAIKODE_EXCHANGES", "").split()]
    return [course_id] if course_id in courses else [] if course_id else courses


def feedback_names(cache: str, course: str, assignment: str = "*") -> list[str]:
    """The secret names of the feedback pages of her cached submissions
    (nbgrader's own hashing: notebook_hash of the submission's secret and
    the notebook's name)."""
    found = []
    for submission in glob.glob(os.path.join(cache, course, f"*+{assignment}+*")):
        try:
            with open(os.path.join(submission, SECRET)) as handle:
                secret = handle.read()
        except OSError:
            continue  # submitted before secrets: no feedback by secret name
        for notebook in glob.glob(os.path.join(submission, "*.ipynb")):
            notebook_id = os.path.splitext(os.path.basename(notebook))[0]
            found.append(notebook_hash(secret=secret, notebook_id=notebook_id))
    return sorted(set(found))


def write(root: str, relative: str, data: bytes) -> None:
    """A file of the service's answer into the temporary exchange; a name
    that would leave it is skipped."""
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return
    path = os.path.join(root, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def decoded(files: dict) -> dict[str, bytes]:
    return {name: base64.b64decode(content) for name, content in files.items()}


class ThroughService:
    """Runs the nbgrader command on a temporary exchange that `mirror`
    fills from the grader service."""

    def mirror(self, root: str) -> None:
        raise NotImplementedError

    def start(self):
        with tempfile.TemporaryDirectory(prefix="kursus-") as root:
            self.root = root
            try:
                self.mirror(root)
            except GraderServiceError as error:
                self.fail(str(error))
            return super().start()

    def mirror_feedback(self, root: str, course: str, assignment: str = "*") -> None:
        hashes = feedback_names(self.cache, course, assignment)
        os.makedirs(os.path.join(root, course, "feedback"), exist_ok=True)
        if not hashes:
            return
        reply = call_grader("/exchange/feedback", {"course": course, "hashes": hashes}, TIMEOUT)
        for name, data in decoded(reply["feedback"]).items():
            write(root, f"{course}/feedback/{name}.html", data)


    def mirror_released(self, root: str, course: str) -> None:
        """The released assignments' names, with empty stand-ins for their
        notebooks (listing and submitting compare names only)."""
        reply = call_grader("/exchange/released", {"course": course}, TIMEOUT)
        for assignment, notebooks in reply["assignments"].items():
            os.makedirs(os.path.join(root, course, "outbound", assignment), exist_ok=True)
            for notebook in notebooks:
                write(root, f"{course}/outbound/{assignment}/{notebook}", b"")


class ServiceList(ThroughService, ExchangeList):
    def mirror(self, root):
        for course in learner_courses(self.coursedir.course_id):
            if self.cached:
                self.mirror_feedback(root, course, self.coursedir.assignment_id or "*")
            elif not self.inbound:
                self.mirror_released(root, course)


class ServiceSubmit(ThroughService, PrivateSubmit):
    """Submitting checks the released notebooks' names (nbgrader warns
    about missing ones); the files go to the grader as on one machine."""

    def mirror(self, root):
        course = self.coursedir.course_id
        if course in learner_courses(course):
            self.mirror_released(root, course)


class ServiceFetchAssignment(ThroughService, ExchangeFetchAssignment):
    def mirror(self, root):
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        if course not in learner_courses(course):
            return  # nbgrader's own checks say what is missing
        reply = call_grader("/exchange/assignment", {"course": course, "assignment": assignment},
                            TIMEOUT)
        os.makedirs(os.path.join(root, course, "outbound", assignment))
        for name, data in decoded(reply["files"]).items():
            write(root, f"{course}/outbound/{assignment}/{name}", data)


class ServiceFetchFeedback(ThroughService, ExchangeFetchFeedback):
    def mirror(self, root):
        course = self.coursedir.course_id
        if course in learner_courses(course):
            self.mirror_feedback(root, course, self.coursedir.assignment_id or "*")
