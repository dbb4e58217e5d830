"""Password hashing off the hub's event loop, for every path.

bcrypt costs about a third of a second of CPU by design. On the event loop
it stalls every other request of the hub (a few parallel wrong logins made
/hub/health take seconds), so hashing and checking run in a small pool of
their own: a flood of logins queues there (and is throttled before it gets
there, throttle.py) while the hub keeps answering.

bcrypt uses only the first 72 bytes of a password and the bcrypt library
refuses longer ones (it used to be a 500 page). Longer passwords are hashed
as the base64 of their SHA-256 first; shorter ones exactly as before, so
existing accounts keep working.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor

import bcrypt

BCRYPT_LIMIT = 72
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bcrypt")
# Checked when the name is unknown, so that an unknown name costs the same
# time as a wrong password (no name probing by timing).
_DECOY = bcrypt.hashpw(b"balaikode-decoy", bcrypt.gensalt())


def bcrypt_input(password: str) -> bytes:
    raw = password.encode("utf-8", "surrogatepass")
    if len(raw) <= BCRYPT_LIMIT:
        return raw
    return b"sha256:" + base64.b64encode(hashlib.sha256(raw).digest())


def _matches(password: str, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(bcrypt_input(password), hashed)
    except ValueError:  # a malformed stored hash: never a match
        return False


async def _in_pool(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_POOL, function, *args)


async def password_matches(password: str, hashed: bytes | None) -> bool:
    """bcrypt's own (constant-time) check; `hashed` None: an unknown name."""
    if hashed is None:
        await _in_pool(_matches, password, _DECOY)
        return False
    return await _in_pool(_matches, password, hashed)


def hash_now(password: str) -> bytes:
    """For start-up only (admin accounts), where no request waits."""
    return bcrypt.hashpw(bcrypt_input(password), bcrypt.gensalt())


async def hash_password(password: str) -> bytes:
    return await _in_pool(hash_now, password)
