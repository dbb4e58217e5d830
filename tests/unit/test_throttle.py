"""throttle.py and passwords.py on bare objects: the guesser is slowed, the
owner is never locked out, long passwords work."""

import asyncio

from balaikode_hub import passwords
from balaikode_hub.throttle import Limit, Throttle
from support.clock import Clock


def make():
    clock = Clock(1000.0)
    return Throttle(per_address=Limit(30, 300), per_pair=Limit(8, 300), per_name=Limit(60, 900),
                    signups_per_address=Limit(3, 3600), clock=clock), clock


def test_one_address_guessing_one_name_is_slowed_then_let_go():
    throttle, clock = make()
    for _ in range(8):
        assert throttle.login_wait("10.0.0.9", "admin") == 0
        throttle.failed_login("10.0.0.9", "admin")
    assert throttle.login_wait("10.0.0.9", "admin") > 0
    clock.now += 301
    assert throttle.login_wait("10.0.0.9", "admin") == 0


def test_guessing_many_names_from_one_address_is_slowed():
    throttle, _ = make()
    for number in range(30):
        throttle.failed_login("10.0.0.9", f"nama{number}")
    assert throttle.login_wait("10.0.0.9", "siapa") > 0


def test_the_owner_logs_in_from_her_own_address_while_others_flood_her_name():
    throttle, _ = make()
    throttle.good_login("192.168.1.5", "admin")  # her laptop, yesterday
    for attacker in range(100):
        throttle.failed_login(f"10.0.1.{attacker}", "admin")
    assert throttle.login_wait("10.0.2.1", "admin") > 0, "a stranger's address is slowed"
    assert throttle.login_wait("192.168.1.5", "admin") == 0, "her own address is not"


def test_unlock_clears_a_name_but_not_the_guessers_address():
    throttle, _ = make()
    for attacker in range(70):
        throttle.failed_login("10.0.0.9", "admin")
    throttle.unlock("admin")
    assert throttle.login_wait("10.0.0.7", "admin") == 0
    assert throttle.login_wait("10.0.0.9", "budi") > 0


def test_signups_per_address_are_capped():
    throttle, clock = make()
    for number in range(3):
        throttle.signed_up("10.0.0.9", f"murid{number}")
    assert throttle.signup_wait("10.0.0.9") > 0
    assert throttle.signup_wait("10.0.0.8") == 0
    clock.now += 3601
    assert throttle.signup_wait("10.0.0.9") == 0


def test_signups_the_admin_has_settled_no_longer_count():
    throttle, _ = make()
    for number in range(3):
        throttle.signed_up("10.0.0.9", f"murid{number}")
    throttle.settled("murid0")  # approved
    assert throttle.signup_wait("10.0.0.9") == 0, "a class signs up, is approved, more come"
    throttle.signed_up("10.0.0.9", "murid3")
    assert throttle.signup_wait("10.0.0.9") > 0
    throttle.settled("tidak-pernah-daftar")  # approving an old account changes nothing
    assert throttle.signup_wait("10.0.0.9") > 0


def test_a_classmate_flooding_the_class_address_does_not_lock_out_those_who_logged_in_there():
    throttle, _ = make()
    throttle.good_login("203.0.113.7", "siti")  # the village router, last session
    for number in range(200):
        throttle.failed_login("203.0.113.7", f"tebak{number}")
    assert throttle.login_wait("203.0.113.7", "budi") > 0, "new names from there are slowed"
    assert throttle.login_wait("203.0.113.7", "siti") == 0, "siti is not"
    for _ in range(8):
        throttle.failed_login("203.0.113.7", "siti")
    assert throttle.login_wait("203.0.113.7", "siti") > 0, "guessing siti there still is"


def test_long_passwords_hash_and_check_and_old_hashes_still_match():
    long = "kata-sandi-panjang-" * 6  # 114 bytes
    hashed = asyncio.run(passwords.hash_password(long))
    assert asyncio.run(passwords.password_matches(long, hashed))
    assert not asyncio.run(passwords.password_matches(long[:-1] + "x", hashed))
    import bcrypt
    old = bcrypt.hashpw(b"Sandi-lama-2025", bcrypt.gensalt())  # an account from before
    assert asyncio.run(passwords.password_matches("Sandi-lama-2025", old))
    assert not asyncio.run(passwords.password_matches("apa saja", None)), "unknown name"


def test_only_the_proxy_may_say_where_a_request_came_from(monkeypatch):
    from types import SimpleNamespace

    from balaikode_hub import client_address as module

    monkeypatch.setattr(module, "proxy_addresses", lambda: frozenset({"172.20.0.2"}))

    def request(peer, **headers):
        return SimpleNamespace(headers=headers, remote_ip=headers.get("X-Real-Ip", peer),
                               connection=SimpleNamespace(context=SimpleNamespace(address=(peer, 5555))))

    via_proxy = request("172.20.0.2", **{"X-Forwarded-For": "1.2.3.4, 192.168.1.7", "X-Real-Ip": "9.9.9.9"})
    assert module.client_address(via_proxy) == "192.168.1.7"
    direct = request("172.21.0.5", **{"X-Forwarded-For": "192.168.1.7", "X-Real-Ip": "9.9.9.9"})
    assert module.client_address(direct) == "172.21.0.5"
