"""Only a server's owner logs in to it (owner_only.py), and the read-only viewer
of a learner's work (review.py): the decisions, the handler order in a real
JupyterHub app, and the reader script run on a real folder."""

import base64
import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from jupyterhub import orm
from jupyterhub.app import JupyterHub
from tornado import web
from traitlets.config import Config

from balaikode_hub import owner_only, review
from balaikode_hub.auth import BalaiKodeAuthenticator


@pytest.fixture
def db():
    return orm.new_session_factory("sqlite:///:memory:")()


def oauth_client(db, identifier, **owner):
    client = orm.OAuthClient(identifier=identifier, secret="s", redirect_uri="/x", **owner)
    db.add(client)
    db.commit()
    return client


def test_a_users_server_is_hers_named_ones_too_and_services_nobodys(db):
    ani = orm.User(name="ani")
    db.add(ani)
    db.commit()
    default = orm.Spawner(user=ani, name="")
    named = orm.Spawner(user=ani, name="proyek")
    service = orm.Service(name="grader")
    db.add_all([default, named, service])
    db.commit()
    assert owner_only.server_owner(oauth_client(db, "jupyterhub-user-ani", spawner=default)) == "ani"
    assert owner_only.server_owner(oauth_client(db, "jupyterhub-user-ani-proyek", spawner=named)) == "ani"
    assert owner_only.server_owner(oauth_client(db, "service-grader", service=service)) is None

    assert not owner_only.refused("ani", "ani")
    assert owner_only.refused("ani", "admin")
    assert owner_only.refused("ani", "guru1")
    assert not owner_only.refused(None, "admin")  # services keep JupyterHub's rules


def test_the_refusal_wins_over_jupyterhubs_own_authorize_handler(db, tmp_path):
    c = Config()
    c.BalaiKodeAuthenticator.admin_password_file = str(tmp_path / "admin-password")
    app = JupyterHub(config=c)
    app.authenticator = BalaiKodeAuthenticator(config=c, db=db)
    app.init_handlers()
    # Tornado takes the first rule that matches the path.
    for path, expected in [("/hub/api/oauth2/authorize", owner_only.OwnServerOnlyAuthorizeHandler),
                           ("/hub/karya/ani/", review.ReviewHandler),
                           ("/hub/karya/ani/a/b.ipynb", review.ReviewHandler)]:
        first = next(rule for rule in app.handlers if re.fullmatch(rule[0], path))
        assert first[1] is expected, (path, first)


def user(name, admin=False, groups=()):
    return SimpleNamespace(name=name, admin=admin, groups=[SimpleNamespace(name=g) for g in groups])


def test_who_may_look_at_her_work():
    ani = user("ani", groups=["nbgrader-kelas1"])
    assert review.may_review(user("admin", admin=True), ani)
    assert review.may_review(user("guru", groups=["formgrade-kelas1"]), ani)
    assert not review.may_review(user("guru2", groups=["formgrade-kelas2"]), ani)
    assert not review.may_review(user("budi", groups=["nbgrader-kelas1"]), ani)


@pytest.mark.parametrize("path", ["..", "a/../b", "./a", "a/\x00b", "a/" + "x" * 256])
def test_paths_that_leave_her_home_are_refused(path):
    with pytest.raises(web.HTTPError) as refused:
        review.path_parts(path)
    assert refused.value.status_code == 400


def test_paths_are_split_into_names():
    assert review.path_parts("") == []
    assert review.path_parts("a//b/c.ipynb/") == ["a", "b", "c.ipynb"]


def test_her_html_and_notebooks_are_shown_as_escaped_text():
    page = review.render_file("k.html", {"data": base64.b64encode(b"<script>x=1</script>").decode(),
                                         "size": 20, "cut": False})
    assert "<script>" not in page and "&lt;script&gt;" in page
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["<img src=x onerror=alert(1)>"]},
        {"cell_type": "code", "source": "print(1)", "outputs": [
            {"output_type": "display_data", "data": {"text/html": "<script>y=1</script>",
                                                     "text/plain": "<b>teks</b>"}}]}]}
    page = review.render_file("n.ipynb", {"data": base64.b64encode(json.dumps(notebook).encode()).decode(),
                                          "size": 1, "cut": False})
    assert "<img" not in page and "<b>" not in page and "y=1" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;teks&lt;/b&gt;" in page
    binary = review.render_file("a.bin", {"data": base64.b64encode(b"\x7fELF\x00\x01").decode(),
                                          "size": 6, "cut": False})
    assert "biner" in binary
    cut = review.render_file("big.txt", {"data": base64.b64encode(b"a" * 10).decode(),
                                         "size": 10**9, "cut": True})
    assert "terlalu besar" in cut


def read(home, parts):
    out = subprocess.run([sys.executable, "-I", "-c", review.READER, str(home), json.dumps(parts),
                          "1000", "50"], capture_output=True, text=True, timeout=30)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_reader_never_follows_her_links_nor_blocks_on_her_pipes(tmp_path):
    home = tmp_path / "ani"
    (home / "tugas").mkdir(parents=True)
    (home / "tugas" / "a.py").write_text("print('halo')")
    (home / "besar.txt").write_text("x" * 5000)
    (home / "rahasia").symlink_to("/etc/passwd")
    (home / "pintas").symlink_to("/etc")
    os.mkfifo(home / "pipa")
    os.mkfifo(home / "tugas" / "pipa2")

    listing = read(home, [])
    assert listing["kind"] == "dir"
    kinds = {name: kind for name, kind, _ in listing["entries"]}
    assert kinds == {"tugas": "dir", "besar.txt": "file", "rahasia": "other", "pintas": "other",
                     "pipa": "other"}
    assert base64.b64decode(read(home, ["tugas", "a.py"])["data"]) == b"print('halo')"
    big = read(home, ["besar.txt"])
    assert big["cut"] and len(base64.b64decode(big["data"])) == 1000 and big["size"] == 5000
    assert read(home, ["rahasia"])["kind"] == "other"  # O_NOFOLLOW: ELOOP, shown as a link
    assert read(home, ["pintas", "passwd"])["kind"] == "other"
    assert read(home, ["pipa"])["kind"] == "other"
    assert read(home, ["tugas", "pipa2"])["kind"] == "other"
    assert read(home, ["tidak-ada"])["kind"] == "missing"


def test_a_name_that_is_not_utf8_is_listed_not_opened(tmp_path):
    home = tmp_path / "ani"
    home.mkdir()
    with open(os.path.join(os.fsencode(home), b"\xff.txt"), "w") as f:
        f.write("x")
    entries = read(home, [])["entries"]
    assert entries == [["\ufffd.txt", "other", 1]]
    review.render_listing("/hub/karya/ani", [], entries).encode("utf-8")
