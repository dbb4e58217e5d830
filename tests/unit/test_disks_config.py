"""Which volumes of a learner server become size-limited disks, and the
settings behind it (the disks themselves: tests/integration/test_disks.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from balaikode.disks.store import DiskError, DiskStore
from balaikode.settings import disk_sizes
from balaikode_hub.disks import volumes_to_limit
from balaikode.settings import SettingsError, load_settings

GIB = 1024**3


def spawner(volumes: dict, name: str = "ani", user_id: int = 7):
    return SimpleNamespace(
        volumes=volumes, user=SimpleNamespace(id=user_id, name=name),
        # DockerSpawner's default: the template filled with the escaped name.
        format_volume_name=lambda template, s: template.format(username=name))


VOLUMES = {"bk-home-{username}": "/home/{raw_username}",
           "bk-exchange-kelas-a": {"bind": "/srv/nbgrader/exchange/kelas-a", "mode": "ro"},
           "bk-course-kelas-a": "/srv/nbgrader/courses/kelas-a",
           "bk_curriculum": {"bind": "/opt/balaikode/assignments", "mode": "ro"}}


def test_home_and_exchanges_are_limited_course_folders_and_curriculum_are_not():
    wanted = volumes_to_limit(spawner(VOLUMES), "bk", {"home": 2 * GIB, "exchange": GIB})
    # The home belongs to the learner's UID (10000 + hub id), exchanges to root.
    assert wanted == [("bk-home-ani", 10007), ("bk-exchange-kelas-a", 0)]


@pytest.mark.parametrize("sizes, expected", [
    ({"home": 0, "exchange": GIB}, ["bk-exchange-kelas-a"]),
    ({"home": GIB, "exchange": 0}, ["bk-home-ani"]),
    ({"home": 0, "exchange": 0}, []),
])
def test_a_size_of_zero_turns_that_limit_off(sizes, expected):
    assert [v for v, _ in volumes_to_limit(spawner(VOLUMES), "bk", sizes)] == expected


def test_other_projects_volumes_are_never_limited():
    assert volumes_to_limit(spawner({"lain-home-{username}": "/home/x"}), "bk",
                            {"home": GIB, "exchange": GIB}) == []


def test_disk_sizes_default_to_2g_and_accept_0():
    assert disk_sizes(load_settings({})) == {"home": 2 * GIB, "exchange": 2 * GIB}
    assert disk_sizes(load_settings({"BALAIKODE_HOME_DISK_SIZE": "0",
                                              "BALAIKODE_EXCHANGE_DISK_SIZE": "5G"})) == {
        "home": 0, "exchange": 5 * GIB}


@pytest.mark.parametrize("value", ["lots", "-1G", "10M"])
def test_a_bad_disk_size_names_the_key(value):
    with pytest.raises(SettingsError) as raised:
        load_settings({"BALAIKODE_HOME_DISK_SIZE": value})
    assert "BALAIKODE_HOME_DISK_SIZE" in str(raised.value)


@pytest.mark.parametrize("volume", ["bk_hub-data", "bk-course-kelas-a", "lain-home-ani",
                                    "bk-home-", "bk-home-../x", "bk-home-a/b"])
def test_the_store_only_takes_homes_and_exchanges_of_its_project(volume):
    store = DiskStore("bk", {"home": GIB, "exchange": GIB}, client=object())
    with pytest.raises(DiskError):
        store.kind_of(volume)


def test_the_store_knows_homes_and_exchanges():
    store = DiskStore("bk", {"home": GIB, "exchange": GIB}, client=object())
    assert store.kind_of("bk-home-siti-2en") == "home"
    assert store.kind_of("bk-exchange-kelas-a") == "exchange"
    assert store.image("bk-home-ani").name == "bk-home-ani.img"


@pytest.mark.parametrize("line, words", [
    (b"not json\n", "one JSON object per line"),
    (b"[1, 2]\n", "one JSON object per line"),
    (b'{"op": "format-host"}\n', "unknown op"),
    (b'{"op": "ensure", "volume": 5}\n', "needs a volume name"),
    (b'{"op": "ensure", "volume": "bk-home-ani", "owner": -1}\n', "needs a volume name"),
    (b'{"op": "ensure", "volume": "/etc"}\n', "is not a home or exchange volume"),
    # What the hub asks another machine's disks service (placement.py).
    (b'{"op": "remove_volume", "volume": "bk_hub-data"}\n', "is not a home or exchange volume"),
    (b'{"op": "limit_swap", "container": "abc", "memory": "1g"}\n', "its fields are wrong"),
    (b'{"op": "wait_gone", "service": "lain-learner-ani"}\n', "is not a service of bk"),
])
def test_the_disks_socket_answers_bad_requests_with_a_clear_error(tmp_path, line, words):
    import asyncio

    from balaikode.disks.server import serve

    async def ask():
        path = tmp_path / "disks.sock"
        store = DiskStore("bk", {"home": GIB, "exchange": GIB}, client=object())
        server = asyncio.create_task(serve(store, path, follow_volumes=False))
        while not path.exists():
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_unix_connection(str(path))
        writer.write(line)
        await writer.drain()
        answer = await reader.readline()
        writer.close()
        server.cancel()
        return json.loads(answer)

    reply = asyncio.run(ask())
    assert reply["ok"] is False and words in reply["error"], reply


def test_only_loops_of_deleted_balaikode_disk_images_are_orphans():
    from balaikode.disks.store import orphaned_loops

    listed = "\n".join([
        "/dev/loop1  /bkt85df22a5-home-korban2.img",                  # in use
        "/dev/loop29 /bkted2d070c-home-guru24.img (deleted)",          # orphan
        "/dev/loop57 /srv/balaikode/disks/bk-exchange-kelas-a.img (deleted)",  # orphan
        "/dev/loop3  /var/lib/snapd/snaps/core.snap (deleted)",        # not ours
        "/dev/loop4  /home/x/home-movies.iso (deleted)",               # not ours
        "/dev/loop5",                                                  # free
    ])
    assert orphaned_loops(listed) == [("/dev/loop29", "/bkted2d070c-home-guru24.img"),
                                      ("/dev/loop57", "/srv/balaikode/disks/bk-exchange-kelas-a.img")]


def test_a_request_over_the_network_must_be_signed_for_this_connection():
    from balaikode.disks.server import authorised
    from balaikode.disks_socket import proof

    secret, challenge = "k" * 40, "c" * 32
    request = {"op": "remove_volume", "volume": "kelas-home-ani"}
    signed = {**request, "proof": proof(secret, challenge, request)}
    assert authorised(dict(signed), secret, challenge)
    refused = [
        request,                                                    # unsigned
        {**request, "secret": secret},                              # the secret itself: not accepted
        {**request, "proof": proof("k" * 39, challenge, request)},  # another key
        {**signed, "volume": "kelas-home-budi"},                    # altered after signing
        {**request, "proof": None},
        {**request, "proof": [signed["proof"]]},
    ]
    for bad in refused:
        assert not authorised(dict(bad), secret, challenge), bad
    # Replayed on another connection (another challenge), or with none.
    assert not authorised(dict(signed), secret, "d" * 32)
    assert not authorised(dict(signed), secret, "")
    # The proof never reaches the operation (nor its log lines).
    authorised(signed, secret, challenge)
    assert signed == request
    # The Unix socket: its file's permissions decide.
    assert authorised({"op": "ping"}, None)
