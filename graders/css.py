"""Check CSS: is the stylesheet well formed, does it have a rule, and which
value does a property really get on an element of the page (specificity,
source order, !important, inline style, inheritance)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable, Union

from .css_syntax import Declaration, Rule, Stylesheet, parse_css, parse_declarations, split_top_level
from .css_values import normalize_color, same_value
from .html import Element, HtmlInput, parse_html
from .result import CheckResult, GraderFailure, asserting, check
from .selectors import Selector, UnsupportedSelector, ancestors, parse_selector
from .sources import read_source

CssInput = Union[str, "os.PathLike[str]", Stylesheet]

# Properties a child takes from its parent when nothing sets them; the ones a
# beginner meets (body { color: ...; font-family: ... }) matter most here.
INHERITED_PROPERTIES = frozenset("""
    color font font-family font-size font-style font-variant font-weight line-height
    letter-spacing word-spacing text-align text-indent text-transform white-space
    visibility cursor direction quotes list-style list-style-type list-style-position
    list-style-image border-collapse border-spacing caption-side empty-cells
""".split())

_SIDES = ("top", "right", "bottom", "left")
_BORDER_STYLES = frozenset("none hidden dotted dashed solid double groove ridge inset outset".split())


def load_stylesheet(css: CssInput) -> Stylesheet:
    """Parse CSS text (``str``) or a file (``pathlib.Path``); never raises on
    broken CSS: mistakes are listed in ``stylesheet.problems``."""
    if isinstance(css, Stylesheet):
        return css
    source = read_source(css, "CSS kamu")
    return parse_css(source.text, source.name)


@check
def check_css_syntax(css: CssInput) -> CheckResult:
    """The stylesheet has no syntax mistakes (braces, colons, semicolons, comments)."""
    sheet = load_stylesheet(css)
    _require_no_problems(sheet.problems)
    return CheckResult.passed(sheet)


def _require_no_problems(problems: list[str]) -> None:
    if problems:
        raise GraderFailure("CSS kamu masih ada kesalahan penulisan. Perbaiki dulu:", *problems)


def _expand(declaration: Declaration) -> list[tuple[str, str]]:
    """The declaration itself plus the longhands a common shorthand sets, so
    ``background: yellow`` answers a question about background-color."""
    name, value = declaration.property, declaration.value
    pairs = [(name, value)]
    words = [word for word in split_top_level(value, " ") if word]
    if name in ("margin", "padding") and 1 <= len(words) <= 4:
        pairs += [(f"{name}-{side}", v) for side, v in zip(_SIDES, _box(words))]
    elif name == "background":
        pairs += [("background-color", w) for w in words if normalize_color(w) is not None][:1]
    elif name == "border":
        for word in words:
            longhand = ("border-style" if word.lower() in _BORDER_STYLES
                        else "border-color" if normalize_color(word) is not None else "border-width")
            pairs.append((longhand, word))
    return pairs


def _box(words: list[str]) -> tuple[str, str, str, str]:
    # CSS's own rule for 1 to 4 values: top, right, bottom, left, each
    # missing one copied from its opposite side.
    top = words[0]
    right = words[1] if len(words) > 1 else top
    bottom = words[2] if len(words) > 2 else top
    left = words[3] if len(words) > 3 else right
    return top, right, bottom, left


@dataclass
class _Candidate:
    value: str
    origin: str  # where the value was written, for the learner
    rank: tuple  # higher wins: importance, inline, specificity, source order


@dataclass
class _CompiledRule:
    rule: Rule
    sheet_name: str
    order: int
    selectors: list[Selector]


class _Cascade:
    """Every rule of the page's stylesheets, ready to answer 'which value'."""

    def __init__(self, sheets: list[Stylesheet], document_elements: Iterable[Element]):
        problems = [problem for sheet in sheets for problem in sheet.problems]
        self.inline: dict[int, list[Declaration]] = {}
        for element in document_elements:
            if "style" in element.attrs:
                found: list[str] = []
                self.inline[id(element)] = parse_declarations(element.attrs["style"], element.line, found)
                problems += [f"Atribut style pada <{element.tag}>: {p}" for p in found]
        _require_no_problems(problems)
        self.rules = []
        for sheet in sheets:
            for rule in sheet.rules:
                if rule.condition is not None:
                    continue  # @media and friends: only true on some screens
                selectors = []
                for text in rule.selectors:
                    try:
                        selectors.append(parse_selector(text))
                    except UnsupportedSelector:
                        pass  # :hover, ::before and the like never apply to the element at rest
                if selectors:
                    self.rules.append(_CompiledRule(rule, sheet.name, len(self.rules), selectors))

    def declared(self, element: Element, prop: str) -> _Candidate | None:
        best: _Candidate | None = None
        for compiled in self.rules:
            matching = [s.specificity for s in compiled.selectors if s.matches(element)]
            if not matching:
                continue
            best = self._better(
                best, compiled.rule.declarations, prop, (0, max(matching), compiled.order),
                lambda line, c=compiled: f"aturan '{c.rule.selector_text}' di baris {line} ({c.sheet_name})")
        return self._better(
            best, self.inline.get(id(element), []), prop, (1, (0, 0, 0), 0),
            lambda line: f"atribut style pada <{element.tag}> di baris {line}")

    @staticmethod
    def _better(best: _Candidate | None, declarations: list[Declaration], prop: str,
                rank: tuple, origin: Callable[[int], str]) -> _Candidate | None:
        for index, declaration in enumerate(declarations):
            for name, value in _expand(declaration):
                if name != prop:
                    continue
                candidate = _Candidate(value, origin(declaration.line),
                                       (declaration.important, *rank, index))
                if best is None or candidate.rank >= best.rank:
                    best = candidate
        return best

    def applied(self, element: Element, prop: str) -> _Candidate | None:
        """The value the browser uses, following inheritance up the tree."""
        for node in (element, *ancestors(element)):
            candidate = self.declared(node, prop)
            keyword = candidate.value.lower() if candidate else None
            if keyword == "inherit" or (keyword == "unset" and prop in INHERITED_PROPERTIES):
                continue
            if candidate is not None and keyword != "unset":
                if node is not element:
                    candidate.origin += f", diwarisi dari <{node.tag}> di baris {node.line}"
                return candidate
            if prop not in INHERITED_PROPERTIES:
                return None
        return None


def _page_cascade(html: HtmlInput, css: CssInput | list[CssInput] | None):
    document = parse_html(html)
    given = [] if css is None else list(css) if isinstance(css, (list, tuple)) else [css]
    # Linked stylesheets usually come before <style> blocks in <head>, so they come first here too.
    sheets = [load_stylesheet(item) for item in given]
    for style in document.elements("style"):
        text = "".join(part for part in style.content if isinstance(part, str))
        sheets.append(parse_css(text, f"<style> di {document.source.name}", style.line))
    elements = document.elements()
    return document, _Cascade(sheets, elements)


def _select(document, selector: str) -> list[Element]:
    found = document.select(selector)
    if not found:
        raise GraderFailure(f"Elemen '{selector}' tidak ditemukan di halaman HTML.")
    return found


@check
def applied_css_value(html: HtmlInput, selector: str, prop: str, *,
                      css: CssInput | list[CssInput] | None = None) -> CheckResult:
    """Which value ``prop`` gets on the first element matching ``selector``.

    ``css`` is extra stylesheet text or files (e.g. ``Path("style.css")``);
    the page's own <style> blocks and style attributes always count. The
    result's value is the value as written (e.g. ``"#f00"``), or None if
    nothing sets it."""
    document, cascade = _page_cascade(html, css)
    candidate = cascade.applied(_select(document, selector)[0], prop.lower())
    return CheckResult.passed(candidate.value if candidate else None)


@check
def check_css_value(html: HtmlInput, selector: str, prop: str, expected: str, *,
                    css: CssInput | list[CssInput] | None = None) -> CheckResult:
    """Every element matching ``selector`` gets ``expected`` for ``prop``.
    Colours and zero lengths compare by meaning (``red`` = ``#f00``)."""
    document, cascade = _page_cascade(html, css)
    prop = prop.lower()
    messages = []
    for element in _select(document, selector):
        candidate = cascade.applied(element, prop)
        if candidate is None:
            messages.append(f"Properti {prop} untuk {element.describe()} belum diatur. "
                            f"Seharusnya {expected}.")
        elif not same_value(candidate.value, expected):
            messages.append(f"Properti {prop} untuk {element.describe()} seharusnya {expected}, "
                            f"tapi nilainya {candidate.value} (dari {candidate.origin}).")
    return CheckResult.failed(*messages) if messages else CheckResult.passed(expected)


@check
def check_css_rule(css: CssInput, selector: str, prop: str, expected: str | None = None) -> CheckResult:
    """The stylesheet has a rule for exactly ``selector`` (outside @media) that
    sets ``prop`` (to ``expected``, if given). The last such declaration counts."""
    sheet = load_stylesheet(css)
    _require_no_problems(sheet.problems)
    wanted = _selector_key(selector)
    rules = [rule for rule in sheet.rules if rule.condition is None
             and any(_selector_key(text) == wanted for text in rule.selectors)]
    if not rules:
        return CheckResult.failed(f"Belum ada aturan CSS untuk '{selector}'. "
                                  f"Tulis {selector} {{ {prop}: ...; }}.")
    prop = prop.lower()
    declarations = [d for rule in rules for d in rule.declarations
                    if any(name == prop for name, _ in _expand(d))]
    if not declarations:
        return CheckResult.failed(f"Aturan '{selector}' belum mengatur {prop}.")
    # !important wins over order inside the stylesheet, as in the browser.
    last = ([d for d in declarations if d.important] or declarations)[-1]
    value = dict(_expand(last))[prop]
    if expected is not None and not same_value(value, expected):
        return CheckResult.failed(f"Di aturan '{selector}' (baris {last.line}), {prop} seharusnya "
                                  f"{expected}, tapi tertulis {value}.", value=value)
    return CheckResult.passed(value)


def _selector_key(text: str):
    try:
        parsed = parse_selector(text)
        return parsed.compounds, parsed.combinators
    except UnsupportedSelector:
        return " ".join(text.split())


assert_css_syntax = asserting(check_css_syntax)
assert_css_value = asserting(check_css_value)
assert_css_rule = asserting(check_css_rule)
