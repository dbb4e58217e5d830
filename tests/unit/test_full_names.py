"""Full names (balaikode_hub/full_names.py): the rule, and their storage on a
real in-memory hub database, through the authenticator as the sign-up form
and the approval page's discard use it."""

from __future__ import annotations

import asyncio
import unicodedata

import pytest
from jupyterhub import orm
from sqlalchemy import inspect

from balaikode_hub import full_names
from balaikode_hub.full_names import MSG_CHARACTERS, MSG_MISSING, MSG_TOO_LONG, clean, problem
from test_auth import make_authenticator

TOO_LONG = MSG_TOO_LONG.format(maximum=100)


@pytest.fixture
def db():
    return orm.new_session_factory("sqlite:///:memory:")()


@pytest.mark.parametrize("raw,stored", [
    ("Siti", "Siti"),
    ("Nur'aini", "Nur'aini"),
    ("Nur\u2019aini", "Nur\u2019aini"),
    ("I Gusti Ayu Putu", "I Gusti Ayu Putu"),
    ("Đặng Thị", "Đặng Thị"),
    ("Zoë", "Zoë"),
    ("Siti-Rahma", "Siti-Rahma"),
    ("Moh. Hatta", "Moh. Hatta"),
    ("  Siti \t Aminah  ", "Siti Aminah"),   # tabs: turned into spaces by the form's browser
    ("Siti\u00a0Aminah", "Siti Aminah"),      # a no-break space pasted from a document
    ("\u0633\u0644\u0645\u0649", "\u0633\u0644\u0645\u0649"),  # any script's letters
    ("a" * 100, "a" * 100),
])
def test_names_people_write_are_accepted_trimmed_and_collapsed(raw, stored):
    assert problem(raw.replace("\t", " ")) is None
    assert clean(raw) == stored


def test_a_name_typed_with_combining_marks_is_stored_composed():
    # "Zoë" as Z o e + U+0308: the same name, the same length, stored as NFC.
    decomposed = unicodedata.normalize("NFD", "Zoë Đặng")
    assert problem(decomposed) is None
    assert clean(decomposed) == "Zoë Đặng" and len(clean(decomposed)) == 8


@pytest.mark.parametrize("raw,message", [
    ("", MSG_MISSING),
    ("   ", MSG_MISSING),
    (None, MSG_MISSING),
    (42, MSG_MISSING),
    ("a" * 101, TOO_LONG),
    ("Siti  " + "a" * 95, None),               # 101 typed, 100 after collapsing: fine
    ("Siti\nAminah", MSG_CHARACTERS),          # control characters are refused, not mended
    ("Siti\x00", MSG_CHARACTERS),
    ("Siti\u200bAminah", MSG_CHARACTERS),      # zero-width space
    ("\u202eanimA itiS", MSG_CHARACTERS),      # right-to-left override
    ("Siti, S.Pd.", MSG_CHARACTERS),           # nbgrader's CSV is unquoted
    ("=HYPERLINK(\"http://x\")", MSG_CHARACTERS),  # a formula in the trainer's spreadsheet
    ("-Siti", MSG_CHARACTERS),
    ("'Siti", MSG_CHARACTERS),
    (".", MSG_CHARACTERS),
    ("Siti2", MSG_CHARACTERS),
    ("<b>Siti</b>", MSG_CHARACTERS),
    ("Siti 🙂", MSG_CHARACTERS),
])
def test_names_against_the_rule_get_the_rule(raw, message):
    assert problem(raw) == message


def test_the_table_is_made_on_the_hubs_database_and_names_are_kept_by_user_name(db):
    full_names.ensure_table(db.bind)  # a second time changes nothing
    assert "balaikode_full_names" in inspect(db.bind).get_table_names()
    assert full_names.put(db, "siti", "  Siti   Aminah ") == "Siti Aminah"
    full_names.put(db, "budi", "Budi")
    full_names.put(db, "budi", "Budi Santoso")
    assert full_names.get(db, "siti") == "Siti Aminah"
    assert full_names.of(db, ["budi", "siti", "tamu"]) == {
        "budi": "Budi Santoso", "siti": "Siti Aminah", "tamu": None}
    assert full_names.of(db, []) == {}
    full_names.forget(db, "siti")
    assert full_names.get(db, "siti") is None and full_names.get(db, "budi") == "Budi Santoso"


def test_a_sign_up_stores_its_full_name_and_a_discarded_one_takes_it_along(db, tmp_path):
    auth = make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert auth.signup_problem("siti", "kopi-tubruk-99", "kopi-tubruk-99", "") == MSG_MISSING
    assert auth.signup_problem("siti", "kopi-tubruk-99", "kopi-tubruk-99", "Siti,") == MSG_CHARACTERS
    info = asyncio.run(auth.create_account("siti", "kopi-tubruk-99", " Siti  Aminah "))
    assert info.username == "siti" and full_names.get(db, "siti") == "Siti Aminah"
    # A second sign-up of the same name neither succeeds nor renames her.
    assert asyncio.run(auth.create_account("siti", "lain-lagi-2026", "Penyusup")) is None
    assert full_names.get(db, "siti") == "Siti Aminah"
    # NativeAuthenticator's discard and the admin's delete both call delete_user.
    auth.delete_user(type("User", (), {"name": "siti"}))
    assert auth.get_user("siti") is None and full_names.get(db, "siti") is None


def test_admin_accounts_have_no_full_name_until_one_is_set(db, tmp_path):
    make_authenticator(db, tmp_path, password="rahasia-admin-1")
    assert full_names.get(db, "admin") is None
