"""`nbgrader submit` through the grader service.

Learners cannot write the course's exchange (it is read-only in their
servers: one learner could fill it for the whole class, and nothing there
could be trusted to be from who it names). So the files nbgrader would copy
into inbound/ are sent to the grader service instead, which files them under
the caller's own hub name, within her share of the exchange (see
balaikode_nbgrader.deposit), privately for the course's trainers. The
learner's own copy and nbgrader's cache (what the Assignments tab lists) are
as with stock nbgrader; the service's refusals (quota, full exchange) reach the
Assignments tab as the error message.
"""

import base64
import os
import secrets
import tempfile

from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_username

from .inbound import MAX_BYTES
from .service import GraderServiceError, call_grader

HOME_FULL = ("Tugas sudah terkirim, tetapi folder rumahmu penuh: hapus berkas yang tidak perlu. "
             "(Submitted; your home folder is full.)")


def read_tree(top: str) -> dict[str, str]:
    """{relative path: base64 content} of the regular files under `top`."""
    files = {}
    for folder, _, names in os.walk(top):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    files[os.path.relpath(path, top)] = base64.b64encode(handle.read()).decode()
    return files


class PrivateSubmit(ExchangeSubmit):
    def init_dest(self):
        course = self.coursedir.course_id
        if not course:
            self.fail("No course id specified. Re-run with --course flag.")
        if not self.authenticator.has_access(self.coursedir.student_id, course):
            self.fail("You do not have access to this course.")
        self.cache_path = os.path.join(self.cache, course)
        # The service files it under the caller's hub name whatever is asked;
        # the cache uses the same name so the Assignments tab agrees.
        self.token = base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")
        self.name_cache_copy()

    def name_cache_copy(self):
        self.assignment_filename = f"{get_username()}+{self.coursedir.assignment_id}+{self.timestamp}"

    def copy_files(self):
        self.init_release()
        self.check_filename_diff()
        secret = secrets.token_hex(64)
        self.log.info("Source: %s", self.src_path)
        with tempfile.TemporaryDirectory(prefix="kirim-") as staging:
            # nbgrader's own copy: its ignore rules and file size limit.
            copy = os.path.join(staging, "tugas")
            self.do_copy(self.src_path, copy)
            files = read_tree(copy)
        size = sum(len(content) * 3 // 4 for content in files.values())
        if size > MAX_BYTES:
            # Said here: the service would refuse the upload before reading it.
            self.fail(f"Pengumpulan GAGAL: tugasmu {size / 2**20:.1f} MB, batasnya "
                      f"{MAX_BYTES // 2**20} MB. Hapus berkas besar yang tidak perlu dari folder "
                      "tugas lalu kirim lagi. (The assignment is too large to submit.)")
        files["submission_secret.txt"] = base64.b64encode(secret.encode()).decode()
        try:
            reply = call_grader("/submit", {
                "course": self.coursedir.course_id, "assignment": self.coursedir.assignment_id,
                "token": self.token, "files": files}, timeout=180)
        except GraderServiceError as error:
            message = str(error)
            # The service's own Indonesian refusal, without the HTTP wrapping.
            self.fail(message[message.index("Pengumpulan GAGAL"):] if "Pengumpulan GAGAL" in message
                      else message)
        self.log.info("Terkirim (%.1f MB dari jatah %.1f MB terpakai)",
                      reply["used"] / 2**20, reply["quota"] / 2**20)
        # The service's clock is the submission's time (feedback is found by it).
        self.timestamp = reply["timestamp"]
        self.name_cache_copy()
        try:
            self.copy_to_cache(secret)
        except OSError as error:
            self.log.error("%s (%s)", HOME_FULL, error)
            self.fail(HOME_FULL)
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id,
                      self.coursedir.assignment_id, self.timestamp)

    def copy_to_cache(self, secret: str) -> None:
        cache_path = os.path.join(self.cache_path, self.assignment_filename)
        os.makedirs(self.cache_path, exist_ok=True)
        self.do_copy(self.src_path, cache_path)
        for name, text in (("timestamp.txt", self.timestamp), ("submission_secret.txt", secret)):
            with open(os.path.join(cache_path, name), "w") as handle:
                handle.write(text)
