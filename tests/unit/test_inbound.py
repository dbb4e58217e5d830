"""The collector (balaikode_nbgrader.inbound) on real folders: it copies what
it checked, never what a learner swaps in between (issue 13, item 4)."""

import os
import stat
import threading
from pathlib import Path

from balaikode_nbgrader import inbound

ME = os.getuid()
GID = os.getgid()
STAMP = "2026-12-03 10:00:00.000000 UTC"
OLDER = "2026-12-03 09:00:00.000000 UTC"


def course_with(tmp_path):
    exchange, course = tmp_path / "exchange", tmp_path / "course"
    (exchange / "inbound").mkdir(parents=True)
    (course / "source" / "tugas1").mkdir(parents=True)
    secret = course / "source" / "tugas1" / "tugas1.ipynb"
    secret.write_text("KUNCI JAWABAN")
    return exchange, course, secret


def submit(exchange, files: dict, stamp=STAMP, student="siti") -> Path:
    folder = exchange / "inbound" / f"{student}+tugas1+{stamp}+abc"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def collect(exchange, course):
    return inbound.collect(str(exchange), str(course), "tugas1", {"siti": ME}, GID)


def test_a_good_submission_is_copied_with_its_folders_for_the_course_group(tmp_path):
    exchange, course, _ = course_with(tmp_path)
    submit(exchange, {"tugas1.ipynb": "jawaban siti", "gambar/logo.txt": "logo"})
    report = collect(exchange, course)
    assert report == {"collected": [{"student": "siti", "timestamp": STAMP}], "rejected": []}
    dest = course / "submitted" / "siti" / "tugas1"
    assert (dest / "tugas1.ipynb").read_text() == "jawaban siti"
    assert (dest / "gambar" / "logo.txt").read_text() == "logo"
    assert (dest / "timestamp.txt").read_text() == STAMP
    info = os.stat(dest / "tugas1.ipynb")
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, GID, 0o664)
    assert collect(exchange, course)["collected"] == [], "collected once"


def test_files_python_could_import_are_kept_under_names_it_cannot(tmp_path):
    # A trainer's kernel in her submitted folder imports from it before the
    # installed packages: her numpy.py must not be importable there.
    exchange, course, _ = course_with(tmp_path)
    submit(exchange, {"tugas1.ipynb": "jawaban", "numpy.py": "print('dibajak')",
                      "requests.pyc": "kode", "paket/__init__.py": "", "gaya.css": "p {}",
                      "ujicoba.cpython-313-x86_64-linux-gnu.so": "x"})
    report = collect(exchange, course)
    assert report["rejected"] == [], report
    dest = course / "submitted" / "siti" / "tugas1"
    kept = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert kept == ["gaya.css", "numpy.py.txt", "paket/__init__.py.txt", "requests.pyc.txt",
                    "timestamp.txt", "tugas1.ipynb", "ujicoba.cpython-313-x86_64-linux-gnu.so.txt"]
    assert (dest / "numpy.py.txt").read_text() == "print('dibajak')"


def test_a_name_that_would_meet_a_renamed_file_is_refused(tmp_path):
    exchange, course, _ = course_with(tmp_path)
    submit(exchange, {"tugas1.ipynb": "jawaban", "a.py": "1", "a.py.txt": "2"})
    report = collect(exchange, course)
    assert report["collected"] == [] and "dipakai dua kali" in report["rejected"][0]["reason"], report


def test_links_fifos_and_foreign_files_are_refused_and_nothing_is_copied(tmp_path):
    exchange, course, secret = course_with(tmp_path)
    cases = {
        "symlink": lambda folder: (folder / "tugas1.ipynb").symlink_to(secret),
        "fifo": lambda folder: os.mkfifo(folder / "pipa"),
    }
    for label, plant in cases.items():
        folder = submit(exchange, {"catatan.txt": label})
        plant(folder)
        report = collect(exchange, course)
        assert report["collected"] == [], label
        assert len(report["rejected"]) == 1, (label, report)
        assert not (course / "submitted" / "siti").exists(), label
        for path in folder.iterdir():
            os.unlink(path)
        folder.rmdir()
    assert secret.read_text() == "KUNCI JAWABAN" and os.stat(secret).st_uid == ME

    # Files that are not hers (a hard link to someone else's keeps its owner).
    folder = submit(exchange, {"tugas1.ipynb": "x"})
    other_uid = ME + 1
    os.chown(folder / "tugas1.ipynb", other_uid, -1)
    report = collect(exchange, course)
    assert report["collected"] == [] and "bukan milik" in report["rejected"][0]["reason"], report


def test_a_rejected_newer_submission_does_not_hide_an_older_good_one(tmp_path):
    exchange, course, secret = course_with(tmp_path)
    submit(exchange, {"tugas1.ipynb": "versi lama"}, stamp=OLDER)
    newer = submit(exchange, {})
    (newer / "tugas1.ipynb").symlink_to(secret)
    report = collect(exchange, course)
    assert report["collected"] == [{"student": "siti", "timestamp": OLDER}], report
    assert (course / "submitted" / "siti" / "tugas1" / "tugas1.ipynb").read_text() == "versi lama"


def test_swapping_a_file_for_a_symlink_during_collection_never_copies_the_target(tmp_path):
    exchange, course, secret = course_with(tmp_path)
    folder = submit(exchange, {"tugas1.ipynb": "jawaban siti"})
    answer = folder / "tugas1.ipynb"
    stop = threading.Event()

    def swap():  # the attack from issue 13: flip between her file and a link
        link = folder / "link.tmp"
        real = folder / "real.tmp"
        real.write_text("jawaban siti")
        while not stop.is_set():
            if link.exists() or link.is_symlink():
                link.unlink()
            link.symlink_to(secret)
            os.replace(link, answer)
            real.write_text("jawaban siti")
            os.replace(real, answer)
            real.write_text("jawaban siti")

    swapper = threading.Thread(target=swap)
    swapper.start()
    outcomes = set()
    try:
        for _ in range(200):
            dest = course / "submitted" / "siti" / "tugas1"
            report = collect(exchange, course)
            if report["collected"]:
                copied = dest / "tugas1.ipynb"
                assert not copied.is_symlink()
                assert copied.read_text() == "jawaban siti"
                outcomes.add("copied")
            else:
                outcomes.add("rejected")
            if dest.exists():
                (dest / "timestamp.txt").unlink(missing_ok=True)  # collect it again
    finally:
        stop.set()
        swapper.join()
    assert secret.read_text() == "KUNCI JAWABAN" and os.stat(secret).st_uid == ME
    assert "rejected" in outcomes, "the swap never landed during a collection; the test proved nothing"
