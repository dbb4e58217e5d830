"""Which responses of a learner's server are sandboxed (images/base/
balaikode_server/untrusted.py), on bare tornado objects."""


from tornado.httputil import HTTPHeaders, HTTPServerRequest


from balaikode_server import untrusted

BASE = "/user/budi/"


def headers_for(path: str, **given: str) -> HTTPHeaders:
    transform_class = untrusted.transforms(BASE)[-1]
    transform = transform_class(HTTPServerRequest(method="GET", uri=path))
    headers = HTTPHeaders(given)
    _, headers, _ = transform.transform_first_chunk(200, headers, b"", True)
    return headers


def test_learner_bytes_are_sandboxed_on_every_route_that_returns_them():
    for path in ["files/web/index.html", "nbconvert/html/a.ipynb",
                 "kernelspecs/python3/logo.svg", "proxy/8000/", "proxy/absolute/8000/x",
                 "balaikode-web/KEY/index.php", "balaikode-preview/",
                 "formgrader/submissions/abc123/gambar.png",
                 "kursus/web-sore/formgrader/submissions/abc123/gambar.png"]:
        policy = headers_for(BASE + path)["Content-Security-Policy"]
        assert policy.startswith(untrusted.SANDBOX_POLICY), path
        assert "allow-same-origin" not in policy, path


def test_the_servers_own_pages_keep_their_scripts():
    # view/PATH is the server's page that frames files/PATH (sandboxed).
    for path in ["lab", "lab/tree/a.ipynb", "api/contents/a", "formgrader", "view/a.html",
                 "formgrader/submissions/abc123", "tree/", "filesystem/x",
                 "kursus/web-sore/formgrader/manage_assignments",
                 "kursus/web-sore/formgrader/submissions/abc123"]:
        assert "Content-Security-Policy" not in headers_for(BASE + path), path
    assert "Content-Security-Policy" not in headers_for("/user/other/files/x.html")


def test_a_learner_server_cannot_loosen_the_sandbox():
    headers = headers_for(BASE + "proxy/8000/",
                          **{"Content-Security-Policy": "sandbox allow-same-origin allow-scripts; img-src *"})
    policy = headers["Content-Security-Policy"]
    assert policy == f"{untrusted.SANDBOX_POLICY}; img-src *"
    assert len(headers.get_list("Content-Security-Policy")) == 1


def test_nothing_is_mime_sniffed():
    assert headers_for(BASE + "api/status")["X-Content-Type-Options"] == "nosniff"


def test_her_files_may_be_framed_only_by_the_servers_own_view_page():
    given = {"Content-Security-Policy": "frame-ancestors 'none'; report-uri /x"}
    policy = headers_for(BASE + "files/web/index.html", **given)["Content-Security-Policy"]
    assert policy.startswith("sandbox ") and "allow-same-origin" not in policy
    assert policy.endswith("frame-ancestors 'self'") and "'none'" not in policy, policy
    # Everything else keeps the server's own frame-ancestors.
    policy = headers_for(BASE + "proxy/8000/", **given)["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'self'" not in policy, policy
