"""Issue: the python-dasar starter curriculum, graded by real nbgrader with the
learner image's own kernel.

One throwaway container of the learner image per module (no network, removed
at the end) plays the trainer's server: the curriculum is where the curriculum
volume puts it (/opt/balaikode/assignments), the trainer README's copy command
brings it into a course folder, `nbgrader generate_assignment` releases every
assignment, and one `nbgrader autograde` grades three learners per assignment:

- ``solusi`` hands in the released notebook with the trainer's solutions: full marks;
- ``kosong`` hands in the released notebook untouched: zero;
- ``salah`` hands in the solutions with one typical beginner's mistake
  (MISTAKES below): a known partial score, and the Indonesian message the
  learner reads in the autograded notebook and the feedback.

The whole stack is not needed for this (tests/integration/test_course_cycle.py
runs a course through it); this keeps the check of every assignment quick.
"""

from __future__ import annotations

import pytest

from support import curriculum as cur
from support.curriculum import STUB, STUDENTS

TRACK = "python-dasar"
NAMES = cur.assignment_names(TRACK)
COURSE = "uji-kurikulum"


MISTAKES = {
    "01-variabel": cur.Mistake(
        "format_rupiah tanpa titik pemisah ribuan",
        {"jawab_rupiah": 'def format_rupiah(angka):\n    return "Rp " + str(angka)\n'},
        5, frozenset({"tes_rupiah"}),
        ("format_rupiah(15000) seharusnya 'Rp 15.000', tapi hasilnya 'Rp 15000'",)),
    "02-percabangan": cur.Mistake(
        "status_stok memakai < 5, sehingga 5 dianggap aman",
        {"jawab_stok": ('def status_stok(jumlah):\n    if jumlah == 0:\n        return "habis"\n'
                        '    elif jumlah < 5:\n        return "hampir habis"\n'
                        '    else:\n        return "aman"\n')},
        6, frozenset({"tes_stok"}),
        ("status_stok(5) seharusnya 'hampir habis', tapi hasilnya 'aman'",)),
    "03-perulangan": cur.Mistake(
        "total = 0 ditulis di dalam perulangan",
        {"jawab_jumlah": ("def jumlah_belanja(daftar_harga):\n    for harga in daftar_harga:\n"
                          "        total = 0\n        total = total + harga\n    return total\n")},
        6, frozenset({"tes_jumlah"}),
        ("jumlah_belanja([5000, 3000, 2000]) seharusnya 10000, tapi hasilnya 2000",)),
    "04-fungsi": cur.Mistake(
        "baris_struk memakai print, bukan return",
        {"jawab_struk": ("def baris_struk(nama_barang, harga, jumlah, persen_diskon=0):\n"
                         "    total = total_bayar(harga, jumlah, persen_diskon)\n"
                         '    print(f"{nama_barang} x {jumlah} = {format_rupiah(total)}")\n')},
        6, frozenset({"tes_struk"}),
        ("baris_struk('Gula', 14000, 2) tidak mengembalikan apa-apa (None), padahal seharusnya "
         "'Gula x 2 = Rp 28.000'. Apakah kamu memakai print, bukan return?",)),
    "05-list-dictionary": cur.Mistake(
        "cari_harga memakai daftar_harga[nama], sehingga barang yang tidak ada membuat KeyError",
        {"jawab_harga": "def cari_harga(daftar_harga, nama):\n    return daftar_harga[nama]\n"},
        7, frozenset({"tes_harga"}),
        ("cari_harga(harga_warung, 'sabun') seharusnya 0 karena sabun tidak ada di daftar, "
         "tapi muncul KeyError",)),
    "06-string-dan-berkas": cur.Mistake(
        "simpan_daftar lupa menulis baris baru (\\n)",
        {"jawab_simpan": ('def simpan_daftar(nama_berkas, daftar):\n'
                          '    with open(nama_berkas, "w", encoding="utf-8") as berkas:\n'
                          '        for barang in daftar:\n            berkas.write(barang)\n')},
        7, frozenset({"tes_simpan"}),
        ("Isi berkas tes_belanja.txt seharusnya 'beras\\ngula\\n', tapi isinya 'berasgula'",)),
    "07-proyek-toko": cur.Mistake(
        "total_keranjang lupa mengalikan harga dengan jumlah (struknya ikut salah)",
        {"jawab_total": ("def total_keranjang(gudang, keranjang):\n    total = 0\n"
                         "    for nama in keranjang:\n"
                         '        total = total + gudang[nama]["harga"]\n    return total\n')},
        12, frozenset({"tes_total", "tes_struk"}),
        ("total_keranjang(gudang, {'beras': 2, 'gula': 1}) seharusnya 39000, tapi hasilnya 27000",
         "baris ke-4 seharusnya 'Total: Rp 39.000', tapi hasilnya 'Total: Rp 27.000'")),
}


@pytest.fixture(scope="module")
def box(built_images):
    with cur.throwaway_box(cur.compose_image("python"), "curriculum", COURSE) as box:
        yield box


@pytest.fixture(scope="module")
def generated(box):
    """The curriculum where trainers find it, copied into a course the way the
    README says, and every assignment generated (released) in one command."""
    return cur.generate(box, TRACK, COURSE)


@pytest.fixture(scope="module")
def graded(box, generated):
    """solusi, kosong and salah hand in every assignment; one autograde run."""
    return cur.grade(box, generated, TRACK, COURSE, MISTAKES)


def assignments():
    return [pytest.param(name, id=name) for name in NAMES]


@pytest.mark.parametrize("name", assignments())
def test_generate_assignment_releases_it(generated, name):
    released = cur.released_notebook(generated, name)
    for cell in released["cells"]:
        if cur.is_solution(cell):
            lines = "\n".join(line.strip() for line in cur.text(cell).splitlines())
            assert lines.count(STUB) == 1, cur.text(cell)
    cur.check_visible_tests(cur.load(TRACK, name), released)


@pytest.mark.parametrize("name", assignments())
def test_solution_gets_full_marks(graded, name):
    cur.check_full_marks(graded, TRACK, name)


@pytest.mark.parametrize("name", assignments())
def test_blank_released_notebook_scores_zero(graded, name):
    failed = cur.blank_errors(graded, name)
    for grade_id in cur.test_cells(cur.load(TRACK, name)):
        assert grade_id in failed, f"{grade_id} did not fail: {failed}"


@pytest.mark.parametrize("name", assignments())
def test_typical_mistake_gets_partial_score_and_a_message(graded, name):
    assert name in MISTAKES, f"add the typical beginner's mistake for {name} to MISTAKES"
    got = cur.check_mistake(graded, name, MISTAKES[name])
    assert 0 < got["score"] < got["max_score"]


def test_batch_autograde_ran_cleanly(graded):
    assert graded["code"] == 0, graded["log"][-6000:]
    graded_ones = {path.split("/")[0] for path in graded["autograded"]}
    assert graded_ones == set(STUDENTS)
