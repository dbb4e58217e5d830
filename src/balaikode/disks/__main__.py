"""python3 -m balaikode.disks serve [--node] | ensure VOLUME [--owner UID] [--min-size SIZE] | release

serve     the service: detach loop devices of deleted disk images (any stack's),
          re-attach every disk of this project, then answer the hub (with
          --node, on another machine of a swarm: over the nodes network too,
          with BALAIKODE_NODE_SECRET)
ensure    ask the service to make one volume a size-limited disk, at least
          SIZE big (restore uses it)
release   detach every loop device of this project's disks (tearing a stack
          down; run it only when no server of the stack is starting)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys

from ..disks_socket import request
from ..paths import DISKS_SOCKET
from ..settings import SettingsError, disk_sizes, load_settings, parse_memory
from .server import serve
from .store import DiskError, DiskStore


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="[disks %(levelname)s] %(message)s")
    parser = argparse.ArgumentParser(prog="balaikode.disks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "ensure", "release"])
    parser.add_argument("volume", nargs="?")
    parser.add_argument("--owner", type=int, default=0)
    parser.add_argument("--min-size", type=parse_memory, default=0)
    parser.add_argument("--node", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "ensure":
        # Through the running service, which does one change at a time.
        if not args.volume:
            parser.error("ensure needs a VOLUME")
        message = {"op": "ensure", "volume": args.volume, "owner": args.owner,
                   "min_size": args.min_size}
        try:
            reply = asyncio.run(request(message))
        except (OSError, asyncio.TimeoutError) as error:
            print(f"balaikode disks: the disks service does not answer ({error!r}); "
                  "is it running? (docker compose up -d disks)", file=sys.stderr)
            return 1
        if not reply.get("ok"):
            print(f"balaikode disks: {reply.get('error')}", file=sys.stderr)
            return 1
        print(json.dumps(reply))
        return 0
    try:
        values = load_settings(os.environ)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if args.node and not values["BALAIKODE_NODE_SECRET"]:
        print("balaikode disks: --node needs BALAIKODE_NODE_SECRET in .env "
              "(./balaikode join writes it)", file=sys.stderr)
        return 2
    store = DiskStore(os.environ["COMPOSE_PROJECT_NAME"], disk_sizes(values))
    try:
        if args.command == "serve":
            DISKS_SOCKET.unlink(missing_ok=True)  # healthy only once attach_all is done
            store.release_orphans()
            attached = store.attach_all()
            logging.info("%d disks attached", len(attached))
            asyncio.run(serve(store, node_secret=values["BALAIKODE_NODE_SECRET"] if args.node else None))
        else:
            for device in store.release():
                print(device)
    except DiskError as error:
        print(f"balaikode disks: {error}", file=sys.stderr)
        return 1
    return 0


sys.exit(main())
