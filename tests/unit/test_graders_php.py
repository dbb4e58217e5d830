"""graders.php: running a learner's PHP as a GET or POST request with php-cli.

php-cli must be installed (``apt-get install -y php-cli``; the project's test
command does it). Without it these tests fail loudly; they are never skipped.
"""

import time
from pathlib import Path


import pytest

from graders import assert_php_output, check_html_page, check_php_output, run_php

FIXTURES = Path(__file__).with_name("grader_fixtures")
SALAM = FIXTURES / "salam.php"

ECHO_REQUEST = """<?php
echo $_SERVER['REQUEST_METHOD'], "|", $_SERVER['QUERY_STRING'], "|";
echo json_encode($_GET), "|", json_encode($_POST), "|", json_encode($_REQUEST), "|";
echo getenv('BALAIKODE_PHP_REQUEST') === false ? 'tersembunyi' : 'bocor';
"""


def test_runs_a_file_with_includes_as_get_and_as_post():
    form = run_php(SALAM)
    assert form.ok and form.messages == []
    assert form.value == '<form method="POST"><input name="nama"></form>'
    greeting = run_php(SALAM, post={"nama": "Siti <3"})
    assert greeting.value == "Selamat datang, Siti &lt;3!"


def test_superglobals_are_filled_like_a_web_server_would():
    get = run_php(ECHO_REQUEST, get={"nama": "Budi", "umur": 12})
    assert get.value == 'GET|nama=Budi&umur=12|{"nama":"Budi","umur":"12"}|[]|{"nama":"Budi","umur":"12"}|tersembunyi'
    post = run_php(ECHO_REQUEST, get={"hal": 2}, post={"hobi": ["baca", "masak"], "kosong": None})
    assert post.value == ('POST|hal=2|{"hal":"2"}|{"hobi":["baca","masak"],"kosong":""}|'
                         '{"hal":"2","hobi":["baca","masak"],"kosong":""}|tersembunyi')
    assert run_php(ECHO_REQUEST, method="post").value.startswith("POST|")


def test_output_contains_and_equals():
    assert check_php_output(SALAM, "Selamat datang, Budi!", post={"nama": "Budi"}).ok
    assert check_php_output(SALAM, ["Selamat", "Budi"], post={"nama": "Budi"}).ok
    code = "<?php\necho \"Halo,\\n   dunia\";"
    assert check_php_output(code, equals="Halo, dunia").ok
    wrong = check_php_output(SALAM, "Selamat datang, Siti!", post={"nama": "Budi"})
    assert wrong.messages == [
        'Output kode PHP kamu (dengan POST nama=Budi) belum memuat "Selamat datang, Siti!".',
        'Output kamu: "Selamat datang, Budi!"',
    ]
    assert check_php_output("<?php", "x").messages[-1] == "Kode PHP kamu tidak menampilkan apa-apa."
    assert not check_php_output(code, equals="Halo").ok


def test_output_can_be_checked_as_html():
    page = run_php('<?php $judul = "Toko"; ?>\n<!DOCTYPE html><html lang="id"><head><title><?= $judul ?></title>'
                   '</head><body><h1><?= $judul ?></h1></body></html>')
    assert check_html_page(page.value).ok


def test_warnings_are_reported_with_a_hint():
    result = run_php("<?php\necho 'Halo ' . $_GET['nama'];")
    assert result.ok and result.value == "Halo "
    assert result.messages == [
        'Peringatan PHP di baris 2: Undefined array key "nama". Data "nama" tidak dikirim; '
        "periksa dulu dengan isset() atau pakai ?? untuk nilai bawaan."]
    failed = check_php_output("<?php\necho 'Halo ' . $_GET['nama'];", "Halo Budi")
    assert failed.messages[-1].startswith('Peringatan PHP di baris 2: Undefined array key "nama".')


def test_syntax_error_names_the_line():
    result = run_php("<?php\n$a = 1\necho $a;\n")
    assert not result.ok
    assert result.messages == [
        'Ada kesalahan penulisan (syntax error) di baris 3: syntax error, unexpected token "echo". '
        "Periksa titik koma (;), tanda kurung dan tanda kutip di sekitar baris itu."]


def test_syntax_error_in_a_file_names_the_file(tmp_path):
    script = tmp_path / "form.php"
    script.write_text("<?php\nif ($x {\n")
    message = run_php(script).messages[0]
    assert message.startswith("Ada kesalahan penulisan (syntax error) di baris 3 (form.php): ")
    assert "Unclosed '{' on line 2" in message


def test_fatal_errors_and_uncaught_exceptions():
    assert run_php("<?php\n\nhitung();").messages == [
        "Kode PHP kamu berhenti karena error di baris 3: Uncaught Error: Call to undefined function hitung()."]
    assert run_php("<?php\nthrow new Exception('aduh');").messages == [
        "Kode PHP kamu berhenti karena error di baris 2: Uncaught Exception: aduh."]
    assert run_php("<?php exit(3);").ok  # a script may end itself


def test_infinite_loop_is_stopped_by_the_timeout():
    started = time.monotonic()
    result = run_php("<?php\nwhile (true) { $i = 1; }", get={"a": 1}, timeout=1)
    assert time.monotonic() - started < 4
    assert result.messages == [
        "Kode PHP kamu (dengan GET ?a=1) tidak selesai dalam 1 detik, jadi dihentikan. "
        "Mungkin ada perulangan (loop) yang tidak pernah berhenti."]


def test_huge_output_is_cut_off():
    started = time.monotonic()
    result = run_php("<?php\nwhile (true) { echo str_repeat('x', 1000); }")
    assert time.monotonic() - started < 4
    assert result.messages == [
        "Kode PHP kamu mengeluarkan terlalu banyak teks (lebih dari 1 MB), jadi dihentikan. "
        "Mungkin ada perulangan (loop) yang tidak pernah berhenti."]
    assert len(run_php("<?php echo str_repeat('x', 900000);").value) == 900_000


def test_background_child_is_killed_with_the_script():
    # The child keeps the grader's stderr pipe open after PHP has finished;
    # only killing the whole process group lets the grader read to the end.
    started = time.monotonic()
    result = run_php("<?php\nexec('sleep 30 1>&2 &');\necho 'selesai';", timeout=3)
    assert result.value == "selesai"
    assert time.monotonic() - started < 10


def test_missing_file_and_missing_php(tmp_path, monkeypatch):
    assert run_php(tmp_path / "hilang.php").messages == [
        "File hilang.php tidak ditemukan. Periksa nama file dan foldernya."]
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run_php("<?php echo 1;").messages == [
        "Program php untuk menjalankan PHP tidak ditemukan di komputer ini, jadi kode kamu belum bisa "
        "diperiksa. Ini bukan kesalahanmu: minta pelatih atau admin memasang php-cli (paket php-cli)."]


def test_trainer_mistakes_raise_plain_errors():
    with pytest.raises(TypeError):
        run_php("<?php", get=["nama", "Budi"])


def test_assert_helper():
    assert assert_php_output(SALAM, "Budi", post={"nama": "Budi"}).ok
    with pytest.raises(AssertionError, match='belum memuat "Siti"'):
        assert_php_output(SALAM, "Siti", post={"nama": "Budi"})
