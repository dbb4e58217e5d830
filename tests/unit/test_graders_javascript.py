"""graders.javascript: calling a learner's function with Node.js.

Node.js must be installed (it is on the development machines and in the
webdev image); without it these tests fail, they are never skipped.
"""

import time
from pathlib import Path


import pytest

from graders import UNDEFINED, assert_js_function, check_js_function, run_js_function
from graders.javascript import values_equal

FIXTURES = Path(__file__).with_name("grader_fixtures")
CODE = FIXTURES / "hitung.js"


def test_calls_declared_and_arrow_functions_from_a_file():
    assert run_js_function(CODE, "tambah", [2, 3]).value == 5
    assert check_js_function(CODE, "totalBelanja", [[15000, 3000, 2500]], 20500).ok


def test_source_text_module_exports_and_async_functions():
    assert run_js_function("module.exports = { dua: (x) => x * 2 }", "dua", [21]).value == 42
    assert run_js_function("module.exports = function sapa(n) { return 'Halo ' + n }", "sapa", ["Budi"]).value == "Halo Budi"
    code = "async function nanti(x) { await new Promise(r => setTimeout(r, 5)); return x + 1 }"
    assert run_js_function(code, "nanti", [1]).value == 2


def test_values_come_back_as_json_and_arrays_are_real_arrays():
    code = """
    function info(daftar) {
      return { isArray: daftar instanceof Array, panjang: daftar.length, kosong: null, ok: true, teks: "é" };
    }
    function bukanAngka() { return 0 / 0; }
    """
    assert run_js_function(code, "info", [[1, 2, 3]]).value == {
        "isArray": True, "panjang": 3, "kosong": None, "ok": True, "teks": "é"}
    assert run_js_function(code, "bukanAngka").value == "NaN"


def test_wrong_result_message_shows_call_expected_and_actual():
    code = "function tambah(a, b) { console.log('a =', a); return a - b; }"
    result = check_js_function(code, "tambah", [2, 3], 5)
    assert not result.ok and result.value == -1
    assert result.messages == [
        "Fungsi tambah(2, 3) seharusnya mengembalikan 5, tapi hasilnya -1.",
        "console.log kamu mencetak: a = 2",
    ]


def test_forgotten_return_is_named():
    result = check_js_function("function luas(p, l) { p * l; }", "luas", [2, 3], 6)
    assert result.messages == [
        "Fungsi luas(2, 3) tidak mengembalikan apa-apa (undefined), padahal seharusnya 6. "
        "Apakah kamu lupa menulis return?"]
    assert run_js_function("function f() {}", "f").value is UNDEFINED
    assert check_js_function("function f() {}", "f", [], UNDEFINED).ok
    assert not check_js_function("function f() {}", "f", [], None).ok


def test_comparison_rules():
    assert values_equal(0.1 + 0.2, 0.3)
    assert values_equal(5, 5.0)
    assert not values_equal(True, 1) and not values_equal(1, True)
    assert values_equal([1, {"a": [2]}], (1, {"a": [2]}))
    assert not values_equal({"a": 1}, {"a": 1, "b": 2})
    assert not values_equal("5", 5)
    assert not values_equal(None, UNDEFINED)


def test_syntax_error_names_the_line():
    result = run_js_function("function f() {\n  return (1;\n}", "f")
    assert not result.ok
    assert result.messages[0].startswith(
        "Ada kesalahan penulisan (syntax error) di baris 2 kode JavaScript kamu: SyntaxError:")


def test_syntax_error_in_a_file_names_the_file(tmp_path):
    script = tmp_path / "latihan.js"
    script.write_text("let a = 1;\nlet b = ;\n")
    result = run_js_function(script, "f")
    assert result.messages[0].startswith("Ada kesalahan penulisan (syntax error) di baris 2 latihan.js: ")


def test_missing_function_lists_what_exists():
    result = run_js_function("function tambah() {}\nfunction kurang() {}", "Tambah")
    assert result.messages == [
        "Fungsi Tambah tidak ditemukan di kode JavaScript kamu. Pastikan namanya ditulis persis "
        "Tambah (huruf besar dan kecil berbeda). Fungsi yang ada: tambah, kurang."]
    assert run_js_function("var umur = 5;", "umur").messages == [
        "umur ada di kode JavaScript kamu, tapi bukan fungsi (jenisnya number)."]


def test_errors_thrown_at_load_or_in_the_call():
    loaded = run_js_function("function f() {}\ndocument.querySelector('p');", "f")
    assert loaded.messages == [
        "Ada error saat kode JavaScript kamu dijalankan di baris 2: "
        "ReferenceError: document is not defined."]
    thrown = run_js_function("function bagi(a, b) {\n  if (b === 0) throw new Error('tidak bisa');\n}", "bagi", [1, 0])
    assert thrown.messages == ["Fungsi bagi(1, 0) error di baris 2: Error: tidak bisa."]
    odd = run_js_function("function f() { throw 'teks saja'; }", "f")
    assert odd.messages == ["Fungsi f() error: throw 'teks saja'."]


def test_infinite_loop_is_stopped_by_the_timeout():
    started = time.monotonic()
    result = run_js_function("function f() { while (true) {} }", "f", timeout=1)
    assert time.monotonic() - started < 4
    assert result.messages == [
        "Kode JavaScript kamu tidak selesai dalam 1 detik, jadi dihentikan. "
        "Mungkin ada perulangan (loop) yang tidak pernah berhenti."]
    at_load = run_js_function("for (;;) {}\nfunction f() {}", "f", timeout=0.5)
    assert "tidak selesai dalam 0,5 detik" in at_load.messages[0]


def test_endless_console_output_is_stopped_too():
    result = run_js_function("function f() { for (;;) console.log('lagi'); }", "f", timeout=1)
    assert "tidak selesai dalam 1 detik" in result.messages[0]


def test_huge_result_is_refused():
    result = run_js_function("function f() { return 'x'.repeat(2000000); }", "f")
    assert result.messages == ["Hasil f() terlalu besar (lebih dari 1 MB) untuk diperiksa."]
    assert len(run_js_function("function f() { return 'x'.repeat(500000); }", "f").value) == 500_000


def test_promise_that_never_settles_and_unserializable_results():
    assert run_js_function("function f() { return new Promise(() => {}); }", "f").messages == [
        "Fungsi f() mengembalikan Promise yang tidak pernah selesai."]
    assert "tidak bisa diperiksa" in run_js_function("function f() { return () => 1; }", "f").messages[0]
    assert "tidak bisa diperiksa" in run_js_function("function f() { return 10n; }", "f").messages[0]


def test_a_timer_left_running_does_not_delay_the_answer():
    started = time.monotonic()
    assert run_js_function("setInterval(() => {}, 10);\nfunction f() { return 1; }", "f").value == 1
    assert time.monotonic() - started < 4


def test_missing_file_and_missing_node(tmp_path, monkeypatch):
    assert run_js_function(tmp_path / "hilang.js", "f").messages == [
        "File hilang.js tidak ditemukan. Periksa nama file dan foldernya."]
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_js_function("function f() {}", "f")
    assert result.messages == [
        "Program node untuk menjalankan JavaScript tidak ditemukan di komputer ini, jadi kode kamu "
        "belum bisa diperiksa. Ini bukan kesalahanmu: minta pelatih atau admin memasang "
        "Node.js (paket nodejs)."]


def test_trainer_mistakes_raise_plain_errors():
    with pytest.raises(ValueError):
        run_js_function("function f() {}", "f(); process.exit()")
    with pytest.raises(TypeError):
        run_js_function("function f(x) {}", "f", 5)


def test_assert_helper():
    assert assert_js_function(CODE, "tambah", [1, 1], 2).value == 2
    with pytest.raises(AssertionError, match=r"^Fungsi tambah\(1, 1\) seharusnya mengembalikan 3, tapi hasilnya 2\.$"):
        assert_js_function(CODE, "tambah", [1, 1], 3)
