"""graders.css: parsing, the cascade, value comparison, and broken stylesheets."""

import random
import time
from pathlib import Path


import pytest

from graders import (
    CheckResult, applied_css_value, assert_css_value, check_css_rule, check_css_syntax,
    check_css_value, load_stylesheet)
from graders.css_values import normalize_color, same_value

FIXTURES = Path(__file__).with_name("grader_fixtures")
PAGE = FIXTURES / "halaman.html"
STYLE = FIXTURES / "gaya.css"


def value(html, selector, prop, css=None):
    result = applied_css_value(html, selector, prop, css=css)
    assert result.ok, result.messages
    return result.value


def test_parser_reads_rules_selector_lists_comments_and_media():
    sheet = load_stylesheet(
        "/* judul { color: red } */\n"
        "h1, h2 .kecil { color: red; margin: 0 !important }\n"
        "p::before { content: \"}; {\" }\n"
        "@import url(x.css);\n"
        "@media (max-width: 600px) {\n  h1 { color: blue }\n}\n"
        "@font-face { font-family: Saya; src: url(data:font/woff;base64,AA==) }\n"
        "a { background: url(\"a;b.png\") }\n")
    assert sheet.problems == []
    assert [rule.selectors for rule in sheet.rules] == [["h1", "h2 .kecil"], ["p::before"], ["h1"], ["a"]]
    first = sheet.rules[0]
    assert first.line == 2
    assert [(d.property, d.value, d.important) for d in first.declarations] == [
        ("color", "red", False), ("margin", "0", True)]
    assert sheet.rules[1].declarations[0].value == '"}; {"'
    assert sheet.rules[2].condition == "@media (max-width: 600px)"
    assert sheet.rules[2].line == 6
    assert sheet.rules[3].declarations[0].value == 'url("a;b.png")'


def test_file_stylesheet_passes_syntax_check():
    result = check_css_syntax(STYLE)
    assert result.ok and result.value.name == "gaya.css"


@pytest.mark.parametrize("css, problem", [
    ("h1 { color: red", "Aturan 'h1' di baris 1 belum ditutup dengan '}'."),
    ("h1 { color: red;\n\nh2 { color: blue }",
     "Aturan 'h1' di baris 1 belum ditutup dengan '}' sebelum aturan berikutnya (baris 3)."),
    ("p { }\n}", "Ada '}' di baris 2 tanpa '{' pembukanya. Hapus '}' itu."),
    ("h1 {\n  color red;\n}",
     "Di baris 2, 'color red' kurang tanda ':' (titik dua) di antara nama properti dan nilainya."),
    ("h1 {\n  color: red\n  font-size: 2em;\n}", "Sepertinya kurang ';' sesudah 'color: red' di baris 2."),
    ("h1 { color: ; }", "Properti 'color' di baris 1 belum punya nilai."),
    ("h1 { warna merah: biru }", "Di baris 1, 'warna merah' bukan nama properti CSS yang benar."),
    ("color: red;", "Di baris 1, 'color: red;' berada di luar aturan CSS. Deklarasi harus ada di dalam selector { ... }."),
    ("{ color: red }", "Ada '{' di baris 1 tanpa selector di depannya."),
    ("h1,, h2 { color: red }", "Daftar selector 'h1,, h2' di baris 1 punya koma yang berlebih."),
    ("h1 { color: red }\n/* belum ditutup", "Komentar /* di baris 2 belum ditutup dengan */."),
    ("h1 { color: red }\np", "Di baris 2 ada 'p' tanpa { ... } sesudahnya."),
    ("@media screen {\n p { color: red }", "Blok '@media screen' di baris 1 belum ditutup dengan '}'."),
])
def test_syntax_mistakes_fail_with_a_reason_and_a_line(css, problem):
    result = check_css_syntax(css)
    assert not result.ok
    assert result.messages[0] == "CSS kamu masih ada kesalahan penulisan. Perbaiki dulu:"
    assert problem in result.messages


def test_broken_css_fails_value_checks_instead_of_guessing():
    result = check_css_value(PAGE, "h1", "color", "blue", css="h1 { color: blue")
    assert not result.ok
    assert "Aturan 'h1' di baris 1 belum ditutup dengan '}'." in result.messages
    assert not check_css_rule("h1 { color: blue", "h1", "color").ok


def test_random_garbage_never_raises():
    rng = random.Random(20261126)
    alphabet = "{}:;/*\"'()@,.#>[]= \n\tabch1!-"
    for _ in range(2000):
        css = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        for result in (check_css_syntax(css), check_css_rule(css, "h1", "color"),
                       check_css_value("<h1 style='color:red'>x</h1>", "h1", "color", "red", css=css)):
            assert isinstance(result, CheckResult)


def test_specificity_beats_source_order_and_source_order_breaks_ties():
    html = '<p id="satu" class="teks">a</p>'
    assert value(html, "p", "color", "#satu { color: red } .teks { color: green } p { color: blue }") == "red"
    assert value(html, "p", "color", "p.teks { color: red } .teks { color: green }") == "red"
    assert value(html, "p", "color", ".teks { color: red } .teks { color: green }") == "green"
    assert value(html, "p", "color", "p { color: red } * { color: green }") == "red"


def test_descendant_and_child_combinators():
    html = "<nav><ul><li><a>x</a></li></ul></nav><a>y</a>"
    css = "nav a { color: red } a { color: blue } nav > a { color: green } ul > li > a { font-size: 2em }"
    assert value(html, "nav a", "color") is None  # no CSS given and no <style>: nothing set
    assert value(html, "nav a", "color", css) == "red"
    assert value(html, "body > a, a", "color", css) == "red"  # first match is the link in nav
    assert check_css_value(html, "nav a", "font-size", "2em", css=css).ok
    last = applied_css_value(html + "<footer><a>z</a></footer>", "footer a", "color", css=css)
    assert last.value == "blue"


def test_inline_style_and_important():
    html = '<p class="x" style="color: red">a</p>'
    assert value(html, "p", "color", "#x, .x { color: blue }") == "red"
    assert value(html, "p", "color", ".x { color: blue !important }") == "blue"
    assert value('<p style="color: red !important">a</p>', "p", "color", "p { color: blue !important }") == "red"
    assert value(html, "p", "color", "p { color: blue !important; color: green }") == "blue"


def test_inheritance_follows_the_tree_for_inherited_properties_only():
    html = '<body><div class="kotak"><p>teks <span>kecil</span></p></div></body>'
    css = "body { color: navy; border: 1px solid red } .kotak { font-size: 20px } span { color: inherit }"
    assert value(html, "span", "color", css) == "navy"
    assert value(html, "span", "font-size", css) == "20px"
    assert value(html, "p", "border-color", css) is None
    result = check_css_value(html, "p", "color", "red", css=css)
    assert result.messages == [
        "Properti color untuk <p> di baris 1 seharusnya red, tapi nilainya navy "
        "(dari aturan 'body' di baris 1 (CSS kamu), diwarisi dari <body> di baris 1)."]


def test_rules_that_never_apply_at_rest_are_ignored():
    css = "a:hover { color: red } @media (max-width: 100px) { a { color: green } } a::after { color: pink }"
    assert value("<a>x</a>", "a", "color", css) is None


def test_style_blocks_linked_file_and_style_attributes_together():
    assert check_css_value(PAGE, "h1", "color", "maroon", css=STYLE).ok  # .besar beats h1
    assert check_css_value(PAGE, "h1", "font-size", "2em", css=STYLE).ok
    assert check_css_value(PAGE, "main h2", "font-family", "arial, sans-serif", css=STYLE).ok
    assert check_css_value(PAGE, "nav a", "background-color", "#C0392B", css=STYLE).ok
    assert check_css_value(PAGE, "nav a", "padding-left", "8px", css=STYLE).ok
    harga = check_css_value(PAGE, ".harga", "color", "green", css=STYLE)
    assert harga.messages == [
        "Properti color untuk <span> di baris 24 seharusnya green, tapi nilainya teal "
        "(dari atribut style pada <span> di baris 24)."]
    # A <style> block reports lines of the HTML file it is in.
    first = check_css_value(PAGE, "li span", "color", "red", css=[STYLE])
    assert "dari aturan '.harga' di baris 8 (<style> di halaman.html)" in first.messages[0]


def test_colours_and_zero_compare_by_meaning():
    for spelling in ("red", "RED", "#f00", "#FF0000", "rgb(255, 0, 0)", "rgb(255 0 0)", "rgba(255,0,0,1)",
                     "rgb(100%, 0%, 0%)", "#ff0000ff"):
        assert same_value(spelling, "red"), spelling
    assert not same_value("rgba(255, 0, 0, 0.5)", "red")
    assert same_value("rgba(255, 0, 0, 0.5)", "#ff000080")
    assert same_value("0px", "0") and same_value("0", "0em")
    assert same_value("1px solid #000", "1px  solid black")
    assert same_value("'Open Sans', Arial", '"open sans",arial')
    assert not same_value(None, "red")
    assert normalize_color("transparent") == "#00000000"
    assert normalize_color("merah") is None


def test_missing_element_and_unset_property_messages():
    html = "<h1>x</h1>"
    assert check_css_value(html, "h2", "color", "red", css="h1{}").messages == [
        "Elemen 'h2' tidak ditemukan di halaman HTML."]
    assert check_css_value(html, "h1", "color", "red", css="h1{}").messages == [
        "Properti color untuk <h1> di baris 1 belum diatur. Seharusnya red."]


def test_check_css_rule_finds_the_rule_by_selector():
    assert check_css_rule(STYLE, "nav  a", "color", "white").ok
    assert check_css_rule(STYLE, "nav a", "background-color", "#c0392b").ok
    assert check_css_rule(STYLE, ".besar", "font-size").value == "2em"
    assert check_css_rule(STYLE, "h1", "color", "blue").ok  # the @media rule does not count
    assert check_css_rule(STYLE, "footer", "color").messages == [
        "Belum ada aturan CSS untuk 'footer'. Tulis footer { color: ...; }."]
    assert check_css_rule(STYLE, "h1", "margin").messages == ["Aturan 'h1' belum mengatur margin."]
    assert check_css_rule(STYLE, "h1", "color", "red").messages == [
        "Di aturan 'h1' (baris 7), color seharusnya red, tapi tertulis blue."]
    assert check_css_rule("ul>li { color: red }", "ul > li", "color", "red").ok
    assert check_css_rule("a:hover { color: red }", "a:hover", "color", "red").ok


def test_missing_css_file_and_assert_helper():
    missing = check_css_value(PAGE, "h1", "color", "red", css=FIXTURES / "tidak-ada.css")
    assert missing.messages == ["File tidak-ada.css tidak ditemukan. Periksa nama file dan foldernya."]
    assert assert_css_value(PAGE, "h1", "color", "maroon", css=STYLE).ok
    with pytest.raises(AssertionError, match="seharusnya blue, tapi nilainya maroon"):
        assert_css_value(PAGE, "h1", "color", "blue", css=STYLE)


def test_huge_and_deeply_nested_css_is_handled():
    started = time.monotonic()
    big = "h1 .a > b { color: red; margin: 0 auto; background: url(x.png) } /* c */\n" * 15_000
    assert check_css_value("<h1><i class=a><b>x</b></i></h1>", "b", "color", "red", css=big).ok
    unclosed = check_css_syntax("a {" + "color: red;" * 100_000)
    assert unclosed.messages[1:] == ["Aturan 'a' di baris 1 belum ditutup dengan '}'."]
    nested = check_css_syntax("@media x {" * 5_000)
    assert "Blok '@media x' di baris 1 bersarang terlalu dalam." in nested.messages
    assert time.monotonic() - started < 20
