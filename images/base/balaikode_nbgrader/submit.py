"""`nbgrader submit` that keeps a submission private to its author and the
course's trainers.

nbgrader makes submitted files world-readable (0644); inside the shared
inbound folder that would let any learner who learns a folder name read it.
The inbound folder is setgid to the course group, so the submission's group
is the course (trainers); "others" get nothing.
"""

import os

from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        self.set_perms(dest, fileperms=0o640, dirperms=0o2750)
