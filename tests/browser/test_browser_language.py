"""Bahasa Indonesia by default, English one click away (remembered in the
balaikode_lang cookie), whatever language the browser itself prefers."""

from __future__ import annotations

from playwright.sync_api import expect

from browser_helpers import sign_in


def test_visitor_switches_to_english_and_back(open_page, screenshot):
    page = open_page()
    # An English browser still gets the site's language (Bahasa Indonesia).
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto("/hub/login?next=%2Fhub%2Fhome")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    screenshot(page, "bahasa-indonesia")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("User name")).to_be_visible()
    assert "next=%2Fhub%2Fhome" in page.url  # same page, same place
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["balaikode_lang"] == "en"
    screenshot(page, "english")

    # The choice is kept on every page, including sign-up and errors.
    page.get_by_role("link", name="Sign up here").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.goto("/hub/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot(page, "english-404")

    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    screenshot(page, "back-to-bahasa-indonesia")


def test_errors_say_what_to_do_next(open_page, screenshot):
    page = open_page()
    response = page.goto("/hub/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    expect(page.get_by_role("link", name="Ke beranda", exact=True)).to_be_visible()
    screenshot(page, "404")


def test_admin_page_works_under_the_translated_menu(stack, open_page, screenshot):
    # JupyterHub's admin page (a React app, still in English) uses Balai
    # Kode's page.html for its frame.
    page = open_page()
    page.goto("/hub/login?next=%2Fhub%2Fadmin")
    page.get_by_label("Nama pengguna").fill("admin")
    page.get_by_label("Kata sandi", exact=True).fill(stack.admin_password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/hub/admin**")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name="Persetujuan")).to_be_visible()
    expect(page.locator("#react-admin-hook table, #react-admin-hook [data-testid]").first).to_be_visible()
    screenshot(page, "admin")


def test_jupyterhubs_own_dialog_and_times_follow_the_page_language(stack, open_page, screenshot):
    # The error dialog is written by JupyterHub's page.html outside its
    # blocks, and token.js writes times with moment: both in Bahasa Indonesia.
    page = open_page()
    sign_in(page, "admin", stack.admin_password, "/hub/login?next=%2Fhub%2Ftoken")
    page.wait_for_url("**/hub/token")
    # token.js sets this once it handles the form (before, a click just
    # sends the form).
    page.wait_for_function("window._jupyterhub_page_loaded === true")
    expect(page.get_by_role("navigation", name="Menu utama")).to_be_visible()
    request = page.get_by_role("button", name="Buat token API baru")
    page.get_by_label("Izin", exact=True).fill("bukan-izin-sungguhan")
    request.click()
    dialog = page.locator("#error-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Ada masalah")
    expect(dialog.locator(".btn-close")).to_have_attribute("aria-label", "Tutup")
    screenshot(page, "token-error-dialog")
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()

    page.get_by_label("Izin", exact=True).fill("")
    page.get_by_label("Catatan", exact=True).fill("uji bahasa")
    request.click()
    expect(page.locator("#token-area")).to_be_visible()
    page.reload()
    page.wait_for_function("window._jupyterhub_page_loaded === true")
    row = page.locator(".token-row", has_text="uji bahasa")
    expect(row).to_contain_text("yang lalu")
    screenshot(page, "token-times")
    row.get_by_role("button", name="cabut").click()
    expect(row).to_have_count(0)
