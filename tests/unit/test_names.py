"""The naming rules (src/balaikode/names.py): one definition, matched whole,
and the words that explain them to people say the same rule."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from balaikode import names
from balaikode_hub.auth import MSG_BAD_USERNAME
from balaikode_hub.language import TEXTS, translate_message

SRC = Path(names.__file__).resolve().parents[1]


@pytest.mark.parametrize("kind,good,bad", [
    ("user", ["ani", "siti.rahma", "b2_x-y"], ["a", "Ani", "1ani", "ani\n", "ani budi", "x" * 33, ""]),
    ("course", ["web-dasar", "py1"], ["a", "Web", "-web", "web_dasar", "web\n", "x" * 42]),
    ("assignment", ["01-variabel", "Tugas_2.b"], ["", ".hidden", "a/b", "../x", "tugas\n", "x" * 82]),
])
def test_each_rule_is_matched_whole(kind, good, bad):
    for name in good:
        assert names.is_valid(kind, name) and names.problem(kind, name) is None, name
    for name in bad:
        assert not names.is_valid(kind, name), repr(name)
        assert names.RULES[kind][1] in names.problem(kind, name)
    assert not names.is_valid(kind, None) and not names.is_valid(kind, 7)


def test_the_anchored_form_refuses_what_dollar_would_let_through():
    pattern = re.compile(names.anchored("user"))
    assert pattern.match("ani")
    assert not pattern.match("ani\n") and not pattern.match("ani-budi!") and not pattern.match("xani ")


def test_the_shell_form_is_what_the_learner_image_runs():
    # (The image runs it with -I, finding the package through its .pth file.)
    def check(*args):
        return subprocess.run([sys.executable, "-m", "balaikode.names", *args], capture_output=True,
                              text=True, env={"PYTHONPATH": str(SRC)}, cwd="/")
    assert check("course", "web-dasar").returncode == 0
    refused = check("user", "Root")
    assert refused.returncode == 1 and "nama pengguna" in refused.stderr
    assert check("planet", "x").returncode == 2
    # Several pairs in one run (start-learner checks a server's names at once):
    # every bad one is named.
    assert check("user", "ani", "course", "web-dasar", "course", "kelas-b").returncode == 0
    both = check("user", "ani", "course", "Web Dasar", "course", "x")
    assert both.returncode == 1 and "'Web Dasar'" in both.stderr and "'x'" in both.stderr
    assert check("user", "ani", "course").returncode == 2


def test_the_pages_explain_the_same_user_rule():
    rule_id = names.USER_RULE_ID
    assert "2–32" in rule_id and names.USER.pattern.endswith("{1,31}")  # 1 + 1..31 characters
    assert TEXTS["signup.username_help"][0].startswith(rule_id)
    assert rule_id in translate_message(MSG_BAD_USERNAME, "id")
