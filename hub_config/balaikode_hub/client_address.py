"""The address a request really came from, as the hub's proxy saw it.

The hub is reached only through configurable-http-proxy, which appends the
client's address to X-Forwarded-For. Everything left of that last entry, and
X-Real-Ip (which tornado would otherwise prefer), is whatever the client
chose to send: trusting it would let an attacker pick a fresh address for
every guess, or throttle someone else's.
"""

from __future__ import annotations


def client_address(request) -> str:
    forwarded = request.headers.get("X-Forwarded-For", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    if last:
        return last
    context = getattr(request.connection, "context", None)
    address = getattr(context, "address", None)
    if isinstance(address, tuple) and address:
        return str(address[0])
    return request.remote_ip or "?"
