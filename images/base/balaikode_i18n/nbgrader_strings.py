"""The English texts nbgrader can show, read from the installed nbgrader.

nbgrader has no translation layer of its own, so its texts are translated
by a table keyed by the English text (strings/nbgrader.id.json). When
nbgrader is upgraded and shows a new text, `python -m
balaikode_i18n.nbgrader_strings` (run by tests/integration/test_translation.py
in the built image) names every text the table neither translates nor lists
as never shown, and exits 1: a new English text is caught at build time
instead of reaching a learner.

Where the texts are:
- the formgrader's and the feedback page's Jinja templates (text between
  tags and title/placeholder/aria-label attributes, Jinja expressions
  replaced by {});
- the formgrader's JavaScript (string literals that read like a sentence);
- the JupyterLab extension's bundle (Assignments panel, Validate dialog,
  Course List): string literals set as innerText/textContent, passed to
  createElement or used as a title, label or caption.
"""

from __future__ import annotations

import glob
import json
import re
import sys
from pathlib import Path

from .table import Table, load

JINJA = [(re.compile(r"\{\{.*?\}\}", re.S), "{}"), (re.compile(r"\{%.*?%\}", re.S), "\n"),
         (re.compile(r"\{#.*?#\}", re.S), ""), (re.compile(r"<(script|style)\b.*?</\1>", re.S), "")]
WORDS = re.compile(r"[A-Za-z]{2}")
# What makes a JavaScript literal a shown text: a capital letter, then words.
JS_TEXT = re.compile(r"""(?:innerText|textContent|title|label|caption|placeholder)\s*[=:]\s*(["'`])((?:(?!\1)[^\\\n]){2,300})\1"""
                     r"""|createElement\("[a-z]+",[^)]{0,40}?"([A-Z][^"\n]{2,300})\"""")
FORMGRADER_JS = re.compile(r""""([A-Z][A-Za-z][^"\n]{1,120})"|'([A-Z][A-Za-z][^'\n]{1,120})'""")


def _package_dir() -> Path:
    import nbgrader
    return Path(nbgrader.__file__).parent


def _labextension_dir() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"


def template_texts(text: str) -> set[str]:
    for pattern, replacement in JINJA:
        text = pattern.sub(replacement, text)
    found = set()
    for between in re.findall(r">([^<>]*)<", text):
        found |= {" ".join(line.split()) for line in between.split("\n")}
    found |= set(re.findall(r'(?:title|placeholder|aria-label)="([^"{]*)"', text))
    return {t for t in found if WORDS.search(t)}


def formgrader_js_texts(text: str) -> set[str]:
    found = {double or single for double, single in FORMGRADER_JS.findall(text)}
    return {t for t in found if " " in t or t.istitle()}


def labextension_texts(text: str) -> set[str]:
    found = set()
    for match in JS_TEXT.finditer(text):
        value = match.group(2) or match.group(3)
        if value and WORDS.search(value) and not value.startswith(("nbgrader update", "Error on ")):
            found.add(value.replace("${", "{").strip())
    return found


def shown_texts() -> dict[str, set[str]]:
    """Every English text the installed nbgrader may show, by where it is."""
    package = _package_dir()
    templates = package / "server_extensions" / "formgrader" / "templates"
    texts = {"templates": set(), "formgrader js": set(), "labextension": set()}
    for path in glob.glob(str(templates / "**" / "*.tpl"), recursive=True) + \
            glob.glob(str(templates / "**" / "*.j2"), recursive=True):
        texts["templates"] |= template_texts(Path(path).read_text(encoding="utf-8"))
    for path in glob.glob(str(package / "server_extensions" / "formgrader" / "static" / "js" / "*.js")):
        texts["formgrader js"] |= formgrader_js_texts(Path(path).read_text(encoding="utf-8"))
    for path in glob.glob(str(_labextension_dir() / "*.js")):
        texts["labextension"] |= labextension_texts(Path(path).read_text(encoding="utf-8"))
    return texts


def uncovered(table: Table) -> dict[str, list[str]]:
    return {where: sorted(t for t in texts if not table.covers(t))
            for where, texts in shown_texts().items()}


def main() -> int:
    missing = uncovered(load())
    count = sum(len(v) for v in missing.values())
    if count:
        print(f"{count} nbgrader texts are not in balaikode_i18n/strings/nbgrader.id.json "
              "(translate them, or list them under \"never_shown\"):")
        print(json.dumps(missing, indent=1, ensure_ascii=False))
        return 1
    print("every nbgrader text is translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
