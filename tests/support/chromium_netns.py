#!/usr/bin/env python3
"""Chromium in a network namespace of its own, for the browser tests.

On a host where Docker starts containers, Chromium takes every new veth (it
gets an IPv6 address) for a network change and fails the requests it has in
flight with net::ERR_NETWORK_CHANGED: a formgrader page whose scripts never
loaded, a click whose POST was lost. Other stacks start containers all the
time on a shared test machine. In a namespace of its own Chromium sees only
its own loopback, where 127.0.0.1:PORT is relayed through a Unix socket to the
host's 127.0.0.1:PORT (the stack under test): like a learner's browser on
another machine, whose requests are never cut by the server's containers.

- host side: `UnixRelay(path, port)` (tests/support/browser.py starts it);
- browser side: Playwright runs this file as the browser, with
  BALAIKODE_NETNS_CHROMIUM, BALAIKODE_NETNS_PORT and BALAIKODE_NETNS_SOCKET
  set: it enters a new network namespace, relays the port and runs Chromium.
Needs root (unshare); only the standard library, any python3.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import struct
import sys
import threading
from typing import Callable

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for sock, how in ((sink, socket.SHUT_WR), (source, socket.SHUT_RD)):
        try:
            sock.shutdown(how)
        except OSError:
            pass


def _join(a: socket.socket, b: socket.socket) -> None:
    """Relay both ways in two threads; close both sockets when both end."""
    pumps = [threading.Thread(target=_pump, args=pair, daemon=True) for pair in ((a, b), (b, a))]
    for pump in pumps:
        pump.start()

    def close() -> None:
        for pump in pumps:
            pump.join()
        a.close()
        b.close()

    threading.Thread(target=close, daemon=True).start()


def serve(listener: socket.socket, connect: Callable[[], socket.socket]) -> None:
    """Accept connections until the listener is shut; relay each to connect()."""
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        try:
            upstream = connect()
        except OSError:
            client.close()
            continue
        _join(client, upstream)


class UnixRelay:
    """Host side: a Unix socket at `path` that leads to 127.0.0.1:`port`."""

    def __init__(self, path: str, port: int):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(128)
        threading.Thread(target=serve, daemon=True, args=(
            self.listener, lambda: socket.create_connection(("127.0.0.1", port)))).start()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        except OSError:
            pass
        self.listener.close()


def _unix_connect(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def main() -> None:
    chromium = os.environ["BALAIKODE_NETNS_CHROMIUM"]
    port = int(os.environ["BALAIKODE_NETNS_PORT"])
    path = os.environ["BALAIKODE_NETNS_SOCKET"]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed (needs root)")
    _loopback_up()
    listener = socket.create_server(("127.0.0.1", port))
    browser_pid = os.getpid()
    if os.fork() == 0:
        # The relay: ends with the browser (this process, once it is Chromium).
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != browser_pid:
            os._exit(0)
        # Keep only the listener: Playwright's pipes must close with Chromium.
        os.closerange(3, listener.fileno())
        os.closerange(listener.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        serve(listener, lambda: _unix_connect(path))
        os._exit(0)
    listener.close()
    os.execv(chromium, [chromium, *sys.argv[1:]])


if __name__ == "__main__":
    main()
