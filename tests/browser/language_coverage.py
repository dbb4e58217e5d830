"""How much of what a screen shows is in Bahasa Indonesia.

`measure(page_or_frame)` collects the texts a person sees: visible text nodes
and the tooltips (title) and placeholders of visible elements. Each is
classed by its words:
- English: it has a word of ENGLISH (common words of program interfaces,
  made from the English of JupyterLab's and nbgrader's menus, buttons and
  dialogs) that is not also an Indonesian or neutral word;
- neutral: names, numbers, file names and words both languages use
  (Python, Notebook, Kernel, Markdown, Terminal, Email, ID, UTC...);
- Bahasa Indonesia: every other text with letters.
Coverage = Indonesian / (Indonesian + English). A heuristic, but one that
fails loudly: every English text is listed, so a new untranslated button is
named in the test's message.

Run alone against a running stack as a bench (prints per-screen coverage):
tests/browser/test_browser_indonesian.py does it for every screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ENGLISH = set("""
a about above add added all already an and any are as assignment assignments at available
back be below browser by can cancel cell cells change changes check clear click close code
collapse collect command console contents copy course courses create current cut data
default delete disk do download downloaded due duplicate edit editor enter error every
expand export feedback fetch file files filter find first folder for from full generate
grade graded gradebook grading has have help hide history hub if in insert interrupt into
is it item kernel's keyboard last launcher list load loading log logout make manage manual
menu mode modified more move name new next no not of off on one open or other output
outputs panel paste please preview previous refresh release released reload rename
replace restart results run running save saved saving score search select selected
settings show shutdown shut sidebar size start started starting student students submit
submitted submission submissions success successfully table tabs test tests text the there
this to toggle token trust undo upload user users validate validation view wait welcome
when will with you your admin group groups server servers stop edit spawn page
""".split())
# Words both languages use, product names and units: they count for neither.
NEUTRAL = set("""
python notebook notebooks kernel kernels markdown terminal terminals email id utc html
jupyter jupyterlab jupyterhub nbgrader formgrader ipykernel console javascript css json
mib kib gib url ok status token admin hub server web data item menu panel mode disk log default
folder manual shift enter ctrl alt esc
""".split())
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")

VISIBLE_TEXTS_JS = """(root) => {
  const texts = [];
  const visible = (el) => {
    if (!el) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" || Number(style.opacity) === 0) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth;
  };
  // What a person wrote (cells, editors, files' names) is not the program's text.
  const own = "pre, code, textarea, .cm-editor, .jp-Cell-inputWrapper, .jp-OutputArea, " +
    ".jp-RenderedHTMLCommon, .jp-DirListing-itemText, .lm-TabBar-tabLabel, .jp-Terminal";
  const walker = document.createTreeWalker(root || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.nodeValue.replace(/\\s+/g, " ").trim();
    if (text && visible(el) && !el.closest(own) && !el.closest("script, style")) texts.push(text);
  }
  for (const el of (root || document.body).querySelectorAll("[title], [placeholder]")) {
    if (!visible(el) || el.closest(own)) continue;
    for (const name of ["title", "placeholder"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


def kind(text: str, names: set[str]) -> str:
    words = [w.lower().strip("'") for w in WORD.findall(text)]
    words = [w for w in words if len(w) > 1 and w not in names]
    if not words:
        return "neutral"
    if any(w in ENGLISH and w not in NEUTRAL for w in words):
        return "english"
    if all(w in NEUTRAL for w in words):
        return "neutral"
    return "indonesian"


@dataclass
class Coverage:
    screen: str
    indonesian: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        shown = len(self.indonesian) + len(self.english)
        return 1.0 if shown == 0 else len(self.indonesian) / shown

    def __str__(self) -> str:
        return (f"{self.screen}: {self.share:.0%} Bahasa Indonesia "
                f"({len(self.indonesian)} Indonesian, {len(self.english)} English texts)"
                + (f"; English: {sorted(set(self.english))}" if self.english else ""))


def measure(target, screen: str, names: set[str] = frozenset(), root: str | None = None) -> Coverage:
    """Coverage of what `target` (a Page or Frame) shows now; `names` are
    user, course and assignment names on the screen (neither language)."""
    handle = target.query_selector(root) if root else None
    texts = target.evaluate(VISIBLE_TEXTS_JS, handle)
    lowered = {n.lower() for name in names for n in WORD.findall(name)}
    result = Coverage(screen)
    for text in texts:
        k = kind(text, lowered)
        if k != "neutral":
            getattr(result, k).append(text)
    print(result)
    return result
