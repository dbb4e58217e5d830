"""The progress view in a real browser (issue 17, items 4, 6 and 8): the
trainer reaches it from her home page with the keyboard only, reads who is
behind, sees the chart, reaches the CSV; the learner sees her own row only.
axe finds no serious or critical problem, on a laptop and on a phone.
Screenshots under tests/artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import sign_in, tab_to

COURSE = "kelas-grafik"
TASK = "01-variabel"
PHONE = {"width": 390, "height": 844}
CORRECT_TOTAL = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"


@pytest.fixture(scope="module")
def course(make_course):
    trainer, (ani, eko) = make_course(COURSE, TASK, learners=2)
    ani.hand_in(TASK, {"jawab_total": CORRECT_TOTAL})
    trainer.collect(TASK)
    trainer.autograde_ok(TASK, ani.user.name)
    return trainer, ani, eko


def open_progress(page, user, link: str, heading: str) -> None:
    """Sign in, then from the home page to the course's progress, keyboard only."""
    sign_in(page, user.name, user.password)
    page.wait_for_url(re.compile(r"/(hub|user)/"))
    page.goto("/hub/home")
    tab_to(page, page.locator("#progress-link"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/kemajuan")
    tab_to(page, page.get_by_role("link", name=link))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kemajuan/{COURSE}", timeout=180_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_the_trainer_reaches_the_class_progress_keyboard_only(course, stack, open_page, screenshot,
                                                             check_accessibility):
    trainer, ani, eko = course
    page = open_page()
    open_progress(page, trainer.user, f"{COURSE}: seluruh kelas", f"Kemajuan kelas {COURSE}")
    ani_row = page.locator(f'tr[data-learner="{ani.user.name}"]')
    expect(ani_row).to_contain_text("5/10")
    expect(page.locator(f'tr[data-learner="{eko.user.name}"]')).to_contain_text("Belum mengumpulkan")
    chart = page.locator("#progress-chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.getElementById('progress-chart');"
                           " return i.complete && i.naturalWidth === 800; }", timeout=180_000)
    # The table scrolls sideways on a phone: its region takes the focus.
    tab_to(page, page.locator("[role=region][aria-labelledby=progress-table-caption]"), key="Shift+Tab")
    tab_to(page, page.locator("#progress-csv"), key="Shift+Tab")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"kemajuan-{COURSE}.csv"
    check_accessibility(page, "progress-class")
    screenshot(page, "kemajuan-kelas")
    page.set_viewport_size(PHONE)
    check_accessibility(page, "progress-class-phone")
    screenshot(page, "kemajuan-kelas-ponsel")


def test_the_learner_sees_only_her_own_progress(course, open_page, screenshot, check_accessibility):
    _trainer, ani, eko = course
    page = open_page()
    open_progress(page, eko.user, f"{COURSE}: kemajuan saya", f"Kemajuan saya di kelas {COURSE}")
    expect(page.locator("[data-learner]")).to_have_count(1)
    expect(page.locator(f'#progress-own[data-learner="{eko.user.name}"]')).to_contain_text(
        "Belum mengumpulkan")
    expect(page.locator("#progress-assignments")).to_contain_text("belum")
    assert ani.user.name not in page.content()
    expect(page.locator("#progress-chart")).to_have_count(0)
    check_accessibility(page, "progress-own")
    screenshot(page, "kemajuan-saya")
    page.set_viewport_size(PHONE)
    check_accessibility(page, "progress-own-phone")
    screenshot(page, "kemajuan-saya-ponsel")
    page.goto("/hub/kemajuan")
    check_accessibility(page, "progress-index-phone")
    screenshot(page, "kemajuan-daftar-ponsel")
