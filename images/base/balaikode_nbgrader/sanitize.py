"""Render a learner's notebook safely for another person's browser.

The formgrader (trainer's server) and feedback (learner's feedback HTML)
render markdown cells with `markdown2html` and no cleaning, so `<img src=x
onerror=...>` or `<script>` in a learner's markdown ran in the trainer's
formgrader. SanitizeNotebook cleans every cell before any template sees it:
  * markdown and raw cells: rendered to HTML, cleaned with a whitelist, and
    handed to the template as one inert HTML block (no markdown left to
    re-parse into a new link);
  * outputs: only whitelisted mimetypes; HTML/markdown cleaned the same way;
    text stays text (the templates escape it).
Links: only http, https and mailto; images also data:image (nothing else).
"""

from __future__ import annotations

import bleach
from nbconvert.filters.markdown import markdown2html
from nbconvert.preprocessors import Preprocessor

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
    "td": ["colspan", "rowspan", "align"], "th": ["colspan", "rowspan", "align"],
    "*": ["class"],
}
LINK_PROTOCOLS = {"http", "https", "mailto"}
# Output mimetypes shown at all; everything else (javascript, svg, widgets,
# custom renderers) is dropped: svg is inlined as markup by nbconvert.
SAFE_TEXT = {"text/plain", "text/latex", "image/png", "image/jpeg", "image/gif"}
CLEANED = {"text/html", "text/markdown"}


def _allow(tag: str, name: str, value: str) -> bool:
    if name in ("href", "src"):
        lowered = value.strip().lower()
        if tag == "img" and name == "src" and lowered.startswith(("data:image/png", "data:image/jpeg",
                                                                  "data:image/gif")):
            return True
        scheme = lowered.split(":", 1)[0] if ":" in lowered.split("/", 1)[0] else ""
        return scheme in LINK_PROTOCOLS or scheme == ""  # "" = relative link
    return name in ATTRIBUTES.get(tag, []) or name in ATTRIBUTES["*"]


def _attributes():
    return {tag: _allow for tag in TAGS}


def clean_html(html: str) -> str:
    return bleach.clean(html, tags=TAGS, attributes=_attributes(), protocols=LINK_PROTOCOLS | {"data"},
                        strip=True, strip_comments=True)


def inert_block(html: str) -> str:
    """Cleaned HTML as a single-line block: a markdown renderer passes a
    one-line HTML block through untouched, so nothing is re-parsed."""
    return '<div class="balaikode-aman">' + html.replace("\r", "").replace("\n", "&#10;") + "</div>"


def clean_markdown(source: str) -> str:
    return inert_block(clean_html(markdown2html(source)))


class SanitizeNotebook(Preprocessor):
    """nbconvert preprocessor: see the module's docstring."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type in ("markdown", "raw"):
            cell.source = clean_markdown(cell.source) if cell.cell_type == "markdown" else \
                inert_block(bleach.clean(cell.source, tags=set(), strip=False))
            cell.pop("attachments", None)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not data:
                    continue
                for key in list(data):
                    if key in CLEANED:
                        value = data[key] if isinstance(data[key], str) else "".join(data[key])
                        data[key] = clean_html(value if key == "text/html" else markdown2html(value))
                        if key == "text/markdown":  # already HTML now
                            data["text/html"] = data.pop(key)
                    elif key not in SAFE_TEXT:
                        del data[key]
        return cell, resources
