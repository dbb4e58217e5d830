"""The admin's course page (/hub/kursus), keyboard only (issue 17, items 5,
6 and 8): she finds it in the menu, creates a course, finds people in a
list of 40 approved users by searching (accents ignored: "dang thi" finds
"Đặng Thị"), adds a trainer and learners, and takes one out, without the mouse.
axe finds no serious or critical problem on either page, on a laptop and on
a phone, and the effect is read back with `./balaikode courses`."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from browser_helpers import sign_in

PHONE = {"width": 390, "height": 844}


def approved_users(admin, prefix: str, count: int) -> list[str]:
    """`count` accounts made by the admin (as the admin API or approval
    does), each with a full name (the second and eighth are searched for)."""
    names = [f"{prefix}{i:02d}" for i in range(count)]
    assert admin.api("POST", "/users", json={"usernames": names}).status_code == 201
    for i, name in enumerate(names):
        full = {1: "Đặng Thị Mai", 7: "Sri Rahayu Kusuma"}.get(i, f"Warga {chr(65 + i // 26)}{chr(97 + i % 26)}")
        assert admin.api("PATCH", f"/balaikode/signups/{name}", json={"full_name": full}).status_code == 200
    return names


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until `selector` has the focus (as a keyboard user would)."""
    target = page.locator(selector)
    for _ in range(presses):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def course_line(stack, course: str) -> str:
    listed = stack.admin_cli("courses").stdout
    return next((line for line in listed.splitlines() if line.startswith(course + "\t")), "")


def test_the_admin_makes_a_course_and_fills_it_keyboard_only(stack, admin, open_page, screenshot,
                                                            check_accessibility):
    prefix = "desa" + secrets.token_hex(2)
    names = approved_users(admin, prefix, 40)
    course = f"kelas-{prefix}"
    page = open_page()
    sign_in(page, "admin", stack.admin_password)
    page.wait_for_url(re.compile(r"/hub/(home|spawn)"))
    page.goto("/hub/home")

    # The menu leads there.
    tab_to(page, "a.nav-link[href$='/hub/kursus']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hub/kursus")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kursus")
    check_accessibility(page, "courses")
    screenshot(page, "kursus")

    tab_to(page, "#course_name_input")
    page.keyboard.type(course)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=created")
    expect(page.get_by_role("status").filter(has_text="Kursus sudah dibuat")).to_be_visible()
    # Forty and more people to add: found by searching, not by Tabbing
    # through every box (the archive button below stays a few presses away).
    expect(page.locator("#candidates [data-balaikode-name]:visible")).to_have_count(0)
    expect(page.locator("#candidates_count")).to_contain_text("ketik nama untuk mencari")

    # A trainer: role first (arrow keys move within the radio group), then search.
    tab_to(page, "#role_learners")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#role_trainers")).to_be_checked()
    tab_to(page, "#candidates_search")
    page.keyboard.type(names[0])
    expect(page.locator("#candidates_count")).to_have_text("1 orang ditemukan")
    page.keyboard.press("Enter")  # searching, not sending the form
    tab_to(page, f"#pick-{names[0]}")
    page.keyboard.press("Space")
    tab_to(page, "#add_submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=added")

    # Learners: two found by searching, "dang thi" without its accents (other
    # tests on this stack name people "... Đặng" too).
    tab_to(page, "#candidates_search")
    page.keyboard.type("dang thi")
    expect(page.locator("#candidates [data-balaikode-name]:visible")).to_have_count(1)
    tab_to(page, f"#pick-{names[1]}")
    page.keyboard.press("Space")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#candidates_search")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("rahayu")
    # The ticked one stays in view with what the new search finds.
    expect(page.locator("#candidates [data-balaikode-name]:visible")).to_have_count(2)
    tab_to(page, f"#pick-{names[7]}")
    page.keyboard.press("Space")
    screenshot(page, "dua-peserta-dipilih")
    tab_to(page, "#add_submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=added")
    expect(page.locator("#learners_list")).to_contain_text("Đặng Thị Mai")
    assert course_line(stack, course) == \
        f"{course}\ttrainers: {names[0]}\tlearners: {names[1]}, {names[7]}"
    check_accessibility(page, "course")
    screenshot(page, "kursus-terisi", readme="course-page")

    # Taking one out: her button says whom it removes.
    remove = page.get_by_role("button", name=f"Keluarkan {names[7]}")
    tab_to(page, f"#learners_list form:has(input[value='{names[7]}']) button")
    expect(remove).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=removed")
    assert course_line(stack, course) == f"{course}\ttrainers: {names[0]}\tlearners: {names[1]}"

    # On a phone: the same page, still readable and without problems.
    page.set_viewport_size(PHONE)
    page.goto(f"/hub/kursus/{course}")
    check_accessibility(page, "course-phone")
    screenshot(page, "kursus-ponsel")

    # Archived: restore and delete on offer, nothing to take out.
    page.set_viewport_size({"width": 1000, "height": 700})
    tab_to(page, "#course_archive", presses=30)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=archived")
    expect(page.locator("#course_restore")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Keluarkan"))).to_have_count(0)
    assert course_line(stack, course).endswith("ARCHIVED")
    check_accessibility(page, "course-archived")
    screenshot(page, "kursus-diarsipkan")
