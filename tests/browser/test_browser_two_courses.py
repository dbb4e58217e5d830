"""Issue 17, item 1, in a real browser: a trainer of two courses opens each
course's formgrader from JupyterLab (Nbgrader > Course List), sees which
course each page grades, and moves to the other course from the page."""

from __future__ import annotations

from playwright.sync_api import expect

from test_browser_nbgrader import NBGRADER_TIMEOUT, nbgrader_menu, open_lab

PAGI, SORE = "klik-pagi", "klik-sore"


def test_a_trainer_opens_each_courses_formgrader_from_the_lab(stack, new_learner, open_page,
                                                               screenshot):
    guru = new_learner("guru")
    for course in (PAGI, SORE):
        stack.enrol(course, trainers=[guru.name])
    guru.start_server()

    desk = open_page()
    open_lab(desk, guru)
    nbgrader_menu(desk, "Course List")
    # One entry per course taught; a click opens that course's formgrader in the Lab.
    courses = desk.locator("#courses")
    expect(courses.get_by_role("link", name=PAGI)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    screenshot(desk, "trainer-course-list")
    courses.get_by_role("link", name=SORE).click()
    frame = desk.frame_locator(f"iframe[src*='/kursus/{SORE}/formgrader']")
    bar = frame.get_by_role("navigation", name="Kursus")
    expect(bar).to_contain_text(f"Menilai kursus: {SORE}", timeout=NBGRADER_TIMEOUT)
    expect(frame.locator("#main-table")).to_be_attached(timeout=NBGRADER_TIMEOUT)
    screenshot(desk, "trainer-formgrader-sore")
    # From the evening page to the morning one, inside the same Formgrader
    # tab (JupyterLab keeps one: a second Course List click only shows it).
    bar.get_by_role("link", name=PAGI).click()
    expect(bar).to_contain_text(f"Menilai kursus: {PAGI}", timeout=NBGRADER_TIMEOUT)
    expect(frame.locator("#main-table")).to_be_attached(timeout=NBGRADER_TIMEOUT)
    screenshot(desk, "trainer-formgrader-pagi")
