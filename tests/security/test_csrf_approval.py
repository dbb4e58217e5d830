"""No state change on GET (issue 13, item 2): an <img> or a link on any page
the admin views cannot approve, unapprove or discard a sign-up. Played in
Chromium with the admin's real session; the effect is read back from the
hub (`./balaikode signups`)."""

from __future__ import annotations

import secrets


from support.attack import logged_in_page
from support.hub_client import Browser


def signups(stack) -> str:
    return stack.admin_cli("signups").stdout


def test_an_image_on_a_page_the_admin_views_changes_no_approval(stack, chromium):
    waiting = "tunggu" + secrets.token_hex(3)
    approved = "sudah" + secrets.token_hex(3)
    for name in (waiting, approved):
        assert Browser(stack.url).signup(name, "Sandi-rahasia-2026").status == 200
    assert stack.admin_cli("approve", approved).returncode == 0

    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    # The worst place for such an image: a page on the hub's own origin,
    # where the browser sends every hub cookie along.
    page.evaluate("""names => Promise.all(names.map(path => new Promise(done => {
        const img = new Image(); img.onload = img.onerror = done; img.src = path;
        document.body.appendChild(img);
    })).concat(names.map(path => fetch(path, {credentials: "include", mode: "no-cors"}).catch(() => 0))))""",
                  [f"/hub/authorize/{waiting}", f"/hub/authorize/{approved}", f"/hub/discard/{waiting}"])
    listed = signups(stack)
    assert f"{waiting}\tWAITING" in listed, listed
    assert f"{approved}\tapproved" in listed, listed

    # Pressing the real button on the approval page still works.
    page.goto("/hub/authorize")
    page.locator(f"form[action$='/authorize/{waiting}'] button").click()
    page.wait_for_url("**/hub/authorize*")
    listed = signups(stack)
    assert f"{waiting}\tapproved" in listed, listed
    page.context.close()


def test_a_post_without_the_xsrf_token_is_refused(stack, admin):
    name = "tanpa" + secrets.token_hex(3)
    assert Browser(stack.url).signup(name, "Sandi-rahasia-2026").status == 200
    forged = admin.session.post(f"{stack.url}/hub/authorize/{name}", allow_redirects=False, timeout=30)
    assert forged.status_code == 403, forged.status_code
    assert f"{name}\tWAITING" in signups(stack)
    plain_get = admin.get(f"/hub/authorize/{name}", allow_redirects=False)
    assert plain_get.status_code == 405
    assert "tombol" in plain_get.text
