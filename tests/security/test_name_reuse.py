"""the admin deletes a learner (she left the class). Someone else
signs up with the same name, the admin approves it (a name is all the
approval page shows). The new account gets the old home volume (start-learner
even chowns it to the new UID) and with it the old learner's work. The hub
user id, hence the UID, can also be reused (SQLite reuses the highest id)."""

from __future__ import annotations

import secrets

from support.hub_client import Browser, Learner


def test_a_new_account_with_a_deleted_learners_name_gets_none_of_her_files(stack, admin, new_learner):
    old = new_learner("siti")
    old.start_server()
    old.write_file("rahasia.txt", "nilai dan catatan pribadi siti yang lama")
    old.stop_server()
    assert admin.api("DELETE", f"/users/{old.name}").status_code == 204

    password = "Sandi-" + secrets.token_urlsafe(10)
    browser = Browser(stack.url)
    assert browser.signup(old.name, password).status == 200
    assert admin.approve(old.name).status == 200
    assert browser.login(old.name, password, follow_redirects=False).status == 302
    newcomer = Learner(stack.url, old.name, browser.new_token(old.name))
    newcomer.start_server()
    assert newcomer.read_file("rahasia.txt") is None, "the newcomer reads the deleted learner's files"
