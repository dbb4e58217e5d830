#!/usr/bin/env python3
"""Page weight over a slow link: bytes, requests and time to the first cell.

Starts its own Balai Kode stack (random compose project and port, like the
integration tests), creates one learner through the real sign-up form, the
admin's approval and the login form, starts their server, and then drives
Debian's Chromium (Playwright) with Chromium's own network emulation (DevTools
protocol: Network.emulateNetworkConditions, by default 1.6 Mbit/s down =
200000 bytes/s, 100000 bytes/s up, 150 ms latency):

  login_page  the hub's login page (/hub/login), anonymous
  jupyterlab  /user/NAME/lab until the launcher shows, then a new notebook
              from the launcher, `print(6*7)`, Shift+Enter, until 42 shows
  notebook7   /user/NAME/tree until the file list shows, then New -> Python 3,
              the same cell, until 42 shows

each twice in one browser context: cold (empty cache) and warm (the second
visit, cache enabled). Bytes are Network.loadingFinished encodedDataLength
(what crossed the wire: headers and the compressed body) of every HTTP
exchange of the page, including redirects; "requests" counts the exchanges.
It also records, per response, Content-Encoding and Cache-Control, and
summarises them (the biggest scripts, compressible responses sent
uncompressed, what a warm visit still fetched).

Prints one JSON document and writes it, a PNG bar chart and the per-request
list under bench/results/. Everything it created is removed at the end, also
on failure or Ctrl-C.

    /tmp/pv/bin/python -m bench.page_weight
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from bench.common import RESULTS, bench_parser, benchmark_stack, output_paths
from bench.measure import form_login
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.hub_client import Browser, Learner
from tests.support.stack import Stack
LEARNER = "siti"

VIEWPORT = {"width": 1000, "height": 700}

COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|x-javascript|json|xml|xhtml\+xml|manifest\+json)"
                          r"|image/svg\+xml|image/x-icon|image/vnd\.microsoft\.icon)")

# The kernel status of the newest notebook, as JupyterLab and Notebook 7 show
# it (the toolbar's execution indicator): every change is logged, from before
# the application starts, so no state is missed.
KERNEL_STATUS_LOGGER = """(() => {
  const log = [];
  window.__bkKernelStatus = log;
  let last;
  const check = () => {
    const all = document.querySelectorAll('.jp-Notebook-ExecutionIndicator');
    const status = all.length ? all[all.length - 1].getAttribute('data-status') : null;
    if (status !== last) { last = status; log.push(status); }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
                                                 attributeFilter: ['data-status']});
})();"""
# Ready to run: the kernel has been seen starting or busy, and is idle now.
# (The indicator shows "idle" for a moment before any kernel exists; a run
# request made then is dropped by JupyterLab.)
KERNEL_READY_JS = """() => {
  const log = window.__bkKernelStatus || [];
  return log.some((s) => s && s !== 'idle') && log[log.length - 1] === 'idle';
}"""
OUTPUT_42_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .some((el) => el.textContent.trim() === '42')"""
# Notebook 7 opens a new notebook in a new browser tab (window.open). To keep
# the measurement in the one throttled tab, the tree page opens it in the same
# tab instead; the bytes and requests are those of the new tab.
SAME_TAB_JS = "() => { window.open = (url) => { window.location.assign(String(url)); return null; }; }"


# ---------------------------------------------------------------- helpers

def log(message: str) -> None:
    print(f"[page-weight {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def kib(value: float | None) -> float | None:
    return None if value is None else round(value / 1024, 1)


def short_path(url: str, name: str) -> str:
    """/user/NAME/static/lab/jlab_core.HASH.js?v=HASH -> /user/{NAME}/static/lab/jlab_core.HASH.js"""
    path = urlsplit(url).path
    return path.replace(f"/user/{name}/", "/user/{NAME}/")


class Wire:
    """Every HTTP exchange of one page, from Chromium's DevTools protocol."""

    def __init__(self, cdp) -> None:
        self.cdp = cdp
        self.network_changed = 0  # exchanges Chromium dropped with ERR_NETWORK_CHANGED (never reset)
        self.reset()
        cdp.on("Network.requestWillBeSent", self._will_be_sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.responseReceivedExtraInfo", self._extra_info)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.webSocketCreated", lambda e: self._ws("opened", 0))
        cdp.on("Network.webSocketFrameSent", lambda e: self._ws("sent", len(e["response"]["payloadData"])))
        cdp.on("Network.webSocketFrameReceived", lambda e: self._ws("received", len(e["response"]["payloadData"])))

    def reset(self) -> None:
        self.requests: dict[str, dict] = {}
        self.hops: list[dict] = []  # finished redirect responses (each one exchange)
        self.websocket = {"opened": 0, "sent": 0, "received": 0, "sent_bytes": 0, "received_bytes": 0}

    def _ws(self, what: str, size: int) -> None:
        self.websocket[what] += 1
        if what != "opened":
            self.websocket[f"{what}_bytes"] += size

    def _will_be_sent(self, event: dict) -> None:
        url = event["request"]["url"]
        if not url.startswith("http"):
            return
        old = self.requests.get(event["requestId"])
        if old and "redirectResponse" in event:  # the same id goes on after a redirect
            redirect = event["redirectResponse"]
            old.update(self._response_fields(redirect), bytes=redirect.get("encodedDataLength", 0),
                       done=True)
            self.hops.append(old)
        self.requests[event["requestId"]] = {"url": url, "type": event.get("type"), "done": False,
                                             "failed": False, "decoded": 0, "from_cache": False}

    @staticmethod
    def _response_fields(response: dict) -> dict:
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        return {"status": response.get("status"), "mime": response.get("mimeType"),
                "encoding": headers.get("content-encoding"), "cache_control": headers.get("cache-control"),
                "from_disk_cache": bool(response.get("fromDiskCache")),
                "protocol": response.get("protocol")}

    def _response(self, event: dict) -> None:
        if record := self.requests.get(event["requestId"]):
            record.update(self._response_fields(event["response"]))
            record["type"] = event.get("type", record["type"])

    def _extra_info(self, event: dict) -> None:
        """The status line as it came over the wire: a revalidated cache entry
        is a 304 here, while responseReceived shows the cached 200."""
        if record := self.requests.get(event["requestId"]):
            record["wire_status"] = event.get("statusCode")

    def _from_cache(self, event: dict) -> None:
        if record := self.requests.get(event["requestId"]):
            record["from_cache"] = True

    def _data(self, event: dict) -> None:
        if record := self.requests.get(event["requestId"]):
            record["decoded"] += event.get("dataLength", 0)

    def _finished(self, event: dict) -> None:
        if record := self.requests.get(event["requestId"]):
            record["done"] = True
            record["bytes"] = event.get("encodedDataLength", 0)

    def _failed(self, event: dict) -> None:
        if record := self.requests.get(event["requestId"]):
            record["done"] = record["failed"] = True
            record["error"] = event.get("errorText")
            record["bytes"] = 0
            if "NETWORK_CHANGED" in (record["error"] or ""):
                self.network_changed += 1

    def exchanges(self) -> list[dict]:
        return [*self.hops, *self.requests.values()]

    def snapshot(self) -> dict:
        """Totals so far: bytes and requests of finished exchanges, and the rest."""
        done = [r for r in self.exchanges() if r["done"] and not r["failed"]]
        cached = [r for r in done if r["from_cache"] or r.get("from_disk_cache")]
        return {
            "bytes": sum(r.get("bytes", 0) for r in done),
            "requests": len(done),
            "network_requests": len(done) - len(cached),
            "from_cache": len(cached),
            "revalidated_304": sum(1 for r in done if 304 in (r.get("status"), r.get("wire_status"))),
            "failed": sum(1 for r in self.exchanges() if r["failed"]),
            "in_flight": sum(1 for r in self.exchanges() if not r["done"]),
            "websocket": dict(self.websocket),
        }

    def detail(self, name: str) -> list[dict]:
        rows = []
        for r in self.exchanges():
            status = 304 if r.get("wire_status") == 304 else r.get("status")
            rows.append({"path": short_path(r["url"], name), "query": bool(urlsplit(r["url"]).query),
                         "type": r.get("type"), "status": status, "mime": r.get("mime"),
                         "bytes": r.get("bytes", 0), "decoded_bytes": r["decoded"],
                         "encoding": r.get("encoding"), "cache_control": r.get("cache_control"),
                         "from_cache": r["from_cache"] or r.get("from_disk_cache", False),
                         **({"error": r["error"]} if r.get("error") else {}),
                         **({"unfinished": True} if not r["done"] else {})})
        return sorted(rows, key=lambda row: -row["bytes"])

    def settle(self, quiet: float = 1.0, limit: float = 20.0, page=None) -> None:
        """Wait until no exchange is in flight for `quiet` seconds (at most `limit`)."""
        deadline = time.monotonic() + limit
        quiet_since = None
        while time.monotonic() < deadline:
            busy = any(not r["done"] for r in self.requests.values())
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet:
                return
            page.wait_for_timeout(100)  # lets Playwright deliver the CDP events


# ---------------------------------------------------------------- the stack

def stack_up(stack: Stack, limit: float = 240) -> None:
    """`compose up`, retried while Docker has no free network address pool
    (other stacks on a shared test machine): bounded."""
    deadline = time.monotonic() + limit
    while True:
        try:
            stack.up()
            return
        except RuntimeError as error:
            if "address pool" not in str(error) or time.monotonic() > deadline:
                raise
            log("Docker has no free address pool (other stacks running); retrying in 10 s")
            time.sleep(10)


def make_learner(stack: Stack, name: str) -> tuple[Learner, str]:
    """Sign-up form, the admin approves, login form; the learner's API token for housekeeping."""
    admin = Browser(stack.url)
    form_login(admin, "admin", stack.admin_password)
    password = "Lambat-" + secrets.token_urlsafe(10)
    browser = Browser(stack.url)
    if (result := browser.signup(name, password)).status != 200:
        raise RuntimeError(f"sign-up of {name} failed: {result.status}")
    if (response := admin.approve(name)).status != 200:
        raise RuntimeError(f"approving {name} failed: {response.status}")
    form_login(browser, name, password)
    return Learner(stack.url, name, browser.new_token(name)), password


def shutdown_kernels(learner: Learner) -> None:
    """Between runs: stop the kernels the last run started (keeps the server quiet)."""
    for kernel in learner.server("GET", "/kernels").json():
        learner.server("DELETE", f"/kernels/{kernel['id']}")


# ---------------------------------------------------------------- the browser

class Session:
    """One browser context (one learner's laptop) with one throttled tab."""

    def __init__(self, chromium, stack: Stack, args: argparse.Namespace):
        self.args = args
        self.stack = stack
        self.context = chromium.new_context(base_url=stack.url, viewport=VIEWPORT, locale="id-ID")
        self.context.set_default_timeout(args.timeout * 1000)
        self.context.set_default_navigation_timeout(args.timeout * 1000)
        self.context.add_init_script(KERNEL_STATUS_LOGGER)
        self.page = self.context.new_page()
        # Leaving a notebook with unsaved output asks "leave the page?": yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.wire = Wire(self.cdp)
        self.abort_on_network_change = True
        self.network_changed_seen = 0

    def login(self, name: str, password: str) -> None:
        """The hub's login form, unthrottled and not counted; lands on /hub/home
        (the learner's server is already running)."""
        page = self.page
        page.goto("/hub/login?next=%2Fhub%2Fhome")
        page.get_by_label("Nama pengguna").fill(name)
        page.get_by_label("Kata sandi", exact=True).fill(password)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(re.compile(r"/hub/home"))
        # The home page's scripts (RequireJS loads moment.js after the load
        # event) must not land in the next measurement.
        self.wire.settle(quiet=0.5, page=page)

    def cold(self) -> None:
        """Empty the cache (this context starts with its own, empty one anyway)."""
        self.cdp.send("Network.clearBrowserCache")

    def throttle(self) -> None:
        self.cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": self.args.latency_ms,
            "downloadThroughput": self.args.download_bytes, "uploadThroughput": self.args.upload_bytes})

    def close(self) -> None:
        self.context.close()

    def check_network(self) -> None:
        """Stop this attempt if Chromium dropped requests because the host's
        network interfaces changed (see NetworkChanged); on the last attempt,
        dismiss JupyterLab's "server unavailable" dialog instead and go on."""
        if self.wire.network_changed > self.network_changed_seen:
            if self.abort_on_network_change:
                raise NetworkChanged(f"{self.wire.network_changed} request(s) failed with ERR_NETWORK_CHANGED")
            self.network_changed_seen = self.wire.network_changed
        try:
            dismiss = self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-reject")
            if self.wire.network_changed and dismiss.count():
                dismiss.first.click(timeout=5000)
        except PlaywrightError:
            pass

    def wait_js(self, js: str, what: str) -> None:
        """Poll a condition in the page every 100 ms (navigations may pass in between)."""
        deadline = time.monotonic() + self.args.timeout
        while True:
            self.check_network()
            try:
                if self.page.evaluate(js):
                    return
            except PlaywrightError:  # the page is navigating: its context went away
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {self.args.timeout} s waiting for {what}")
            self.page.wait_for_timeout(100)


class NetworkChanged(Exception):
    """Chromium drops every open connection when the host's network interfaces
    change, with ERR_NETWORK_CHANGED, loopback included. Docker does that when
    it creates or removes networks and containers, so on a machine where other
    stacks start and stop (a shared test machine) a page load can lose a
    request. The measurement is then repeated in a fresh browser context."""


def visible_js(selector: str) -> str:
    return f"() => [...document.querySelectorAll({json.dumps(selector)})].some((el) => el.getClientRects().length)"


def measure_login_page(session: Session) -> dict:
    wire, page = session.wire, session.page
    wire.reset()
    t0 = time.monotonic()
    page.goto("/hub/login", wait_until="commit")
    session.wait_js("() => document.readyState === 'complete'", "the login page's load event")
    session.wait_js(visible_js("form button[type=submit], form input[type=submit]"), "the login button")
    seconds = time.monotonic() - t0
    ready = wire.snapshot()
    wire.settle(page=page)
    return {"load_seconds": round(seconds, 2), "ready": ready,
            "settled": wire.snapshot(), "_detail": wire.detail(LEARNER)}


def measure_ui(session: Session, ui: str, url: str, name: str) -> dict:
    """Navigate, wait until the UI is ready, open a new notebook, run print(6*7)."""
    wire, page = session.wire, session.page
    wire.reset()
    marks: dict[str, float] = {}
    t0 = time.monotonic()
    page.goto(url, wait_until="commit")
    ready = ".jp-LauncherCard" if ui == "jupyterlab" else ".jp-DirListing-content"
    session.wait_js(visible_js(ready), f"{ui} to be ready ({ready})")
    marks["ready"] = time.monotonic() - t0
    at_ready = wire.snapshot()

    # the first cell, at once (a learner does not wait for the network to be quiet)
    session.check_network()
    if ui == "jupyterlab":
        page.locator('.jp-LauncherCard[data-category="Notebook"]').first.click(timeout=10_000)
    else:
        page.evaluate(SAME_TAB_JS)
        page.locator('[data-jp-item-name="new-dropdown"]').click(timeout=10_000)
        page.locator('.lm-Menu-item[data-command="notebook:create-new"]').first.click(timeout=10_000)
        session.wait_js(f"() => location.pathname.startsWith('/user/{name}/notebooks/')",
                        "the new notebook's page")
    editor_selector = ".jp-Notebook .jp-Cell .cm-content"
    session.wait_js(visible_js(editor_selector), "the new notebook's first cell")
    marks["notebook_shown"] = time.monotonic() - t0
    session.wait_js(KERNEL_READY_JS, "the notebook's kernel to be idle")
    marks["kernel_idle"] = time.monotonic() - t0
    session.check_network()
    page.locator(editor_selector).first.click(timeout=10_000)
    page.keyboard.type("print(6*7)")
    page.keyboard.press("Shift+Enter")
    session.wait_js(OUTPUT_42_JS, "42 in the output")
    marks["output_42"] = time.monotonic() - t0
    at_output = wire.snapshot()
    wire.settle(page=page)
    return {
        "url": url.replace(name, "{NAME}"),
        "ready_seconds": round(marks["ready"], 2),
        "first_cell_seconds": round(marks["output_42"], 2),
        "marks_seconds": {k: round(v, 2) for k, v in marks.items()},
        "ready": at_ready,
        "first_cell": at_output,
        "settled": wire.snapshot(),
        "_detail": wire.detail(name),
    }


# ---------------------------------------------------------------- findings

def header_findings(runs: dict[str, dict]) -> dict:
    """Compression and caching, read from the responses of the measured runs."""
    findings: dict = {}
    for ui, phases in runs.items():
        cold = [r for r in phases["cold"] if not r["from_cache"] and r.get("status")]
        warm = [r for r in phases["warm"] if r.get("status")]
        full = list({r["path"]: r for r in reversed(cold) if r["status"] != 304}.values())  # one per path
        scripts = sorted((r for r in full if r["type"] == "Script"), key=lambda r: -r["decoded_bytes"])
        uncompressed = sorted((r for r in full if not r["encoding"] and r["decoded_bytes"] > 1024
                               and COMPRESSIBLE.match(r.get("mime") or "")), key=lambda r: -r["bytes"])
        by_cache_control: dict[str, dict] = {}
        for r in cold:
            key = r["cache_control"] or "(none)"
            entry = by_cache_control.setdefault(key, {"responses": 0, "bytes": 0})
            entry["responses"] += 1
            entry["bytes"] += r["bytes"]
        refetched = [r for r in warm if not r["from_cache"]]
        findings[ui] = {
            "biggest_scripts": [{k: r[k] for k in ("path", "bytes", "decoded_bytes", "encoding", "cache_control")}
                                for r in scripts[:6]],
            "compressed_share_of_cold_bytes": round(
                sum(r["bytes"] for r in cold if r["encoding"]) / max(1, sum(r["bytes"] for r in cold)), 3),
            "decoded_bytes_cold": sum(r["decoded_bytes"] for r in cold),
            "uncompressed_compressible": [{k: r[k] for k in ("path", "bytes", "mime", "cache_control")}
                                          for r in uncompressed],
            "cold_by_cache_control": dict(sorted(by_cache_control.items(), key=lambda kv: -kv[1]["bytes"])),
            "cold_by_category": by_category(phases["cold"]),
            "warm_by_category": by_category(phases["warm"]),
            "warm_still_fetched": {
                "responses": len(refetched),
                "revalidated_304": sum(1 for r in refetched if r["status"] == 304),
                "bytes": sum(r["bytes"] for r in refetched),
                "by_cache_control": _count_by(refetched, "cache_control"),
                "biggest": [{k: r[k] for k in ("path", "status", "bytes", "cache_control")}
                            for r in refetched[:8]],
            },
        }
    return findings


def category(row: dict) -> str:
    path = row["path"]
    if "favicon" in path:
        return "favicons"
    if "/lab/extensions/" in path:
        return "extensions (federated, /lab/extensions/)"
    if "/static/" in path:
        return "app static (/static/)"
    if "/api/" in path or "/lsp/" in path:
        return "REST API"
    if row["type"] == "Document":
        return "HTML pages and redirects"
    return "other"


def by_category(rows: list[dict]) -> dict[str, dict]:
    """Exchanges that used the network (not cache hits), grouped: count, 304s, bytes."""
    groups: dict[str, dict] = {}
    for row in rows:
        if row["from_cache"] or row.get("status") is None:
            continue
        group = groups.setdefault(category(row), {"requests": 0, "revalidated_304": 0, "bytes": 0})
        group["requests"] += 1
        group["revalidated_304"] += row["status"] == 304
        group["bytes"] += row["bytes"]
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]["bytes"]))


def _count_by(rows: list[dict], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[key] or "(none)"] = counts.get(row[key] or "(none)", 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def summary_table(result: dict) -> list[dict]:
    rows = []
    for ui in ("login_page", "jupyterlab", "notebook7"):
        for phase in ("cold", "warm"):
            run = result[ui][phase]
            rows.append({
                "ui": ui, "cache": phase,
                "ready_kib": kib(run["ready"]["bytes"]), "ready_requests": run["ready"]["requests"],
                "ready_network_requests": run["ready"]["network_requests"],
                "ready_seconds": run.get("ready_seconds", run.get("load_seconds")),
                "first_cell_seconds": run.get("first_cell_seconds"),
                "first_cell_kib": kib(run["first_cell"]["bytes"]) if "first_cell" in run else None,
                "settled_kib": kib(run["settled"]["bytes"]), "settled_requests": run["settled"]["requests"],
            })
    return rows


# ---------------------------------------------------------------- plot

def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    uis = [("login_page", "hub login"), ("jupyterlab", "JupyterLab"), ("notebook7", "Notebook 7")]
    fig, (weight, count, timing) = plt.subplots(1, 3, figsize=(15, 5))
    xs = range(len(uis))
    for offset, phase, color in ((-0.2, "cold", "tab:blue"), (0.2, "warm", "tab:orange")):
        values = [result[ui][phase]["ready"]["bytes"] / 1024 for ui, _ in uis]
        weight.bar([x + offset for x in xs], values, width=0.4, color=color, label=f"{phase} cache")
        for x, v in zip(xs, values):
            weight.text(x + offset, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
        snapshots = [result[ui][phase]["ready"] for ui, _ in uis]
        network = [s["network_requests"] for s in snapshots]
        revalidated = [s["revalidated_304"] for s in snapshots]
        count.bar([x + offset for x in xs], network, width=0.4, color=color, label=f"{phase} cache")
        count.bar([x + offset for x in xs], revalidated, width=0.4, color=color, hatch="//",
                  edgecolor="black", linewidth=0, label=None)
        for x, s in zip(xs, snapshots):
            count.text(x + offset, s["network_requests"], f"{s['network_requests']}\n({s['from_cache']} cached)",
                       ha="center", va="bottom", fontsize=7)
    count.bar([0], [0], color="white", hatch="//", edgecolor="black", label="of which 304 revalidations")
    for axis, label in ((weight, "KiB on the wire until ready"), (count, "requests over the network until ready")):
        axis.set_xticks(list(xs))
        axis.set_xticklabels([label for _, label in uis])
        axis.set_ylabel(label)
        axis.legend(fontsize=8)
        axis.set_ylim(0, axis.get_ylim()[1] * 1.12)
    weight.set_title("Bytes transferred (encoded) until the page is ready", fontsize=10)
    count.set_title("Requests that went to the server (cache hits not counted)", fontsize=10)

    labels, bars = [], []
    for ui, name in uis[1:]:
        for phase in ("cold", "warm"):
            run = result[ui][phase]
            labels.append(f"{name}\n{phase}")
            bars.append((run["ready_seconds"], run["first_cell_seconds"]))
    ys = range(len(labels))
    timing.barh(ys, [b[1] for b in bars], color="tab:green", label="until 42 is shown")
    timing.barh(ys, [b[0] for b in bars], color="tab:olive", label="until the UI is ready")
    for y, (ready, cell) in zip(ys, bars):
        timing.text(cell, y, f" {cell:.1f} s", va="center", fontsize=8)
    timing.set_xlim(0, max(b[1] for b in bars) * 1.18)
    timing.set_yticks(list(ys))
    timing.set_yticklabels(labels, fontsize=8)
    timing.invert_yaxis()
    timing.set_xlabel("seconds from navigation start")
    timing.set_title("New notebook, print(6*7), until 42", fontsize=10)
    timing.legend(fontsize=8, loc="lower right")
    link = result["link"]
    fig.suptitle(f"Balai Kode page weight, {result['date']}: link {link['download_mbit_s']} Mbit/s down, "
                 f"{link['upload_mbit_s']} Mbit/s up, {link['latency_ms']} ms latency (Chromium emulation)",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main

def environment(stack: Stack, browser_version: str) -> dict:
    client = stack.docker
    images = {}
    for tag in ("balaikode/hub:0.3.0", "balaikode/python:0.3.0"):
        try:
            images[tag] = client.images.get(tag).id[7:19]
        except Exception:  # noqa: BLE001
            images[tag] = None
    others = [c.name for c in client.containers.list() if not c.name.startswith(stack.project)]
    return {"cpus": os.cpu_count(), "kernel": platform.release(), "chromium": browser_version,
            "loadavg": os.getloadavg(), "other_running_containers": len(others), "images": images}


def run(args: argparse.Namespace, stack: Stack, chromium, failure_png: Path) -> tuple[dict, dict]:
    link = {"download_bytes_per_s": args.download_bytes, "upload_bytes_per_s": args.upload_bytes,
            "latency_ms": args.latency_ms, "download_mbit_s": round(args.download_bytes * 8 / 1e6, 2),
            "upload_mbit_s": round(args.upload_bytes * 8 / 1e6, 2),
            "how": "Chromium DevTools Network.emulateNetworkConditions on the page (HTTP only; "
                   "websocket frames are not throttled)"}
    result: dict = {"benchmark": "page_weight",
                    "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "link": link, "settings": {"project": stack.project, "timeout_seconds": args.timeout}}
    log(f"starting stack {stack.project} on port {stack.port}")
    stack_up(stack)
    result["host"] = environment(stack, chromium.version)

    log(f"sign-up, approval and login of {LEARNER}; starting the server")
    learner, password = make_learner(stack, LEARNER)
    learner.start_server(timeout=args.timeout)

    # The server answers each page once before anything is measured (its first
    # answers pay for imports and template compilation, not for the link).
    def warm_up(session: Session) -> dict:
        session.login(LEARNER, password)
        for path, ready in (("/lab", ".jp-LauncherCard"), ("/tree", ".jp-DirListing-content")):
            session.page.goto(f"/user/{LEARNER}{path}", wait_until="commit")
            session.wait_js(visible_js(ready), f"{path} (warm-up)")
        return {}

    def login_page(session: Session) -> dict:
        session.cold()
        session.throttle()
        return {"cold": measure_login_page(session), "warm": measure_login_page(session)}

    def ui_runs(ui: str, path: str, warm_path: str):
        def measure(session: Session) -> dict:
            session.login(LEARNER, password)  # unthrottled, not counted
            session.cold()
            session.throttle()
            runs = {}
            # warm: ?reset starts JupyterLab with an empty workspace (the cold run
            # left a notebook open, which it would otherwise open again)
            for phase, url in (("cold", path), ("warm", warm_path)):
                log(f"{ui}: {phase} cache, {url}")
                runs[phase] = measure_ui(session, ui, f"/user/{LEARNER}{url}", LEARNER)
                shutdown_kernels(learner)
            return runs
        return measure

    attempts: dict[str, dict] = {}

    def with_attempts(label: str, measure) -> dict:
        """Run `measure` in a fresh browser context; again (up to --attempts) if
        Chromium lost requests to ERR_NETWORK_CHANGED (see NetworkChanged)."""
        for attempt in range(1, args.attempts + 1):
            session = Session(chromium, stack, args)
            session.abort_on_network_change = attempt < args.attempts
            try:
                measured = measure(session)
                if session.wire.network_changed and attempt < args.attempts:
                    raise NetworkChanged(f"{session.wire.network_changed} request(s) failed")
                attempts[label] = {"attempts": attempt, "network_changed_failures": session.wire.network_changed}
                return measured
            except Exception as error:  # noqa: BLE001 - retried only for a network change
                if not session.wire.network_changed or attempt == args.attempts:
                    try:
                        failure_png.parent.mkdir(parents=True, exist_ok=True)
                        session.page.screenshot(path=str(failure_png))
                        log(f"{label} failed; the page as it was: {failure_png}")
                    except PlaywrightError:
                        pass
                    raise
                log(f"{label}: Chromium lost requests to ERR_NETWORK_CHANGED (Docker changed this "
                    f"host's network interfaces: {error}); again in a fresh browser context")
                shutdown_kernels(learner)
            finally:
                session.close()
        raise AssertionError("unreachable")

    log("warm-up visit (unthrottled, not measured)")
    with_attempts("warm_up", warm_up)
    details: dict = {}
    log("login page: cold, then warm")
    result["login_page"] = with_attempts("login_page", login_page)
    result["jupyterlab"] = with_attempts("jupyterlab", ui_runs("jupyterlab", "/lab", "/lab?reset"))
    result["notebook7"] = with_attempts("notebook7", ui_runs("notebook7", "/tree", "/tree"))
    result["attempts"] = attempts

    for ui in ("login_page", "jupyterlab", "notebook7"):
        details[ui] = {phase: result[ui][phase].pop("_detail") for phase in ("cold", "warm")}
    result["host"]["loadavg_after"] = os.getloadavg()
    return result, details


def main() -> int:
    parser = bench_parser(__doc__, timeout=120)
    parser.add_argument("--download-bytes", type=int, default=200_000, help="bytes/s down (200000 = 1.6 Mbit/s)")
    parser.add_argument("--upload-bytes", type=int, default=100_000, help="bytes/s up (100000 = 0.8 Mbit/s)")
    parser.add_argument("--latency-ms", type=float, default=150, help="added latency per request (ms)")
    parser.add_argument("--attempts", type=int, default=3,
                        help="tries per measurement when Chromium reports ERR_NETWORK_CHANGED (default 3)")
    args = parser.parse_args()

    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    if args.attempts < 1:
        parser.error("--attempts must be >= 1")

    stamp = time.strftime("%Y%m%d-%H%M%S")
    json_out, png_out = output_paths(args, "page_weight", stamp)
    detail_out = json_out.with_name(json_out.stem + "-requests.json")
    started = time.monotonic()
    with benchmark_stack("page_weight", stamp, log, build=not args.no_build) as stack:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                result, details = run(args, stack, chromium, RESULTS / f"page_weight-{stamp}-failure.png")
            finally:
                chromium.close()

    result["wall_seconds"] = round(time.monotonic() - started, 1)
    detail_out.write_text(json.dumps(details, indent=1) + "\n")
    result["headers"] = header_findings(details)
    result["summary"] = summary_table(result)
    result["outputs"] = {"json": str(json_out), "png": str(png_out), "requests": str(detail_out)}
    json_out.write_text(json.dumps(result, indent=2) + "\n")
    plot(result, png_out)
    print(json.dumps(result, indent=2))
    log(f"wrote {json_out}, {detail_out} and {png_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
