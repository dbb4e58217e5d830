"""Volume keys: a volume's name without the compose project (hub-data,
proxy-secret, grader-secret, home-NAME, course-COURSE, exchange-COURSE).
Each volume is mounted at /volumes/KEY in the throwaway containers."""

from __future__ import annotations

import re

from .messages import Refused

KEY_PATTERN = re.compile(r"(hub-data|proxy-secret|grader-secret|"
                         r"(home|course|exchange)-[A-Za-z0-9][A-Za-z0-9_.-]*)")
# Volumes with only generated tokens: a fresh stack's copies may be replaced.
SECRET_KEYS = ("proxy-secret", "grader-secret")


def kind_of(key: str) -> str:
    """hub-data, proxy-secret, grader-secret, home, course or exchange;
    refuses anything that is not one of ours."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key) or ".." in key:
        raise Refused(f"not a Balai Kode volume key: {key!r}")
    return key.split("-", 1)[0] if key.startswith(("home-", "course-", "exchange-")) else key
