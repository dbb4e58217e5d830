"""The one shape every check returns, and the bridge to nbgrader's AssertionError."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

# A badly broken page can produce hundreds of problems; a beginner fixes the
# first few and runs the test again, so more would only bury the useful ones.
MAX_MESSAGES = 10


class GraderFailure(AssertionError):
    """The learner's work has a problem; ``messages`` say which, in Indonesian.

    It is an AssertionError so that nbgrader counts it as a failed test even
    when it escapes a helper such as ``parse_html`` used directly in a cell.
    """

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__(format_messages(self.messages))


@dataclass
class CheckResult:
    """Outcome of one check: ``ok``, messages for the learner, and a ``value``
    (what a function returned, what a script printed, which CSS value applied)."""

    ok: bool
    messages: list[str] = field(default_factory=list)
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return format_messages(self.messages) if self.messages else ("OK" if self.ok else "Gagal")

    @classmethod
    def passed(cls, value: Any = None, messages: list[str] | None = None) -> "CheckResult":
        return cls(True, list(messages or []), value)

    @classmethod
    def failed(cls, *messages: str, value: Any = None) -> "CheckResult":
        # The same sentence twice (two unclosed blocks on one line) tells the learner nothing new.
        return cls(False, limit_messages(list(dict.fromkeys(messages))), value)


def limit_messages(messages: list[str], limit: int = MAX_MESSAGES) -> list[str]:
    if len(messages) <= limit:
        return messages
    hidden = len(messages) - limit
    return messages[:limit] + [f"... dan {hidden} masalah lain. Perbaiki yang di atas dulu, lalu jalankan lagi."]


def format_messages(messages: list[str]) -> str:
    if len(messages) == 1:
        return messages[0]
    return "\n".join(f"- {message}" for message in messages)


def combine(*results: CheckResult) -> CheckResult:
    """All checks must pass; the learner sees every problem at once."""
    messages = [message for result in results for message in result.messages]
    if all(result.ok for result in results):
        return CheckResult.passed(messages=messages)
    return CheckResult.failed(*messages)


def assert_ok(result: CheckResult) -> CheckResult:
    """Raise AssertionError with the learner's messages unless ``result`` passed."""
    if not result.ok:
        raise GraderFailure(*(result.messages or ["Pemeriksaan gagal."]))
    return result


def check(func: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Turn a GraderFailure raised anywhere below a check into a failed result.

    Deep helpers (reading a file, parsing broken CSS) can then stop at the first
    learner mistake without every caller testing for it. Other exceptions are
    left alone on purpose: they mean the trainer called the check wrongly.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
        try:
            return func(*args, **kwargs)
        except GraderFailure as failure:
            return CheckResult.failed(*failure.messages)

    return wrapper


def asserting(check_func: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Build the ``assert_*`` twin of a ``check_*`` function for nbgrader test cells."""

    @functools.wraps(check_func)
    def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
        return assert_ok(check_func(*args, **kwargs))

    name = check_func.__name__.replace("check_", "assert_", 1)
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = (
        f"Like ``{check_func.__name__}``, but raise AssertionError with the learner's "
        f"messages when it fails; return the CheckResult when it passes.\n\n"
        + (check_func.__doc__ or "")
    )
    return wrapper
