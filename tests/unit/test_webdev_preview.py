"""The live preview's address arithmetic (images/webdev/balaikode_webdev/preview.py),
without Docker: relative redirects that work behind any hub prefix."""

from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin


from balaikode_webdev import preview

BASE = "http://hub.example/user/budi/"


def entry(path: str) -> str:
    return BASE + f"{preview.ENTRY}/{path}"


def test_entry_redirects_to_the_same_path_under_the_key():
    for path in ["", "uji/", "uji/index.html", "a/b/c/form.php", "nama berkas.html"]:
        location = preview.sandboxed_location(path, "")
        assert not location.startswith("/"), "relative, so jupyter-server-proxy leaves it alone"
        target = urljoin(entry(path), location)
        assert target == BASE + f"{preview.SANDBOXED}/{preview.KEY}/" + path.replace(" ", "%20"), path


def test_a_jupyter_token_is_not_passed_on():
    location = preview.sandboxed_location("uji/", "token=rahasia&hal=2&_xsrf=x")
    assert location.endswith("uji/?hal=2") and "rahasia" not in location


def test_rewrite_turns_the_entry_answer_into_a_sandboxed_redirect():
    response = SimpleNamespace(code=204, headers=None, body=b"x")
    preview.redirect_to_sandbox(response, "/uji/", SimpleNamespace(query=""))
    assert response.code == 302 and response.body == b""
    assert response.headers["Location"] == f"../../{preview.SANDBOXED}/{preview.KEY}/uji/"
    assert response.headers["Content-Security-Policy"].startswith(preview.SANDBOX_POLICY)


def test_sandbox_policy_never_gives_the_page_its_origin_back():
    policy = preview.SECURITY_HEADERS["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts allow-forms allow-popups")
    assert "allow-same-origin" not in policy and "allow-top-navigation" not in policy
    assert {"cookie", "authorization"} <= preview.DROPPED_REQUEST_HEADERS
    assert len(preview.KEY) >= 40


def test_php_runs_the_web_folder_on_a_local_port_with_the_router(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    argv = preview.command()
    assert (tmp_path / "web").is_dir(), "a new learner gets an empty ~/web"
    assert argv[:5] == ["php", "-S", f"127.0.0.1:{preview.PORT}", "-t", str(tmp_path / "web")]
    assert argv[-1].endswith("preview-router.php") and Path(argv[-1]).is_file()
