"""The JupyterHub scope a token needs for the grader service.

The grader identifies its callers by asking the hub who a token belongs to;
the hub answers that for any token, whatever its scopes. Without this
check, a token made for something else (one that may only post activity,
or read one's own name) would carry all its owner's grader powers: a
trainer's narrow token would collect, read the roster with full names and
see the whole class's progress. So the grader also asks that the token was
given access to it: every user holds the scope (the hub's `user` role),
tokens made without scopes inherit it, servers' own tokens get it
(`server_token_scopes`), and the hub's progress page asks for it; OAuth
tokens of servers and tokens made for another purpose do not have it.
"""

from __future__ import annotations

from collections.abc import Iterable

GRADER_SERVICE = "grader"
GRADER_SCOPE = f"access:services!service={GRADER_SERVICE}"


def grants_grader(scopes: Iterable[str]) -> bool:
    """Whether a token's (expanded) scopes, as GET /hub/api/user lists them, reach the grader."""
    held = set(scopes)
    return GRADER_SCOPE in held or "access:services" in held
