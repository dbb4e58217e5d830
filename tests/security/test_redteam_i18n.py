"""Red team: a learner's long text against the translation layer's patterns.

The patterns' lazy holes ("^(.+?) (Score: (.+?) / (.+?))$") backtrack in
cubic time on a text that almost matches; the feedback page is translated in
the trainer's generate_feedback, and i18n.js runs on the trainer's pages:
a learner's markdown cell of 20 KB held either for minutes. Long texts are
never looked up against the patterns (LONGEST in balaikode_i18n/table.py and
translate-texts.js)."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from balaikode_i18n.table import for_browser, load, translate_html

HOSTILE = "a (Score: b / " * 1500  # 21 KB, no closing ")"
SCRIPT = Path(__file__).parents[2] / "hub_config" / "templates" / "partials" / "translate-texts.js"


def test_feedback_page_with_long_near_miss_text_is_translated_quickly():
    started = time.monotonic()
    page = translate_html(f"<p>{HOSTILE}</p><p>Comments:</p>", load())
    assert time.monotonic() - started < 2
    assert HOSTILE in page  # the learner's text is kept as she wrote it


def test_short_pattern_texts_are_still_translated():
    assert load().translate("Score: 3 / 5") is not None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_browser_lookup_with_long_near_miss_text_is_quick():
    # The page's script with a stub of the few DOM names it touches at start.
    stub = ("global.document={getElementById:()=>null,body:null,addEventListener:()=>{}};"
            "global.window=global;")
    script = SCRIPT.read_text().replace("__TABLE__", for_browser().as_json())
    run = (stub + script + ";var t=Date.now();var r=window.balaikodeTranslate("
           + json.dumps(HOSTILE) + ",null);console.log(JSON.stringify([Date.now()-t,r,"
           "window.balaikodeTranslate('Score: 3 / 5',null)]));")
    out = subprocess.run(["node", "-e", run], capture_output=True, text=True, timeout=120, check=True)
    millis, long_result, short_result = json.loads(out.stdout)
    assert millis < 1000 and long_result is None and short_result
