"""Issue 14: status.sh hands Docker's answers over as Docker gives them
(JSON), one file each; the status table is built from those files. The
stack test (tests/integration/test_status.py) runs it against real Docker."""

from __future__ import annotations

import json

import pytest

from ops.volumes import status

SERVICES = [{"Service": "hub", "Name": "bk-hub-1", "State": "running", "Health": "healthy"},
            {"Service": "proxy", "Name": "bk-proxy-1", "State": "running", "Health": ""}]


@pytest.mark.parametrize("services_text", [
    json.dumps(SERVICES),                                  # docker compose before 2.21
    "\n".join(json.dumps(service) for service in SERVICES),  # JSON lines since
])
def test_the_table_joins_accounts_containers_stats_and_homes(tmp_path, services_text):
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "services.json").write_text(services_text)
    (facts / "containers.json").write_text(json.dumps([
        {"Name": "/bk-learner-siti-2en", "State": {"Status": "running"},
         "Config": {"Env": ["NB_USER=siti.n", "BALAIKODE_ROLE=trainer", "PATH=/usr/bin"]}}]))
    (facts / "stats.json").write_text("\n".join(json.dumps(row) for row in [
        {"Name": "bk-learner-siti-2en", "CPUPerc": "0.50%", "MemUsage": "120MiB / 1GiB",
         "MemPerc": "11.72%"},
        {"Name": "bk-hub-1", "CPUPerc": "1.00%", "MemUsage": "90MiB / 23GiB", "MemPerc": "0.38%"}]))
    (facts / "users.tsv").write_text("admin\tadmin\tstopped\nsiti.n\tlearner\trunning\n")
    volumes = tmp_path / "volumes"
    (volumes / "home-siti-2en").mkdir(parents=True)
    (volumes / "home-siti-2en" / "tugas.py").write_text("print(1)\n")
    (volumes / "course-kelas").mkdir()

    out = status.report(project="bk", version="0.1.0", url="0.0.0.0:8000", hub_health="ok",
                        facts=status.read_facts(str(facts)), volumes_root=str(volumes)).splitlines()

    assert out[0] == "Balai Kode 0.1.0  (project bk)  http://SERVER-ADDRESS:8000/"
    assert out[1] == "Hub: OK, it answers /hub/health"
    assert out[5].split() == ["hub", "running", "healthy", "1.00%", "90MiB", "/", "23GiB"]
    assert out[6].split() == ["proxy", "running", "-", "-", "-"]
    [siti] = [line.split() for line in out if line.split()[:1] == ["siti.n"]]
    assert siti[:8] == ["siti.n", "learner+trainer", "running", "0.50%", "120MiB", "/", "1GiB",
                        "11.72%"]
    assert siti[9] == "KiB"  # its home, measured here
    assert "Learners: 2 account(s)/home(s), 1 server(s) running" in "\n".join(out)
    assert out[-3] == "Courses:" and out[-1].split()[0] == "kelas" and out[-1].endswith("-")


def test_a_stopped_stack_and_a_garbled_answer_are_shown_not_crashed_on(tmp_path, capsys):
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "stats.json").write_text('{"Name": "bk-hub-1", "CPUPerc"')  # cut off
    out = status.report(project="bk", version="0.1.0", url="", hub_health="fail",
                        facts=status.read_facts(str(facts)), volumes_root=str(tmp_path / "none"))
    assert "stats.json" in capsys.readouterr().err
    assert out.splitlines()[:5] == [
        "Balai Kode 0.1.0  (project bk)",
        "Hub: STOPPED (start it with ./balaikode up; see ./balaikode logs hub)",
        "", "Services:", "  (none: the stack is not created; ./balaikode up)"]
    assert "  (none yet)" in out


@pytest.mark.parametrize("order", [1, -1])
def test_her_running_server_wins_over_a_container_on_its_way_out(tmp_path, order):
    """With BALAIKODE_SWARM a stopped service's container goes a few seconds
    after the next one started: both are listed for a moment, in any order."""
    facts = tmp_path / "facts"
    facts.mkdir()
    containers = [
        {"Name": "/bk-learner-budi.1.old", "State": {"Status": "exited"}, "Config": {"Env": ["NB_USER=budi"]}},
        {"Name": "/bk-learner-budi.1.new", "State": {"Status": "running"}, "Config": {"Env": ["NB_USER=budi"]}},
    ][::order]
    (facts / "containers.json").write_text(json.dumps(containers))
    (facts / "stats.json").write_text(json.dumps(
        {"Name": "bk-learner-budi.1.new", "CPUPerc": "0.10%", "MemUsage": "90MiB / 1GiB", "MemPerc": "8.79%"}))
    (facts / "users.tsv").write_text("budi\tlearner\t\n")
    out = status.report(project="bk", version="0.3.0", url="", hub_health="ok",
                        facts=status.read_facts(str(facts)), volumes_root=str(tmp_path / "none"))
    [budi] = [line.split() for line in out.splitlines() if line.split()[:1] == ["budi"]]
    assert budi[:5] == ["budi", "learner", "running", "0.10%", "90MiB"], budi
