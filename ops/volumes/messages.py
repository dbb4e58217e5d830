"""How the tool talks to the admin: warnings go to stderr and the work goes
on; a refusal stops the command with one clear sentence."""

from __future__ import annotations

import sys


class Refused(Exception):
    """The tool will not go on; str() says why, for the admin (printed as
    `voltool: MESSAGE`, exit status 1, no traceback), after the details
    (for instance the first damaged files)."""

    def __init__(self, message: str, details=()):
        super().__init__(message)
        self.details = list(details)


def warn(message: str) -> None:
    print(f"voltool: {message}", file=sys.stderr, flush=True)
