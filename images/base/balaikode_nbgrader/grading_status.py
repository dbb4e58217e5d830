"""Which test cells passed, decided by what the kernel reported.

nbgrader scores a test cell by looking for error output: no error shown means
full points. A learner's answer runs in the same kernel and can hide errors
(IPython's traceback display or sys.excepthook replaced), so the sandbox's
runner decides instead, per test cell, from that cell's own execution:
  * the kernel's execute_reply status is "ok", and
  * the cell ran to its last line: a random token, drawn after the answer
    cells ran and appended to the test cell, was printed.
Failing cells then get an error output written by the runner (outside the
kernel), so nbgrader's normal scoring and gradebook record 0 for them.

Pure functions: unit-tested without a kernel (tests/unit/test_grading_status.py).
"""

from __future__ import annotations

import re

import nbformat

FAILED = "TesGagal"


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


# The line a test cell ends with, per kernel language; the token is hex, so
# Python's repr is a valid string literal in each.
TOKEN_LINES = {"python": "print({!r})", "javascript": "console.log({!r})",
               "typescript": "console.log({!r})"}


def with_token(source: str, token: str, language: str = "python") -> str | None:
    """The test cell's code followed by a line that prints the token, or None
    for a language without one (then the reply status alone decides).

    A separate line (not a wrapper) so the test's own semantics (globals it
    defines, its last expression) stay as the trainer wrote them."""
    line = TOKEN_LINES.get(language)
    return None if line is None else f"{source}\n{line.format(token)}"


def take_token(outputs: list, token: str) -> tuple[list, bool]:
    """Outputs without the token's line, and whether the token was printed
    exactly once on stdout."""
    seen = 0
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = output.get("text", "")
            seen += text.count(token)
            text = text.replace(token + "\n", "").replace(token, "")
            if not text:
                continue
            output = {**output, "text": text}
        elif output.get("output_type") == "error":
            # The traceback quotes the appended line: drop it.
            line = re.compile(r"\n?[^\n]*" + re.escape(token) + r"[^\n]*")
            output = {**output, "traceback": [line.sub("", t) for t in output.get("traceback", [])]}
        kept.append(output)
    return [nbformat.from_dict(o) for o in kept], seen == 1


def verdict(reply_status: str | None, token_seen: bool, outputs: list) -> bool:
    """Passed only with an ok reply, the token printed, and no error shown."""
    has_error = any(o.get("output_type") == "error" for o in outputs)
    return reply_status == "ok" and token_seen and not has_error


def mark_cell_failed(cell, reason: str) -> None:
    """Make nbgrader score this cell 0 and tell the trainer and learner why."""
    if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        return
    cell.setdefault("outputs", []).append(nbformat.v4.new_output(
        "error", ename=FAILED, evalue=reason, traceback=[f"{FAILED}: {reason}"]))
