"""Check the structure of an HTML page: nesting, title, lang, alt text,
headings, form labels, required elements and attributes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Iterator, Union

from .result import CheckResult, asserting, check, combine
from .selectors import UnsupportedSelector, parse_selector, split_selector_list
from .sources import Source, read_source

VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split())

# Elements that a browser will not keep inside an open <p>: it closes the <p>
# first, so the learner's page is not shaped the way their code looks.
_BLOCKS_CLOSING_P = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul"
    .split())
_LIST_PARENTS = frozenset({"ul", "ol", "menu"})
_UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "reset", "button", "image"})


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    parent: "Element | None" = None
    children: list["Element"] = field(default_factory=list)
    # Text and child elements in document order, so text() reads naturally.
    content: list["str | Element"] = field(default_factory=list, repr=False)

    def iter(self) -> Iterator["Element"]:
        """Every element below this one, in document order (no recursion, so
        a page nested thousands deep is fine)."""
        stack = list(reversed(self.children))
        while stack:
            element = stack.pop()
            yield element
            stack.extend(reversed(element.children))

    def text(self) -> str:
        parts: list[str] = []
        stack: list[str | Element] = list(reversed(self.content))
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
            else:
                stack.extend(reversed(item.content))
        return " ".join("".join(parts).split())

    def describe(self) -> str:
        return f"<{self.tag}> di baris {self.line}"


@dataclass(eq=False)
class HtmlDocument:
    root: Element
    problems: list[str]  # nesting mistakes, in Indonesian, in the order found
    source: Source

    def elements(self, tag: str | None = None) -> list[Element]:
        return [e for e in self.root.iter() if tag is None or e.tag == tag]

    def select(self, selector: str) -> list[Element]:
        """Elements matching a simple CSS selector list (see graders.selectors)."""
        try:
            parsed = [parse_selector(part) for part in split_selector_list(selector)]
        except UnsupportedSelector as error:
            raise ValueError(f"graders cannot use selector {selector!r}: {error}") from None
        return [e for e in self.root.iter() if any(s.matches(e) for s in parsed)]


HtmlInput = Union[str, "os.PathLike[str]", HtmlDocument]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, 0)
        self.stack = [self.root]
        # Open elements by tag, so the content-model checks stay fast on a page
        # nested thousands of levels deep instead of rescanning the stack.
        self.open_by_tag: dict[str, list[Element]] = {}
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, self_closing=True)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        line = self.getpos()[0]
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # browsers keep the first duplicate
        parent = self.stack[-1]
        element = Element(tag, values, line, parent)
        self._check_content_model(element)
        parent.children.append(element)
        parent.content.append(element)
        if tag not in VOID_ELEMENTS and not self_closing:
            self.stack.append(element)
            self.open_by_tag.setdefault(tag, []).append(element)

    def _innermost_open(self, tag: str) -> Element | None:
        elements = self.open_by_tag.get(tag)
        return elements[-1] if elements else None

    def _check_content_model(self, element: Element) -> None:
        if element.tag in _BLOCKS_CLOSING_P:
            paragraph = self._innermost_open("p")
            if paragraph is not None:
                self.problems.append(
                    f"<{element.tag}> di baris {element.line} tidak boleh berada di dalam "
                    f"<p> (baris {paragraph.line}). Tutup dulu <p> dengan </p>, "
                    f"atau ganti <p> dengan <div>.")
        for tag, what in (("a", "tautan <a>"), ("form", "<form>"), ("button", "<button>")):
            if element.tag == tag:
                outer = self._innermost_open(tag)
                if outer is not None:
                    self.problems.append(
                        f"{what} di baris {element.line} berada di dalam {what} lain "
                        f"(baris {outer.line}). Tutup yang pertama dulu.")
        if element.tag == "li":
            parent = self.stack[-1]
            # A parent <li> means an earlier </li> is missing; that is reported
            # when the list closes, so saying it twice would only confuse.
            if parent.tag not in _LIST_PARENTS | {"li"}:
                self.problems.append(
                    f"<li> di baris {element.line} harus berada di dalam <ul> atau <ol>.")

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID_ELEMENTS:
            return  # </br> and </img> are harmless; browsers ignore them
        if self._innermost_open(tag) is None:
            self.problems.append(
                f"Ada </{tag}> di baris {line}, padahal tidak ada <{tag}> yang sedang terbuka. "
                f"Hapus </{tag}> itu atau tambahkan <{tag}> pembukanya.")
            return
        while self.stack[-1].tag != tag:
            unclosed = self._pop()
            self.problems.append(
                f"Tag <{unclosed.tag}> di baris {unclosed.line} belum ditutup sebelum "
                f"</{tag}> di baris {line}. Tambahkan </{unclosed.tag}> di tempat yang benar.")
        self._pop()

    def _pop(self) -> Element:
        element = self.stack.pop()
        self.open_by_tag[element.tag].pop()
        return element

    def handle_data(self, data: str) -> None:
        self.stack[-1].content.append(data)

    def finish(self) -> None:
        while len(self.stack) > 1:
            unclosed = self._pop()
            self.problems.append(
                f"Tag <{unclosed.tag}> di baris {unclosed.line} belum ditutup. "
                f"Tambahkan </{unclosed.tag}>.")


def parse_html(source: HtmlInput) -> HtmlDocument:
    """Parse HTML text (``str``) or a file (``pathlib.Path``) into a document.

    Never fails on broken HTML: nesting mistakes are collected in
    ``document.problems``. A missing or oversized file raises an AssertionError
    with an Indonesian message.
    """
    if isinstance(source, HtmlDocument):
        return source
    loaded = read_source(source, "kode HTML kamu")
    builder = _TreeBuilder()
    try:
        builder.feed(loaded.text)
        builder.close()
    except Exception:  # html.parser has raised on odd markup in some Python releases
        line = builder.getpos()[0]
        builder.problems.append(
            f"Bagian HTML di sekitar baris {line} tidak bisa dibaca. Periksa tanda < dan > di sana.")
    builder.finish()
    return HtmlDocument(builder.root, builder.problems, loaded)


@check
def check_nesting(source: HtmlInput) -> CheckResult:
    """Every tag is closed, closed in the right order, and allowed where it is."""
    document = parse_html(source)
    if document.problems:
        return CheckResult.failed(*document.problems)
    return CheckResult.passed()


@check
def check_title(source: HtmlInput) -> CheckResult:
    """The page has a non-empty <title>."""
    titles = parse_html(source).elements("title")
    if not titles:
        return CheckResult.failed(
            "Halaman belum punya <title>. Tambahkan <title>Judul halaman</title> di dalam <head>.")
    if not titles[0].text():
        return CheckResult.failed(f"<title> di baris {titles[0].line} masih kosong. Isi dengan judul halaman.")
    return CheckResult.passed(titles[0].text())


@check
def check_lang(source: HtmlInput) -> CheckResult:
    """The <html> tag says which language the page is in (screen readers need it)."""
    pages = parse_html(source).elements("html")
    if not pages:
        return CheckResult.failed('Halaman belum punya tag <html>. Tulis <html lang="id"> ... </html>.')
    lang = pages[0].attrs.get("lang", "").strip()
    if not lang:
        return CheckResult.failed(
            f'Tag <html> di baris {pages[0].line} belum punya atribut lang. Tulis <html lang="id">.')
    return CheckResult.passed(lang)


@check
def check_img_alt(source: HtmlInput, *, allow_empty: bool = False) -> CheckResult:
    """Every <img> has alt text. ``allow_empty=True`` accepts alt="" (decorative images)."""
    messages = []
    for image in parse_html(source).elements("img"):
        name = image.attrs.get("src") or "tanpa src"
        if "alt" not in image.attrs:
            messages.append(
                f"Gambar <img> di baris {image.line} ({name}) belum punya teks alt. "
                f'Tambahkan alt="..." yang menjelaskan isi gambarnya.')
        elif not allow_empty and not image.attrs["alt"].strip():
            messages.append(
                f"Teks alt gambar <img> di baris {image.line} ({name}) masih kosong. "
                f"Tulis apa yang terlihat di gambar.")
    return CheckResult.failed(*messages) if messages else CheckResult.passed()


@check
def check_headings(source: HtmlInput, *, one_h1: bool = False) -> CheckResult:
    """Headings do not skip levels (h1 then h3) and the first one is <h1>.
    With ``one_h1=True`` there must be exactly one <h1>."""
    document = parse_html(source)
    headings = [e for e in document.elements() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    messages = []
    previous = None
    for heading in headings:
        level = int(heading.tag[1])
        if previous is None and level != 1:
            messages.append(
                f"Judul pertama di halaman sebaiknya <h1>, tapi yang ditemukan "
                f"<{heading.tag}> di baris {heading.line}.")
        elif previous is not None and level > int(previous.tag[1]) + 1:
            wanted = f"h{int(previous.tag[1]) + 1}"
            messages.append(
                f"Urutan judul melompat: sesudah <{previous.tag}> (baris {previous.line}) "
                f"langsung <{heading.tag}> (baris {heading.line}). Pakai <{wanted}> dulu.")
        previous = heading
    if one_h1:
        h1s = [h for h in headings if h.tag == "h1"]
        if not h1s:
            messages.append("Halaman belum punya <h1>. Setiap halaman perlu satu judul utama <h1>.")
        elif len(h1s) > 1:
            lines = ", ".join(str(h.line) for h in h1s)
            messages.append(f"Harus ada tepat satu <h1>, tapi ada {len(h1s)} (baris {lines}).")
    return CheckResult.failed(*messages) if messages else CheckResult.passed()


@check
def check_labels(source: HtmlInput) -> CheckResult:
    """Every form field (<input>, <select>, <textarea>) has a <label>, either
    ``<label for="id">`` or wrapped inside the <label>; aria-label also counts."""
    document = parse_html(source)
    elements = document.elements()
    ids = {e.attrs["id"] for e in elements if e.attrs.get("id")}
    labels = [e for e in elements if e.tag == "label"]
    labelled_ids = {label.attrs["for"] for label in labels if label.attrs.get("for")}
    messages = [
        f'<label> di baris {label.line} menunjuk ke id="{label.attrs["for"]}", '
        f"tapi tidak ada elemen dengan id itu."
        for label in labels if label.attrs.get("for") and label.attrs["for"] not in ids
    ]
    for field_ in elements:
        if not _needs_label(field_):
            continue
        if field_.attrs.get("id") in labelled_ids or _inside_label(field_):
            continue
        if field_.attrs.get("aria-label", "").strip() or field_.attrs.get("aria-labelledby", "").strip():
            continue
        kind = f'<input type="{field_.attrs.get("type", "text")}">' if field_.tag == "input" else f"<{field_.tag}>"
        name = field_.attrs.get("id") or field_.attrs.get("name") or "..."
        messages.append(
            f"Kolom isian {kind} di baris {field_.line} belum punya <label>. "
            f'Tambahkan <label for="{name}">...</label> dan beri kolom itu id="{name}".')
    return CheckResult.failed(*messages) if messages else CheckResult.passed()


def _needs_label(element: Element) -> bool:
    if element.tag == "input":
        return element.attrs.get("type", "text").strip().lower() not in _UNLABELLED_INPUT_TYPES
    return element.tag in ("select", "textarea")


def _inside_label(element: Element) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.tag == "label":
            return True
        parent = parent.parent
    return False


def _describe_selector(selector: str) -> str:
    return f"<{selector}>" if selector.isalnum() else f"yang cocok dengan '{selector}'"


@check
def check_element(source: HtmlInput, selector: str, *, count: int | None = None,
                  min_count: int = 1, max_count: int | None = None,
                  text: str | None = None) -> CheckResult:
    """Elements matching ``selector`` exist: ``count`` exactly, or between
    ``min_count`` and ``max_count``; with ``text``, at least one of them
    contains that text. The result's value is the list of matching elements."""
    found = parse_html(source).select(selector)
    what = _describe_selector(selector)
    low, high = (count, count) if count is not None else (min_count, max_count)
    if not found and low > 0:
        return CheckResult.failed(f"Halaman belum punya elemen {what}.", value=found)
    if len(found) < low:
        return CheckResult.failed(
            f"Harus ada paling sedikit {low} elemen {what}, tapi baru ada {len(found)}.", value=found)
    if high is not None and len(found) > high:
        limit = f"tepat {high}" if count is not None else f"paling banyak {high}"
        return CheckResult.failed(f"Harus ada {limit} elemen {what}, tapi ada {len(found)}.", value=found)
    if text is not None:
        wanted = " ".join(text.split())
        if not any(wanted in element.text() for element in found):
            return CheckResult.failed(f'Elemen {what} belum berisi teks "{wanted}".', value=found)
    return CheckResult.passed(found)


@check
def check_attribute(source: HtmlInput, selector: str, name: str, value: str | None = None,
                    *, ignore_case: bool = False) -> CheckResult:
    """Every element matching ``selector`` has attribute ``name`` (equal to
    ``value`` if given; ``ignore_case=True`` for values such as method="POST")."""
    found = parse_html(source).select(selector)
    if not found:
        return CheckResult.failed(f"Halaman belum punya elemen {_describe_selector(selector)}.")
    name = name.lower()
    messages = []
    for element in found:
        if name not in element.attrs:
            suggestion = f' Tulis {name}="{value}".' if value is not None else ""
            messages.append(f"{element.describe()} belum punya atribut {name}.{suggestion}")
            continue
        actual = element.attrs[name].strip()
        if value is not None and (actual.lower() != value.lower() if ignore_case else actual != value):
            messages.append(
                f'Atribut {name} pada {element.describe()} seharusnya "{value}", tapi tertulis "{actual}".')
    return CheckResult.failed(*messages) if messages else CheckResult.passed(found)


@check
def check_html_page(source: HtmlInput, *, one_h1: bool = True) -> CheckResult:
    """The usual checks for a whole page at once: nesting, <title>, lang,
    alt text, heading order (one <h1> unless ``one_h1=False``) and labels."""
    document = parse_html(source)
    return combine(
        check_nesting(document),
        check_title(document),
        check_lang(document),
        check_img_alt(document),
        check_headings(document, one_h1=one_h1),
        check_labels(document),
    )


assert_nesting = asserting(check_nesting)
assert_title = asserting(check_title)
assert_lang = asserting(check_lang)
assert_img_alt = asserting(check_img_alt)
assert_headings = asserting(check_headings)
assert_labels = asserting(check_labels)
assert_element = asserting(check_element)
assert_attribute = asserting(check_attribute)
assert_html_page = asserting(check_html_page)
