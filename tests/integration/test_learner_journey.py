"""Issue: the foundation, end to end on the real stack.

Sign-up -> refused before approval -> approved -> login -> own server ->
code through the kernel websocket via the proxy -> files that survive a hub
restart, a server restart and `docker compose down`/`up`.
"""

import re

from support.hub_client import Browser, Learner


def test_hub_answers_on_the_published_port(stack):
    assert stack.healthy()
    login_page = Browser(stack.url).get("/hub/login")
    assert login_page.status_code == 200
    assert 'name="username"' in login_page.text


def test_signup_needs_approval_then_the_learner_runs_code(stack, admin):
    browser = Browser(stack.url)
    signed_up = browser.signup("budi", "kopi-tubruk-99")
    assert signed_up.status == 200
    assert "menunggu persetujuan admin" in signed_up.text

    refused = browser.login("budi", "kopi-tubruk-99")
    assert refused.status == 403
    assert "belum disetujui" in refused.text

    # The admin approves in the browser (NativeAuthenticator's page).
    assert "budi" in admin.get("/hub/authorize").text
    assert admin.approve("budi").status == 200

    assert browser.login("budi", "kopi-tubruk-99").status == 200
    budi = Learner(stack.url, "budi", browser.new_token("budi"))
    budi.start_server()
    assert budi.run_code("print(6*7)") == "42\n"


def test_admin_can_approve_from_the_command_line_and_the_api(stack, admin):
    browser = Browser(stack.url)
    assert browser.signup("siti.aminah", "teh-manis-2026").status == 200
    listed = stack.admin_cli("signups")
    # The full name (from the sign-up form; Browser.signup makes one) comes last.
    assert re.search(r"^siti\.aminah\tWAITING\tSiti Aminah$", listed.stdout, re.M), listed.stdout + listed.stderr

    approved = stack.admin_cli("approve", "siti.aminah")
    assert approved.returncode == 0, approved.stderr
    assert browser.login("siti.aminah", "teh-manis-2026").status == 200

    # The same endpoint for scripts, with an admin's API token.
    token = admin.new_token("admin")
    api = Learner(stack.url, "admin", token)
    response = api.hub("POST", "/balaikode/signups/siti.aminah/unapprove")
    assert response.json() == {"name": "siti.aminah", "approved": False}
    assert Browser(stack.url).login("siti.aminah", "teh-manis-2026").status == 403
    assert api.hub("POST", "/balaikode/signups/nobody/approve").status_code == 404
    # Admins cannot lock themselves out.
    assert api.hub("POST", "/balaikode/signups/admin/unapprove").status_code == 400


def test_learners_cannot_use_the_admin_endpoints(stack, new_learner):
    learner = new_learner()
    assert learner.hub("GET", "/balaikode/signups").status_code == 403
    assert learner.hub("POST", f"/balaikode/signups/{learner.name}/approve").status_code == 403
    assert learner.hub("GET", "/users").status_code == 403


def test_admin_password_cannot_be_claimed_by_signing_up(stack):
    result = Browser(stack.url).signup("admin", "curi-admin-123")
    assert result.status == 400
    assert "sudah terdaftar" in result.text
    assert Browser(stack.url).login("admin", "curi-admin-123").status == 403


def test_bad_input_gets_clear_messages_not_500(stack, admin):
    browser = Browser(stack.url)
    for name in ["Budi Santoso", "../../etc/passwd", "budi;rm -rf", "x" * 40, "é"]:
        result = browser.signup(name, "kopi-tubruk-99")
        assert result.status == 400, (name, result.status)
        assert "Nama pengguna tidak bisa dipakai" in result.text, name
    mismatch = browser.signup("dewi", "kopi-tubruk-99", "kopi-tubruk-98")
    assert mismatch.status == 400 and "tidak sama" in mismatch.text
    weak = browser.signup("dewi", "12345678")
    assert weak.status == 400 and "terlalu lemah" in weak.text
    assert browser.signup("dewi", "kopi-tubruk-99").status == 200
    duplicate = browser.signup("dewi", "lain-lagi-2026")
    assert duplicate.status == 400 and "sudah terdaftar" in duplicate.text

    wrong = browser.login("admin", "bukan-sandinya")
    assert wrong.status == 403 and "salah" in wrong.text
    empty = browser.submit("/hub/login", {})
    assert empty.status == 400 and "Isi nama pengguna" in empty.text
    assert admin.approve("tidak-ada").status == 404

