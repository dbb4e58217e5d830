"""Bahasa Indonesia past the hub's pages, measured screen by screen.

A learner and a trainer of one course go through the screens of the first
weeks in a real browser: the learner's JupyterLab (menu bar, launcher, file
browser, a menu, a notebook with its toolbar), the Assignments tab, the
Validate result, the feedback page; the trainer's formgrader; the admin's
panel. On each screen every visible text and tooltip is classed as
Indonesian or English (language_coverage.py) and at least 95 % must be
Indonesian; the English ones are named when a screen falls short. The key
texts are asserted too, and the same learner who picks English on the hub
gets JupyterLab and nbgrader in English.

The course's work before the screens (fetch, submit, grading, feedback) is
done through the same APIs the buttons call: test_browser_nbgrader.py clicks
them all.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import close_notifications, sign_in
from language_coverage import measure
from support import curriculum
from support.course import answer
from test_browser_nbgrader import open_lab as open_lab_in_english

COURSE = "kelas-bahasa"
TRACK = "python-dasar"
TASK = "01-variabel"
TARGET = 0.95
SERVER_START_TIMEOUT = 180_000
NBGRADER_TIMEOUT = 300_000
PAGE_TIMEOUT = 120_000


def grade_a_course(make_course, course: str):
    """A learner who submitted the solved assignment and fetched its feedback."""
    trainer, [student] = make_course(course, TASK, learners=1, track=TRACK)
    student.act("fetch", TASK)
    solved = answer(student.read_notebook(TASK), curriculum.solutions(curriculum.load(TRACK, TASK)))
    student.save_notebook(TASK, solved)
    student.act("submit", TASK)
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, student.user.name)
    trainer.generate_and_release_feedback(TASK)
    student.act("fetch_feedback", TASK)
    return trainer, student


@pytest.fixture
def graded_course(make_course):
    return grade_a_course(make_course, COURSE)


def open_lab(page: Page, user) -> None:
    sign_in(page, user.name, user.password)
    page.wait_for_url(re.compile(rf"/user/{user.name}/lab"), timeout=SERVER_START_TIMEOUT)
    expect(page.get_by_role("menuitem", name="Nbgrader")).to_be_visible(timeout=SERVER_START_TIMEOUT)
    close_notifications(page)


def check(coverage) -> None:
    assert coverage.share >= TARGET, str(coverage)


def test_learner_and_trainer_screens_are_in_indonesian(stack, graded_course, open_page, screenshot):
    trainer, student = graded_course
    learner = student.user
    names = {learner.name, trainer.user.name, COURSE, TASK, "Nbgrader"}
    results = []

    # -- the learner's JupyterLab ---------------------------------------------
    page = open_page()
    open_lab(page, learner)
    for menu in ("Berkas", "Sunting", "Tampilan", "Jalankan", "Kernel", "Tab", "Pengaturan", "Bantuan"):
        expect(page.get_by_role("menuitem", name=menu, exact=True)).to_be_visible()
    expect(page.locator(".jp-Launcher")).to_contain_text("Notebook")
    screenshot(page, "lab")
    results.append(measure(page, "JupyterLab: peluncur dan berkas", names))
    page.get_by_role("menuitem", name="Berkas", exact=True).click()
    expect(page.locator(".lm-Menu").first).to_be_visible()
    screenshot(page, "menu-berkas")
    results.append(measure(page, "menu Berkas", names, root=".lm-Menu"))
    page.keyboard.press("Escape")

    # -- the Assignments tab ----------------------------------------------------
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Daftar Tugas").click()
    panel = page.locator("#assignments")
    submitted = page.locator("#submitted_assignments_list")
    expect(submitted.locator(".list_item", has_text=TASK)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(panel).to_contain_text("Tugas yang sudah dikumpulkan")
    expect(submitted).to_contain_text("(lihat umpan balik)")
    screenshot(page, "tugas")
    results.append(measure(page, "tab Tugas", names, root="#assignments"))

    # -- a notebook and its Validate result -------------------------------------
    page.get_by_role("button", name=TASK).first.click()  # the fetched assignment's notebooks
    page.locator("#fetched_assignments_list .nested_list_item").get_by_role("link", name=TASK).click()
    notebook = page.locator(".jp-NotebookPanel").last
    expect(notebook.locator(".jp-CodeCell").first).to_be_visible(timeout=PAGE_TIMEOUT)
    expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Siap$"))).to_be_visible(
        timeout=PAGE_TIMEOUT)
    screenshot(page, "notebook")
    results.append(measure(page, "notebook dan bilah alatnya", names))
    notebook.get_by_role("button", name="Periksa").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Hasil pemeriksaan", timeout=NBGRADER_TIMEOUT)
    expect(dialog).to_contain_text("Berhasil! Notebook-mu lulus semua tes.")
    screenshot(page, "hasil-pemeriksaan")
    results.append(measure(page, "hasil Periksa", names, root=".jp-Dialog"))
    dialog.get_by_role("button").last.click()

    # -- the feedback page ------------------------------------------------------
    page.get_by_role("tab", name="Tugas").click()
    submitted.get_by_text("(lihat umpan balik)").click()
    page.locator(".jp-DirListing-item", has_text=f"{TASK}.html").dblclick()
    frame = page.frame_locator(".jp-HTMLViewer iframe")
    total = curriculum.total_points(curriculum.load(TRACK, TASK))
    expect(frame.locator("body")).to_contain_text(f"{TASK} (Nilai: {total:.1f} / {total:.1f})",
                                                  timeout=PAGE_TIMEOUT)
    expect(frame.locator("body")).to_contain_text("Sel tes")
    screenshot(page, "umpan-balik")
    viewer = next(f for f in page.frames if f != page.main_frame and f.url.startswith("blob:"))
    results.append(measure(viewer, "halaman umpan balik", names))

    # -- the trainer's formgrader ----------------------------------------------
    desk = open_page()
    open_lab(desk, trainer.user)
    desk.get_by_role("menuitem", name="Nbgrader").click()
    desk.get_by_role("menuitem", name="Formgrader").click()
    grader = desk.frame_locator("iframe[src*='/formgrader']")
    row = grader.locator("#main-table tr", has_text=TASK)
    expect(row.locator("td.status")).to_have_text("dibagikan", timeout=NBGRADER_TIMEOUT)
    expect(grader.locator("body")).to_contain_text("Kelola Tugas")
    screenshot(desk, "formgrader")
    formgrader_frame = next(f for f in desk.frames if "/formgrader" in f.url)
    results.append(measure(formgrader_frame, "formgrader: Kelola Tugas", names))
    row.locator("td.num-submissions a").click()
    expect(grader.locator("#main-table tr", has_text=learner.name).locator("td.status")).to_have_text(
        "sudah dinilai", timeout=NBGRADER_TIMEOUT)
    screenshot(desk, "formgrader-kiriman")
    formgrader_frame = next(f for f in desk.frames if "/formgrader" in f.url)
    results.append(measure(formgrader_frame, "formgrader: kiriman", names))

    # -- the admin's panel ------------------------------------------------------
    admin = open_page()
    sign_in(admin, "admin", stack.admin_password, "/hub/login?next=%2Fhub%2Fadmin")
    admin.wait_for_url("**/hub/admin**")
    expect(admin.get_by_role("button", name="Matikan Hub")).to_be_visible()
    screenshot(admin, "admin")
    results.append(measure(admin, "panel admin", names | {"admin"}))

    print("\n".join(str(r) for r in results))
    short = [str(r) for r in results if r.share < TARGET]
    assert not short, "screens below 95 % Bahasa Indonesia:\n" + "\n".join(short)


def test_a_learner_who_picks_english_gets_lab_and_nbgrader_in_english(make_course, open_page, screenshot):
    _, student = grade_a_course(make_course, "kelas-english")
    learner = student.user
    page = open_page()
    open_lab_in_english(page, learner)  # as the hub's "English" link: its cookie
    expect(page.get_by_role("menuitem", name="File", exact=True)).to_be_visible(timeout=PAGE_TIMEOUT)
    expect(page.get_by_role("menuitem", name="Kernel", exact=True)).to_be_visible()
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Assignment List").click()
    submitted = page.locator("#submitted_assignments_list")
    expect(submitted.locator(".list_item", has_text=TASK)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(page.locator("#assignments")).to_contain_text("Submitted assignments")
    expect(submitted).to_contain_text("(view feedback)")
    screenshot(page, "english")
