"""What the grader gives a learner's server from a course exchange it does
not mount (src/balaikode/grader/exchange_read.py): only regular files under
names that stay inside the folder asked for, names of released assignments
and their notebooks, bounded answers, feedback only by well-formed secret
names."""

from __future__ import annotations

import io
import tarfile

import pytest

from balaikode.grader import exchange_read


def archive(entries: list[tuple[str, bytes | str | None]]) -> tarfile.TarFile:
    """A tar stream like Docker's get_archive: (name, content) for files,
    (name, None) for folders, (name, "->target") for symlinks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    chunks = [buffer.getvalue()[i:i + 700] for i in range(0, len(buffer.getvalue()), 700)]
    return tarfile.open(fileobj=io.BufferedReader(exchange_read.ChunkReader(iter(chunks))), mode="r|")


def test_released_assignments_are_named_with_their_notebooks_and_nothing_else():
    found = exchange_read.released(archive([
        ("outbound", None),
        ("outbound/01-variabel", None),
        ("outbound/01-variabel/01-variabel.ipynb", b"{}"),
        ("outbound/01-variabel/data/lain.ipynb", b"{}"),   # not a notebook of the assignment
        ("outbound/01-variabel/data.csv", b"1,2"),
        ("outbound/01-variabel/tautan.ipynb", "->/etc/passwd"),
        ("outbound/02-kosong", None),
        ("outbound/Bukan Nama", None),                      # not a valid assignment name
        ("outbound/..", None),
    ]))
    assert found == {"01-variabel": ["01-variabel.ipynb"], "02-kosong": []}


def test_an_assignment_comes_as_its_regular_files_only():
    files = exchange_read.regular_files(archive([
        ("01-variabel", None),
        ("01-variabel/01-variabel.ipynb", b"{\"cells\": []}"),
        ("01-variabel/data/harga.csv", b"a,b\n"),
        ("01-variabel/kunci", "->/srv/nbgrader/courses"),
        ("01-variabel/../../etc/passwd", b"root"),
        ("01-variabel/./x", b"x"),
    ]), max_bytes=2**20)
    assert files == {"01-variabel.ipynb": b"{\"cells\": []}", "data/harga.csv": b"a,b\n"}


def test_an_assignment_over_the_limit_is_refused_with_a_message_for_the_learner():
    with pytest.raises(exchange_read.TooBig, match="lebih dari 1 MB"):
        exchange_read.regular_files(archive([
            ("01-variabel", None),
            ("01-variabel/a.bin", b"x" * 2**19),
            ("01-variabel/b.bin", b"x" * (2**19 + 1)),
        ]), max_bytes=2**20)


def test_feedback_is_asked_for_only_by_well_formed_secret_names():
    name = "0123456789abcdef0123456789abcdef"
    assert exchange_read.valid_hashes([name, name]) == [name]
    assert exchange_read.valid_hashes([]) == []
    for bad in (name, [name.upper()], ["../inbound/x"], [name + ".html"], [1], None,
                [name] * 1 + ["a" * 31]):
        assert exchange_read.valid_hashes(bad) is None, bad
    assert exchange_read.valid_hashes([f"{i:032x}" for i in range(exchange_read.MAX_HASHES + 1)]) is None
