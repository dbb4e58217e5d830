"""How the hub (and the admin's command line) ask the disks service: one
JSON object per line over a Unix socket, one JSON answer.

    {"op": "ensure", "volume": "PROJECT-home-ani", "owner": 10003, "min_size": 0}

The socket lives in a volume only the hub and the disks service mount, so
filesystem permissions are the authentication.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from .paths import DISKS_SOCKET

MAX_REQUEST = 4096


async def request(message: dict, socket_path: Path = DISKS_SOCKET, timeout: float = 60) -> dict:
    """One request, one answer (raises OSError if the service is not there)."""
    async def exchange():
        reader, writer = await asyncio.open_unix_connection(str(socket_path))
        try:
            writer.write(json.dumps(message).encode() + b"\n")
            await writer.drain()
            return json.loads(await reader.readline())
        finally:
            writer.close()
    return await asyncio.wait_for(exchange(), timeout)
