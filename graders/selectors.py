"""Simple CSS selectors, shared by the HTML checks (find elements) and the CSS
cascade (which rules apply), so both agree on what a selector means.

Supported: ``*``, ``tag``, ``.class``, ``#id``, ``[attr]``, ``[attr=value]``,
any compound of those, and the descendant (space) and child (``>``)
combinators. Anything else (``:hover``, ``+``, ``~``, ``::before``) raises
``UnsupportedSelector``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Protocol


class UnsupportedSelector(ValueError):
    pass


class Node(Protocol):
    tag: str
    attrs: dict[str, str]
    parent: "Node | None"


@dataclass(frozen=True)
class Compound:
    tag: str | None = None
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str | None], ...] = ()

    def matches(self, node: Node) -> bool:
        if self.tag is not None and node.tag != self.tag:
            return False
        if any(node.attrs.get("id") != wanted for wanted in self.ids):
            return False
        if self.classes and not set(self.classes) <= set(node.attrs.get("class", "").split()):
            return False
        for name, value in self.attributes:
            if name not in node.attrs or (value is not None and node.attrs[name] != value):
                return False
        return True


@dataclass(frozen=True)
class Selector:
    text: str
    compounds: tuple[Compound, ...]
    combinators: tuple[str, ...]  # combinators[i] joins compounds[i] and compounds[i + 1]

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (
            sum(len(c.ids) for c in self.compounds),
            sum(len(c.classes) + len(c.attributes) for c in self.compounds),
            sum(c.tag is not None for c in self.compounds),
        )

    def matches(self, node: Node) -> bool:
        return _matches(self, len(self.compounds) - 1, node)


_TOKEN = re.compile(
    r"""
    \s*(?P<child>>)\s*
  | (?P<space>\s+)
  | (?P<tag>\*|[A-Za-z][\w-]*)
  | \.(?P<cls>-?[\w-]+)
  | \#(?P<id>-?[\w-]+)
  | \[\s*(?P<attr>[\w-]+)\s*
      (?:=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\]\s"']+))\s*)?\]
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """Parse one selector (no commas); raise UnsupportedSelector if it is not simple."""
    source = text.strip()
    if not source:
        raise UnsupportedSelector("empty selector")
    compounds: list[Compound] = []
    combinators: list[str] = []
    current: dict = {}
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise UnsupportedSelector(f"unsupported selector {text!r} (at {source[position:]!r})")
        position = match.end()
        kind = match.lastgroup if match.lastgroup not in ("dq", "sq", "bare") else "attr"
        if kind in ("child", "space"):
            if not current:
                raise UnsupportedSelector(f"selector {text!r} has a combinator without an element before it")
            compounds.append(_compound(current))
            combinators.append(">" if kind == "child" else " ")
            current = {}
        elif kind == "tag":
            if "tag" in current:
                raise UnsupportedSelector(f"selector {text!r} names two element types in one place")
            current["tag"] = None if match["tag"] == "*" else match["tag"].lower()
        elif kind == "cls":
            current.setdefault("classes", []).append(match["cls"])
        elif kind == "id":
            current.setdefault("ids", []).append(match["id"])
        else:
            value = next((v for v in (match["dq"], match["sq"], match["bare"]) if v is not None), None)
            current.setdefault("attributes", []).append((match["attr"].lower(), value))
    if not current:
        raise UnsupportedSelector(f"selector {text!r} ends with a combinator")
    compounds.append(_compound(current))
    return Selector(source, tuple(compounds), tuple(combinators))


def _compound(parts: dict) -> Compound:
    return Compound(
        tag=parts.get("tag"),
        ids=tuple(parts.get("ids", ())),
        classes=tuple(parts.get("classes", ())),
        attributes=tuple(parts.get("attributes", ())),
    )


def _matches(selector: Selector, index: int, node: Node) -> bool:
    # Right to left, as browsers do; recursion depth is the number of compounds
    # in the selector, never the depth of the document.
    if not selector.compounds[index].matches(node):
        return False
    if index == 0:
        return True
    if selector.combinators[index - 1] == ">":
        parent = _element_parent(node)
        return parent is not None and _matches(selector, index - 1, parent)
    return any(_matches(selector, index - 1, ancestor) for ancestor in ancestors(node))


def _element_parent(node: Node) -> Node | None:
    parent = node.parent
    # The document root holds the top-level elements but is not an element itself.
    return parent if parent is not None and parent.parent is not None else None


def ancestors(node: Node) -> Iterator[Node]:
    parent = _element_parent(node)
    while parent is not None:
        yield parent
        parent = _element_parent(parent)


def split_selector_list(text: str) -> list[str]:
    """Split ``h1, h2 .x`` into its selectors (commas inside [] do not count)."""
    parts, depth, start = [], 0, 0
    for position, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:position].strip())
            start = position + 1
    parts.append(text[start:].strip())
    return parts
