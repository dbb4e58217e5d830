/*
 * Balai Kode: nbgrader's Assignments tab and a few JupyterLab controls made
 * usable with the keyboard alone and with a screen reader (issue 17, item 6).
 *
 * nbgrader ships its Lab extension prebuilt, so this one mends the page it
 * builds instead of patching nbgrader's code: it keeps working (or does
 * nothing) when nbgrader is upgraded. Plain JavaScript, no build step: the
 * module-federation container JupyterLab loads is written by hand below.
 */
(function () {
  "use strict";

  var VIEW_FEEDBACK = "bk-view-feedback";

  // JupyterLab's toolbar buttons (<jp-button>) repeat aria-pressed on the
  // custom element, where no role allows it (axe: critical); the real
  // <button> inside carries it. Keep it there only.
  function movePressed(host) {
    var value = host.getAttribute("aria-pressed");
    host.removeAttribute("aria-pressed");
    host.dataset.bkPressed = value;
    // The element copies its (now removed) attribute inward on its next
    // render; set it after that.
    setTimeout(function () {
      var inner = host.shadowRoot && host.shadowRoot.querySelector("button");
      if (inner && value === "true") inner.setAttribute("aria-pressed", "true");
      else if (inner) inner.setAttribute("aria-pressed", "false");
    }, 100);
  }

  // nbgrader marks the downloaded list a "tablist" with no tabs in it
  // (axe: critical); it is a plain list of assignments that unfold.
  function mendFetchedList(list) {
    list.removeAttribute("role");
    list.removeAttribute("aria-multiselectable");
    list.querySelectorAll(".assignment-notebooks[role=tabpanel]").forEach(function (panel) {
      panel.removeAttribute("role");
    });
  }

  // "(view feedback)" is an <a> without href: Tab skips it and a screen
  // reader does not call it a link.
  function mendFeedbackLink(link) {
    link.setAttribute("href", "#");
    link.classList.add(VIEW_FEEDBACK);
  }

  function indonesian() {
    return /^id/i.test(document.documentElement.lang || "");
  }

  // JupyterLab's notebook is a role=feed whose cells have no role (axe:
  // critical) and whose editors are text boxes without a name (axe:
  // serious): a screen reader only says "edit text". Each cell becomes an
  // article named by its number and kind; its editor says which cell it is.
  function labelCells() {
    var words = indonesian()
      ? { cell: "Sel", code: "kode", markdown: "teks", raw: "mentah", editor: "Isi sel" }
      : { cell: "Cell", code: "code", markdown: "text", raw: "raw", editor: "Content of cell" };
    document.querySelectorAll(".jp-WindowedPanel-viewport[role=feed] > .jp-Cell").forEach(function (cell) {
      var number = Number(cell.getAttribute("data-windowed-list-index")) + 1;
      var kind = cell.classList.contains("jp-CodeCell") ? words.code
        : cell.classList.contains("jp-MarkdownCell") ? words.markdown : words.raw;
      setIfChanged(cell, "role", "article");
      setIfChanged(cell, "aria-label", words.cell + " " + number + " (" + kind + ")");
      var editor = cell.querySelector(".jp-Cell-inputArea .cm-content[role=textbox]");
      if (editor) setIfChanged(editor, "aria-label", words.editor + " " + number + " (" + kind + ")");
    });
  }

  function setIfChanged(element, name, value) {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  // nbgrader's icon buttons (Refresh) have only a title: the accessible
  // name comes from the Font Awesome glyph instead, which a screen reader
  // reads as nothing or as noise.
  function nameIconButtons() {
    document.querySelectorAll(".nbgrader-mainarea-widget button[title]").forEach(function (button) {
      if (button.textContent.trim()) return;
      setIfChanged(button, "aria-label", button.title);
      button.querySelectorAll("i.fa").forEach(function (icon) { setIfChanged(icon, "aria-hidden", "true"); });
    });
  }

  // JupyterLab's HTML viewer shows a copy of the page made of what is
  // inside <html> (its _setupDocument returns documentElement.innerHTML,
  // loaded from a blob: URL): the page loses its language, and a screen
  // reader reads it with the wrong voice. Pages that say it on <body> too
  // (our feedback: balaikode_nbgrader/feedback_page.py) get it back.
  var mendedPages = new WeakMap(); // frame -> the blob: URL made here

  function keepLanguage(frame) {
    var url = frame.getAttribute("src") || "";
    if (!/^blob:/.test(url) || url === mendedPages.get(frame) || frame.dataset.bkSeen === url) return;
    frame.dataset.bkSeen = url;
    fetch(url).then(function (response) { return response.text(); }).then(function (page) {
      var body = /<body\b[^>]*?\blang="([A-Za-z-]{2,20})"/i.exec(page);
      if (/^\s*(<!doctype[^>]*>\s*)?<html/i.test(page) || !body || frame.getAttribute("src") !== url) return;
      var whole = "<!DOCTYPE html><html lang=\"" + body[1] + "\">" + page + "</html>";
      var previous = mendedPages.get(frame);
      var mended = URL.createObjectURL(new Blob([whole], { type: "text/html" }));
      mendedPages.set(frame, mended);
      frame.setAttribute("src", mended);
      if (previous) URL.revokeObjectURL(previous);
    }).catch(function () { /* JupyterLab replaced the page meanwhile */ });
  }

  function mend() {
    document.querySelectorAll(".jp-HTMLViewer iframe[src]").forEach(keepLanguage);
    labelCells();
    nameIconButtons();
    document.querySelectorAll("jp-button[aria-pressed]").forEach(movePressed);
    document.querySelectorAll("#fetched_assignments_list[role]").forEach(mendFetchedList);
    document.querySelectorAll(
      "#fetched_assignments_list .assignment-notebooks[role=tabpanel]"
    ).forEach(function (panel) { panel.removeAttribute("role"); });
    document.querySelectorAll("#submitted_assignments_list a:not([href])").forEach(mendFeedbackLink);
  }

  // An assignment's name unfolds its notebooks; nbgrader never updates
  // aria-expanded, so a screen reader always hears "collapsed".
  function syncExpanded(event) {
    var toggle = event.target.closest && event.target.closest(".assignment-notebooks-link");
    if (!toggle) return;
    event.preventDefault(); // href="#…": no jump in the page
    setTimeout(function () {
      var item = toggle.closest(".list_item");
      var panel = item && item.querySelector(".collapse");
      if (panel) toggle.setAttribute("aria-expanded", String(panel.classList.contains("in")));
    }, 0);
  }

  /* "(view feedback)" only moved the file browser to the feedback folder;
   * the learner then had to find the HTML file. After nbgrader's handler
   * runs (filebrowser:go-to-path), open every feedback page of the folder
   * in a tab of its own, with the keyboard focus in it. */
  function openFeedback(app) {
    var wanted = false;
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a." + VIEW_FEEDBACK);
      if (!link) return;
      event.preventDefault();
      wanted = true;
    }, true);
    app.commands.commandExecuted.connect(function (_, executed) {
      if (!wanted || executed.id !== "filebrowser:go-to-path") return;
      wanted = false;
      var folder = executed.args && executed.args.path;
      if (!folder) return;
      app.serviceManager.contents.get(folder, { content: true }).then(function (model) {
        var pages = model.content.filter(function (item) { return /\.html$/.test(item.name); });
        pages.forEach(function (item) {
          app.commands.execute("docmanager:open", { path: item.path, factory: "HTML Viewer" })
            .then(function (widget) { return focusViewer(widget); });
        });
      });
    });
  }

  function focusViewer(widget) {
    if (!widget) return;
    return widget.revealed.then(function () {
      var frame = widget.node.querySelector("iframe");
      if (frame) {
        frame.setAttribute("title", widget.title.label);
        frame.focus();
      }
    });
  }

  /* Focus that the page took away. nbgrader disables a button while its
   * action runs and then rebuilds the whole list, and its dialogs (Validate)
   * hand the focus to nothing when they close: the keyboard user is thrown
   * back to the top of the page. Put the focus back on the same control, or
   * on the same assignment's row when the control is gone. */
  var last = null;   // the last focus outside a dialog, and where it was
  var lost = false;  // the page (not the user) took it away since

  function remember(event) {
    var element = event.target;
    if (!(element instanceof HTMLElement) || element.closest(".jp-Dialog")) return;
    var item = element.closest("#nbgrader-assignment-list .list_item");
    var list = item && item.closest(".list_container[id]");
    var name = item && item.querySelector(".item_name");
    last = {
      element: element,
      assignment: name ? name.textContent.trim() : null,
      list: list ? list.id : null,
      nested: Boolean(item && item.classList.contains("nested_list_item")),
      tag: element.tagName,
    };
    lost = false;
  }

  function usable(element) {
    return Boolean(element && element.isConnected && !element.disabled &&
                   element.getClientRects().length > 0);
  }

  // The Assignments tab's rows (`selector`) whose name reads `name`.
  function rowsNamed(selector, name) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (row) {
      var item = row.querySelector(".item_name");
      return item && item.textContent.trim() === name;
    });
  }

  // The same control in the rebuilt list (same list, row and kind), else the
  // first control of the assignment's row wherever it moved (fetched after
  // Fetch): never a button the user did not choose.
  function sameAssignment() {
    var rows = rowsNamed("#nbgrader-assignment-list .list_item", last.assignment);
    var controls = function (row) {
      return Array.prototype.filter.call(row.querySelectorAll("a[href], button"), usable);
    };
    for (var i = 0; i < rows.length; i++) {
      var list = rows[i].closest(".list_container[id]");
      if (!list || list.id !== last.list || rows[i].classList.contains("nested_list_item") !== last.nested) continue;
      var same = controls(rows[i]).filter(function (c) { return c.tagName === last.tag; });
      if (same.length) return same[0];
    }
    for (var j = 0; j < rows.length; j++) {
      if (rows[j].classList.contains("nested_list_item")) continue;
      var first = controls(rows[j])[0];
      if (first) return first;
    }
    return null;
  }

  function restoreFocus() {
    var active = document.activeElement;
    if (!last || (active && active !== document.body)) return;
    var dialog = document.querySelector(".jp-Dialog");
    var gone = !last.element.isConnected;
    if (dialog || gone || last.element.disabled) lost = true;
    // Still running (its button disabled) or a dialog open: wait.
    if (!lost || dialog || (!gone && last.element.disabled)) return;
    var target = usable(last.element) ? last.element : last.assignment ? sameAssignment() : null;
    if (target) {
      target.focus();
      lost = false;
    }
  }

  /* Fetch, Submit and Fetch Feedback change the lists without a word: a
   * screen reader user cannot tell that they are done. Say so in a polite
   * status region once the assignment shows up where the action puts it
   * (an error is nbgrader's own dialog, which is read out by itself). The
   * action is told by the list its button is in, not by the button's words,
   * which change with the language. */
  var DONE = {
    fetch: { id: "Tugas {name} sudah diambil.", en: "Assignment {name} fetched." },
    submit: { id: "Tugas {name} sudah dikumpulkan.", en: "Assignment {name} submitted." },
    feedback: { id: "Umpan balik tugas {name} sudah diambil.", en: "Feedback for {name} fetched." },
  };
  var ACTION_OF_LIST = {
    released_assignments_list: "fetch",
    fetched_assignments_list: "submit",
    submitted_assignments_list: "feedback",
  };
  var awaited = null; // {action, name, before, until}

  // What the action changes, counted: her fetched row, a submission (a
  // dated row under the submitted assignment), a "view feedback" link.
  function progress(action, name) {
    if (action === "fetch") return rowsNamed("#fetched_assignments_list .list_item:not(.nested_list_item)", name).length;
    if (action === "submit") return document.querySelectorAll("#submitted_assignments_list .nested_list_item").length;
    return document.querySelectorAll("#submitted_assignments_list a." + VIEW_FEEDBACK).length;
  }

  function statusRegion() {
    var region = document.getElementById("bk-assignment-status");
    if (region) return region;
    region = document.createElement("div");
    region.id = "bk-assignment-status";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    // Heard, not seen: the list itself shows the change.
    region.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;" +
      "clip:rect(0 0 0 0);white-space:nowrap;";
    document.body.appendChild(region);
    return region;
  }

  function watchAction(event) {
    var button = event.target.closest && event.target.closest("#nbgrader-assignment-list button");
    if (!button) return;
    var row = button.closest(".list_item");
    var list = row && !row.classList.contains("nested_list_item") && row.closest(".list_container[id]");
    var action = list && ACTION_OF_LIST[list.id];
    var item = row && row.querySelector(".item_name");
    if (!action || !item) return;
    var name = item.textContent.trim();
    awaited = { action: action, name: name, before: progress(action, name), until: Date.now() + 120000 };
  }

  function announceDone() {
    if (!awaited) return;
    if (document.querySelector(".jp-Dialog") || Date.now() > awaited.until) {
      awaited = null;
      return;
    }
    if (progress(awaited.action, awaited.name) <= awaited.before) return;
    var words = DONE[awaited.action][indonesian() ? "id" : "en"];
    var region = statusRegion();
    region.textContent = "";
    var text = words.replace("{name}", awaited.name);
    awaited = null;
    // A new text node, a frame later: read out even when it repeats.
    requestAnimationFrame(function () { region.textContent = text; });
  }

  var plugin = {
    id: "@balaikode/a11y:plugin",
    description: "nbgrader's Assignments tab and JupyterLab's toolbars for the keyboard and screen readers",
    autoStart: true,
    activate: function (app) {
      var pending = false;
      new MutationObserver(function () {
        if (pending) return;
        pending = true;
        requestAnimationFrame(function () { pending = false; mend(); restoreFocus(); announceDone(); });
      }).observe(document.body, {
        childList: true, subtree: true, attributes: true,
        attributeFilter: ["aria-pressed", "role", "disabled", "title", "src"],
      });
      document.addEventListener("focusin", remember);
      mend();
      document.addEventListener("click", syncExpanded);
      document.addEventListener("click", watchAction, true);
      openFeedback(app);
    },
  };

  var registry = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  registry["@balaikode/a11y"] = {
    init: function () { return Promise.resolve(); },
    get: function (module) {
      if (module !== "./extension") return Promise.reject(new Error("@balaikode/a11y has no " + module));
      return Promise.resolve(function () { return { __esModule: true, default: [plugin] }; });
    },
  };
})();
