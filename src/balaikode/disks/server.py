"""The disks service's side of its socket (the protocol and the client are
in balaikode/disks_socket.py). Learners never see the socket, and on the
main server the service needs no network. On another machine of a swarm it
also listens on the nodes network, where each request must carry the shared
secret. Requests run one at a time (loop devices and Docker volumes are
shared state).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets
import threading
from pathlib import Path

from ..disks_socket import MAX_REQUEST, NODE_PORT, PROOF_KEY, proof
from ..paths import DISKS_SOCKET
from . import node_duties
from .store import DiskError, DiskStore

log = logging.getLogger("balaikode.disks")



def answer(store: DiskStore, request: dict) -> dict:
    op = request.get("op")
    if op == "ensure":
        volume = request.get("volume")
        owner, min_size = request.get("owner", 0), request.get("min_size", 0)
        if not isinstance(volume, str) or not all(
                isinstance(n, int) and n >= 0 for n in (owner, min_size)):
            return {"ok": False, "error": "ensure needs a volume name, owner and min_size >= 0"}
        return {"ok": True, **store.ensure(volume, owner=owner, min_size=min_size).as_dict()}
    if op == "ping":
        return {"ok": True}
    if op == "remove_volume" and isinstance(request.get("volume"), str):
        # A learner deleted on the hub whose home is on this machine; the
        # volume's destroy event then retires its disk (forget).
        store.kind_of(request["volume"])  # DiskError unless a disk of this project
        volume = store.volume(request["volume"])
        if volume is not None:
            volume.remove()
        return {"ok": True}
    try:
        if op == "limit_swap" and isinstance(request.get("container"), str) \
                and isinstance(request.get("memory"), int) and request["memory"] > 0:
            node_duties.limit_swap(store.docker, store.project, request["container"], request["memory"])
            return {"ok": True}
        if op == "wait_gone" and isinstance(request.get("service"), str):
            gone = node_duties.wait_gone(store.docker, store.project, request["service"],
                                         float(request.get("timeout") or 15))
            return {"ok": True, "gone": gone}
    except node_duties.Refused as refusal:
        return {"ok": False, "error": str(refusal)}
    return {"ok": False, "error": f"unknown op {op!r} (or its fields are wrong)"}


def authorised(request: dict, secret: str | None, challenge: str = "") -> bool:
    """A request over the network must be signed with the machines' shared
    secret for this connection's `challenge` (disks_socket.proof)."""
    if secret is None:
        return True  # the Unix socket: its file's permissions decide
    given = request.pop(PROOF_KEY, None)
    return (isinstance(given, str) and len(challenge) >= 32
            and hmac.compare_digest(given.encode(), proof(secret, challenge, request).encode()))


async def serve(store: DiskStore, socket_path: Path = DISKS_SOCKET, *, follow_volumes: bool = True,
                node_secret: str | None = None) -> None:
    """Answer on the Unix socket; with `node_secret`, also on TCP port
    NODE_PORT of every address (the container is on the nodes network only)."""
    lock = asyncio.Lock()

    async def reply_to(request: dict) -> dict:
        # Waiting for a container does not hold up other machines' disks.
        if request.get("op") == "wait_gone":
            return await asyncio.to_thread(answer, store, request)
        async with lock:
            return await asyncio.to_thread(answer, store, request)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     secret: str | None = None) -> None:
        try:
            challenge = ""
            if secret is not None:
                challenge = secrets.token_hex(16)
                writer.write(challenge.encode() + b"\n")
                await writer.drain()
            line = await reader.readline()
            try:
                request = json.loads(line[:MAX_REQUEST])
                if not isinstance(request, dict):
                    raise ValueError("not an object")
            except ValueError:
                request, reply = None, {"ok": False, "error": "expected one JSON object per line"}
            if request is not None and not authorised(request, secret, challenge):
                log.warning("Refused a request without the right secret from %s",
                            writer.get_extra_info("peername"))
                reply = {"ok": False, "error": "wrong or missing secret"}
            elif request is not None:
                try:
                    reply = await reply_to(request)
                except DiskError as error:
                    log.error("%s: %s", request, error)
                    reply = {"ok": False, "error": str(error)}
                except Exception as error:  # noqa: BLE001 - the caller gets an answer, the log the trace
                    log.exception("%s failed", request)
                    reply = {"ok": False, "error": f"the disks service failed: {error!r}; "
                                                  "see its log (./balaikode logs disks)"}
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()

    async def forget(volume: str) -> None:
        async with lock:
            try:
                await asyncio.to_thread(store.forget, volume)
            except Exception:  # noqa: BLE001 - one volume's trouble must not stop the service
                log.exception("removing the disk of deleted volume %s failed", volume)

    if follow_volumes:
        follow_removed_volumes(store, asyncio.get_running_loop(), forget)
    socket_path.parent.mkdir(parents=True, exist_ok=True)
    if socket_path.exists():
        socket_path.unlink()
    server = await asyncio.start_unix_server(handle, path=str(socket_path))
    os.chmod(socket_path, 0o600)
    log.info("listening on %s", socket_path)
    if node_secret is not None:
        network = await asyncio.start_server(
            lambda reader, writer: handle(reader, writer, node_secret), port=NODE_PORT)
        log.info("listening on port %d of the nodes network", NODE_PORT)
        await network.start_serving()
    async with server:
        await server.serve_forever()


def follow_removed_volumes(store: DiskStore, loop: asyncio.AbstractEventLoop, forget) -> threading.Thread:
    """Docker's volume "destroy" events, for as long as the service runs:
    each removed volume of this project is handed to `forget` on the loop.
    A broken event stream is opened again (Docker restarts, a dropped
    socket); disks of volumes removed meanwhile are found by the next start
    (attach_all leaves images without a volume to `forget`)."""
    prefix = f"{store.project}-"

    def follow() -> None:
        while True:
            try:
                for event in store.docker.events(decode=True, filters={"type": "volume", "event": "destroy"}):
                    name = (event.get("Actor") or {}).get("ID", "")
                    if name.startswith(prefix):
                        asyncio.run_coroutine_threadsafe(forget(name), loop)
            except Exception as error:  # noqa: BLE001 - keep following
                log.warning("Docker events stopped (%r); following them again", error)
            threading.Event().wait(2)

    thread = threading.Thread(target=follow, name="volume-events", daemon=True)
    thread.start()
    return thread
