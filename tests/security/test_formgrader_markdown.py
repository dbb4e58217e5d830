"""Issue 13, item 1 (formgrader/feedback): a learner's markdown and outputs,
rendered by nbgrader's formgrader in the trainer's browser, never run as
script. Before: the formgrade template renders markdown with markdown2html and
no cleaning, so `<img src=x onerror=...>` ran with the trainer's session."""

import pytest

from support.attack import logged_in_page
from support.course import answer

COURSE = "kelas-uji-markdown"
TASK = "01-variabel"
TOTAL_OK = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"


def payload(trainer: str, mark: str) -> str:
    """Script that marks the page and spends the viewer's session: it makes a
    hub token for the trainer (an effect the admin API shows)."""
    return (f"window.{mark}=1;fetch('/hub/api/users/{trainer}/tokens',{{method:'POST',"
            "headers:{'Content-Type':'application/json'},credentials:'include',"
            "body:JSON.stringify({note:'curian'})}).then(r=>r.text()).then(t=>{window.TOKEN=t})")


@pytest.fixture(scope="module")
def opened(stack, admin, make_course, chromium):
    trainer, [her] = make_course(COURSE, TASK, learners=1)
    tname = trainer.user.name
    assert her.act("fetch", TASK)["success"]
    nb = answer(her.read_notebook(TASK), {"jawab_total": TOTAL_OK})
    md = (f"Lihat gambarku <img src=x onerror=\"{payload(tname, 'JAHAT_MD')}\">\n\n"
          f"<script>{payload(tname, 'JAHAT_SCRIPT')}</script>\n\n"
          f"[klik](javascript:{payload(tname, 'JAHAT_LINK')})")
    html = ("<b>halo</b><img src=x onerror=" + repr(payload(tname, "JAHAT_OUT")) + ">"
            "<script>" + payload(tname, "JAHAT_OUT2") + "</script>")
    code = f"from IPython.display import HTML, display\ndisplay(HTML({html!r}))\n"
    nb["cells"] += [{"cell_type": "markdown", "metadata": {}, "source": md},
                    {"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
                     "execution_count": None}]
    her.save_notebook(TASK, nb)
    assert her.act("submit", TASK)["success"]
    trainer.collect(TASK)
    trainer.autograde(TASK, her.user.name)
    listed = trainer.formgrader("GET", f"/submitted_notebooks/{TASK}/{TASK}")
    [row] = [r for r in listed.json() if r["student"] == her.user.name]

    # The trainer logs in with the form, as a person does, and opens the page.
    page = logged_in_page(chromium, stack, tname, trainer.user.password)
    page.goto(f"/user/{tname}/formgrader/submissions/{row['id']}")
    page.wait_for_load_state("networkidle")
    assert f"/user/{tname}/formgrader/submissions/" in page.url, page.url
    page.wait_for_timeout(1000)  # give a payload's fetch time to land
    yield {"page": page, "admin": admin, "trainer": tname}
    page.context.close()


def test_the_submission_is_shown(opened):
    assert "halo" in opened["page"].content()


@pytest.mark.parametrize("mark", ["JAHAT_MD", "JAHAT_SCRIPT", "JAHAT_OUT", "JAHAT_OUT2"])
def test_her_markup_did_not_run(opened, mark):
    assert opened["page"].evaluate(f"window.{mark}") is None


def test_no_link_runs_script(opened):
    hrefs = opened["page"].eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")], hrefs


def test_the_trainers_session_made_no_token(opened):
    after = opened["admin"].api("GET", f"/users/{opened['trainer']}/tokens").json()
    notes = [t.get("note") for t in after.get("api_tokens", [])]
    # (Her logging in to her own server adds its OAuth token; only the
    # payload would add one noted "curian".)
    assert "curian" not in notes, notes
