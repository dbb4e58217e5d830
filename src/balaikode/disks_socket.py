"""How the hub (and the admin's command line) ask a disks service: one
JSON object per line, one JSON answer.

    {"op": "ensure", "volume": "PROJECT-home-ani", "owner": 10003, "min_size": 0}

On the main server, over a Unix socket in a volume only the hub and the
disks service mount, so filesystem permissions are the authentication. On
another machine of a swarm (`./balaikode join`), over TCP on the `nodes`
overlay network that only the hub and the machines' disks services join;
there every request is signed with the shared BALAIKODE_NODE_SECRET, since
a network can be reached in ways a socket file cannot. The secret itself
never crosses the network (the machines' traffic may be watched on the
class's LAN): the service first sends a one-time challenge, and the request
carries an HMAC of the challenge and the request, which cannot be replayed
or altered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from pathlib import Path

from .paths import DISKS_SOCKET

MAX_REQUEST = 4096
# The TCP port of a machine's disks service on the nodes network.
NODE_PORT = 7000
PROOF_KEY = "proof"


def proof(secret: str, challenge: str, message: dict) -> str:
    """The signature of `message` for the service's one-time `challenge`."""
    body = json.dumps(message, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret.encode(), f"{challenge}\n{body}".encode(), hashlib.sha256).hexdigest()


def node_address(hostname: str) -> str:
    """The name a machine's disks service answers to on the nodes network
    (its compose alias, docker-compose.node.yml)."""
    return f"disks-{hostname}"


async def request(message: dict, socket_path: Path = DISKS_SOCKET, timeout: float = 60, *,
                  host: str | None = None, secret: str | None = None) -> dict:
    """One request, one answer (raises OSError if the service is not there).
    With `host`: that machine's disks service, over TCP, signed with `secret`."""
    async def exchange():
        if host is None:
            reader, writer = await asyncio.open_unix_connection(str(socket_path))
            line = json.dumps(message)
        else:
            reader, writer = await asyncio.open_connection(host, NODE_PORT)
            challenge = (await reader.readline()).decode("ascii", "replace").strip()
            line = json.dumps({**message, PROOF_KEY: proof(secret, challenge, message)})
        try:
            writer.write(line.encode() + b"\n")
            await writer.drain()
            return json.loads(await reader.readline())
        finally:
            writer.close()
    return await asyncio.wait_for(exchange(), timeout)
