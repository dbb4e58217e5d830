"""Helpers for the browser tests (imported by the test modules)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from support.browser import sign_in  # noqa: F401 - the browser tests import it from here

FOCUSABLE_JS = """() => {
    let order = 0;
    for (const el of document.querySelectorAll("*")) el.dataset.bkOrder = order++;
    const selector = "a[href], button, input, select, textarea, summary, [tabindex]";
    return [...document.querySelectorAll(selector)].filter((el) => {
        const style = getComputedStyle(el);
        return el.type !== "hidden" && !el.disabled && el.tabIndex >= 0 &&
            style.visibility !== "hidden" && el.getClientRects().length > 0;
    }).map((el) => Number(el.dataset.bkOrder));
}"""

ACTIVE_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return [Number(el.dataset.bkOrder),
            el.id || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30)];
}"""


def tab_order(page: Page) -> tuple[list[int], list[tuple[int, str]]]:
    """Press Tab until focus comes back round; return (every focusable element in
    document order, the elements Tab visited in order)."""
    focusable = page.evaluate(FOCUSABLE_JS)
    visited: list[tuple[int, str]] = []
    start = page.evaluate(ACTIVE_JS)
    for _ in range(len(focusable) + 5):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_JS)
        if active is None:  # focus left the page (browser chrome): next Tab wraps
            continue
        if visited and (active[0] == visited[0][0] or (start and active[0] == start[0])):
            break
        visited.append(tuple(active))
    if start:
        visited.insert(0, tuple(start))
    return focusable, visited


def assert_reading_order(page: Page, first_ids: list[str]) -> None:
    """Tab visits every focusable element once, in document order, starting
    with `first_ids` (their ids or names)."""
    focusable, visited = tab_order(page)
    orders = [order for order, _label in visited]
    labels = [label for _order, label in visited]
    assert sorted(orders) == focusable, f"Tab skips or repeats elements: {labels}"
    rotation = orders.index(min(orders))
    assert orders[rotation:] + orders[:rotation] == focusable, f"Tab order is not reading order: {labels}"
    assert labels[:len(first_ids)] == first_ids, labels


def close_notifications(page: Page) -> None:
    """Close JupyterLab's notification toasts (e.g. "Jupyter news?"), if any,
    so they are not part of a picture."""
    close = page.locator(".jp-Notification-Toast-Close")
    for _ in range(close.count()):
        close.first.click()
    expect(close).to_have_count(0)


def tab_to(page: Page, target, key: str = "Tab", limit: int = 150) -> None:
    """Press `key` (Tab or Shift+Tab) until `target` (a Locator) has the
    keyboard focus; fail if it never does (a control the keyboard cannot reach)."""
    handle = target.element_handle()
    for _ in range(limit):
        if handle.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reaches {handle.evaluate('el => el.outerHTML.slice(0, 200)')}")


def focused(page: Page) -> str:
    """What has the keyboard focus, for messages (tag, id, name)."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "nothing (body)";
        return `${el.tagName.toLowerCase()}#${el.id} ${(el.getAttribute("aria-label") ||
            el.textContent || "").trim().slice(0, 40)}`;
    }""")
