"""The translation layer for nbgrader and the language JupyterLab starts in
(images/base/balaikode_i18n), on bare tornado objects and the real tables."""

from __future__ import annotations

import json

from tornado.httputil import HTTPHeaders, HTTPServerRequest

import balaikode_i18n as i18n
from balaikode_i18n import nbgrader_strings
from balaikode_i18n.table import Table, load, translate_html

BASE = "/user/budi/"


def respond(path: str, body: bytes, kind: str, cookie: str | None = None, method: str = "GET"):
    request = HTTPServerRequest(method=method, uri=path,
                                headers=HTTPHeaders({"Cookie": f"balaikode_lang={cookie}"} if cookie else {}))
    transform = type("Here", (i18n.Localize,), {"base_url": BASE})(request)
    headers = HTTPHeaders({"Content-Type": kind, "Etag": '"abc"', "Content-Length": str(len(body))})
    return transform.transform_first_chunk(200, headers, body, True)


def test_texts_and_texts_with_values_are_translated():
    table = load()
    assert table.translate("  Fetch\n") == "Ambil"
    assert table.translate("Successfully autograded '01-variabel' for student 'ani'") == \
        "'01-variabel' milik peserta 'ani' berhasil dinilai otomatis"
    assert table.translate("Submitted assignments") == "Tugas yang sudah dikumpulkan"
    assert table.translate("Something nbgrader never says") is None


def test_a_pattern_piece_as_nbgrader_code_has_it_counts_as_covered():
    table = Table({"patterns": {"Successfully released '{}'": "'{1}' berhasil dibagikan"}})
    assert table.covers("Successfully released '")
    assert not table.covers("Successfully deleted '")


def test_feedback_texts_are_translated_but_not_the_learners_code():
    page = ('<h4>01-variabel (Score: 3.0 / 5.0)</h4><li><a href="#x">Test cell</a> '
            '(Score: 1.0 / 1.0)</li><pre>Score</pre><code>Comment</code><td>Code</td>')
    assert translate_html(page, load()) == (
        '<h4>01-variabel (Nilai: 3.0 / 5.0)</h4><li><a href="#x">Sel tes</a> '
        '(Nilai: 1.0 / 1.0)</li><pre>Score</pre><code>Comment</code><td>Code</td>')


def test_indonesian_pages_load_the_translator_english_pages_do_not():
    page = b"<html><head><title>x</title></head><body></body></html>"
    for path in ["lab", "lab/tree/a.ipynb", "tree", "formgrader/manage_assignments",
                 "kursus/web-sore/formgrader/gradebook"]:
        _, headers, body = respond(BASE + path, page, "text/html; charset=UTF-8")
        assert f'src="{BASE}balaikode-i18n/i18n.js?v='.encode() in body, path
        assert body.index(b"<script") < body.index(b"</head>")
        assert "Etag" not in headers and headers["Content-Length"] == str(len(body))
        assert headers["Vary"] == "Cookie"
        _, _, english = respond(BASE + path, page, "text/html", cookie="en")
        assert english == page, path
    for path in ["files/a.html", "formgrader/submissions/abc/a.html", "formgrader/api/assignments",
                 "../user/other/lab"]:
        _, _, body = respond(BASE + path, page, "text/html")
        assert body == page, path


def test_the_lab_starts_in_the_hubs_language_unless_the_person_chose_one():
    plugin = {"id": i18n.TRANSLATION_PLUGIN, "raw": "{}",
              "schema": {"properties": {"locale": {"default": "id_ID"}}}}
    listing = json.dumps({"settings": [plugin]}).encode()
    _, _, body = respond(BASE + "lab/api/settings", listing, "application/json", cookie="en")
    assert json.loads(body)["settings"][0]["schema"]["properties"]["locale"]["default"] == "en"
    _, _, body = respond(BASE + "lab/api/settings/" + i18n.TRANSLATION_PLUGIN,
                         json.dumps(plugin).encode(), "application/json")
    assert json.loads(body)["schema"]["properties"]["locale"]["default"] == "id_ID"


def test_the_served_script_carries_the_table():
    script = i18n.script().decode()
    assert "__TABLE__" not in script and '"Fetch": "Ambil"' in script


def test_the_coverage_check_names_an_english_text_the_table_lacks():
    template = "<div>{{ x }}<span>Brand new nbgrader button</span><b>Fetch</b></div>"
    texts = nbgrader_strings.template_texts(template)
    assert texts == {"Brand new nbgrader button", "Fetch"}
    assert [t for t in texts if not load().covers(t)] == ["Brand new nbgrader button"]
    bundle = 'e.innerText="Fetch",t.textContent="Brand new panel text",a.title="Refresh assignments list"'
    assert nbgrader_strings.labextension_texts(bundle) == {
        "Fetch", "Brand new panel text", "Refresh assignments list"}
