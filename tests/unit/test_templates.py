"""Balai Kode's hub templates build on JupyterHub's instead of copying them.

A copied page shows itself in three ways, each checked here against the
installed JupyterHub: it does not extend the stock page of its name (reached
as "templates/NAME", the prefix JupyterHub's template loader gives its own
templates); it writes the document itself (<html>, <head>, <body>: only
JupyterHub's page.html may); it replaces JupyterHub's scripts and styles
instead of adding to them (super()). And an override of a block the parent
does not have (a typo, a block renamed by a JupyterHub release) would never
show, silently.

NativeAuthenticator's pages (signup.html, native-login.html, ...) cannot be
extended that way: NativeAuthenticator appends its template folder after
Balai Kode's without a prefix, so its pages are not reachable under their
own names, and each is one main block in English. Balai Kode's pages of
those names extend page.html like NativeAuthenticator's do.
"""

from __future__ import annotations

import pytest
from jinja2 import nodes

from support.hub_templates import HUB_TEMPLATES, OURS, environment

ENV = environment()
JUPYTERHUB_PAGES = {path.name for path in HUB_TEMPLATES.glob("*.html")}
OUR_TEMPLATES = sorted(str(path.relative_to(OURS)) for path in OURS.rglob("*.html"))
OUR_PAGES = [name for name in OUR_TEMPLATES if not name.startswith("partials/")]
# Blocks that hold JupyterHub's JavaScript and CSS (or a page's, after it).
SCRIPT_BLOCKS = {"stylesheet", "scripts", "script"}


def parse(name: str) -> nodes.Template:
    source, _filename, _uptodate = ENV.loader.get_source(ENV, name)
    return ENV.parse(source)


def parent_of(template: nodes.Template) -> str | None:
    extends = template.find(nodes.Extends)
    return extends.template.value if extends else None


def blocks_up_from(name: str) -> set[str]:
    """Every block of the template called `name` and of those it extends."""
    blocks: set[str] = set()
    while name:
        template = parse(name)
        blocks |= {block.name for block in template.find_all(nodes.Block)}
        name = parent_of(template)
    return blocks


def calls_super(block: nodes.Block) -> bool:
    return any(isinstance(call.node, nodes.Name) and call.node.name == "super"
               for call in block.find_all(nodes.Call))


def test_the_pages_people_see_are_here():
    assert "page.html" in OUR_PAGES and {"signup.html", "native-login.html"} <= set(OUR_PAGES)


@pytest.mark.parametrize("name", sorted(JUPYTERHUB_PAGES & set(OUR_PAGES)))
def test_a_jupyterhub_page_extends_the_stock_page_of_its_name(name):
    assert parent_of(parse(name)) == f"templates/{name}"


@pytest.mark.parametrize("name", OUR_PAGES)
def test_only_blocks_the_parent_pages_have_are_overridden(name):
    template = parse(name)
    parent = parent_of(template)
    assert parent, f"{name} extends no page"
    overridden = {node.name for node in template.body if isinstance(node, nodes.Block)}
    unknown = overridden - blocks_up_from(parent)
    assert not unknown, f"{name}: {sorted(unknown)} are in no page {name} extends"


@pytest.mark.parametrize("name", OUR_TEMPLATES)
def test_only_jupyterhubs_page_writes_the_document(name):
    # What the template writes out (its markup, not its comments).
    markup = "".join(data.data for data in parse(name).find_all(nodes.TemplateData)).lower()
    for tag in ("<!doctype", "<html", "<head", "<body"):
        assert tag not in markup, f"{name} writes {tag}>: extend page.html instead"


@pytest.mark.parametrize("name", OUR_PAGES)
def test_jupyterhubs_scripts_and_styles_are_added_to_not_replaced(name):
    for block in parse(name).find_all(nodes.Block):
        if block.name in SCRIPT_BLOCKS:
            assert calls_super(block), f"{name}: block {block.name} drops its parent's (no super())"
