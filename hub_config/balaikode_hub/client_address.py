"""The address a request really came from.

Browsers reach the hub through configurable-http-proxy, which appends the
client's address to X-Forwarded-For; learner containers can also reach the
hub directly (their servers talk to its API). So X-Forwarded-For is believed
only on connections that come from the proxy itself, and then only its last
entry (the one the proxy added). Anything else in it, and X-Real-Ip (which
tornado would otherwise prefer), is what the client chose to send: trusting
it would let an attacker pick a fresh address for every guess.
"""

from __future__ import annotations

import os
import socket
import time

PROXY_HOST = os.environ.get("BALAIKODE_PROXY_HOST", "proxy")
_cache: dict[str, object] = {"until": 0.0, "addresses": frozenset()}


def proxy_addresses() -> frozenset:
    if time.monotonic() >= _cache["until"]:
        try:
            found = {info[4][0] for info in socket.getaddrinfo(PROXY_HOST, None)}
        except OSError:
            found = set()
        _cache.update(until=time.monotonic() + 60, addresses=frozenset(found))
    return _cache["addresses"]


def peer_address(request) -> str:
    address = getattr(getattr(request.connection, "context", None), "address", None)
    if isinstance(address, tuple) and address:
        return str(address[0])
    return "?"


def client_address(request) -> str:
    peer = peer_address(request)
    if peer in proxy_addresses():
        last = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if last:
            return last
    return peer
