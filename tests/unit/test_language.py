"""Hub pages in Bahasa Indonesia or English: every template rendered in both
languages the way the installed JupyterHub renders it (same loaders, same
extension), with a stand-in for the request handler, then read the way the
browser shows it (page.html's script sets what JupyterHub's page.html writes
outside its blocks)."""

from __future__ import annotations

import datetime
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from balaikode_hub.apply import APPLIERS
from balaikode_hub.auth import (MSG_NOT_APPROVED, MSG_SIGNUP_DONE, MSG_WRONG_LOGIN,
                                weak_password_message)
from balaikode_hub.name_page import MSG_SAVED
from balaikode_hub.catalog import SOURCE_LANGUAGE, load, placeholders
from balaikode_hub.language import (COOKIE, LanguageExtension, apply_language, catalogs,
                                    choose_language, translate_message)
from balaikode.settings import LANGUAGES, SettingsError, load_settings
from support.hub_templates import OURS, environment

# Pages a learner, trainer or admin sees; each must be overridden here.
PAGES = ["page.html", "login.html", "native-login.html", "signup.html",
         "authorization-area.html", "spawn_pending.html", "home.html", "token.html",
         "error.html", "404.html", "not_running.html", "logout.html", "stop_pending.html",
         "spawn.html", "oauth.html", "accept-share.html", "change-password.html",
         "change-password-admin.html", "my_message.html", "full-name.html", "courses.html",
         "course.html", "progress.html", "progress-index.html", "admin.html"]

# Words of the original English pages that must not show on an Indonesian one.
ENGLISH_GIVEAWAYS = ["Sign In", "Sign in", "Sign Up", "Username", "Password", "Create User",
                     "Authorize", "Logout", "Login", "Your server", "Event log", "My Server",
                     "Server not running", "Home", "Close", "Change language", "Not Found",
                     "Toggle", "The error"]


class FakeHandler:
    def __init__(self, cookie=None):
        self.cookie = cookie

    def get_cookie(self, name, default=None):
        return self.cookie if name == COOKIE and self.cookie is not None else default

    def static_url(self, path, include_version=True):
        return f"/hub/static/{path}"


def user(name="budi", admin=False):
    spawner = SimpleNamespace(options_form=None, name="", ready=False, active=False)
    return SimpleNamespace(name=name, json_escaped_name=name, admin=admin, spawner=spawner,
                           all_spawners=lambda include_default=False: [],
                           server_url=lambda name="": f"/user/budi/{name}")


def signup(name, approved):
    return SimpleNamespace(username=name, is_authorized=approved, has_2fa=False, email="")


NOW = datetime.datetime(2026, 11, 1, 8, 0)
COURSE_MODEL = {"course": "kelas-pagi", "gid": 20001, "trainers": {"guru": 10001},
                "learners": {f"murid{i}": 10010 + i for i in range(10)},
                "full_names": {"guru": "Pak Darto", "murid1": "Đặng Thị", "murid2": None}}
PROGRESS_SUMMARY = {
    "whole_class": True, "gradebook": True, "updated": "2026-11-01T08:00:00+00:00", "class_size": 2,
    "assignments": [{"name": "01-variabel", "duedate": "2026-10-30T08:00:00+00:00", "max_score": 10.0,
                     "submitted": 1, "expected": True, "mean_percent": 80.0}],
    "learners": [
        {"name": "murid1", "full_name": "Đặng Thị", "status": "behind", "submitted": 0,
         "missed": ["01-variabel"], "scores": {}, "total_percent": 0.0},
        {"name": "murid2", "full_name": None, "status": "ok", "submitted": 1, "missed": [],
         "scores": {"01-variabel": {"score": 8.0, "max_score": 10.0, "late": True,
                                    "needs_manual_grade": False, "timestamp": None}},
         "total_percent": 80.0}],
    "chart": None}
PAGE_VARS = {
    "native-login.html": dict(login_error=MSG_WRONG_LOGIN,
                              enable_signup=True, next="", username="budi"),
    "login.html": dict(authenticator=SimpleNamespace(request_otp=False), login_term_url="/terms"),
    "signup.html": dict(alert="alert-info", result_message=MSG_SIGNUP_DONE),
    "authorization-area.html": dict(user=user("admin", admin=True), users=[
        signup("admin", True), signup("budi", False), signup("siti", True)],
        full_names={"budi": "Budi Santoso", "siti": "Siti"}),
    "home.html": dict(user=user(), default_server=SimpleNamespace(active=False), url="/hub/spawn"),
    "token.html": dict(user=user(), api_tokens=[SimpleNamespace(
        api_id="a1", note="tes", scopes=["read:users"], last_activity=None, created=NOW,
        expires_at=None)], oauth_clients=[],
        token_expires_in_options_html='<option value="3600">1 Hour</option>\n'
                                      '<option selected="selected" value="">Never</option>'),
    "error.html": dict(status_code=403, status_message="Forbidden",
                       message="Action is not authorized with current scopes; requires any of [admin:users]"),
    "404.html": dict(status_code=404, status_message="Not Found"),
    "spawn_pending.html": dict(user=user(), progress_url="/hub/api/users/budi/server/progress"),
    "not_running.html": dict(user=user(), spawn_url="/hub/spawn/budi", failed=True,
                             failed_message="boom"),
    "change-password.html": dict(user=user(), user_name="budi",
                                 result_message="Your password has been changed successfully!",
                                 alert="alert-success"),
    "change-password-admin.html": dict(user=user("admin", admin=True), user_name="budi"),
    "my_message.html": dict(message="Invalid URL"),
    "full-name.html": dict(user=user(), full_name="Nur'aini", result_message=MSG_SAVED,
                           alert="alert-success"),
    "courses.html": dict(user=user("admin", admin=True), courses=[COURSE_MODEL],
                         archived=[{**COURSE_MODEL, "course": "kelas-lama", "archived": True}],
                         error="No course kelas-z", typed="kelas-z"),
    "course.html": dict(user=user("admin", admin=True), course=COURSE_MODEL,
                        full_names_of=COURSE_MODEL["full_names"], done="added", error=None,
                        candidates=[{"name": f"warga{i}", "full_name": f"Warga Desa {i}"}
                                    for i in range(12)] + [{"name": "tamu", "full_name": ""}]),
    "progress.html": dict(user=user("guru"), course="kelas-pagi", summary=PROGRESS_SUMMARY,
                          learners=PROGRESS_SUMMARY["learners"],
                          counts={"ok": 1, "behind": 1, "missing": 0}),
    "progress-index.html": dict(user=user(), whole=["kelas-pagi"], own=["kelas-sore"]),
    "oauth.html": dict(user=user(), oauth_client=SimpleNamespace(description="formgrader",
                                                                 redirect_uri="/services/x/"),
                       scope_descriptions=[{"scope": "", "description": "Identify", "filter": ""}],
                       allowed_scopes=[]),
    "accept-share.html": dict(user=user(), owner=SimpleNamespace(name="siti"),
                              spawner=SimpleNamespace(name=""), spawner_url="/user/siti/",
                              spawner_ready=False, scope_descriptions=[], next_url="/user/siti/"),
}


def render(page, cookie=None, site_language="id", enable_async=False, **page_vars):
    handler = FakeHandler(cookie)
    namespace = dict(base_url="/hub/", prefix="/", user=None, login_url="/hub/login",
                     logout_url="/hub/logout", static_url=handler.static_url, xsrf="x",
                     xsrf_token="x", parsed_scopes=set(), services=[],
                     balaikode_language=site_language, balaikode_min_password_length=8,
                     balaikode_admin_users=["admin"])
    namespace.update(PAGE_VARS.get(page, {}))
    namespace.update(page_vars)
    template = environment(enable_async).get_template(page)
    if enable_async:
        import asyncio
        return asyncio.run(template.render_async(**namespace))
    return template.render(**namespace)


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []


class Tree(HTMLParser):
    """The page's elements: enough of a DOM to apply page.html's script to."""

    def __init__(self):
        super().__init__()
        self.root = self.current = Element("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        open_element = self.current
        while open_element.parent is not None and open_element.tag != tag:
            open_element = open_element.parent
        if open_element.parent is not None:
            self.current = open_element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def descendants(node):
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from descendants(child)


def matches(element, simple_selector):
    """tag, .class, #id and their combinations, such as nav.navbar."""
    tag, rest = re.fullmatch(r"([a-z][\w-]*)?((?:[.#][\w-]+)*)", simple_selector).groups()
    if tag and element.tag != tag:
        return False
    classes = (element.attrs.get("class") or "").split()
    return all(element.attrs.get("id") == name if kind == "#" else name in classes
               for kind, name in re.findall(r"([.#])([\w-]+)", rest))


def select(root, selector):
    """The elements a descendant selector ("#error-dialog .btn-close") matches."""
    *ancestors, last = selector.split()
    for element in descendants(root):
        if matches(element, last) and has_ancestors(element.parent, ancestors):
            yield element


def has_ancestors(node, simple_selectors):
    """Each simple selector matches an ancestor, the last one the nearest."""
    for simple in reversed(simple_selectors):
        while node is not None and not matches(node, simple):
            node = node.parent
        if node is None:
            return False
        node = node.parent
    return True


OUTSIDE_BLOCKS = re.compile(r"var outsideBlocks = (\[.*\]);")


def outside_block_rules(html):
    return json.loads(OUTSIDE_BLOCKS.search(html).group(1))


def as_shown(html):
    """The page once page.html's script in <head> has run: the words
    JupyterHub writes outside its blocks. (<html lang> is the server's.)"""
    tree = Tree()
    tree.feed(html)
    page = tree.root
    for selector, attribute, words in outside_block_rules(html):
        for element in select(page, selector):
            if attribute:
                element.attrs[attribute] = words
            else:
                element.children = [words]
    return page


def language(page):
    return next(select(page, "html")).attrs["lang"]


def visible_text(page):
    """Text and attribute values people read (no scripts, styles)."""
    parts = []

    def read(node):
        if isinstance(node, str):
            parts.append(node)
            return
        if node.tag in ("script", "style"):
            return
        parts.extend(node.attrs[name] for name in ("alt", "title", "aria-label", "placeholder", "value")
                     if node.attrs.get(name))
        for child in node.children:
            read(child)

    read(page)
    return " ".join(" ".join(parts).split())


def test_every_page_people_see_is_overridden():
    assert sorted(p.name for p in OURS.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_in_bahasa_indonesia_by_default(page):
    shown = as_shown(render(page))
    assert language(shown) == "id"
    text = visible_text(shown)
    # The language switch itself is the one English word allowed.
    text = text.replace("English", "")
    for word in ENGLISH_GIVEAWAYS:
        # Words inside a user's own data (none here) would be fine.
        assert word not in text, f"{page}: {word!r} in {text!r}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_switch_to_english_with_the_cookie_or_the_site_setting(page):
    for html in (render(page, cookie="en"), render(page, site_language="en")):
        assert language(as_shown(html)) == "en"
        assert 'data-balaikode-lang="id"' in html and ">Bahasa Indonesia</a>" in html
    assert language(as_shown(render(page, cookie="id", site_language="en"))) == "id"


def test_words_outside_jupyterhub_blocks_find_their_elements():
    # JupyterHub's own markup (the installed version's): each of page.html's
    # rules must still reach something, or its words silently stay English.
    html = render("home.html", user=user("admin", admin=True))
    for selector, _attribute, _words in outside_block_rules(html):
        assert list(select(as_shown(html), selector)), selector


@pytest.mark.parametrize("page", PAGES)
def test_async_rendering_as_the_hub_does_it(page):
    # The hub renders pages asynchronously, error pages synchronously.
    html = render(page, cookie="en", enable_async=True)
    assert language(as_shown(html)) == "en" and html == render(page, cookie="en")


def test_login_page_keeps_fields_and_hooks_and_translates_the_error():
    html = render("native-login.html")
    for hook in ['name="username"', 'name="password"', 'name="_xsrf"', 'id="username_input"',
                 'id="password_input"', 'id="eye"', 'id="login_submit"',
                 'id="insecure-login-warning"', 'action="/hub/login?next="']:
        assert hook in html, hook
    assert '<label for="username_input"' in html and "<label for='password_input'" in html
    assert 'value="budi"' in html
    english = render("native-login.html", cookie="en")
    assert "Wrong user name or password" in english


def test_signup_fields_have_labels_and_the_result_is_shown():
    html = render("signup.html", alert=None, result_message=None)
    for field in ["username_input", "full_name_input", "password_input",
                  "password_confirmation_input"]:
        assert f'<label for="{field}"' in html, field
    for name in ["username", "full_name", "signup_password", "signup_password_confirmation",
                 "_xsrf"]:
        assert f'name="{name}"' in html, name
    # Signed up: the message and the way to log in, no form to fill again.
    done = render("signup.html")
    assert "menunggu persetujuan admin" in done and 'name="signup_password"' not in done
    assert "waiting for the admin&#39;s approval" in render("signup.html", cookie="en")
    # Refused: the message, and the form again with her name kept.
    refused = render("signup.html", alert="alert-danger", result_message="Kata sandi tidak sama.",
                     username="rina", full_name="Rina <Nur'aini>")
    assert 'role="alert"' in refused and 'value="rina"' in refused
    # Her full name too, escaped.
    assert 'value="Rina &lt;Nur&#39;aini&gt;"' in refused
    assert 'name="signup_password" value=""' in refused.replace("\n", " ") or 'value=""' in refused


def test_approval_list_puts_waiting_sign_ups_first_with_approve_links():
    html = render("authorization-area.html")
    rows = re.findall(r'<tr (?:class="success" )?id="(\w+)"', html)
    assert rows == ["budi", "admin", "siti"]
    assert 'action="/hub/authorize/budi"' in html and ">Setujui<" in html
    assert 'href="/hub/authorize/' not in html, "approval is a POST form, never a link"
    assert "Menunggu persetujuan: 1." in html
    # Admins are always approved: no button to withdraw it.
    assert 'action="/hub/authorize/admin"' not in html and 'action="/hub/authorize/siti"' in html


def test_error_pages_give_a_title_and_a_next_step():
    html = render("error.html")
    assert "Anda tidak punya akses ke halaman ini" in html
    assert "Anda tidak punya izin untuk ini (perlu salah satu dari [admin:users])" in html
    assert "Halaman tidak ditemukan" in render("404.html")
    assert "Page not found" in render("404.html", cookie="en")


def test_token_expiry_options_are_translated():
    html = render("token.html")
    assert '<option value="3600">1 jam</option>' in html
    assert ">Tidak berakhir</option>" in html
    capped = '<option value="">Max (36 hours)</option>'
    assert ">Maksimal (36 jam)</option>" in render("token.html", token_expires_in_options_html=capped)
    assert ">Max (36 hours)</option>" in render("token.html", cookie="en",
                                                token_expires_in_options_html=capped)


def test_every_key_used_by_a_template_exists_in_both_languages():
    used = set()
    for page in OURS.rglob("*.html"):
        used |= set(re.findall(r"\btr\('([\w.]+)'", page.read_text()))
    texts = catalogs().texts
    assert used and used <= set(texts), used - set(texts)
    for key in used:
        assert set(texts[key]) == set(LANGUAGES), (key, texts[key])


def test_the_catalogs_translate_everything_and_keep_the_placeholders():
    # Untranslated, fuzzy, missing or stale entries, changed placeholders and
    # broken .po syntax all land here (catalog.py), with the file and entry.
    assert not catalogs().problems, "\n".join(catalogs().problems)
    assert set(catalogs().languages) == set(LANGUAGES) - {SOURCE_LANGUAGE}
    every_text = [*catalogs().texts.values(), *catalogs().translations.values()]
    for texts in every_text:
        english = texts[SOURCE_LANGUAGE]
        for language, translated in texts.items():
            assert translated.strip() and placeholders(translated) == placeholders(english), \
                (language, english, translated)


def test_a_broken_translation_shows_the_english_and_is_reported(tmp_path):
    (tmp_path / "id" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "balaikode.pot").write_text(POT)
    po = tmp_path / "id" / "LC_MESSAGES" / "balaikode.po"
    po.write_text(BROKEN_PO)
    loaded = load(tmp_path)
    problems = "\n".join(loaded.problems)
    for expected in ["a.untranslated: not translated", "a.fuzzy: marked fuzzy",
                     "a.renamed: placeholders ['nama'] differ from the English ['name']",
                     "a.braces: broken braces", "a.formatted: a placeholder with a format",
                     "a.missing is missing",
                     "'Gone {x}' is not in balaikode.pot", "'Removed' is obsolete"]:
        assert expected in problems, (expected, problems)
    assert len(loaded.problems) == 8, problems
    for key in ["a.untranslated", "a.fuzzy", "a.renamed", "a.braces", "a.formatted", "a.missing"]:
        assert loaded.text(key, "id") == loaded.text(key, "en"), key
    assert loaded.text("a.good", "id") == "Halo {name}"
    assert loaded.translate("No such user: siti", "id") == "Tidak ada pengguna bernama siti"
    # Quotes forgotten or not closed in a text editor: English until fixed.
    for mistake in ['msgstr Halo {name}', 'msgstr "Halo {name}', 'msgstr "Halo "{name}""']:
        po.write_text(BROKEN_PO.replace('msgstr "Halo {name}"', mistake))
        broken = load(tmp_path)
        assert broken.languages == [] and "line 3 " in broken.problems[0], broken.problems
        assert broken.text("a.good", "id") == "Hello {name}"


POT = """\
msgid ""
msgstr ""

""" + "".join(f'msgctxt "a.{key}"\nmsgid "{english}"\nmsgstr ""\n\n' for key, english in [
    ("good", "Hello {name}"), ("untranslated", "Hi"), ("fuzzy", "Hey"),
    ("renamed", "Bye {name}"), ("braces", "Ciao"), ("formatted", "See {name}"),
    ("missing", "Aloha")]) + """\
msgid "No such user: {name}"
msgstr ""
"""

BROKEN_PO = """\
msgctxt "a.good"
msgid "Hello {name}"
msgstr "Halo {name}"

msgctxt "a.untranslated"
msgid "Hi"
msgstr ""

#, fuzzy
msgctxt "a.fuzzy"
msgid "Hey"
msgstr "Hai"

msgctxt "a.renamed"
msgid "Bye {name}"
msgstr "Dah {nama}"

msgctxt "a.braces"
msgid "Ciao"
msgstr "Dah {"

msgctxt "a.formatted"
msgid "See {name}"
msgstr "Sampai jumpa {name:>999999999}"

msgid "No such user: {name}"
msgstr "Tidak ada pengguna bernama {name}"

msgid "Gone {x}"
msgstr "Hilang {x}"

#~ msgid "Removed"
#~ msgstr "Dihapus"
"""


def test_every_message_from_python_is_recognised_with_its_parts():
    # Each message, its placeholders filled, is matched to its own entry
    # (no other message's pattern takes it) and translated with the parts.
    for english, texts in catalogs().translations.items():
        values = {name: f"nilai{number}" for number, name in enumerate(sorted(placeholders(english)))}
        for language, translated in texts.items():
            assert translate_message(english.format(**values), language) == \
                translated.format(**values), english


def test_messages_from_python_follow_the_page_language():
    refused = MSG_NOT_APPROVED.format(name="budi")
    assert translate_message(refused, "en") == refused
    assert translate_message(refused, "id").startswith("Akun budi belum disetujui admin")
    assert "minimal 10 karakter" in translate_message(weak_password_message(10), "id")
    assert translate_message("Your current password was incorrect. Please try again.",
                             "id") == "Kata sandi sekarang salah. Silakan coba lagi."
    assert translate_message("something else entirely", "id") == "something else entirely"
    assert translate_message(None, "id") is None


def test_the_parts_of_a_message_are_escaped_on_the_page():
    name = '<img src=x onerror="alert(1)">'
    for cookie in ("id", "en"):
        html = render("native-login.html", cookie=cookie, login_error=MSG_NOT_APPROVED.format(name=name))
        assert "&lt;img src=x onerror=" in html and name not in html, cookie
    link = catalogs().text("message.login_html", "id")
    assert "{url}" in link
    html = render("my_message.html", base_url='"><script>x</script>/')
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_choice_of_language():
    assert choose_language(None, None) == "id"
    assert choose_language(None, "en") == "en"
    assert choose_language("en", "id") == "en"
    assert choose_language("fr", "en") == "en"  # unknown cookie values are ignored
    assert choose_language("ID ", "en") == "id"


def test_site_setting_reaches_the_templates():
    def config(**environ):
        c = Config()
        apply_language(c, load_settings(environ), None)
        return c

    assert apply_language in APPLIERS
    c = config()
    assert c.JupyterHub.template_vars["balaikode_language"] == "id"
    assert c.JupyterHub.template_vars["balaikode_min_password_length"] == 8
    assert LanguageExtension in c.JupyterHub.jinja_environment_options["extensions"]
    assert config(BALAIKODE_LANGUAGE="EN").JupyterHub.template_vars["balaikode_language"] == "en"
    with pytest.raises(SettingsError, match="BALAIKODE_LANGUAGE"):
        config(BALAIKODE_LANGUAGE="jawa")


def test_only_admins_see_the_token_page_in_the_menu():
    learner = render("home.html")
    assert 'href="/hub/token"' not in learner and 'href="/hub/home"' in learner
    admin = render("home.html", user=user("admin", admin=True))
    assert 'href="/hub/token"' in admin


def test_the_approval_list_shows_each_full_name_escaped_next_to_the_user_name():
    html = render("authorization-area.html", full_names={"budi": "<script>x</script>Budi",
                                                         "siti": "Nur'aini"})
    rows = {row.attrs["id"]: row for row in select(as_shown(html), "tr") if row.attrs.get("id")}
    assert "&lt;script&gt;x&lt;/script&gt;Budi" in html and "<script>x" not in html
    assert "Nur&#39;aini" in html
    assert set(rows) == {"admin", "budi", "siti"}
    # An account without a full name (the admin here) has an empty cell.
    assert '<td class="balaikode-full-name"></td>' in html
    assert "Nama lengkap" in visible_text(as_shown(html))


def test_the_full_name_page_is_a_form_with_the_xsrf_token_and_the_name_escaped():
    html = render("full-name.html", full_name='Siti "<b>"', result_message=None)
    assert 'action="/hub/nama" method="post"' in html
    assert 'name="_xsrf" value="x"' in html and 'name="full_name"' in html
    assert 'value="Siti &#34;&lt;b&gt;&#34;"' in html
    assert '<label for="full_name_input"' in html
    shown = visible_text(as_shown(render("full-name.html")))
    assert "Nama lengkap Anda" in shown and "sudah disimpan" in shown


def test_only_admins_see_the_courses_page_in_the_menu():
    assert 'href="/hub/kursus"' not in render("home.html")
    assert 'href="/hub/kursus"' in render("home.html", user=user("admin", admin=True))


def forms_of(html):
    return list(select(as_shown(html), "form"))


def test_every_course_form_posts_with_the_xsrf_token_and_names_are_escaped():
    hostile = {**COURSE_MODEL, "full_names": {"guru": '<img src=x onerror="alert(1)">'}}
    for page, values in [("courses.html", {}), ("course.html", {"course": hostile}),
                         ("course.html", {"course": {**COURSE_MODEL, "archived": True}})]:
        html = render(page, **values)
        forms = forms_of(html)
        assert forms, page
        for form in forms:
            assert form.attrs["method"] == "post", (page, form.attrs)
            fields = {e.attrs.get("name"): e.attrs.get("value") for e in descendants(form) if e.tag == "input"}
            assert fields.get("_xsrf") == "x", (page, form.attrs)
        assert "<img src=x" not in html
    assert "&lt;img src=x" in render("course.html", course=hostile, full_names_of=hostile["full_names"])


def test_an_open_course_offers_remove_add_and_archive_an_archived_one_restore_and_delete():
    def actions(course):
        return sorted({field.attrs["value"] for form in forms_of(render("course.html", course=course))
                       for field in descendants(form) if field.attrs.get("name") == "action"})

    assert actions(COURSE_MODEL) == ["add", "archive", "remove"]
    assert actions({**COURSE_MODEL, "archived": True}) == ["delete", "restore"]
    shown = visible_text(as_shown(render("course.html")))
    # Each remove button says whom it removes (for screen readers).
    assert "Keluarkan murid3" in shown and "Cari nama atau nama pengguna" in shown
    assert "Warga Desa 11 (warga11)" in shown


def test_a_refused_course_name_is_shown_in_the_pages_language_and_kept_in_the_field():
    html = render("courses.html", error="Course kelas-a is archived: restore it first, or delete it for good",
                  typed="kelas-a")
    assert "Kursus kelas-a ada di arsip" in visible_text(as_shown(html))
    assert 'value="kelas-a"' in html


def test_a_learners_progress_page_is_her_own_narrow_summary_with_names_as_text():
    hostile = {**PROGRESS_SUMMARY["assignments"][0], "name": "<b>01</b>"}
    mine = {**PROGRESS_SUMMARY["learners"][1],
            "scores": {"<b>01</b>": PROGRESS_SUMMARY["learners"][1]["scores"]["01-variabel"]}}
    own = {**PROGRESS_SUMMARY, "whole_class": False, "assignments": [hostile], "learners": [mine]}
    html = render("progress.html", summary=own, learners=[mine])
    shown = visible_text(as_shown(html))
    assert 'id="progress-table"' not in html and "progress-chart" not in html and "Unduh" not in shown
    assert 'data-learner="murid2"' in html and "murid1" not in html
    assert "Nilai Anda" in shown and "8/10" in shown and "terlambat" in shown
    assert "Anda sudah mengumpulkan 1 dari 1 tugas; nilai total 80.0%." in shown
    assert "<b>01</b>" not in html and "&lt;b&gt;01&lt;/b&gt;" in html
