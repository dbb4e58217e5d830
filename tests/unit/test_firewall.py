"""Which iptables rules the firewall service adds and removes
(src/balaikode/firewall/rules.py), from `iptables -S INPUT` as it prints;
and how it follows Docker's events (__main__.py's follow) through docker-py
against a stand-in engine that refuses and breaks its event stream."""

import json
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import docker
import pytest

from balaikode.firewall.__main__ import follow
from balaikode.firewall.rules import (SWARM_EGRESS_BRIDGE, bridge_name, dropped_bridges, host_interface,
                                      learner_networks, plan)

LISTED = """\
-P INPUT ACCEPT
-A INPUT -i br-aaaaaaaaaaaa -j DROP
-A INPUT -i br-bbbbbbbbbbbb -j DROP
-A INPUT -i docker0 -j DROP
-A INPUT -i br-cccccccccccc -p tcp -m tcp --dport 22 -j DROP
-A INPUT -i br-dddddddddddd -j ACCEPT
-A INPUT -s 10.0.0.0/8 -j DROP
"""


def test_only_plain_drop_rules_per_interface_are_ours():
    assert dropped_bridges(LISTED) == {"br-aaaaaaaaaaaa", "br-bbbbbbbbbbbb", "docker0"}
    assert dropped_bridges("-P INPUT ACCEPT\n") == set()


def test_the_bridge_is_dockers_default_name_or_the_one_the_network_asks_for():
    network_id = "0123456789abcdef" * 4
    assert bridge_name({"Id": network_id, "Options": {}}) == "br-0123456789ab"
    assert bridge_name({"Id": network_id, "Options": None}) == "br-0123456789ab"
    assert bridge_name({"Id": network_id, "Options": {"com.docker.network.bridge.name": "belajar0"}}) == "belajar0"


def test_learner_networks_are_the_projects_two():
    assert learner_networks("kelas") == ["kelas_learners", "kelas_learners-internet"]


def test_a_new_learner_bridge_gets_its_rule():
    todo = plan({"br-eeeeeeeeeeee"}, LISTED, {"br-aaaaaaaaaaaa", "br-bbbbbbbbbbbb", "br-eeeeeeeeeeee"}, set())
    assert (todo.add, todo.remove) == (["br-eeeeeeeeeeee"], [])


def test_nothing_to_do_when_every_bridge_has_its_rule():
    todo = plan({"br-aaaaaaaaaaaa"}, LISTED, {"br-aaaaaaaaaaaa", "br-bbbbbbbbbbbb"}, {"br-aaaaaaaaaaaa"})
    assert (todo.add, todo.remove) == ([], [])


def test_rules_for_bridges_that_are_gone_are_removed_whoever_added_them():
    # br-bbbbbbbbbbbb is someone else's (another project's firewall), but its
    # interface no longer exists; docker0 is not a Docker network bridge name.
    todo = plan({"br-aaaaaaaaaaaa"}, LISTED, {"br-aaaaaaaaaaaa"}, set())
    assert (todo.add, todo.remove) == ([], ["br-bbbbbbbbbbbb"])


def test_another_projects_live_bridge_keeps_its_rule():
    todo = plan(set(), LISTED, {"br-aaaaaaaaaaaa", "br-bbbbbbbbbbbb"}, set())
    assert todo.remove == []


def test_our_destroyed_network_loses_its_rule_even_while_its_interface_lingers():
    todo = plan(set(), LISTED, {"br-aaaaaaaaaaaa", "br-bbbbbbbbbbbb"}, {"br-aaaaaaaaaaaa"})
    assert (todo.add, todo.remove) == ([], ["br-aaaaaaaaaaaa"])


def test_a_wanted_bridge_is_never_removed_even_before_its_interface_shows():
    todo = plan({"br-aaaaaaaaaaaa"}, LISTED, set(), {"br-aaaaaaaaaaaa"})
    assert todo.remove == ["br-bbbbbbbbbbbb"]


def test_a_recreated_network_swaps_the_old_rule_for_the_new():
    todo = plan({"br-ffffffffffff"}, LISTED, {"br-bbbbbbbbbbbb", "br-ffffffffffff"},
                {"br-aaaaaaaaaaaa"})
    assert (todo.add, todo.remove) == (["br-ffffffffffff"], ["br-aaaaaaaaaaaa"])


def test_ip6tables_output_reads_the_same():
    listed6 = "-P INPUT ACCEPT\n-A INPUT -i br-aaaaaaaaaaaa -j DROP\n"
    todo = plan({"br-aaaaaaaaaaaa", "br-eeeeeeeeeeee"}, listed6, {"br-aaaaaaaaaaaa"}, set())
    assert (todo.add, todo.remove) == (["br-eeeeeeeeeeee"], [])


class StopFollowing(Exception):
    pass


class Engine(BaseHTTPRequestHandler):
    """Docker's GET /events, as a stand-in engine on a Unix socket: the first
    stream carries one event and breaks off (the engine restarting), the
    next ones carry one event and stay open."""
    protocol_version = "HTTP/1.1"
    streams: list[dict] = []
    # Set when the test is over: the open streams end then.
    over = threading.Event()

    def address_string(self):
        return "engine"

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        assert url.path.endswith("/events"), url.path
        self.streams.append(parse_qs(url.query))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        event = json.dumps({"Type": "network", "Action": "create", "Actor": {"ID": "n" * 64}}).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.flush()
        if len(self.streams) == 1:
            self.close_connection = True  # broken off mid-stream: no last chunk
            return
        self.over.wait(30)


def test_follow_reconciles_on_events_and_comes_back_after_errors_and_breaks(tmp_path, capsys):
    path = str(tmp_path / "docker.sock")
    server = socketserver.ThreadingUnixStreamServer(path, Engine)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Engine.streams = []
    Engine.over.clear()
    calls = []

    def on_change():
        calls.append(time.monotonic())
        if len(calls) == 1:  # the first reconcile finds the engine not answering yet
            raise docker.errors.APIError("500 Server Error: engine starting")
        if len(calls) == 5:
            raise StopFollowing

    started = time.monotonic()
    try:
        with pytest.raises(StopFollowing):
            follow(docker.DockerClient(base_url=f"unix://{path}", version="1.41"), on_change, window=60)
    finally:
        Engine.over.set()
        server.shutdown()
        server.server_close()
    # Reconcile fails (1 s); reconcile, event, break (2 s); reconcile, event.
    assert len(Engine.streams) == 2
    assert 3 <= calls[-1] - started < 10
    logged = capsys.readouterr().out
    assert "Docker did not answer (500 Server Error: engine starting); trying again in 1 s" in logged
    assert "event stream ended early; reconnecting in 2 s" in logged
    for query in Engine.streams:
        assert json.loads(query["filters"][0]) == {"type": ["network"], "event": ["create", "destroy"]}
        # Each stream starts at its own reconcile and ends with its window.
        assert 59 <= int(query["until"][0]) - int(query["since"][0]) <= 61


def test_swarm_learner_networks_enter_the_host_through_the_egress_bridge_or_not_at_all():
    assert host_interface({"Driver": "overlay", "Internal": True, "Id": "0123456789abcdef"}) is None
    assert host_interface({"Driver": "overlay", "Internal": False, "Id": "0123456789abcdef"}) == SWARM_EGRESS_BRIDGE
    assert host_interface({"Driver": "bridge", "Internal": True, "Id": "0123456789abcdef"}) == "br-0123456789ab"
