"""A trainer's gradebook roster (images/base/balaikode_nbgrader/roster.py):
how a full name becomes nbgrader's name fields, which courses a server
updates, and that a grader that does not answer never stops the caller. The
real gradebook is written in tests/integration/test_full_names_in_gradebook.py."""

from __future__ import annotations

import socket

import pytest

from balaikode_nbgrader import GRADER_URL_ENV, roster


@pytest.mark.parametrize("full_name,fields", [
    ("Siti", {"first_name": "", "last_name": "Siti"}),
    ("I Gusti Ayu Putu", {"first_name": "", "last_name": "I Gusti Ayu Putu"}),
    ("Nur'aini", {"first_name": "", "last_name": "Nur'aini"}),
    # No name in the hub: the record's names are left as they are.
    (None, {}),
    ("", {}),
])
def test_the_whole_name_is_the_last_name_and_none_leaves_the_record_alone(full_name, fields):
    assert roster.student_names(full_name) == fields


def test_a_server_updates_every_course_it_teaches(monkeypatch):
    monkeypatch.setenv("BALAIKODE_TEACHES", "python-pagi:20001  web-malam:20002")
    updated = []
    monkeypatch.setattr(roster, "update", lambda course: updated.append(course))
    roster.update_taught_courses()
    assert updated == ["python-pagi", "web-malam"]


def test_a_grader_that_does_not_answer_is_logged_and_does_not_stop_the_caller(
        monkeypatch, tmp_path, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(GRADER_URL_ENV, f"http://127.0.0.1:{port}/services/grader")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    db_url = f"sqlite:///{tmp_path}/gradebook.db"
    assert roster.update("python-pagi", db_url) is False
    assert "Nama peserta python-pagi tidak diperbarui" in caplog.text
    # Nothing was written, so the next caller asks again (no stale "fresh").
    assert roster.update("python-pagi", db_url, fresh_seconds=60) is False
    assert not (tmp_path / "gradebook.db").exists()
