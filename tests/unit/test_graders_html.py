"""graders.html: page structure checks, on good pages and on broken ones."""

import time
from pathlib import Path


import pytest

from graders import (
    CheckResult, assert_element, assert_html_page, assert_img_alt, assert_ok, check_attribute,
    check_element, check_headings, check_html_page, check_img_alt, check_labels, check_lang,
    check_nesting, check_title, combine, parse_html)

FIXTURES = Path(__file__).with_name("grader_fixtures")
PAGE = FIXTURES / "halaman.html"


def page(body: str, head: str = "<title>Latihan</title>") -> str:
    return f'<!DOCTYPE html>\n<html lang="id">\n<head>{head}</head>\n<body>\n{body}\n</body>\n</html>'


def test_a_good_page_passes_every_check():
    result = check_html_page(PAGE)
    assert result.ok, result.messages
    assert result.messages == []
    assert bool(result) is True


def test_file_and_text_and_parsed_document_give_the_same_answer():
    text = PAGE.read_text()
    document = parse_html(PAGE)
    assert check_html_page(text).ok and check_html_page(document).ok
    assert document.source.name == "halaman.html"
    assert parse_html(document) is document


def test_missing_file_is_a_failed_check_with_its_name():
    result = check_html_page(FIXTURES / "tidak-ada.html")
    assert not result.ok
    assert result.messages == ["File tidak-ada.html tidak ditemukan. Periksa nama file dan foldernya."]


def test_title_missing_and_empty():
    assert check_title(page("<p>x</p>")).value == "Latihan"
    missing = check_title(page("<p>x</p>", head=""))
    assert not missing.ok and "belum punya <title>" in missing.messages[0]
    empty = check_title(page("<p>x</p>", head="<title>  </title>"))
    assert not empty.ok and "masih kosong" in empty.messages[0]


def test_lang_on_html():
    assert check_lang(page("")).value == "id"
    no_lang = check_lang("<html>\n<body></body>\n</html>")
    assert no_lang.messages == ['Tag <html> di baris 1 belum punya atribut lang. Tulis <html lang="id">.']
    no_html = check_lang("<p>halo</p>")
    assert "belum punya tag <html>" in no_html.messages[0]


def test_every_img_needs_alt_text():
    html = page('<img src="a.png" alt="Kucing">\n<img src="b.png">\n<img src="c.png" alt="">')
    result = check_img_alt(html)
    assert not result.ok
    assert result.messages[0].startswith("Gambar <img> di baris 6 (b.png) belum punya teks alt.")
    assert "masih kosong" in result.messages[1] and "(c.png)" in result.messages[1]
    decorative_ok = check_img_alt(html, allow_empty=True)
    assert len(decorative_ok.messages) == 1


def test_heading_order_without_skipping_levels():
    assert check_headings(page("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><h2>e</h2>")).ok
    skipped = check_headings(page("<h1>a</h1>\n<h3>b</h3>"))
    assert skipped.messages == [
        "Urutan judul melompat: sesudah <h1> (baris 5) langsung <h3> (baris 6). Pakai <h2> dulu."]
    starts_low = check_headings(page("<h2>a</h2>"))
    assert "Judul pertama di halaman sebaiknya <h1>" in starts_low.messages[0]


def test_exactly_one_h1_when_asked():
    two = page("<h1>a</h1>\n<h1>b</h1>")
    assert check_headings(two).ok
    result = check_headings(two, one_h1=True)
    assert result.messages == ["Harus ada tepat satu <h1>, tapi ada 2 (baris 5, 6)."]
    none = check_headings(page("<p>tanpa judul</p>"), one_h1=True)
    assert none.messages == ["Halaman belum punya <h1>. Setiap halaman perlu satu judul utama <h1>."]


def test_form_fields_need_labels():
    good = page('<label for="n">Nama</label><input id="n">'
                '<label>Umur <input type="number"></label>'
                '<input aria-label="Cari">'
                '<input type="submit"><input type="hidden" name="x">')
    assert check_labels(good).ok
    bad = page('<form>\n<input type="email" name="surel">\n<textarea id="pesan"></textarea>\n'
               '<label for="salah">X</label>\n</form>')
    result = check_labels(bad)
    assert not result.ok
    assert result.messages == [
        '<label> di baris 8 menunjuk ke id="salah", tapi tidak ada elemen dengan id itu.',
        'Kolom isian <input type="email"> di baris 6 belum punya <label>. '
        'Tambahkan <label for="surel">...</label> dan beri kolom itu id="surel".',
        'Kolom isian <textarea> di baris 7 belum punya <label>. '
        'Tambahkan <label for="pesan">...</label> dan beri kolom itu id="pesan".',
    ]


def test_block_inside_paragraph_is_reported():
    result = check_nesting(page("<p>Teks\n<div>blok</div></p>"))
    assert result.messages == [
        "<div> di baris 6 tidak boleh berada di dalam <p> (baris 5). "
        "Tutup dulu <p> dengan </p>, atau ganti <p> dengan <div>."]


def test_unclosed_and_misnested_tags_are_reported_with_lines():
    result = check_nesting(page("<div>\n<b><i>miring</b></i>\n<section>"))
    assert result.messages == [
        "Tag <i> di baris 6 belum ditutup sebelum </b> di baris 6. Tambahkan </i> di tempat yang benar.",
        "Ada </i> di baris 6, padahal tidak ada <i> yang sedang terbuka. "
        "Hapus </i> itu atau tambahkan <i> pembukanya.",
        "Tag <section> di baris 7 belum ditutup sebelum </body> di baris 8. "
        "Tambahkan </section> di tempat yang benar.",
        "Tag <div> di baris 5 belum ditutup sebelum </body> di baris 8. "
        "Tambahkan </div> di tempat yang benar.",
    ]


def test_unclosed_at_end_of_file_and_other_nesting_rules():
    result = check_nesting("<ul>\n<li><a href='#'>a <a href='#'>b</a></a></li>\n</ul>\n<li>lepas</li>\n<main>")
    assert not result.ok
    assert result.messages == [
        "tautan <a> di baris 2 berada di dalam tautan <a> lain (baris 2). Tutup yang pertama dulu.",
        "<li> di baris 4 harus berada di dalam <ul> atau <ol>.",
        "Tag <main> di baris 5 belum ditutup. Tambahkan </main>.",
    ]


def test_void_and_self_closing_elements_need_no_end_tag():
    assert check_nesting(page('<p>a<br>b<br/>c</p><img src="x" alt="x"/><hr></hr><svg><path d="M0"/></svg>')).ok


def test_broken_input_never_raises():
    for garbage in ["", "   ", "<", "<<<>>>", "</p>", "<![if", "<!--", "<?php echo 1; ?>",
                    "\x00\ufffd<div", "<p <b>", "<a href='>", "<script>if (a < b) {</script>",
                    "<html><body><p>unclosed"]:
        result = check_html_page(garbage)
        assert isinstance(result, CheckResult)
        assert not result.ok  # none of them is a complete page


def test_empty_document_says_what_is_missing():
    result = check_html_page("")
    assert "Halaman belum punya <title>. Tambahkan <title>Judul halaman</title> di dalam <head>." in result.messages
    assert any("belum punya tag <html>" in m for m in result.messages)


def test_huge_and_deeply_nested_input_is_handled_quickly():
    started = time.monotonic()
    deep = check_nesting("<div>\n" * 50_000)
    assert not deep.ok
    # Hundreds of problems are cut down to the first few for the learner.
    assert len(deep.messages) == 11
    assert deep.messages[0] == "Tag <div> di baris 50000 belum ditutup. Tambahkan </div>."
    assert deep.messages[-1].startswith("... dan 49990 masalah lain.")
    # Repeating the same sentence would tell the learner nothing new.
    assert check_nesting("<div>" * 1000).messages == ["Tag <div> di baris 1 belum ditutup. Tambahkan </div>."]
    big = page("<p>" + "kata <b>tebal</b> " * 100_000 + "</p>")
    assert check_html_page(big, one_h1=False).ok
    assert time.monotonic() - started < 20


def test_oversized_input_is_refused_with_a_message(tmp_path):
    huge = tmp_path / "besar.html"
    huge.write_text("<p>x</p>" * 700_000)
    result = check_nesting(huge)
    assert result.messages == ["besar.html terlalu besar (lebih dari 5 MB) untuk diperiksa."]


def test_required_elements_by_selector_and_count():
    assert check_element(PAGE, "nav a", count=2).ok
    assert len(check_element(PAGE, "li .harga").value) == 2
    assert check_element(PAGE, "h1", text="Warung Bu Sari").ok
    assert check_element(PAGE, "input[type=number]").ok
    assert check_element(PAGE, "footer", count=0).ok
    assert check_element(PAGE, "footer").messages == ["Halaman belum punya elemen <footer>."]
    assert check_element(PAGE, "li", min_count=3).messages == [
        "Harus ada paling sedikit 3 elemen <li>, tapi baru ada 2."]
    assert check_element(PAGE, "nav a", max_count=1).messages == [
        "Harus ada paling banyak 1 elemen yang cocok dengan 'nav a', tapi ada 2."]
    assert check_element(PAGE, "h2", count=3).messages == [
        "Harus ada paling sedikit 3 elemen <h2>, tapi baru ada 2."]
    assert check_element(PAGE, "h1", text="Toko").messages == ['Elemen <h1> belum berisi teks "Toko".']


def test_attributes_present_and_with_values():
    assert check_attribute(PAGE, "a", "href").ok
    assert check_attribute(PAGE, "form", "method", "post", ignore_case=True).ok
    wrong = check_attribute(PAGE, "form", "method", "get", ignore_case=True)
    assert wrong.messages == ['Atribut method pada <form> di baris 27 seharusnya "get", tapi tertulis "POST".']
    missing = check_attribute(page('<a>tanpa tujuan</a>'), "a", "href")
    assert missing.messages == ["<a> di baris 5 belum punya atribut href."]
    assert not check_attribute(PAGE, "video", "controls").ok


def test_unsupported_selector_is_the_trainers_mistake():
    with pytest.raises(ValueError, match="a:hover"):
        check_element(PAGE, "a:hover")


def test_assert_helpers_raise_assertion_error_with_the_message():
    assert assert_html_page(PAGE).ok
    assert len(assert_element(PAGE, "nav a").value) == 2
    with pytest.raises(AssertionError) as caught:
        assert_img_alt(page('<img src="kucing.jpg">'))
    assert str(caught.value).startswith("Gambar <img> di baris 5 (kucing.jpg) belum punya teks alt.")
    with pytest.raises(AssertionError) as caught:
        assert_html_page("<p>")
    assert str(caught.value).startswith("- ")  # several problems, one per line
    assert assert_img_alt.__name__ == "assert_img_alt"


def test_result_helpers():
    combined = combine(CheckResult.passed(), CheckResult.failed("a"), CheckResult.failed("b"))
    assert not combined.ok and combined.messages == ["a", "b"]
    assert str(combined) == "- a\n- b"
    assert str(CheckResult.passed()) == "OK"
    with pytest.raises(AssertionError, match="^a$"):
        assert_ok(CheckResult.failed("a"))
    with pytest.raises(AssertionError, match="Pemeriksaan gagal"):
        assert_ok(CheckResult(False))
