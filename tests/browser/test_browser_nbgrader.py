"""A course in a real browser, every step a click or a key press: the trainer
generates and releases an assignment in the formgrader, a learner fetches it
in the Assignments tab, types the answers into the notebook, saves and
submits; the trainer collects, autogrades and releases feedback; the learner
fetches the feedback and reads the score, without the hidden tests.

Only the assignment's source is put in place through the API (as if the
trainer had copied it from the curriculum). Both pick English on the hub, so
nbgrader shows its own texts (the test names them as nbgrader has them);
test_browser_indonesian.py goes through the same screens in Bahasa
Indonesia. The feedback page is written in the site's language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from browser_helpers import close_notifications, sign_in
from support import curriculum

COURSE = "kelas-klik"
TRACK = "python-dasar"
TASK = "01-variabel"
SERVER_START_TIMEOUT = 180_000  # ms; servers of a busy 2-core machine
# nbgrader's lists and actions (the first formgrader page creates the
# gradebook; autograding starts a sandbox container).
NBGRADER_TIMEOUT = 300_000
PAGE_TIMEOUT = 120_000          # a notebook or the feedback page opening, a save


@pytest.fixture
def course(make_course):
    trainer, [student] = make_course(COURSE, TASK, learners=1, track=TRACK, release=False)
    return trainer.user, student.user


def open_lab(page: Page, user) -> None:
    """Log in through the hub's form, pick English as the hub's language link
    does (its cookie, for the whole site) and wait for JupyterLab with
    nbgrader's menu."""
    sign_in(page, user.name, user.password)
    page.wait_for_url(re.compile(rf"/user/{user.name}/lab"), timeout=SERVER_START_TIMEOUT)
    site = re.match(r"https?://[^/]+", page.url).group(0)
    page.context.add_cookies([{"name": "balaikode_lang", "value": "en", "url": site}])
    page.reload()
    nbgrader = page.get_by_role("menuitem", name="Nbgrader")
    expect(nbgrader).to_be_visible(timeout=SERVER_START_TIMEOUT)


def nbgrader_menu(page: Page, item: str) -> None:
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name=item).click()


class Formgrader:
    """nbgrader's formgrader, framed in the trainer's JupyterLab. Its buttons
    are icons in table cells named after what they do (td.assign, td.release,
    td.collect, td.autograde, ...); each answers with a dialog."""

    def __init__(self, page: Page, screenshot):
        self.page = page
        self.frame = page.frame_locator("iframe[src*='/formgrader']")
        self.screenshot = screenshot

    def row(self, text: str) -> Locator:
        return self.frame.locator("#main-table tr", has_text=text)

    def click(self, row: Locator, button: str, message: str, step: str) -> None:
        """Click the row's `button` cell, see `message` in the dialog, press OK."""
        row.locator(f"td.{button} a").click()
        dialog = self.frame.locator(".modal-dialog")
        expect(dialog).to_contain_text(message, timeout=NBGRADER_TIMEOUT)
        self.screenshot(self.page, step)
        dialog.get_by_role("button", name="OK").click()
        expect(self.frame.locator(".modal-backdrop")).to_have_count(0)

    def show(self, row: Locator, step: str, readme: str | None = None) -> None:
        row.scroll_into_view_if_needed()
        self.screenshot(self.page, step, readme=readme)


def type_answer(page: Page, notebook: Locator, code: str) -> None:
    """Replace the stub in the solution cell whose first line is the answer's
    first line, typing line by line (the editor indents after a colon)."""
    first, *rest = code.rstrip().splitlines()
    editor = notebook.locator(".jp-CodeCell .cm-content", has_text=first)
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(first)
    for line in rest:
        page.keyboard.press("Enter")
        page.keyboard.type(line.lstrip())
    expect(editor).to_have_text(code.rstrip(), use_inner_text=True)


def hidden_test_lines(notebook: dict) -> list[str]:
    return [line.strip() for cell in curriculum.test_cells(notebook).values()
            for hidden in curriculum.HIDDEN_TESTS.findall(curriculum.text(cell))
            for line in hidden.splitlines() if line.strip() and "###" not in line]


def test_trainer_and_learner_run_an_assignment_by_clicking(course, open_page, screenshot):
    trainer, learner = course
    notebook = curriculum.load(TRACK, TASK)
    total = curriculum.total_points(notebook)
    hidden = hidden_test_lines(notebook)
    assert hidden, "the assignment should have hidden tests"

    # -- the trainer generates and releases in the formgrader -----------------
    desk = open_page()
    open_lab(desk, trainer)
    # Room for the formgrader: hide the file browser (click its icon).
    desk.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    nbgrader_menu(desk, "Formgrader")
    formgrader = Formgrader(desk, screenshot)
    task = formgrader.row(TASK)
    expect(task.locator("td.status")).to_have_text("draft", timeout=NBGRADER_TIMEOUT)
    formgrader.show(task, "trainer-formgrader-draft")
    formgrader.click(task, "assign", f"Successfully created the student version of '{TASK}'",
                     "trainer-generated")
    formgrader.click(task, "release", f"Successfully released '{TASK}'", "trainer-released")
    expect(task.locator("td.status")).to_have_text("released")
    formgrader.show(task, "trainer-formgrader-released")

    # -- the learner fetches, answers, saves and submits ----------------------
    page = open_page()
    open_lab(page, learner)
    nbgrader_menu(page, "Assignment List")
    released = page.locator("#released_assignments_list")
    expect(released.locator(".list_item", has_text=TASK)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    screenshot(page, "learner-assignments-released")
    released.locator(".list_item", has_text=TASK).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    expect(fetched.get_by_role("button", name="Submit")).to_be_visible(timeout=NBGRADER_TIMEOUT)
    fetched.get_by_role("button", name=TASK).click()  # unfold: the assignment's notebooks
    # The course's folder shows up in the file browser (at its next refresh).
    expect(page.locator(".jp-DirListing-item", has_text=COURSE)).to_be_visible(timeout=PAGE_TIMEOUT)
    screenshot(page, "learner-fetched")
    fetched.locator(".nested_list_item").get_by_role("link", name=TASK).click()

    panel = page.locator(".jp-NotebookPanel").last
    expect(panel.locator(".jp-CodeCell").first).to_be_visible(timeout=PAGE_TIMEOUT)
    expect(panel).to_contain_text("TULIS KODEMU DI SINI")
    # Ready when the status bar says the kernel is "Idle" (English: the
    # language pack leaves it): JupyterLab writes the kernel's details into
    # the notebook when it connects, which marks a saved notebook unsaved.
    kernel_status = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))
    expect(kernel_status).to_be_visible(timeout=PAGE_TIMEOUT)
    screenshot(page, "learner-notebook-opened")
    for code in curriculum.solutions(notebook).values():
        type_answer(page, panel, code)
    screenshot(page, "learner-answers-typed")
    page.keyboard.press("Control+s")
    notebook_tab = page.get_by_role("tab", name=f"{TASK}.ipynb")
    expect(notebook_tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"), timeout=PAGE_TIMEOUT)
    screenshot(page, "learner-saved")

    page.get_by_role("tab", name="Assignments").click()
    fetched.get_by_role("button", name="Submit").click()
    submitted = page.locator("#submitted_assignments_list")
    expect(submitted.locator(".list_item", has_text=TASK)).to_be_visible(timeout=NBGRADER_TIMEOUT)
    expect(submitted.locator(".nested_list_item")).to_contain_text("UTC")  # when it was submitted
    close_notifications(page)
    screenshot(page, "learner-submitted", readme="assignments")

    # -- the trainer collects, autogrades and releases feedback ---------------
    formgrader.click(task, "collect", f"Successfully collected submissions of '{TASK}'",
                     "trainer-collected")
    expect(task.locator("td.num-submissions")).to_have_text("1")
    task.locator("td.num-submissions a").click()
    submission = formgrader.row(learner.name)
    expect(submission.locator("td.status")).to_have_text("needs autograding")
    formgrader.show(submission, "trainer-submissions")
    formgrader.click(submission, "autograde",
                     f"Successfully autograded '{TASK}' for student '{learner.name}'",
                     "trainer-autograded")
    expect(submission.locator("td.status")).to_have_text("graded")
    expect(submission.locator("td.score")).to_have_text(f"{total:g} / {total:g}")
    close_notifications(desk)
    formgrader.show(submission, "trainer-score", readme="formgrader")
    formgrader.click(submission, "generate-feedback",
                     f"Successfully generated feedback for '{TASK}' for student '{learner.name}'",
                     "trainer-feedback-generated")
    formgrader.click(submission, "release-feedback",
                     f"Successfully released feedback for '{TASK}' for student '{learner.name}'",
                     "trainer-feedback-released")

    # -- the learner fetches the feedback and reads it ------------------------
    page.get_by_title("Refresh assignments list").click()
    expect(submitted).to_contain_text("feedback available to fetch", timeout=NBGRADER_TIMEOUT)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    view = submitted.get_by_text("(view feedback)")
    expect(view).to_be_visible(timeout=NBGRADER_TIMEOUT)
    screenshot(page, "learner-feedback-fetched")
    view.click()  # goes to the feedback folder in the file browser
    page.locator(".jp-DirListing-item", has_text=f"{TASK}.html").dblclick()
    feedback = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
    score = f"{TASK} (Nilai: {total:.1f} / {total:.1f})"
    expect(feedback).to_contain_text(score, timeout=PAGE_TIMEOUT)
    expect(feedback).to_contain_text("tes tersembunyi: hanya hasilnya yang ditampilkan")
    screenshot(page, "learner-feedback")
    shown = feedback.text_content()
    assert not [line for line in hidden if line in shown], "feedback shows hidden tests"
