"""The python-dasar starter curriculum, checked without Docker: valid
notebooks in nbgrader's source format, sensible points, solution and hidden
test regions where nbgrader expects them, test messages a learner can act on,
text in Bahasa Indonesia that a screen reader can navigate, and solutions that
pass their own tests (the real kernel and nbgrader are exercised in
tests/integration/test_curriculum_python.py)."""

from __future__ import annotations

import ast
import contextlib
import io
import re

import pytest

from support import curriculum as cur

TRACK = "python-dasar"
NAMES = cur.assignment_names(TRACK)
REQUIRED = ["01-variabel", "02-percabangan", "03-perulangan", "04-fungsi",
            "05-list-dictionary", "06-string-dan-berkas", "07-proyek-toko"]
README = cur.ASSIGNMENTS / TRACK / "README.md"

# Everyday Indonesian words; a page of explanation uses several of them.
INDONESIAN = {"yang", "dan", "di", "ini", "untuk", "dengan", "jika", "adalah", "fungsi",
              "hasilnya", "buat", "contoh", "kamu", "tidak", "atau", "setiap"}
# English words that would give away an untranslated text.
ENGLISH = {"the", "and", "you", "your", "function", "with", "returns", "should", "write"}
# Meaning must not be carried by colour alone ("the red message").
COLOURS = re.compile(r"\b(merah|hijau|kuning|biru|red|green|yellow|blue)\b", re.I)
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def notebooks():
    return [pytest.param(name, id=name) for name in NAMES]


def prose(markdown: str) -> str:
    """Markdown without code (fenced blocks, `inline code`) and without
    foreign terms, which Indonesian writing sets in italics (*Submit*)."""
    markdown = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    markdown = re.sub(r"`[^`]*`", " ", markdown)
    return re.sub(r"(?<!\*)\*[^*\n]+\*(?!\*)", " ", markdown)


def words(markdown: str) -> set[str]:
    return set(re.findall(r"[a-z]+", prose(markdown).lower()))


def test_the_track_has_the_planned_assignments_in_order():
    assert all(name in NAMES for name in REQUIRED), NAMES
    for number, name in enumerate(NAMES, start=1):
        assert cur.NAME.match(name), f"{name}: folders are named NN-name (lower case, '-')"
        assert name.startswith(f"{number:02d}-"), f"{name}: numbers run 01, 02, ... without gaps"
        assert cur.notebook_path(TRACK, name).is_file(), f"{name}/{name}.ipynb is missing"
        others = [p.name for p in (cur.source_dir(TRACK) / name).iterdir() if p.suffix == ".ipynb"]
        assert others == [f"{name}.ipynb"], f"{name}: one notebook per assignment, named like it"


@pytest.mark.parametrize("name", notebooks())
def test_valid_nbformat_4_with_the_python_kernel(name):
    nb = cur.load(TRACK, name)
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 5
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(ids) == len(set(ids)), "cell ids must be unique"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, \
                "source notebooks are kept without outputs"
    import nbformat  # in tests/requirements.txt: a missing validator must fail, not skip
    nbformat.validate(nbformat.reads(cur.notebook_path(TRACK, name).read_text(encoding="utf-8"),
                                     as_version=4))


@pytest.mark.parametrize("name", notebooks())
def test_nbgrader_metadata(name):
    nb = cur.load(TRACK, name)
    seen = set()
    for cell in nb["cells"]:
        meta = cur.nbgrader(cell)
        if not meta:
            assert cell["cell_type"] == "code", "markdown cells are nbgrader cells (locked)"
            continue
        grade_id = meta.get("grade_id", "")
        assert GRADE_ID.match(grade_id), f"bad grade_id {grade_id!r}"
        assert grade_id not in seen, f"grade_id {grade_id!r} used twice"
        seen.add(grade_id)
        assert meta["schema_version"] == 3, grade_id
        if meta.get("grade"):
            assert meta.get("points", 0) > 0, f"{grade_id}: a graded cell needs points"
        if cell["cell_type"] == "markdown":
            assert meta["locked"] and not meta["grade"] and not meta["solution"], grade_id
        if cur.is_test(cell):
            assert meta["locked"], f"{grade_id}: test cells are locked"
        if cur.is_solution(cell):
            assert not meta["locked"] and not meta["grade"], f"{grade_id}: answer cells are editable"
    total = cur.total_points(nb)
    assert total == (20 if "proyek" in name else 10), f"{name}: {total} points"
    assert len(cur.test_cells(nb)) >= 2, f"{name}: at least two graded parts"


@pytest.mark.parametrize("name", notebooks())
def test_solution_regions_and_hidden_tests(name):
    nb = cur.load(TRACK, name)
    for cell in nb["cells"]:
        source = cur.text(cell)
        grade_id = cur.nbgrader(cell).get("grade_id", cell["id"])
        if cur.is_solution(cell):
            lines = [line.strip() for line in source.splitlines()]
            assert lines.count("### BEGIN SOLUTION") == 1 and lines.count("### END SOLUTION") == 1, grade_id
            begin, end = lines.index("### BEGIN SOLUTION"), lines.index("### END SOLUTION")
            assert 0 < begin < end - 1, \
                f"{grade_id}: the function's first line stays outside the solution region"
        else:
            assert "BEGIN SOLUTION" not in source, f"{grade_id}: solution region outside an answer cell"
        if cur.is_test(cell):
            assert cur.HIDDEN_TESTS.search(source), f"{grade_id}: no hidden tests"
            visible = cur.visible_part(cell)
            assert "assert" in visible, f"{grade_id}: learners see at least one test"
        else:
            assert "HIDDEN TESTS" not in source, f"{grade_id}: hidden tests outside a test cell"


@pytest.mark.parametrize("name", notebooks())
def test_test_messages_say_what_was_expected(name):
    """Every assertion has an Indonesian message naming what should have come."""
    nb = cur.load(TRACK, name)
    for grade_id, cell in cur.test_cells(nb).items():
        source = cur.text(cell)
        tree = ast.parse(source)
        asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert asserts, grade_id
        for node in asserts:
            assert node.msg is not None, f"{grade_id} line {node.lineno}: assert without a message"
            message = ast.get_source_segment(source, node.msg)
            assert "seharusnya" in message, f"{grade_id} line {node.lineno}: {message}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                assert "seharusnya" in ast.get_source_segment(source, node.exc), grade_id


@pytest.mark.parametrize("name", notebooks())
def test_text_is_indonesian_and_screen_reader_friendly(name):
    nb = cur.load(TRACK, name)
    markdown = [cur.text(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert markdown[0].startswith("# "), "the notebook opens with its title as a heading"
    assert sum(1 for m in markdown for line in m.splitlines() if re.match(r"# ", line)) == 1, \
        "one title (#) per notebook"
    for text in markdown:
        first = text.splitlines()[0]
        assert re.match(r"#{1,3} \S", first), f"every text cell starts with a heading: {first!r}"
        assert not re.search(r"!\[\s*\]", text), "images need alt text"
        assert "<img" not in text and "<font" not in text and "style=" not in text
        assert not COLOURS.search(prose(text)), f"colour words in {first!r}"
        found = words(text)
        assert not found & ENGLISH, f"English words {found & ENGLISH} in {first!r}"
    everything = words("\n".join(markdown))
    assert len(everything & INDONESIAN) >= 6, everything & INDONESIAN
    # Parts say how many points they are worth.
    for text in markdown:
        if text.startswith("## Bagian"):
            assert re.search(r"\(\d+ poin\)", text.splitlines()[0]), text.splitlines()[0]


@pytest.mark.parametrize("name", notebooks())
def test_solutions_pass_their_own_tests(name, tmp_path, monkeypatch):
    """Run the source notebook top to bottom (solutions and hidden tests
    included) in a fresh namespace and an empty working folder."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    for cell in cur.load(TRACK, name)["cells"]:
        if cell["cell_type"] != "code":
            continue
        label = cur.nbgrader(cell).get("grade_id", cell["id"])
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cur.text(cell), f"<{name}:{label}>", "exec"), namespace)
    # The tests tidy up the files they write; only the examples' files remain.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("tes_")]


def test_trainer_readme_covers_every_assignment():
    text = README.read_text(encoding="utf-8")
    for name in NAMES:
        assert name in text, f"{name} is missing from {README.relative_to(cur.REPO)}"
    assert "/opt/balaikode/assignments/python-dasar/source" in text
    assert "English" in text, "a short English summary for admins"
