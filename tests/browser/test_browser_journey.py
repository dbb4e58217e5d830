"""A learner's first day, in a real browser: sign up, wait for approval, the
admin approves by clicking, the learner signs in, watches the server start,
lands in JupyterLab and runs code in a new notebook."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from browser_helpers import close_notifications, sign_in
from support.hub_client import poll

SERVER_START_TIMEOUT = 180_000  # ms; a cold learner image on a busy 2-core machine
KERNEL_TIMEOUT = 120_000


def kernel_idle(page: Page, name: str) -> bool:
    sessions = page.request.get(f"/user/{name}/api/sessions").json()
    return any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions)


def test_learner_signs_up_is_approved_and_runs_code_in_jupyterlab(
        stack, admin, open_page, screenshot):
    name = f"dewi{secrets.token_hex(2)}"
    password = "Sandi-" + secrets.token_urlsafe(10)

    # -- the learner signs up -------------------------------------------------
    learner = open_page()
    learner.goto("/hub/login")
    expect(learner.locator("html")).to_have_attribute("lang", "id")
    expect(learner.get_by_role("heading", name="Masuk")).to_be_visible()
    screenshot(learner, "login", readme="login")

    learner.get_by_role("link", name="Daftar di sini").click()
    learner.wait_for_url(re.compile(r"/hub/signup"))
    learner.get_by_label("Nama pengguna").fill(name)
    learner.get_by_label("Nama lengkap").fill("Dewi Lestari")
    learner.get_by_label("Kata sandi", exact=True).fill(password)
    learner.get_by_label("Ulangi kata sandi").fill(password)
    screenshot(learner, "signup-filled", readme="signup")
    learner.locator("#signup_submit").click()
    expect(learner.locator("#signup_result")).to_contain_text("menunggu persetujuan")
    screenshot(learner, "signup-waiting-for-approval")

    # Before approval, signing in explains why it does not work yet.
    sign_in(learner, name, password)
    expect(learner.locator(".login_error")).to_contain_text("belum disetujui")
    screenshot(learner, "login-not-approved-yet")

    # -- the admin approves, in a second browser context ----------------------
    desk = open_page()
    sign_in(desk, "admin", stack.admin_password, "/hub/login?next=%2Fhub%2Fauthorize")
    desk.wait_for_url(re.compile(r"/hub/authorize$"))
    row = desk.locator(f"tr#{name}")
    expect(row).to_contain_text("Menunggu persetujuan")
    expect(row).to_contain_text("Dewi Lestari")
    screenshot(desk, "approval-list", readme="approval")
    row.get_by_role("button", name=f"Setujui {name}").click()
    desk.wait_for_url(re.compile(rf"/hub/authorize#{name}$"))
    expect(desk.locator(f"tr#{name}")).to_contain_text("Disetujui")
    screenshot(desk, "approved")
    signups = {s["name"]: s for s in admin.api("GET", "/balaikode/signups").json()}
    assert signups[name]["approved"] is True

    # -- the learner signs in and watches the server start --------------------
    sign_in(learner, name, password)
    learner.wait_for_url(re.compile(rf"/hub/spawn-pending/{name}"), wait_until="commit")
    expect(learner.get_by_text("Ruang kerja Anda sedang disiapkan")).to_be_visible()
    expect(learner.locator("#progress-bar")).to_be_attached()
    screenshot(learner, "spawn-progress")

    # -- JupyterLab: a new notebook, print(6*7) -------------------------------
    learner.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=SERVER_START_TIMEOUT)
    notebook_card = learner.locator('.jp-LauncherCard[data-category="Notebook"]').first
    expect(notebook_card).to_be_visible(timeout=SERVER_START_TIMEOUT)
    screenshot(learner, "jupyterlab-launcher")
    notebook_card.click()

    panel = learner.locator(".jp-NotebookPanel").last
    expect(panel).to_be_visible()
    # JupyterLab drops a run request made before the notebook has its kernel:
    # wait until the learner's server reports the new kernel idle (asked with
    # the learner's own browser cookies).
    poll("the notebook's kernel to be idle", lambda: kernel_idle(learner, name),
         timeout=KERNEL_TIMEOUT / 1000)
    editor = panel.locator(".jp-Cell .cm-content").first
    expect(editor).to_be_visible()
    editor.click()
    learner.keyboard.type("print(6*7)")
    expect(editor).to_have_text("print(6*7)")
    screenshot(learner, "notebook-code-typed")
    learner.keyboard.press("Shift+Enter")
    output = panel.locator(".jp-OutputArea-output").first
    expect(output).to_have_text("42", timeout=KERNEL_TIMEOUT)
    close_notifications(learner)  # e.g. "Jupyter news?": not part of the picture
    screenshot(learner, "notebook-output-42", readme="jupyterlab")


def test_home_page_says_the_workspace_stopped_after_she_stops_it(new_learner, open_page, screenshot):
    learner = new_learner("berhenti")
    learner.start_server()
    page = open_page()
    sign_in(page, learner.name, learner.password, "/hub/login?next=%2Fhub%2Fhome")
    page.wait_for_url(re.compile(r"/hub/home$"))
    expect(page.locator("#server-state")).to_contain_text("sedang berjalan")
    page.wait_for_load_state("networkidle")  # home.js (loaded by require) binds the button
    page.get_by_role("button", name="Hentikan ruang kerja").click()
    expect(page.get_by_role("button", name="Hentikan ruang kerja")).to_be_hidden(timeout=60_000)
    expect(page.locator("#server-state")).to_contain_text("Tekan Mulai")
    expect(page.locator("#start")).to_have_text("Mulai")
    screenshot(page, "home-after-stop")
