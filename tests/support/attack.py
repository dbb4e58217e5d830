"""What the hostile-learner tests share: a browser page logged in as someone,
and reading the effect of an attack back through the admin API."""

from __future__ import annotations

import json
import re

import requests


def logged_in_page(chromium, stack, name: str, password: str):
    """A fresh Chromium context logged in to the hub as `name`."""
    context = chromium.new_context(base_url=stack.url, locale="id-ID")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/hub/login?next=%2Fhub%2Fhome")
    page.get_by_label("Nama pengguna").fill(name)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/hub/(home|spawn)"))
    return page


def user_model(admin, name: str) -> dict:
    response = admin.api("GET", f"/users/{name}")
    assert response.status_code == 200, response.text
    return response.json()


# A learner's page that, run with the viewer's session, tries to make its
# author an admin and to take a token; it reports what it managed in #result.
def make_me_admin_page(author: str) -> str:
    return f"""<!doctype html><html><body><p id="result">...</p><script>
(async () => {{
  const out = [];
  try {{
    const home = await fetch("/hub/token", {{credentials: "include"}});
    const text = await home.text();
    const xsrf = (text.match(/_xsrf[^\\w]+([\\w|=:-]+)/) || [])[1] || "";
    const r = await fetch("/hub/api/users/{author}", {{method: "PATCH", credentials: "include",
      headers: {{"Content-Type": "application/json", "X-XSRFToken": xsrf}},
      body: JSON.stringify({{admin: true}})}});
    out.push("patch:" + r.status);
  }} catch (e) {{ out.push("patch-error:" + e.name); }}
  document.getElementById("result").textContent = "DONE " + out.join(" ");
}})();
</script></body></html>"""


# What a learner's own kernel sees of her privileges (tests/integration).
CONTAINMENT_PROBE = """
import json, os, pathlib
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
homes = sorted(p.name for p in pathlib.Path("/home").iterdir())
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "home": os.environ["HOME"],
    "cap_eff": status["CapEff"].strip(), "cap_bnd": status["CapBnd"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(),
    "docker_sock": any(os.path.exists(p) for p in ["/var/run/docker.sock", "/run/docker.sock"]),
    "homes": homes,
}))
"""


def probe(learner) -> dict:
    return json.loads(learner.run_code(CONTAINMENT_PROBE))


def assert_contained(learner, facts):
    """What CONTAINMENT_PROBE saw in her kernel: her own UID and home, no privileges."""
    assert facts["uid"] >= 10000 and facts["gid"] == facts["uid"]
    assert facts["home"] == f"/home/{learner.name}"
    assert facts["cap_eff"] == "0000000000000000"
    assert facts["cap_bnd"] == "0000000000000000"
    assert facts["no_new_privs"] == "1"
    assert facts["docker_sock"] is False
    # Only her own home exists in her container.
    assert facts["homes"] == [learner.name]


TCP_REACH = """
import json, socket
def tcp(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "OPEN"
    except OSError as error:
        return type(error).__name__
print(json.dumps({f"{h}:{p}": tcp(h, p) for h, p in TARGETS}))
"""


def tcp_reach(learner, targets: list[tuple[str, int]]) -> dict[str, str]:
    """From her kernel: "HOST:PORT" -> OPEN, or the error a connection met."""
    return json.loads(learner.run_code(f"TARGETS = {targets!r}\n" + TCP_REACH).strip().splitlines()[-1])


def grader(stack, token: str, route: str, body: dict) -> requests.Response:
    """A POST to the grader service through the proxy, as the token's owner."""
    return requests.post(f"{stack.url}/services/grader/{route}", json=body, timeout=180,
                         headers={"Authorization": f"token {token}"})


def server_token(stack, user) -> str:
    """The JUPYTERHUB_API_TOKEN her kernels can read from their environment
    (it carries the grader's scope)."""
    env = stack.learner_container(user.name).attrs["Config"]["Env"]
    return next(item.split("=", 1)[1] for item in env if item.startswith("JUPYTERHUB_API_TOKEN="))
