"""Learners' full names (nama lengkap): the rule, and where the hub keeps them.

People sign up with a user name (the naming rule in balaikode/names.py) and
their full name as they write it: "Siti", "Nur'aini", "I Gusti Ayu Putu",
"Đặng Thị", "Zoë". The name is shown on the approval page and copied into
each course's nbgrader gradebook (trainers see it in formgrader and in
`nbgrader export`'s CSV).

The rule, checked in the hub only (learners' servers never write names):
trimmed, inner whitespace collapsed to one space, Unicode NFC (so "Zoë"
typed two ways is one name), 1-100 characters, letters and combining marks,
spaces, apostrophes, hyphens and dots only, starting with a letter. Not
commas, digits or other signs: nbgrader's CSV export writes names unquoted
(a comma would shift the trainer's columns) and a cell that starts with
= + - @ is a formula in a spreadsheet; a learner's name must not be either.

Stored in the hub's database, in a table of Balai Kode's own
(``balaikode_full_names``): NativeAuthenticator's ``users_info`` has no name
column (and site-packages are not patched). Keyed by user name, like ``users_info``; an account without a row
(an admin, or a user made with the admin API) has no full name until one is
set, by the learner on /hub/nama or by the admin (signup_api.py).
"""

from __future__ import annotations

import unicodedata

from jupyterhub.orm import Base
from sqlalchemy import Column, Unicode

MAX_LENGTH = 100
APOSTROPHES = "'’ʼ‘"
HYPHENS = "-‐‑"
ALLOWED_SIGNS = set(APOSTROPHES + HYPHENS + ". ")

# Messages in English (the catalog's source language); pages show them in
# their language through hub_config/locale, the admin API as they are.
MSG_MISSING = "Fill in your full name."
MSG_TOO_LONG = "The full name is too long: at most {maximum} characters."
MSG_CHARACTERS = (
    "The full name may contain only letters, spaces, apostrophes ('), hyphens (-) and "
    "dots (.), and must start with a letter. Example: Nur'aini Siti-Rahma"
)

class FullName(Base):
    __tablename__ = "balaikode_full_names"
    username = Column(Unicode(255), primary_key=True)
    # Room for any name the rule lets through (characters, not bytes).
    full_name = Column(Unicode(MAX_LENGTH), nullable=False)


def ensure_table(engine) -> None:
    """Create the table on the hub's database if it is not there yet (a hub
    from before full names gets it at its next start). On JupyterHub's own
    declarative Base, like NativeAuthenticator's users_info, so the hub's
    create_all at start makes it too."""
    FullName.__table__.create(engine, checkfirst=True)


# -- the rule -------------------------------------------------------------

def clean(raw: str) -> str:
    """The name as stored: NFC, trimmed, each run of spaces one space."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _allowed(char: str) -> bool:
    # Letters and combining marks (the dots of "Đặng" typed as marks).
    return unicodedata.category(char)[0] in "LM" or char in ALLOWED_SIGNS


def problem(raw) -> str | None:
    """Why `raw` cannot be a full name (a MSG_ text), or None if it can.
    Control characters anywhere (a tab, a newline inside, a zero-width or
    right-to-left mark) are refused, not silently turned into spaces."""
    if not isinstance(raw, str):
        return MSG_MISSING
    stripped = unicodedata.normalize("NFC", raw).strip()
    if not stripped:
        return MSG_MISSING
    if any(unicodedata.category(char).startswith("C") for char in stripped):
        return MSG_CHARACTERS
    name = clean(stripped)
    if len(name) > MAX_LENGTH:
        return MSG_TOO_LONG.format(maximum=MAX_LENGTH)
    if not _is_letter(name[0]) or not all(_allowed(char) for char in name):
        return MSG_CHARACTERS
    return None


# -- storage --------------------------------------------------------------

def get(db, username: str) -> str | None:
    row = db.get(FullName, username)
    return None if row is None else row.full_name


def of(db, usernames) -> dict[str, str | None]:
    """Each user name's full name (None: none set)."""
    wanted = set(usernames)
    rows = db.query(FullName).filter(FullName.username.in_(wanted)).all() if wanted else []
    found = {row.username: row.full_name for row in rows}
    return {name: found.get(name) for name in sorted(wanted)}


def put(db, username: str, raw: str, commit: bool = True) -> str:
    """Set a user's full name (checked by problem() before); the name as stored."""
    name = clean(raw)
    row = db.get(FullName, username)
    if row is None:
        db.add(FullName(username=username, full_name=name))
    else:
        row.full_name = name
    if commit:
        db.commit()
    return name


def forget(db, username: str) -> None:
    """A deleted account's name goes with it (a new sign-up of the same user
    name starts without one)."""
    db.query(FullName).filter(FullName.username == username).delete()
    db.commit()
