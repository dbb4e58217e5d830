"""A translation table keyed by the English text, for programs that have no
translation layer of their own (nbgrader).

strings/<name>.id.json holds:
- "exact": English text -> Bahasa Indonesia, for a whole text (whitespace
  inside is compared as one space);
- "patterns": English with {} where a value goes -> Bahasa Indonesia with
  {1}, {2}... for those values in their order in the English;
- "anywhere": one-word texts translated wherever JupyterLab shows them
  (others only inside nbgrader's panels: "Edit" may be JupyterLab's);
- "never_shown": texts found in the program that no one sees (console
  messages, names of things), so the coverage check leaves them alone.

The same table is used by the browser (i18n.js, served by __init__.py) and by
Python (feedback pages are translated as they are written, feedback.py).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

STRINGS = Path(__file__).parent / "strings"
HOLE = re.compile(r"\{[^{}]*\}")
# No text of nbgrader's is near this long (the longest pattern is under 200
# characters with its values). A longer text is a learner's (a markdown cell
# in the feedback page): the patterns' lazy holes backtrack in cubic time on
# it (20 KB of "a (Score: b / " held generate_feedback for minutes).
LONGEST = 1000


def normalize(text: str) -> str:
    return " ".join(text.split())


class Table:
    def __init__(self, data: dict):
        self.exact = {normalize(k): v for k, v in data.get("exact", {}).items()}
        self.patterns = {normalize(k): v for k, v in data.get("patterns", {}).items()}
        self.never_shown = {normalize(k) for k in data.get("never_shown", [])}
        # One-word texts that are nbgrader's wherever JupyterLab shows them.
        self.anywhere = list(data.get("anywhere", []))
        self._compiled = [(self.regex(k), v) for k, v in self.patterns.items()]
        # Pieces of a pattern's English, as nbgrader's code has them
        # ("Successfully released '" + name + "'"): covered by the pattern.
        self._pieces = {piece.strip(" '") for key in self.patterns
                        for piece in HOLE.split(key) if piece.strip()}

    @staticmethod
    def regex(key: str) -> re.Pattern:
        parts = HOLE.split(key)
        return re.compile("^" + "(.+?)".join(re.escape(p) for p in parts) + "$", re.S)

    def translate(self, text: str) -> str | None:
        """`text` in Bahasa Indonesia, or None when the table has no entry."""
        key = normalize(text)
        if key in self.exact:
            return self.exact[key]
        if len(key) > LONGEST:
            return None
        for regex, target in self._compiled:
            match = regex.match(key)
            if match:
                result = target
                for number, value in enumerate(match.groups(), 1):
                    result = result.replace("{%d}" % number, value)
                return result
        return None

    def covers(self, text: str) -> bool:
        key = normalize(text)
        holed = HOLE.sub("{}", key)
        return (key in self.exact or key in self.never_shown or holed in self.never_shown
                or holed in {HOLE.sub("{}", k) for k in self.patterns}
                or key.strip(" '") in self._pieces
                or self.translate(key) is not None)

    def as_json(self) -> str:
        """For the browser: exact texts and patterns (as regex sources)."""
        return json.dumps({"exact": self.exact, "anywhere": self.anywhere,
                           "patterns": [[r.pattern, v] for r, v in self._compiled]},
                          ensure_ascii=False, sort_keys=True)


def _read(name: str) -> dict:
    return json.loads((STRINGS / f"{name}.id.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def load(name: str = "nbgrader") -> Table:
    return Table(_read(name))


@lru_cache(maxsize=1)
def for_browser() -> Table:
    """nbgrader's table and the JupyterLab texts its language pack cannot
    reach (strings/jupyterlab-untranslated.id.json), for i18n.js."""
    merged: dict = {"exact": {}, "patterns": {}, "anywhere": []}
    for data in map(_read, ("nbgrader", "jupyterlab-untranslated")):
        merged["exact"].update(data.get("exact", {}))
        merged["patterns"].update(data.get("patterns", {}))
        merged["anywhere"] += data.get("anywhere", [])
    return Table(merged)


# Kept whole: code and scripts; else tags and the texts between them.
PIECES = re.compile(r"(<(pre|script|style|code)\b.*?</\2\s*>|<[^>]*>)", re.S | re.I)


def translate_html(page: str, table: Table) -> str:
    """The texts between the tags of an HTML page that `table` has, translated;
    code blocks, scripts and styles are left as they are (a learner's code)."""
    out, done = [], 0
    for kept in PIECES.finditer(page):
        out += [_translated(page[done:kept.start()], table), kept.group(0)]
        done = kept.end()
    out.append(_translated(page[done:], table))
    return "".join(out)


def _translated(piece: str, table: Table) -> str:
    translated = table.translate(piece) if piece.strip() else None
    if translated is None:
        return piece
    lead = piece[:len(piece) - len(piece.lstrip())]
    return lead + translated + piece[len(piece.rstrip()):]
