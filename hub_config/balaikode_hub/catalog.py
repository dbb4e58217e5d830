"""The hub's texts, read from gettext catalogs (hub_config/locale).

English is the source language: ``balaikode.pot`` holds every English text
and ``<language>/LC_MESSAGES/balaikode.po`` its translation (today ``id``,
Bahasa Indonesia). Translators edit the .po files with Poedit, Weblate or a
text editor (docs/translating.md). Two kinds of entries:

- Texts of Balai Kode's own pages: the context (msgctxt) is a stable key such
  as ``login.title``; templates ask for it with ``tr(key)``.
- Messages made by Python code (JupyterHub's, NativeAuthenticator's,
  balaikode_hub/auth.py's): no context, the msgid is the English text with a
  ``{name}`` placeholder for each part that changes. A message shown on a
  page is matched against every msgid (each turned into a pattern), and the
  translation gets the matched parts.

A translation that cannot be used (missing, marked fuzzy, or whose
placeholders differ from the English) is left out, so that text shows in
English; ``problems`` lists it, the hub prints it at start and
tests/unit/test_language.py fails on it. The .po files are read with Babel;
nothing is compiled.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message as PoEntry
from babel.messages.pofile import PoFileError, read_po

SOURCE_LANGUAGE = "en"
DOMAIN = "balaikode"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def placeholders(text: str) -> set[str]:
    """The {fields} of a text; ValueError if its braces are broken."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text)
            if name is not None}


def pattern(english: str) -> re.Pattern:
    """'No such user: {name}' -> a regex matching the whole message, with a
    group per placeholder (a placeholder used twice must match the same text)."""
    parts, seen = [], set()
    for literal, name, _spec, _conversion in string.Formatter().parse(english):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    return re.compile("".join(parts) + r"\Z", re.S)


@dataclass(frozen=True)
class Message:
    """A message made by Python code, and how to recognise it when shown."""

    english: str
    pattern: re.Pattern
    literal_length: int  # more fixed text: a more specific message


@dataclass
class Catalogs:
    # key -> {language: text}, the English always present
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    # English message -> {language: translation}
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)  # most specific first
    languages: list[str] = field(default_factory=list)  # with a .po file
    problems: list[str] = field(default_factory=list)

    def text(self, key: str, language: str) -> str:
        """The text of a key (KeyError if the key does not exist)."""
        texts = self.texts[key]
        return texts.get(language, texts[SOURCE_LANGUAGE])

    def translate(self, shown: str, language: str) -> str | None:
        """A message made by Python code in `language`; None if unknown."""
        for message in self.messages:
            match = message.pattern.match(shown)
            if match:
                translation = self.translations[message.english].get(language)
                return None if translation is None else translation.format(**match.groupdict())
        return None


class UnreadableCatalog(Exception):
    """A .po or .pot file that is not gettext's syntax."""


# Babel's reader is lenient: `msgstr Halo` (quotes forgotten in a text
# editor) reads as "al", a missing closing quote goes unnoticed. So every
# line is checked first: a comment, a blank line, or a keyword and/or one
# complete "quoted" text (\" for a quote inside it).
PO_LINE = re.compile(r'[ \t]*(#.*|(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+)?'
                     r'"(?:[^"\\]|\\.)*"[ \t]*)?')


def read(path: Path):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise UnreadableCatalog(f"not UTF-8 ({error})") from None
    for number, line in enumerate(lines, 1):
        if not PO_LINE.fullmatch(line):
            raise UnreadableCatalog(f'line {number} is not a comment, a keyword or a "quoted" '
                                    f"text: {line!r}")
    try:
        with open(path, "rb") as po_file:
            return read_po(po_file, domain=DOMAIN, abort_invalid=True)
    except PoFileError as error:
        raise UnreadableCatalog(f"line {error.lineno + 1}: {error}") from None


def entries(catalog) -> list[PoEntry]:
    return [entry for entry in catalog if entry.id]  # the header has an empty msgid


def usable(entry: PoEntry, english: str) -> str | None:
    """Why a translation cannot be shown, or None if it can."""
    if not entry.string:
        return "not translated"
    if entry.fuzzy:
        return "marked fuzzy (needs review)"
    try:
        if any(spec or conversion for _literal, name, spec, conversion
               in string.Formatter().parse(entry.string) if name is not None):
            return "a placeholder with a format (such as {name:>9} or {name!r}); write just {name}"
        if placeholders(entry.string) != placeholders(english):
            return (f"placeholders {sorted(placeholders(entry.string))} differ from the "
                    f"English {sorted(placeholders(english))}")
    except ValueError as error:
        return f"broken braces ({error}); write {{{{ and }}}} for a brace"
    return None


def load(directory: Path = LOCALE_DIR) -> Catalogs:
    """Every text in English and every usable translation. A broken
    template (.pot) is a developer's mistake: it raises UnreadableCatalog."""
    catalogs = Catalogs()
    for entry in entries(read(directory / f"{DOMAIN}.pot")):
        placeholders(entry.id)  # a broken English text raises here, at hub start
        if entry.context is None:
            catalogs.translations[entry.id] = {SOURCE_LANGUAGE: entry.id}
            literal = sum(len(part[0]) for part in string.Formatter().parse(entry.id))
            catalogs.messages.append(Message(entry.id, pattern(entry.id), literal))
        else:
            catalogs.texts[entry.context] = {SOURCE_LANGUAGE: entry.id}
    catalogs.messages.sort(key=lambda message: -message.literal_length)
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        where = f"{directory.name}/{po_path.relative_to(directory)}"
        add_translation(catalogs, po_path.parents[1].name, po_path, where)
    return catalogs


def add_translation(catalogs: Catalogs, language: str, po_path: Path, where: str) -> None:
    try:
        catalog = read(po_path)
    except UnreadableCatalog as error:
        catalogs.problems.append(f"{where}: {error}; every text of this language shows in English")
        return
    catalogs.languages.append(language)
    known = set()
    for entry in entries(catalog):
        known.add((entry.context, entry.id))
        name = entry.context or repr(entry.id)
        target = (catalogs.translations.get(entry.id) if entry.context is None
                  else catalogs.texts.get(entry.context))
        if target is None or (entry.context is not None and target[SOURCE_LANGUAGE] != entry.id):
            catalogs.problems.append(f"{where}: {name} is not in {DOMAIN}.pot (or its English "
                                     "changed there): update the .po from the .pot")
            continue
        problem = usable(entry, entry.id)
        if problem:
            catalogs.problems.append(f"{where}: {name}: {problem}")
        else:
            target[language] = entry.string
    for entry in catalog.obsolete.values():
        catalogs.problems.append(f"{where}: {entry.context or repr(entry.id)} is obsolete (#~): "
                                 "remove it")
    for key, texts in catalogs.texts.items():
        if (key, texts[SOURCE_LANGUAGE]) not in known:
            catalogs.problems.append(f"{where}: {key} is missing")
    for english in catalogs.translations:
        if (None, english) not in known:
            catalogs.problems.append(f"{where}: {english!r} is missing")
