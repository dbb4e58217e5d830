"""Basic accessibility of the pages learners and admins fill in: axe-core
finds no serious or critical problem (labels, contrast, language, names), the
page says its language, and the keyboard's Tab walks the page in reading
order without skipping anything."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from browser_helpers import assert_reading_order


def test_login_page(open_page, screenshot, check_accessibility):
    page = open_page()
    page.goto("/hub/login")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    check_accessibility(page, "login")
    # Focus starts in the user name field; Tab goes through the form in order.
    assert_reading_order(page, ["username_input", "password_input", "eye", "login_submit",
                                "signup_link"])
    screenshot(page, "login")


def test_login_page_with_an_error(open_page, screenshot, check_accessibility):
    page = open_page()
    page.goto("/hub/login")
    page.get_by_label("Nama pengguna").fill("tidakada")
    page.get_by_label("Kata sandi", exact=True).fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("salah")
    check_accessibility(page, "login-error")
    screenshot(page, "login-error")


def test_signup_page(open_page, screenshot, check_accessibility):
    page = open_page()
    page.goto("/hub/signup")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    check_accessibility(page, "signup")
    assert_reading_order(page, ["username_input", "full_name_input", "password_input", "eye",
                                "password_confirmation_input", "signup_submit", "login_link"])
    screenshot(page, "signup")
    # A refused sign-up (passwords differ) is announced and still accessible.
    page.get_by_label("Nama pengguna").fill("rina")
    page.get_by_label("Nama lengkap").fill("Rina Đặng")
    page.get_by_label("Kata sandi", exact=True).fill("Sandi-rina-2026")
    page.get_by_label("Ulangi kata sandi").fill("Sandi-lain-2026")
    page.locator("#signup_submit").click()
    expect(page.get_by_role("alert")).to_contain_text("tidak sama")
    # Her names stay filled in; the passwords are typed again.
    expect(page.get_by_label("Nama pengguna")).to_have_value("rina")
    expect(page.get_by_label("Nama lengkap")).to_have_value("Rina Đặng")
    expect(page.get_by_label("Kata sandi", exact=True)).to_have_value("")
    check_accessibility(page, "signup-error")
    screenshot(page, "signup-error")


def test_approval_page(stack, open_page, screenshot, check_accessibility):
    # Someone waiting, so the page has a row with every button.
    waiting = open_page()
    waiting.goto("/hub/signup")
    name = f"tono{secrets.token_hex(2)}"
    waiting.get_by_label("Nama pengguna").fill(name)
    waiting.get_by_label("Nama lengkap").fill("Tono Nur'aini")
    waiting.get_by_label("Kata sandi", exact=True).fill("Sandi-tono-2026")
    waiting.get_by_label("Ulangi kata sandi").fill("Sandi-tono-2026")
    waiting.locator("#signup_submit").click()
    expect(waiting.locator("#signup_result")).to_contain_text("menunggu persetujuan")
    # Signed up: no form left to fill in again, the way to log in instead.
    expect(waiting.locator("#signup_submit")).to_have_count(0)
    expect(waiting.get_by_role("link", name="masuk", exact=False).first).to_be_visible()

    page = open_page()
    page.goto("/hub/login?next=%2Fhub%2Fauthorize")
    page.get_by_label("Nama pengguna").fill("admin")
    page.get_by_label("Kata sandi", exact=True).fill(stack.admin_password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/hub/authorize$"))
    expect(page.locator(f"tr#{name}")).to_contain_text("Menunggu persetujuan")
    expect(page.locator(f"tr#{name} .balaikode-full-name")).to_have_text("Tono Nur'aini")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    check_accessibility(page, "authorize")
    page.keyboard.press("Tab")  # from the top of the page
    assert_reading_order(page, [])
    screenshot(page, "authorize")


@pytest.mark.parametrize("path", ["/hub/login", "/hub/signup"])
def test_english_pages_are_accessible_too(path, open_page, check_accessibility):
    page = open_page(cookies={"balaikode_lang": "en"})
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page, "en" + path.replace("/", "-"))
