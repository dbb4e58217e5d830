"""A small CSS parser that never raises: it returns the rules it understood
and, in Indonesian, every syntax mistake with its line number."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .selectors import split_selector_list

# At-rules whose block holds ordinary rules. They are kept, marked with their
# condition, so a check can tell a phone-only rule from one that always applies.
_GROUPING_AT_RULES = ("@media", "@supports", "@layer", "@container")
# Real stylesheets nest these two or three deep; a bound keeps garbage such as
# "@media{" repeated thousands of times from exhausting Python's stack.
_MAX_NESTING = 10
_PROPERTY_NAME = re.compile(r"^-{0,2}[a-zA-Z][a-zA-Z0-9-]*$")
_IMPORTANT = re.compile(r"!\s*important\s*$", re.IGNORECASE)


@dataclass
class Declaration:
    property: str
    value: str
    important: bool
    line: int


@dataclass
class Rule:
    selector_text: str
    selectors: list[str]
    declarations: list[Declaration]
    line: int
    condition: str | None = None  # e.g. "@media (max-width: 600px)"; None = always


@dataclass
class Stylesheet:
    name: str
    rules: list[Rule] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _Text:
    """The stylesheet with comments blanked out and a position-to-line map."""

    def __init__(self, text: str, first_line: int):
        self.first_line = first_line
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.problems: list[str] = []
        self.text = self._blank_comments(text)

    def line(self, position: int) -> int:
        return self.first_line + bisect.bisect_left(self.newlines, position)

    def _blank_comments(self, text: str) -> str:
        # Comments become spaces of the same length so positions, and so line
        # numbers, stay true to what the learner wrote.
        pieces, position = [], 0
        while True:
            start = _find_outside_strings(text, "/*", position)
            if start < 0:
                pieces.append(text[position:])
                break
            end = text.find("*/", start + 2)
            pieces.append(text[position:start])
            if end < 0:
                self.problems.append(
                    f"Komentar /* di baris {self.line(start)} belum ditutup dengan */.")
                break
            pieces.append(re.sub(r"[^\n]", " ", text[start:end + 2]))
            position = end + 2
        return "".join(pieces)


def _find_outside_strings(text: str, needle: str, start: int) -> int:
    found = _walk(text, start, re.escape(needle), parentheses=False)
    return -1 if found >= len(text) else found


def _scan(text: str, start: int, stops: str) -> int:
    """Position of the first character of ``stops`` outside strings and
    parentheses (so ``url(a;b)`` and ``content: "}"`` do not end anything)."""
    return _walk(text, start, "[" + re.escape(stops) + "]", parentheses=True)


@lru_cache(maxsize=32)
def _interesting(stop: str) -> re.Pattern:
    # Jump from one character that matters to the next: a character loop in
    # Python would make a large stylesheet take many seconds.
    return re.compile(r"[\"'\\\n()]|" + stop)


def _walk(text: str, start: int, stop: str, parentheses: bool) -> int:
    pattern = _interesting(stop)
    position, quote, depth = start, None, 0
    while (match := pattern.search(text, position)) is not None:
        position = match.start()
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote or char == "\n":
                quote = None
        elif char in "\"'":
            quote = char
        elif parentheses and char == "(":
            depth += 1
        elif parentheses and char == ")" and depth:
            depth -= 1
        elif depth == 0 and match.group() not in "()\\\n":
            return position
        position += 1
    return len(text)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside strings and parentheses."""
    parts, start = [], 0
    while True:
        end = _scan(text, start, separator)
        parts.append(text[start:end])
        if end >= len(text):
            return parts
        start = end + 1


def parse_css(text: str, name: str = "CSS kamu", first_line: int = 1) -> Stylesheet:
    """Parse a stylesheet. ``first_line`` lets a <style> block report the line
    numbers of the HTML file it sits in."""
    source = _Text(text, first_line)
    sheet = Stylesheet(name, problems=source.problems)
    _parse_rules(source, 0, len(source.text), None, sheet, 0)
    return sheet


def _parse_rules(source: _Text, start: int, end: int, condition: str | None,
                 sheet: Stylesheet, nesting: int) -> None:
    text = source.text
    position = start
    while position < end:
        stop = min(_scan(text, position, "{};"), end)
        raw = text[position:stop]
        prelude = raw.strip()
        prelude_line = source.line(position + len(raw) - len(raw.lstrip()))
        if stop >= end:
            if prelude:
                sheet.problems.append(
                    f"Di baris {prelude_line} ada '{_short(prelude)}' tanpa {{ ... }} sesudahnya.")
            return
        char = text[stop]
        if char == "}":
            sheet.problems.append(f"Ada '}}' di baris {source.line(stop)} tanpa '{{' pembukanya. Hapus '}}' itu.")
            position = stop + 1
        elif char == ";":
            if prelude and not prelude.startswith("@"):
                sheet.problems.append(
                    f"Di baris {prelude_line}, '{_short(prelude)};' berada di luar aturan CSS. "
                    f"Deklarasi harus ada di dalam selector {{ ... }}.")
            position = stop + 1
        elif prelude.startswith("@"):
            position = _parse_at_rule(source, prelude, stop, end, sheet, nesting)
        else:
            position = _parse_style_rule(source, prelude, prelude_line, stop, end, condition, sheet)


def _parse_at_rule(source: _Text, prelude: str, open_position: int, end: int,
                   sheet: Stylesheet, nesting: int) -> int:
    block_end = _matching_brace(source.text, open_position, end)
    line = source.line(open_position)
    if block_end >= end:
        sheet.problems.append(f"Blok '{_short(prelude)}' di baris {line} belum ditutup dengan '}}'.")
    if re.match(r"@[\w-]*", prelude)[0].lower() in _GROUPING_AT_RULES:
        if nesting >= _MAX_NESTING:
            sheet.problems.append(f"Blok '{_short(prelude)}' di baris {line} bersarang terlalu dalam.")
        else:
            _parse_rules(source, open_position + 1, block_end, prelude, sheet, nesting + 1)
    # Other at-rules (@font-face, @keyframes, @page) hold no rules for elements.
    return block_end + 1


def _matching_brace(text: str, open_position: int, end: int) -> int:
    depth, position = 0, open_position
    while position < end:
        position = min(_scan(text, position, "{}"), end)
        if position >= end:
            return end
        depth += 1 if text[position] == "{" else -1
        if depth == 0:
            return position
        position += 1
    return end


def _parse_style_rule(source: _Text, prelude: str, line: int, open_position: int,
                      end: int, condition: str | None, sheet: Stylesheet) -> int:
    """Parse one ``selectors { declarations }``; return where parsing goes on."""
    text = source.text
    body_start = open_position + 1
    body_end = min(_scan(text, body_start, "{}"), end)
    resume = body_end + 1
    name = _short(prelude) or "?"
    if body_end >= end:
        sheet.problems.append(f"Aturan '{name}' di baris {line} belum ditutup dengan '}}'.")
    elif text[body_end] == "{":
        # A '{' inside a declaration block almost always means the learner
        # forgot the '}' of this rule; the text after the last ';' is then the
        # next rule's selector, so parse on from there rather than skip it.
        next_rule_line = source.line(body_end)
        body_end = max(text.rfind(";", body_start, body_end), body_start)
        resume = body_end + 1 if text[body_end] == ";" else body_start
        sheet.problems.append(
            f"Aturan '{name}' di baris {line} belum ditutup dengan '}}' "
            f"sebelum aturan berikutnya (baris {next_rule_line}).")
    if not prelude:
        sheet.problems.append(f"Ada '{{' di baris {source.line(open_position)} tanpa selector di depannya.")
    selectors = split_selector_list(prelude)
    if prelude and not all(selectors):
        sheet.problems.append(f"Daftar selector '{name}' di baris {line} punya koma yang berlebih.")
    declarations = parse_declarations(text[body_start:body_end], source.line(body_start), sheet.problems)
    if prelude:
        sheet.rules.append(Rule(prelude, [s for s in selectors if s], declarations, line, condition))
    return resume


def parse_declarations(body: str, first_line: int, problems: list[str]) -> list[Declaration]:
    """Parse ``color: red; margin: 0`` (a rule's body or a style attribute)."""
    declarations = []
    line = first_line
    for part in split_top_level(body, ";"):
        stripped = part.lstrip()
        if stripped.strip():
            part_line = line + part.count("\n", 0, len(part) - len(stripped))
            declaration = _parse_declaration(stripped.strip(), part_line, problems)
            if declaration is not None:
                declarations.append(declaration)
        line += part.count("\n")
    return declarations


def _parse_declaration(text: str, line: int, problems: list[str]) -> Declaration | None:
    name, colon, value = text.partition(":")
    name = name.strip()
    if not colon:
        problems.append(f"Di baris {line}, '{_short(text)}' kurang tanda ':' (titik dua) "
                        f"di antara nama properti dan nilainya.")
        return None
    if not _PROPERTY_NAME.match(name):
        problems.append(f"Di baris {line}, '{_short(name)}' bukan nama properti CSS yang benar.")
        return None
    important = bool(_IMPORTANT.search(value))
    value = _IMPORTANT.sub("", value).strip()
    if not value:
        problems.append(f"Properti '{name}' di baris {line} belum punya nilai.")
        return None
    if len(split_top_level(value, ":")) > 1:
        # "red background: blue": the last word before the colon is the next property.
        words = split_top_level(value, ":")[0].split()
        first_value = " ".join(words[:-1]) or value
        problems.append(f"Sepertinya kurang ';' sesudah '{name}: {first_value}' di baris {line}.")
        return None
    return Declaration(name.lower(), " ".join(value.split()), important, line)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
