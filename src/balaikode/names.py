"""The naming rules, defined once.

User, course and assignment names end up in container, volume, group and
path names, so each has one rule that every part checks the same way: the
hub (sign-up, courses API), the grader, the learner image's start script and
its exchange writer (which carries a copy of this file), and the admin's
command line. Patterns are always matched whole (``fullmatch``): a ``$``
alone would let a final newline through.

Also a command, for shell scripts::

    python3 -m balaikode.names course web-dasar   # exit 0, or 1 with a message
    python3 -m balaikode.names user ani course web-dasar course kelas-b

(several KIND NAME pairs at once: a learner's server starts one Python for
all its checks, not one per course.)
"""

from __future__ import annotations

import re
import sys

# Hub user names become Linux user names inside the learner container.
USER = re.compile(r"[a-z][a-z0-9._-]{1,31}")
USER_RULE_ID = ("2–32 karakter: huruf kecil a–z, angka, titik (.), garis bawah (_) atau "
                "tanda hubung (-), diawali huruf")
# Course ids become group, volume and folder names; "web-" gives the web image.
COURSE = re.compile(r"[a-z0-9][a-z0-9-]{1,40}")
COURSE_RULE_ID = "2–41 karakter: huruf kecil a–z, angka atau tanda hubung (-), diawali huruf atau angka"
# nbgrader assignment (and kernel) names: folder names in the exchange.
ASSIGNMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}")
ASSIGNMENT_RULE_ID = "1–81 karakter: huruf, angka, titik, garis bawah atau tanda hubung, diawali huruf atau angka"

# kind: (pattern, rule, what it is called in a message)
RULES = {"user": (USER, USER_RULE_ID, "nama pengguna"),
         "course": (COURSE, COURSE_RULE_ID, "nama kursus"),
         "assignment": (ASSIGNMENT, ASSIGNMENT_RULE_ID, "nama tugas")}


def is_valid(kind: str, name: object) -> bool:
    """True if name is a str that follows the rule for kind (user, course, assignment)."""
    return isinstance(name, str) and RULES[kind][0].fullmatch(name) is not None


def anchored(kind: str) -> str:
    """The rule as a pattern for code that uses re.match (JupyterHub's
    Authenticator.username_pattern): anchored at both ends, \\Z not $."""
    return rf"\A(?:{RULES[kind][0].pattern})\Z"


def problem(kind: str, name: object) -> str | None:
    """None for a good name, else a message that says the rule."""
    if is_valid(kind, name):
        return None
    _, rule, called = RULES[kind]
    return f"{name!r} bukan {called} yang sah ({rule})"


def main(argv: list[str]) -> int:
    pairs = list(zip(argv[::2], argv[1::2]))
    if not argv or len(argv) % 2 or any(kind not in RULES for kind, _ in pairs):
        print(f"usage: python3 -m balaikode.names {{{'|'.join(RULES)}}} NAME [KIND NAME ...]",
              file=sys.stderr)
        return 2
    messages = [message for message in (problem(kind, name) for kind, name in pairs) if message]
    for message in messages:
        print(message, file=sys.stderr)
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
