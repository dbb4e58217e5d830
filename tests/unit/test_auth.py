"""BalaiKodeAuthenticator on a real (in-memory SQLite) hub database."""

import asyncio
import os
import stat

import pytest
from jupyterhub import orm
from traitlets.config import Config

from balaikode_hub.auth import (MSG_BAD_USERNAME, MSG_MISMATCH, MSG_TAKEN,
                                BalaiKodeAuthenticator, weak_password_message)
from balaikode.names import anchored

NAME = "Budi Santoso"


def make_authenticator(db, tmp_path, password=""):
    c = Config()
    c.Authenticator.admin_users = {"admin"}
    c.Authenticator.username_pattern = anchored("user")
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    c.BalaiKodeAuthenticator.admin_password = password
    c.BalaiKodeAuthenticator.admin_password_file = str(tmp_path / "admin-password")
    # `db` is the Authenticator's public trait (JupyterHub 5 and 6); the hub
    # itself fills it from its own session.
    return BalaiKodeAuthenticator(config=c, db=db)


@pytest.fixture
def db():
    return orm.new_session_factory("sqlite:///:memory:")()


def login(auth, name, password):
    return asyncio.run(auth.authenticate(None, {"username": name, "password": password}))


def test_admin_exists_at_start_with_the_configured_password(db, tmp_path):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert login(auth, "admin", "rahasia-admin-1") == "admin"
    assert login(auth, "admin", "salah") is None
    # Nobody can sign up as the admin afterwards.
    assert auth.signup_problem("admin", "x" * 12, "x" * 12, NAME) == MSG_TAKEN
    assert not (tmp_path / "admin-password").exists()


def test_generated_admin_password_is_root_only_and_stable(db, tmp_path):
    auth = make_authenticator(db, tmp_path)
    path = tmp_path / "admin-password"
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600
    password = path.read_text().strip()
    assert len(password) >= 12
    assert login(auth, "admin", password) == "admin"
    # A restart neither changes nor re-creates it.
    make_authenticator(db, tmp_path)
    assert path.read_text().strip() == password


def test_signup_waits_for_approval(db, tmp_path):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert auth.signup_problem("budi", "kopi-tubruk-99", "kopi-tubruk-99", NAME) is None
    assert auth.create_user("budi", "kopi-tubruk-99") is not None
    assert login(auth, "budi", "kopi-tubruk-99") is None
    auth.get_user("budi").is_authorized = True
    db.commit()
    assert login(auth, "budi", "kopi-tubruk-99") == "budi"
    assert login(auth, "budi", "kopi-tubruk-98") is None


def test_admin_stays_able_to_log_in_even_if_unapproved(db, tmp_path):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    auth.get_user("admin").is_authorized = False
    db.commit()
    assert login(auth, "admin", "rahasia-admin-1") == "admin"


@pytest.mark.parametrize("name", ["Budi Santoso", "../etc", "a", "budi/x", "1budi",
                                  "x" * 33, "budi;rm", "bü", ""])
def test_unsafe_names_are_refused_with_the_rule(db, tmp_path, name):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert auth.signup_problem(auth.normalize_username(name), "kopi-tubruk-99",
                               "kopi-tubruk-99", NAME) == MSG_BAD_USERNAME


@pytest.mark.parametrize("name", ["budi", "siti.aminah", "pak_rt-07"])
def test_safe_names_are_accepted(db, tmp_path, name):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert auth.signup_problem(name, "kopi-tubruk-99", "kopi-tubruk-99", NAME) is None


def test_password_rules(db, tmp_path):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert auth.signup_problem("budi", "kopi-tubruk-99", "kopi-tubruk-98", NAME) == MSG_MISMATCH
    # Too short, or long enough but common (the page shows the message in its
    # language: tests/unit/test_language.py).
    assert auth.signup_problem("budi", "pendek", "pendek", NAME) == weak_password_message(8)
    assert auth.signup_problem("budi", "password", "password", NAME) == weak_password_message(8)
