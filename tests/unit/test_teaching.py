"""Which course nbgrader works on in a trainer's server
(images/base/balaikode_nbgrader/teaching.py)."""

from balaikode_nbgrader import teaching

TEACHES = {"BALAIKODE_TEACHES": "python-pagi:20003 web-sore:20007"}


def test_the_courses_taught_come_from_the_hubs_words_in_order():
    assert teaching.taught_courses(TEACHES) == ["python-pagi", "web-sore"]
    assert teaching.taught_courses({}) == []
    # A name the naming rules refuse is never a course here.
    assert teaching.taught_courses({"BALAIKODE_TEACHES": "../etc:20001 ok-1:20002"}) == ["ok-1"]


def test_nbgrader_works_on_the_course_folder_it_runs_in(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    courses_root = tmp_path / "srv"
    monkeypatch.setattr(teaching, "COURSES_ROOT", str(courses_root))
    for course in ("python-pagi", "web-sore"):
        (courses_root / course / "source").mkdir(parents=True)
    (tmp_path / "kursus").mkdir()
    (tmp_path / "kursus" / "web-sore").symlink_to(courses_root / "web-sore")

    # `cd ~/kursus/web-sore` and the real path both mean web-sore...
    assert teaching.default_course(TEACHES, str(tmp_path / "kursus" / "web-sore")) == "web-sore"
    assert teaching.default_course(TEACHES, str(courses_root / "web-sore" / "source")) == "web-sore"
    # ...elsewhere, the first course taught.
    assert teaching.default_course(TEACHES, str(tmp_path)) == "python-pagi"
    # A folder that only starts like a course's name is not that course.
    (courses_root / "web-sore-lama").mkdir()
    assert teaching.default_course(TEACHES, str(courses_root / "web-sore-lama")) == "python-pagi"
    # A course not taught is never chosen, whatever the folder.
    assert teaching.default_course({"BALAIKODE_TEACHES": "python-pagi:20003"},
                                   str(courses_root / "web-sore")) == "python-pagi"
    assert teaching.default_course({}, str(courses_root / "web-sore")) == ""


def test_a_courses_settings_name_its_folder_and_its_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = teaching.course_settings("web-sore")
    hook = settings.pop("Autograde")["pre_convert_hook"]
    assert settings == {
        "CourseDirectory": {"course_id": "web-sore", "root": str(tmp_path / "kursus" / "web-sore")},
        "SandboxExecute": {"course": "web-sore"},
    }
    # Autograde refreshes the names of this course, in this course's gradebook.
    updated = []
    monkeypatch.setattr("balaikode_nbgrader.roster.update", lambda *args, **kw: updated.append(args))
    hook(assignment="a", student="s", notebooks=[])
    assert updated == [("web-sore", f"sqlite:///{tmp_path}/kursus/web-sore/gradebook.db")]
