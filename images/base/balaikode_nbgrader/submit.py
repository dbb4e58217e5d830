"""`nbgrader submit` that keeps a submission private to its author and the
course's trainers, and fails cleanly when the course's exchange is full.

nbgrader makes submitted files world-readable (0644); inside the shared
inbound folder that would let any learner who learns a folder name read it.
The inbound folder is setgid to the course group, so the submission's group
is the course (trainers); "others" get nothing.

The exchange is a size-limited disk (the hub's disks service). When it fills
up mid-copy, nbgrader would leave half a submission behind for the trainer to
collect; here that half is removed and the learner reads what to do (the
Assignments tab shows the log lines).
"""

import errno
import os
import shutil

from nbgrader.exchange.abc.exchange import ExchangeError
from nbgrader.exchange.default.submit import ExchangeSubmit

INBOUND_FULL = ("Pengumpulan GAGAL: ruang pengumpulan kursus ini penuh. Pekerjaanmu tetap aman "
                "di foldermu. Beri tahu pelatih, lalu kirim lagi nanti. "
                "(The course's exchange is full; nothing was submitted.)")
HOME_FULL = ("Tugas sudah terkirim, tetapi folder rumahmu penuh: hapus berkas yang tidak perlu. "
             "(Submitted; your home folder is full.)")


def out_of_space(error: OSError) -> bool:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    # shutil.copytree gathers the errors of single files into one shutil.Error.
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list):
        return any("No space left" in str(entry[-1]) or "quota" in str(entry[-1]).lower()
                   for entry in error.args[0])
    return False


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        try:
            super().copy_files()
        except OSError as error:
            if not out_of_space(error):
                raise
            # The secret is written last into the inbound copy: without it the
            # copy there is incomplete and must not reach the trainer.
            if not os.path.exists(os.path.join(dest, "submission_secret.txt")):
                shutil.rmtree(dest, ignore_errors=True)
                self.log.error(INBOUND_FULL)
                raise ExchangeError(INBOUND_FULL) from None
            self.make_private(dest)
            self.log.error(HOME_FULL)
            raise ExchangeError(HOME_FULL) from None
        self.make_private(dest)

    def make_private(self, dest):
        self.set_perms(dest, fileperms=0o640, dirperms=0o2750)
