// Balai Kode: English texts of programs without a translation layer, shown
// in Bahasa Indonesia. They are looked up in a table keyed by the English
// (put below as TABLE) and replaced where they are shown, also when the
// program draws them later. Used for nbgrader in learners' and trainers'
// servers (images/base/balaikode_i18n: its table is strings/nbgrader.id.json;
// the image has this file as i18n.js) and for JupyterHub's admin panel
// (admin.html, table partials/admin.id.json). Only pages in Bahasa
// Indonesia load it.
(function () {
  "use strict";
  var TABLE = __TABLE__;
  var patterns = TABLE.patterns.map(function (p) { return [new RegExp(p[0], "s"), p[1]]; });
  var ATTRIBUTES = ["title", "placeholder", "aria-label"];
  // What a learner wrote, file names and JupyterLab's editors: never touched.
  var SKIP = "pre, code, textarea, script, style, [contenteditable], .cm-editor, .CodeMirror, " +
    ".jp-Cell, .jp-OutputArea, .jp-RenderedHTMLCommon, .jp-DirListing-content, .jp-Terminal, " +
    ".jp-FileEditor, .input_area, .output_wrapper, .rendered_html, .text_cell_render";
  // In JupyterLab, nbgrader's own parts; there one-word texts are nbgrader's
  // ("Fetch", "Submit"), elsewhere a word like "Edit" may be JupyterLab's,
  // except the few of TABLE.anywhere (nbgrader's toolbar button and tab).
  var NBGRADER = "#assignments, [id^=formgrader], .jp-Dialog, .nbgrader-cell-widget, " +
    ".nbgrader-TotalPointsWidget, [data-command^='nbgrader:'], [data-command^='assignment_list'], " +
    "[data-command^='course_list'], [data-command^='formgrader'], [data-command^='create_assignment']";
  // Longer texts are never a program's own but can be a learner's, on which
  // the patterns' lazy holes backtrack in cubic time (LONGEST in
  // images/base/balaikode_i18n/table.py).
  var LONGEST = 1000;
  var inLab = !!document.getElementById("jupyter-config-data");
  var anywhere = TABLE.anywhere || [];

  function lookup(text, element) {
    var key = text.replace(/\s+/g, " ").trim();
    if (!key) { return null; }
    if (Object.prototype.hasOwnProperty.call(TABLE.exact, key)) {
      if (inLab && key.indexOf(" ") < 0 && anywhere.indexOf(key) < 0 &&
          !(element && element.closest(NBGRADER))) { return null; }
      return TABLE.exact[key];
    }
    if (key.length > LONGEST) { return null; }
    for (var i = 0; i < patterns.length; i++) {
      var match = patterns[i][0].exec(key);
      if (match) {
        return patterns[i][1].replace(/\{(\d+)\}/g, function (_, n) { return match[Number(n)]; });
      }
    }
    return null;
  }

  function skipped(element) { return !element || !!element.closest(SKIP); }

  function translateText(node) {
    var element = node.parentElement;
    if (skipped(element)) { return; }
    var value = node.nodeValue, translated = lookup(value, element);
    if (translated !== null && translated !== value.trim()) {
      node.nodeValue = value.match(/^\s*/)[0] + translated + value.match(/\s*$/)[0];
    }
  }

  function translateAttributes(element) {
    if (skipped(element)) { return; }
    ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      var translated = value && lookup(value, element);
      if (translated && translated !== value) { element.setAttribute(name, translated); }
    });
    if (element.tagName === "INPUT" && /^(button|submit)$/i.test(element.type)) {
      var label = lookup(element.value, element);
      if (label) { element.value = label; }
    }
  }

  function translate(root) {
    if (root.nodeType === Node.TEXT_NODE) { translateText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    translateAttributes(root);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) { translateText(node); } else { translateAttributes(node); }
    }
  }

  function start() {
    translate(document.body);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "characterData") { translate(change.target); }
        else if (change.type === "attributes") { translateAttributes(change.target); }
        else { change.addedNodes.forEach(translate); }
      });
    }).observe(document.body, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ATTRIBUTES});
  }

  window.balaikodeTranslate = lookup;
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
