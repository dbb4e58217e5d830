"""Issue 17, item 6: a learner who cannot use a mouse does the whole
Assignments flow with the keyboard alone (Tab, Shift+Tab, Enter, Space,
arrows and JupyterLab's shortcuts; no click anywhere): signs in, opens the
Assignments tab, fetches, opens the notebook, types her answers, validates,
submits, fetches the feedback and reads it. axe-core checks every screen on
the way (0 serious or critical problems).

The trainer's side (release, collect, autograde, feedback) goes through the
formgrader's API: test_browser_nbgrader.py clicks it. nbgrader's and Lab's
strings are being translated, so controls are found by role and a pattern
that accepts both languages."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import assert_reading_order, focused, tab_to
from support import curriculum
from test_browser_nbgrader import NBGRADER_TIMEOUT, PAGE_TIMEOUT, SERVER_START_TIMEOUT

COURSE = "kelas-papan-ketik"
TRACK = "python-dasar"
TASK = "01-variabel"

ASSIGNMENTS = re.compile(r"Assignment|Tugas", re.I)
FETCH = re.compile(r"^(Fetch|Ambil)$", re.I)
SUBMIT = re.compile(r"^(Submit|Kumpulkan|Kirim)$", re.I)
VALIDATE = re.compile(r"^(Validate|Periksa|Validasi)$", re.I)
FETCH_FEEDBACK = re.compile(r"^(Fetch Feedback|Ambil (Umpan Balik|Nilai))", re.I)
VIEW_FEEDBACK = re.compile(r"view feedback|lihat (umpan balik|nilai)", re.I)
REFRESH = re.compile(r"Refresh|Muat ulang|Segarkan", re.I)
OK = re.compile(r"^(OK|Oke|Baik)$", re.I)


@pytest.fixture
def course(make_course):
    trainer, [student] = make_course(COURSE, TASK, learners=1, track=TRACK)
    return trainer, student


def sign_in_by_keyboard(page: Page, name: str, password: str, then: str = "") -> None:
    """The hub's login form, typed; `then`: the hub page to go to after it."""
    page.goto("/hub/login" + (f"?next={quote(then)}" if then else ""))
    expect(page.get_by_label("Nama pengguna")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Kata sandi", exact=True)).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    if then:
        # The form's own address ends in ?next=<then>: wait for the page itself.
        page.wait_for_url(lambda url: urlsplit(url).path == then)


def open_assignments_tab(page: Page) -> None:
    """JupyterLab's command palette (Ctrl+Shift+C): nbgrader's commands are
    in its "nbgrader" category; arrows down to the Assignments one, Enter."""
    page.keyboard.press("Control+Shift+c")
    search = page.locator(".lm-CommandPalette-input")
    expect(search).to_be_focused()
    page.keyboard.type("nbgrader")
    active = page.locator(".lm-CommandPalette-item.lm-mod-active")
    for _ in range(10):
        if ASSIGNMENTS.search(active.inner_text()):
            break
        page.keyboard.press("ArrowDown")
    expect(active).to_contain_text(ASSIGNMENTS)
    page.keyboard.press("Enter")


def press_on(page: Page, target, key: str = "Tab") -> None:
    """Reach `target` with Tab (or Shift+Tab) and press Enter on it."""
    tab_to(page, target, key)
    page.keyboard.press("Enter")


def type_answers(page: Page, panel, answers: list[str]) -> None:
    """In command mode, walk the cells with the arrow keys; on each solution
    cell (found by its answer's first line in the stub) Enter edits it,
    Ctrl+A and the typed answer replace the stub, Escape leaves the editor."""
    page.keyboard.press("Escape")
    active = panel.locator(".jp-Cell.jp-mod-active")
    cells = panel.locator(".jp-Cell").count()
    for code in answers:
        first, *rest = code.rstrip().splitlines()
        for _ in range(cells + 1):
            if first in active.locator(".cm-content").inner_text():
                break
            page.keyboard.press("ArrowDown")
        else:
            raise AssertionError(f"no cell starts with {first!r}")
        page.keyboard.press("Enter")
        page.keyboard.press("Control+a")
        page.keyboard.type(first)
        for line in rest:
            page.keyboard.press("Enter")
            page.keyboard.type(line.lstrip())
        expect(active.locator(".cm-content")).to_have_text(code.rstrip(), use_inner_text=True)
        page.keyboard.press("Escape")


def expect_focus_inside(page: Page, container, why: str) -> None:
    inside = container.evaluate("el => el.contains(document.activeElement)")
    assert inside, f"{why}: the keyboard focus is on {focused(page)}"


def test_a_learner_fetches_submits_and_reads_feedback_without_a_mouse(
        course, open_page, screenshot, check_accessibility):
    trainer, student = course
    learner = student.user
    notebook = curriculum.load(TRACK, TASK)
    total = curriculum.total_points(notebook)

    page = open_page()
    sign_in_by_keyboard(page, learner.name, learner.password)
    page.wait_for_url(re.compile(rf"/user/{learner.name}/lab"), timeout=SERVER_START_TIMEOUT)
    expect(page.locator(".jp-LauncherCard").first).to_be_visible(timeout=SERVER_START_TIMEOUT)
    screenshot(page, "lab")

    # -- Assignments tab: fetch ----------------------------------------------
    open_assignments_tab(page)
    tab = page.locator("#nbgrader-assignment-list")
    released = tab.locator("#released_assignments_list")
    fetch = released.locator(".list_item", has_text=TASK).get_by_role("button", name=FETCH)
    expect(fetch).to_be_visible(timeout=NBGRADER_TIMEOUT)
    check_accessibility(page, "keyboard-assignments-released")
    screenshot(page, "assignments-released")
    press_on(page, fetch)

    fetched = tab.locator("#fetched_assignments_list")
    submit = fetched.get_by_role("button", name=SUBMIT)
    expect(submit).to_be_visible(timeout=NBGRADER_TIMEOUT)
    # What a screen reader says when the action is done (a polite status).
    status = page.get_by_role("status").filter(has_text=re.compile(r"^(Tugas|Umpan balik)"))
    expect(status).to_have_text(f"Tugas {TASK} sudah diambil.")
    # Unfold the assignment (its name is a button), then open its notebook.
    unfold = fetched.get_by_role("button", name=TASK)
    press_on(page, unfold)
    expect(unfold).to_have_attribute("aria-expanded", "true")
    notebook_link = fetched.locator(".nested_list_item").get_by_role("link", name=TASK)
    expect(notebook_link).to_be_visible()
    check_accessibility(page, "keyboard-assignments-fetched")
    screenshot(page, "assignments-fetched")
    press_on(page, notebook_link)

    # -- the notebook: answers typed, saved, validated -------------------------
    panel = page.locator(".jp-NotebookPanel").last
    expect(panel.locator(".jp-CodeCell").first).to_be_visible(timeout=PAGE_TIMEOUT)
    kernel_idle = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| (Idle|Siap|Siaga|Menganggur)$"))
    expect(kernel_idle).to_be_visible(timeout=PAGE_TIMEOUT)
    type_answers(page, panel, list(curriculum.solutions(notebook).values()))
    page.keyboard.press("Control+s")
    notebook_tab = page.get_by_role("tab", name=f"{TASK}.ipynb")
    expect(notebook_tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"), timeout=PAGE_TIMEOUT)
    check_accessibility(page, "keyboard-notebook")
    screenshot(page, "notebook-answered")

    # Back to the Assignments tab with JupyterLab's "previous tab"
    # shortcut (Ctrl+Shift+[), Validate on the notebook's row.
    page.keyboard.press("Control+Shift+BracketLeft")
    expect(tab).to_be_visible()
    validate = fetched.locator(".nested_list_item").get_by_role("button", name=VALIDATE)
    press_on(page, validate)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(dialog).to_contain_text(re.compile(r"Success|passed|lulus|berhasil", re.I))
    check_accessibility(page, "keyboard-validate-dialog")
    screenshot(page, "validate-dialog")
    # The dialog's OK button has the focus; Enter closes it and the focus
    # comes back to where it was, not to the top of the page.
    expect(dialog.get_by_role("button", name=OK)).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect_focus_inside(page, tab, "after the validation dialog")

    # -- submit ----------------------------------------------------------------
    press_on(page, submit, "Shift+Tab")
    submitted = tab.locator("#submitted_assignments_list")
    expect(submitted.locator(".list_item", has_text=TASK)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(status).to_have_text(f"Tugas {TASK} sudah dikumpulkan.")
    expect_focus_inside(page, tab, "after submitting")
    check_accessibility(page, "keyboard-assignments-submitted")
    screenshot(page, "assignments-submitted")

    # -- the trainer grades (API), the learner fetches feedback -----------------
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, learner.name)
    trainer.generate_and_release_feedback(TASK)

    refresh = tab.get_by_role("button", name=REFRESH)
    press_on(page, refresh, "Shift+Tab")
    fetch_feedback = submitted.get_by_role("button", name=FETCH_FEEDBACK)
    expect(fetch_feedback).to_be_visible(timeout=NBGRADER_TIMEOUT)
    press_on(page, fetch_feedback)
    view = submitted.get_by_role("link", name=VIEW_FEEDBACK)
    expect(view).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(status).to_have_text(f"Umpan balik tugas {TASK} sudah diambil.")
    check_accessibility(page, "keyboard-feedback-fetched")
    screenshot(page, "feedback-fetched")
    press_on(page, view)

    # The feedback opens in a tab of its own, with the keyboard focus in it.
    viewer = page.locator(".jp-HTMLViewer").last
    expect(viewer).to_be_visible(timeout=PAGE_TIMEOUT)
    feedback = page.frame_locator(".jp-HTMLViewer iframe").last.locator("body")
    expect(feedback).to_contain_text(f"{total:.1f} / {total:.1f}", timeout=PAGE_TIMEOUT)
    expect_focus_inside(page, viewer, "after opening the feedback")
    check_accessibility(page, "keyboard-feedback-tab")
    check_feedback_page(page, check_accessibility)
    screenshot(page, "feedback")


def check_feedback_page(page: Page, check_accessibility) -> None:
    """axe inside the feedback itself: the HTML viewer's iframe is sandboxed
    (no scripts), so its HTML is checked as a page of its own."""
    html = page.frame_locator(".jp-HTMLViewer iframe").last.locator("html").evaluate(
        "el => el.outerHTML")
    alone = page.context.new_page()
    try:
        alone.set_content(html)
        check_accessibility(alone, "keyboard-feedback-html")
    finally:
        alone.close()


# -- the hub's own pages a learner uses, keyboard only ------------------------

@pytest.mark.parametrize("path", ["/hub/home", "/hub/nama", "/hub/change-password"])
def test_a_learners_hub_pages_pass_axe_and_tab_reaches_every_control(
        path, new_learner, open_page, screenshot, check_accessibility):
    learner = new_learner("tombol")
    page = open_page()
    sign_in_by_keyboard(page, learner.name, learner.password, then=path)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    check_accessibility(page, "keyboard" + path.replace("/", "-"))
    page.keyboard.press("Tab")  # from the top of the page
    assert_reading_order(page, [])
    screenshot(page, path.strip("/").replace("/", "-"))


def test_a_learner_corrects_her_name_with_the_keyboard(new_learner, open_page, screenshot,
                                                        check_accessibility):
    learner = new_learner("nama")
    page = open_page()
    sign_in_by_keyboard(page, learner.name, learner.password, then="/hub/nama")
    field = page.get_by_label("Nama lengkap")
    tab_to(page, field)
    # A name against the rule: the error is announced and the field keeps it.
    page.keyboard.press("Control+a")
    page.keyboard.type("<b>")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page, "keyboard-nama-error")
    screenshot(page, "nama-error")
    tab_to(page, page.get_by_label("Nama lengkap"))
    page.keyboard.press("Control+a")
    page.keyboard.type("Siti Nur'aini Đặng")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Siti Nur'aini Đặng")
    check_accessibility(page, "keyboard-nama-saved")
    screenshot(page, "nama-saved")
