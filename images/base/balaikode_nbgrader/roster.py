"""Learners' full names into a trainer's nbgrader gradebook.

The hub keeps each learner's full name (hub_config/balaikode_hub/full_names.py);
a trainer's server asks the grader service for the course's roster (only
trainers of the course get it) and writes it with nbgrader's own API
(Gradebook.update_or_create_student). When: as the server starts (every
course it teaches; server_extension.py), after a collect (collect.py),
before autograding a submission (Autograde.pre_convert_hook) and before an
export (NamedCsvExport). Every learner of the course gets a student record,
so formgrader and the CSV list those who have not submitted yet too.

How a full name maps to nbgrader's first_name/last_name: the whole name
goes into last_name and first_name is empty. Indonesian names have no
family name to split off ("Siti", "I Gusti Ayu Putu", "Nur'aini"): any split
would print "Putu, I Gusti Ayu" where nbgrader prints "last, first". With
the whole name as last_name, formgrader's student and submission lists read
"Siti Aminah, " (its own ", "; never "None"), the CSV's last_name column
holds the name as the learner writes it (first_name stays empty) and
sorting by it sorts the class list as written. A learner with no full name
yet keeps whatever her record has (new records: both empty), so a name a
trainer typed in formgrader is not wiped by an unknown one; a name from the
hub always wins over one typed in formgrader.

A failure (grader or hub unreachable) is logged and never stops the server,
a collect, an autograde or an export: the names are then as at the last
update.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from .service import GraderServiceError, call_grader
from .teaching import taught_courses

log = logging.getLogger("balaikode.roster")
# An autograde of a whole class calls the hook once per submission: one
# roster request per course within this many seconds is enough.
FRESH_SECONDS = 60
_last_update: dict[tuple[str, str], float] = {}
_lock = threading.Lock()


# A new record for a learner without a full name: empty, so that formgrader
# never prints "None, None".
NO_NAME = {"first_name": "", "last_name": ""}


def student_names(full_name: str | None) -> dict[str, str]:
    """nbgrader's name fields for a full name (see the module's docstring);
    {} for no name: the record's names are left as they are."""
    return {} if not full_name else {"first_name": "", "last_name": full_name}


def gradebook_url(course: str) -> str:
    # The course folder as nbgrader_config.py sets CourseDirectory.root.
    return "sqlite:///" + os.path.join(os.path.expanduser(f"~/kursus/{course}"), "gradebook.db")


def fetch_roster(course: str) -> dict[str, str | None]:
    return call_grader("/roster", {"course": course}, timeout=30)["learners"]


def write_roster(gradebook, learners: dict[str, str | None]) -> None:
    from nbgrader.api import MissingEntry

    for name, full_name in sorted(learners.items()):
        fields = student_names(full_name)
        if not fields:
            try:
                gradebook.find_student(name)
                continue  # no name in the hub: keep the record's
            except MissingEntry:
                fields = NO_NAME
        gradebook.update_or_create_student(name, **fields)


def update(course: str, db_url: str | None = None, fresh_seconds: float = 0,
           gradebook=None) -> bool:
    """Write the course's roster into its gradebook (an open nbgrader
    Gradebook, or the one at db_url); False (logged) if it could not be
    fetched or written. Skipped if done within fresh_seconds."""
    key = (course, db_url or gradebook_url(course))
    with _lock:
        if time.monotonic() - _last_update.get(key, -1e9) < fresh_seconds:
            return True
        try:
            learners = fetch_roster(course)
            if gradebook is not None:
                write_roster(gradebook, learners)
            else:
                from nbgrader.api import Gradebook  # nbgrader loads slowly: only when needed

                with Gradebook(key[1], course_id=course) as opened:
                    write_roster(opened, learners)
        except (GraderServiceError, OSError, KeyError, ValueError) as error:
            log.warning("Nama peserta %s tidak diperbarui (nama lama tetap dipakai): %s",
                        course, error)
            return False
        except Exception:  # noqa: BLE001 - a gradebook error must not stop grading
            log.exception("Nama peserta %s tidak diperbarui", course)
            return False
        _last_update[key] = time.monotonic()
        log.info("Nama peserta %s diperbarui di buku nilai", course)
        return True


def update_taught_courses() -> None:
    """At server start (balaikode_server, in a thread): every course taught here."""
    for course in taught_courses():
        update(course)


def autograde_hook(course: str, db_url: str):
    """An Autograde.pre_convert_hook (nbgrader calls it with keywords, once
    per submission) that updates the roster at most once a minute."""
    def hook(**_submission):
        update(course, db_url, fresh_seconds=FRESH_SECONDS)
    return hook


def named_csv_export():
    """nbgrader's CSV export, after the roster is updated: the CSV carries
    today's names. (A function so nbgrader is imported only when configured.)"""
    from nbgrader.plugins.export import CsvExportPlugin

    class NamedCsvExport(CsvExportPlugin):
        def export(self, gradebook) -> None:
            update(gradebook.course_id, gradebook=gradebook)
            super().export(gradebook)

    return NamedCsvExport
