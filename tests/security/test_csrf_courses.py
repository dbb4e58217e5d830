"""A learner's page cannot make the admin's browser change a course (issue
17, item 5: /hub/kursus and the course API). Played in Chromium with the
admin's real session:

- a page of hers on another site (a link in the class chat) that posts the
  course page's forms and calls the course API with the admin's cookies;
- the worst place for her bytes, a page on the hub's own origin: requests
  without the XSRF token, and links and images (GET never changes anything).

The effect is read back with `./balaikode courses`; the real buttons still work."""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from support.attack import logged_in_page

EVIL_ORIGIN = "http://kelas-jahat.test"


def course_line(stack, course: str) -> str:
    listed = stack.admin_cli("courses").stdout
    return next((line for line in listed.splitlines() if line.startswith(course + "\t")), "")


def evil_site_page(hub: str, course: str, victim: str) -> str:
    """Her page: every way a cross-site page can send a request with the
    visitor's cookies, then a form that posts itself (a top-level POST)."""
    return f"""<!doctype html><html><body><p id="result">...</p>
<form id="archive" method="post" action="{hub}/hub/kursus/{course}">
  <input type="hidden" name="action" value="archive"></form>
<script>
(async () => {{
  const out = [];
  const tries = [
    ["{hub}/hub/kursus/{course}", "action=remove&role=learners&user={victim}", "application/x-www-form-urlencoded"],
    ["{hub}/hub/api/balaikode/courses/{course}/remove", '{{"learners": ["{victim}"]}}', "text/plain"],
    ["{hub}/hub/api/balaikode/courses/{course}/archive", "", "text/plain"],
  ];
  for (const [url, body, type] of tries) {{
    try {{
      await fetch(url, {{method: "POST", credentials: "include", mode: "no-cors",
                        headers: {{"Content-Type": type}}, body}});
      out.push("sent");
    }} catch (e) {{ out.push("error:" + e.name); }}
  }}
  document.getElementById("result").textContent = "DONE " + out.join(" ");
  if (location.pathname.endsWith("-form.html")) document.getElementById("archive").submit();
}})();
</script></body></html>"""


def test_her_page_on_another_site_changes_no_course(stack, chromium, new_learner):
    course = "kelas-csrf-" + secrets.token_hex(2)
    guru, siti = new_learner("guru"), new_learner("siti")
    assert stack.admin_cli("course", course, "--trainers", guru.name, "--learners", siti.name).returncode == 0
    before = course_line(stack, course)

    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    page.route(f"{EVIL_ORIGIN}/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=evil_site_page(stack.url, course, siti.name)))
    page.goto(f"{EVIL_ORIGIN}/undangan.html")
    expect(page.locator("#result")).to_contain_text("DONE", timeout=20_000)
    # Its form, posted as a navigation: SameSite keeps the admin's cookies
    # home, and without the XSRF token the hub would refuse it anyway.
    page.goto(f"{EVIL_ORIGIN}/undangan-form.html")
    page.wait_for_url(f"{stack.url}/**")
    expect(page.locator("body")).not_to_contain_text("Kursus sudah diarsipkan")
    assert course_line(stack, course) == before

    # The admin, on the real page, does the same in one press.
    page.goto(f"{stack.url}/hub/kursus/{course}")
    page.locator("#course_archive").click()
    page.wait_for_url(f"**/hub/kursus/{course}?selesai=archived")
    assert course_line(stack, course).endswith("ARCHIVED")
    page.context.close()


def test_requests_without_the_token_and_links_on_the_hubs_origin_change_no_course(stack, chromium, new_learner):
    course = "kelas-csrf-" + secrets.token_hex(2)
    siti = new_learner("siti")
    assert stack.admin_cli("course", course, "--learners", siti.name).returncode == 0
    before = course_line(stack, course)

    page = logged_in_page(chromium, stack, "admin", stack.admin_password)
    statuses = page.evaluate("""([course, victim]) => {
        const links = [`/hub/kursus/${course}?action=archive`, `/hub/kursus/${course}?action=delete&confirm=${course}`,
                       `/hub/api/balaikode/courses/${course}/archive`];
        const images = links.map(path => new Promise(done => {
            const img = new Image(); img.onload = img.onerror = done; img.src = path;
            document.body.appendChild(img);
        }));
        const form = new URLSearchParams({action: "remove", role: "learners", user: victim});
        const posts = [
            fetch(`/hub/kursus/${course}`, {method: "POST", credentials: "include", body: form}),
            fetch(`/hub/kursus/${course}`, {method: "POST", credentials: "include",
                                            body: new URLSearchParams({action: "archive"})}),
            fetch(`/hub/api/balaikode/courses/${course}/remove`, {method: "POST", credentials: "include",
                headers: {"Content-Type": "application/json"}, body: JSON.stringify({learners: [victim]})}),
            fetch(`/hub/api/balaikode/courses/${course}/archive`, {method: "POST", credentials: "include"}),
        ].map(p => p.then(r => r.status, e => "error:" + e.name));
        return Promise.all(images).then(() => Promise.all(posts));
    }""", [course, siti.name])
    assert statuses == [403, 403, 403, 403], statuses
    assert course_line(stack, course) == before
    page.context.close()
