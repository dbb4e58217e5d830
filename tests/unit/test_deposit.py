"""Submissions written for learners (balaikode_nbgrader.deposit) on real
folders: each learner's share of the exchange, nothing half-written, trainers
can remove anything (issue 13, item 6)."""

import base64
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

IMAGE_CODE = Path(__file__).resolve().parents[2] / "images" / "base"
from balaikode_nbgrader import deposit, inbound

ME, GID = os.getuid(), os.getgid()
MIB = 2**20


def exchange_with(tmp_path, assignment="tugas1") -> Path:
    exchange = tmp_path / "exchange"
    (exchange / "outbound" / assignment).mkdir(parents=True)
    return exchange


def request(learner="siti", assignment="tugas1", second=0, files=None, quota=10 * MIB, token="abc"):
    files = files or {"tugas1.ipynb": b'{"cells": []}'}
    files = {**files, "submission_secret.txt": b"rahasia"}
    return {"learner": learner, "assignment": assignment, "uid": ME, "gid": GID, "quota": quota,
            "timestamp": f"2026-12-04 10:00:{second:02d}.000000 UTC", "token": token,
            "files": {path: base64.b64encode(content).decode() for path, content in files.items()}}


def inbound_entries(exchange) -> list[str]:
    return sorted(os.listdir(exchange / "inbound"))


def test_a_submission_lands_whole_owned_by_the_learner_and_the_collector_takes_it(tmp_path):
    exchange = exchange_with(tmp_path)
    report = deposit.deposit(str(exchange), request(files={"tugas1.ipynb": b"{}", "data/angka.csv": b"1,2"}))
    [entry] = inbound_entries(exchange)
    assert entry == report["entry"] == "siti+tugas1+2026-12-04 10:00:00.000000 UTC+abc"
    folder = exchange / "inbound" / entry
    assert (folder / "data" / "angka.csv").read_bytes() == b"1,2"
    # Private to her and the course's trainers (the group), who may remove it.
    assert oct(folder.stat().st_mode & 0o7777) == "0o2770"
    assert oct((folder / "tugas1.ipynb").stat().st_mode & 0o777) == "0o640"
    assert oct((exchange / "inbound").stat().st_mode & 0o7777) == "0o2770"
    # Nothing left in the staging folder, which only root can enter.
    assert os.listdir(exchange / deposit.STAGING) == []
    assert oct((exchange / deposit.STAGING).stat().st_mode & 0o777) == "0o700"
    course = tmp_path / "course"
    collected = inbound.collect(str(exchange), str(course), "tugas1", {"siti": ME}, GID)
    assert [c["student"] for c in collected["collected"]] == ["siti"], collected
    assert (course / "submitted" / "siti" / "tugas1" / "data" / "angka.csv").read_bytes() == b"1,2"


def test_a_learner_who_keeps_submitting_keeps_her_newest_three(tmp_path):
    exchange = exchange_with(tmp_path)
    for second in range(6):
        deposit.deposit(str(exchange), request(second=second, token=f"t{second}"))
    deposit.deposit(str(exchange), request(learner="budi"))
    entries = inbound_entries(exchange)
    assert [e for e in entries if e.startswith("siti+")] == [
        f"siti+tugas1+2026-12-04 10:00:0{s}.000000 UTC+t{s}" for s in (3, 4, 5)]
    assert [e for e in entries if e.startswith("budi+")], "another learner's is not touched"


def test_her_quota_refuses_with_a_message_and_writes_nothing(tmp_path):
    exchange = exchange_with(tmp_path)
    (exchange / "outbound" / "tugas2").mkdir()
    big = {"tugas1.ipynb": os.urandom(3 * MIB)}
    deposit.deposit(str(exchange), request(files=big, quota=8 * MIB))
    with pytest.raises(deposit.Refused) as refused:
        deposit.deposit(str(exchange), request(assignment="tugas2", files={
            "tugas2.ipynb": os.urandom(6 * MIB)}, quota=8 * MIB))
    assert refused.value.kind == "quota"
    assert "jatah kirimanmu" in str(refused.value) and "8.0 MB" in str(refused.value)
    assert len(inbound_entries(exchange)) == 1
    assert os.listdir(exchange / deposit.STAGING) == []
    # A classmate still has her whole share.
    deposit.deposit(str(exchange), request(learner="budi", assignment="tugas2", files={
        "tugas2.ipynb": os.urandom(6 * MIB)}, quota=8 * MIB))


def test_a_resubmission_of_the_same_assignment_fits_after_old_ones_go(tmp_path):
    exchange = exchange_with(tmp_path)
    for second in range(5):
        deposit.deposit(str(exchange), request(second=second, token=f"t{second}",
                                               files={"tugas1.ipynb": os.urandom(2 * MIB)},
                                               quota=8 * MIB))
    assert len(inbound_entries(exchange)) == 3


@pytest.mark.parametrize("files, why", [
    ({"../keluar.txt": b"x"}, "nama berkas tidak sah"),
    ({"/etc/passwd": b"x"}, "nama berkas tidak sah"),
    ({"a//b": b"x"}, "nama berkas tidak sah"),
    ({"a\nb": b"x"}, "nama berkas tidak sah"),
    ({"data": b"x", "data/isi": b"y"}, "berkas dan folder"),
    ({"a" * 300 + ".txt": b"x"}, "nama berkas tidak sah"),
    ({"/".join(["d"] * 9) + "/f": b"x"}, "terlalu dalam"),
    # Empty files in many folders: the folders count as entries too.
    ({f"d{i}/e/f/g/x": b"" for i in range(60)}, "terlalu banyak berkas dan folder"),
])
def test_hostile_names_are_refused(tmp_path, files, why):
    exchange = exchange_with(tmp_path)
    with pytest.raises(deposit.Refused, match=why):
        deposit.deposit(str(exchange), request(files=files))
    assert not (tmp_path / "keluar.txt").exists()


@pytest.mark.parametrize("change, why", [
    ({"learner": "../siti"}, "nama pelajar"),
    ({"assignment": "tugas1/../../x"}, "nama tugas"),
    ({"timestamp": "kemarin"}, "waktu kirim"),
    ({"token": "a+b"}, "penanda"),
    ({"token": "tok\n"}, "penanda"),
    ({"assignment": "tugas1\n"}, "nama tugas"),
    ({"quota": "banyak"}, "bilangan bulat"),
    ({"files": {"x.ipynb": "bukan base64!"}}, "rusak"),
    ({"assignment": "belum-ada"}, "belum dibagikan"),
])
def test_bad_requests_are_refused_clearly(tmp_path, change, why):
    exchange = exchange_with(tmp_path)
    with pytest.raises(deposit.Refused, match=why):
        deposit.deposit(str(exchange), {**request(), **change})


def test_too_many_or_too_large_files_are_refused(tmp_path):
    exchange = exchange_with(tmp_path)
    many = {f"f{i}.txt": b"x" for i in range(inbound.MAX_FILES + 1)}
    with pytest.raises(deposit.Refused, match="terlalu banyak"):
        deposit.deposit(str(exchange), request(files=many))
    with pytest.raises(deposit.Refused) as refused:
        deposit.deposit(str(exchange), request(files={"x.bin": bytes(inbound.MAX_BYTES + 1)}))
    assert refused.value.kind == "too-big"


def test_a_full_disk_leaves_nothing_half_written(tmp_path, monkeypatch):
    exchange = exchange_with(tmp_path)
    real_write, calls = os.write, []

    def write_then_fill(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)
    monkeypatch.setattr(deposit.os, "write", write_then_fill)
    with pytest.raises(deposit.Refused) as refused:
        deposit.deposit(str(exchange), request(files={"a.txt": b"a", "b.txt": b"b"}))
    assert refused.value.kind == "full" and "penuh" in str(refused.value)
    assert inbound_entries(exchange) == []
    assert os.listdir(exchange / deposit.STAGING) == []


def test_removal_takes_old_learner_written_entries_links_and_all(tmp_path):
    exchange = exchange_with(tmp_path)
    deposit.deposit(str(exchange), request())
    deposit.deposit(str(exchange), request(learner="budi"))
    # An entry from before submissions went through the service, with a
    # link pointing outside: removed, the target untouched.
    outside = tmp_path / "sumber.ipynb"
    outside.write_text("KUNCI")
    old = exchange / "inbound" / "siti+tugas1+2026-12-01 10:00:00.000000 UTC+lama"
    (old / "sub").mkdir(parents=True)
    (old / "sub" / "tautan").symlink_to(outside)
    (old / "tautan-folder").symlink_to(tmp_path)
    usage = deposit.usage(str(exchange))
    assert usage["siti"]["submissions"] == 2 and usage["budi"]["submissions"] == 1
    removed = deposit.remove_submissions(str(exchange), "siti")
    assert len(removed) == 2
    assert [e.split("+")[0] for e in inbound_entries(exchange)] == ["budi"]
    assert outside.read_text() == "KUNCI" and (tmp_path / "exchange").is_dir()
    assert deposit.remove_submissions(str(exchange), None) and inbound_entries(exchange) == []


def test_the_command_line_reports_refusals_as_json_with_exit_code_3(tmp_path):
    exchange = exchange_with(tmp_path)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request(quota=1)))
    result = subprocess.run([sys.executable, "-m", "balaikode_nbgrader.deposit",
                             f"--exchange={exchange}", f"--request={path}"],
                            cwd=IMAGE_CODE, capture_output=True, text=True,
                            # the image's copy of the naming rules
                            env={**os.environ, "PYTHONPATH": str(IMAGE_CODE.parents[1] / "src")})
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["refused"] == "quota"


def test_folders_count_in_her_share(tmp_path):
    exchange = exchange_with(tmp_path)
    files = {"/".join(["d"] * 7) + f"/f{i}": b"" for i in range(20)}
    report = deposit.deposit(str(exchange), request(files=files))
    # Seven folders and its own, twenty-one files (with the secret): each is
    # charged an inode's share of the disk, even empty.
    assert report["bytes"] == (7 + 1 + 21) * deposit.INODE_COST, report


def test_usage_and_removal_survive_an_old_entry_thousands_of_folders_deep(tmp_path):
    """Entries written by learners themselves (before submissions went
    through the service) can be arbitrarily deep."""
    exchange = exchange_with(tmp_path)
    old = exchange / "inbound" / "siti+tugas1+2026-12-01 10:00:00.000000 UTC+lama"
    old.mkdir(parents=True)
    fd = os.open(old, os.O_RDONLY)
    for _ in range(1500):  # deeper than Python's recursion limit
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    try:
        assert deposit.usage(str(exchange))["siti"]["submissions"] == 1
        # Counting her share walks it too: 1500 folders are more than her share.
        with pytest.raises(deposit.Refused, match="jatah"):
            deposit.deposit(str(exchange), request())
        assert len(deposit.remove_submissions(str(exchange), "siti")) == 1
        assert inbound_entries(exchange) == []
    finally:
        # pytest's own clean-up of tmp_path recurses and would fail on it.
        subprocess.run(["rm", "-rf", str(old)], check=True)
