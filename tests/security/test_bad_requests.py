"""Issue 13, items 2 and 8: hub pages carry the browser protections, and
malformed requests are the sender's mistake: the proxy and the hub answer
them with a 4xx and a page, never a 500 or a traceback (the grader service's
malformed JSON is in test_api_boundaries, a password over bcrypt's 72 bytes
in test_login_abuse)."""

import re

import requests


def test_a_badly_encoded_path_gets_400_from_the_proxy(stack):
    for path in ["/%ff", "/user/%ff/", "/hub/%c3%28"]:
        response = requests.get(f"{stack.url}{path}", timeout=30, allow_redirects=False)
        assert response.status_code == 400, (path, response.status_code)
        assert "Traceback" not in response.text, path
    # The proxy is still there for a good path.
    assert requests.get(f"{stack.url}/hub/login", timeout=30).status_code == 200



def test_an_expired_login_form_shows_the_login_page_again_with_a_message(stack):
    # A login page left open past its XSRF cookie's life (or with a cookie
    # from another address) is posted: the form again, with what to do.
    session = requests.Session()
    session.get(f"{stack.url}/hub/login", timeout=30)
    response = session.post(f"{stack.url}/hub/login", timeout=30, allow_redirects=False,
                            data={"username": "budi", "password": "sandi-apa-saja", "_xsrf": "basi"})
    assert response.status_code == 403, response.status_code
    assert "kedaluwarsa" in response.text and 'name="password"' in response.text, response.text[:500]


def test_hub_pages_and_cookies_carry_the_browser_protections(stack):
    page = requests.get(f"{stack.url}/hub/login", timeout=30)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert re.search(r"frame-ancestors '(none|self)'", page.headers["Content-Security-Policy"])
    login = requests.Session()
    login.get(f"{stack.url}/hub/login", timeout=30)
    response = login.post(f"{stack.url}/hub/login", timeout=30, allow_redirects=False, data={
        "username": "admin", "password": stack.admin_password, "_xsrf": login.cookies.get("_xsrf")})
    assert response.status_code == 302, response.status_code
    session_cookies = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("jupyterhub-")]
    assert session_cookies, response.headers
    for cookie in session_cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
