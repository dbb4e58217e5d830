"""The server process of a learner cannot be changed by her own kernels.

Her kernels and terminals run with the same Linux user as her server. Without
this, a kernel could ptrace the server or write /proc/SERVER/mem and make it
serve any bytes without the sandbox headers (untrusted.py) under the hub's
origin. A non-dumpable process can be traced or read that way only with
CAP_SYS_PTRACE, which nobody in a learner container has.
"""

from __future__ import annotations

import ctypes
import ctypes.util

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def make_undumpable() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def is_dumpable() -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1
