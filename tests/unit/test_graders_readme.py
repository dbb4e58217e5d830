"""Every Python example in graders/README.md runs as written."""

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

import pytest

FIXTURES = Path(__file__).with_name("grader_fixtures")
README = REPO / "graders" / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
# The README talks about an assignment folder with these files in it.
ASSIGNMENT_FILES = {"index.html": "halaman.html", "style.css": "gaya.css", "hitung.js": "hitung.js",
                    "salam.php": "salam.php", "salam_fungsi.php": "salam_fungsi.php"}


def test_readme_has_an_example_per_language():
    assert len(EXAMPLES) == 4


@pytest.mark.parametrize("example", EXAMPLES, ids=["html", "css", "javascript", "php"])
def test_readme_example_runs(example, tmp_path, monkeypatch):
    for name, fixture in ASSIGNMENT_FILES.items():
        shutil.copy(FIXTURES / fixture, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, str(README), "exec"), {})
