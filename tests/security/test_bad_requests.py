"""Issue 13, item 8: malformed requests are the sender's mistake. The proxy
and the hub answer them with a 4xx and a page, never a 500 or a traceback
(the grader service's malformed JSON is in test_api_boundaries, a password
over bcrypt's 72 bytes in test_login_abuse)."""

import requests


def test_a_badly_encoded_path_gets_400_from_the_proxy(stack):
    for path in ["/%ff", "/user/%ff/", "/hub/%c3%28"]:
        response = requests.get(f"{stack.url}{path}", timeout=30, allow_redirects=False)
        assert response.status_code == 400, (path, response.status_code)
        assert "Traceback" not in response.text, path
    # The proxy is still there for a good path.
    assert requests.get(f"{stack.url}/hub/login", timeout=30).status_code == 200

