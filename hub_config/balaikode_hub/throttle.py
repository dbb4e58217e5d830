"""Slow the guesser down, never lock the owner out (OWASP ASVS).

NativeAuthenticator's lockout blocked an account for everyone after a few
wrong passwords, so anyone could lock the admin out. Instead, failed logins
are counted in sliding windows per client address, per (address, name) pair
and per name. Past a limit the next try from that address, pair or name gets
HTTP 429 with a wait time, before any password is checked (so a flood costs
the hub almost nothing). The per-name limit does not apply to addresses the
name has logged in from before (her own laptop keeps working while strangers
hammer her name), and `./balaikode unlock NAME` clears a name at once.

A whole class often reaches the hub from one address (the village router),
and a hostile classmate could fill that address's window on purpose. So a
name that has logged in from an address before is slowed there only by its
own (address, name) window: classmates who have logged in once keep working.

Sign-ups waiting for approval are limited per address per hour: a class of 40
signs up at once, a script does not fill the admin's approval page. A sign-up
stops counting when the admin approves or discards it.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    attempts: int
    seconds: float


@dataclass
class Throttle:
    per_address: Limit = Limit(50, 300)
    per_pair: Limit = Limit(8, 300)
    per_name: Limit = Limit(60, 900)
    signups_per_address: Limit = Limit(100, 3600)
    clock: callable = time.monotonic
    _events: dict = field(default_factory=lambda: defaultdict(deque))
    _known: dict = field(default_factory=lambda: defaultdict(set))
    _waiting_signups: dict = field(default_factory=dict)  # name -> (address, time)

    def _count(self, key, limit: Limit) -> tuple[int, float]:
        """Events of `key` inside the window, and seconds until the oldest leaves."""
        events, now = self._events[key], self.clock()
        while events and now - events[0] >= limit.seconds:
            events.popleft()
        wait = limit.seconds - (now - events[0]) if events else 0.0
        return len(events), wait

    def _over(self, checks) -> float:
        waits = [wait for key, limit in checks
                 for count, wait in [self._count(key, limit)] if count >= limit.attempts]
        return max(waits, default=0.0)

    def login_wait(self, address: str, name: str) -> float:
        """Seconds this address must wait before trying `name` again (0: go ahead)."""
        checks = [(("pair", address, name), self.per_pair)]
        if address not in self._known[name]:
            checks += [(("address", address), self.per_address), (("name", name), self.per_name)]
        return self._over(checks)

    def failed_login(self, address: str, name: str) -> None:
        for key in (("address", address), ("pair", address, name), ("name", name)):
            self._events[key].append(self.clock())

    def good_login(self, address: str, name: str) -> None:
        self._known[name].add(address)
        self._events.pop(("pair", address, name), None)

    def unlock(self, name: str) -> None:
        for key in [key for key in self._events if key[0] in ("name", "pair") and key[-1] == name]:
            del self._events[key]

    def signup_wait(self, address: str) -> float:
        return self._over([(("signup", address), self.signups_per_address)])

    def signed_up(self, address: str, name: str) -> None:
        now = self.clock()
        self._events[("signup", address)].append(now)
        self._waiting_signups[name] = (address, now)

    def settled(self, name: str) -> None:
        """The admin approved or discarded `name`'s sign-up: it no longer counts."""
        address, when = self._waiting_signups.pop(name, (None, None))
        events = self._events.get(("signup", address))
        if events is not None and when in events:
            events.remove(when)


def wait_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return (f"Terlalu banyak percobaan dari sini. Tunggu sekitar {minutes} menit, lalu coba lagi. "
            "Admin bisa membuka kunci akun dengan ./balaikode unlock NAMA.")


THROTTLE = Throttle()
