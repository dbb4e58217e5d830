"""A domain and all its subdomains resolved to 127.0.0.1 inside this test
process, as a village LAN's DNS answer (dnsmasq `address=/DOMAIN/SERVER`)
would resolve them to the server. Chromium gets the same with
--host-resolver-rules (see tests/security/test_per_user_origins.py)."""

from __future__ import annotations

import socket
from contextlib import contextmanager


@contextmanager
def resolve_locally(domain: str):
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and (host == domain or host.endswith("." + domain)):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = real


def chromium_rules(domain: str) -> str:
    return f"MAP {domain} 127.0.0.1, MAP *.{domain} 127.0.0.1"
