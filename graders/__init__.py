"""Balai Kode graders: helpers for nbgrader test cells of web exercises.

Every ``check_*`` returns a CheckResult (``ok``, ``messages`` in Bahasa
Indonesia, ``value``); every ``assert_*`` does the same check and raises
AssertionError with those messages, which is how an nbgrader test fails.
Code is passed as text (``str``) or as a file (``pathlib.Path``).
See graders/README.md.
"""

from .css import (
    applied_css_value,
    assert_css_rule,
    assert_css_syntax,
    assert_css_value,
    check_css_rule,
    check_css_syntax,
    check_css_value,
    load_stylesheet,
)
from .html import (
    HtmlDocument,
    assert_attribute,
    assert_element,
    assert_headings,
    assert_html_page,
    assert_img_alt,
    assert_labels,
    assert_lang,
    assert_nesting,
    assert_title,
    check_attribute,
    check_element,
    check_headings,
    check_html_page,
    check_img_alt,
    check_labels,
    check_lang,
    check_nesting,
    check_title,
    parse_html,
)
from .javascript import UNDEFINED, assert_js_function, check_js_function, run_js_function
from .php import assert_php_output, check_php_output, run_php
from .result import CheckResult, assert_ok, combine

__all__ = [
    "CheckResult", "assert_ok", "combine",
    "parse_html", "HtmlDocument",
    "check_html_page", "check_nesting", "check_title", "check_lang", "check_img_alt",
    "check_headings", "check_labels", "check_element", "check_attribute",
    "assert_html_page", "assert_nesting", "assert_title", "assert_lang", "assert_img_alt",
    "assert_headings", "assert_labels", "assert_element", "assert_attribute",
    "load_stylesheet", "applied_css_value",
    "check_css_syntax", "check_css_rule", "check_css_value",
    "assert_css_syntax", "assert_css_rule", "assert_css_value",
    "run_js_function", "check_js_function", "assert_js_function", "UNDEFINED",
    "run_php", "check_php_output", "assert_php_output",
]
