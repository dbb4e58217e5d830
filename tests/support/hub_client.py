"""Drive a running Balai Kode the way a browser and a notebook client do:
HTML forms (with JupyterHub's XSRF cookie), the REST API, and the kernel
websocket through the proxy."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass

import requests
import websocket


def poll(what: str, check, timeout: float = 120, interval: float = 0.5):
    """Return check()'s first truthy result; fail with `what` after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - keep polling, report the last one
            last_error = error
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what} (last error: {last_error!r})")


def default_full_name(user_name: str) -> str:
    """A full name the sign-up rule accepts, from a user name's letters."""
    return " ".join(word.capitalize() for word in re.findall(r"[a-z]+", user_name.lower())) or "Peserta"


@dataclass
class FormResult:
    status: int
    url: str
    text: str


class Browser:
    """A cookie jar that fills in forms like a browser would."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=30, **kwargs)

    def _xsrf(self, form_path: str) -> str:
        self.get(form_path)
        return self.session.cookies.get("_xsrf", path="/hub/") or self.session.cookies.get("_xsrf")

    def submit(self, form_path: str, fields: dict[str, str], action: str | None = None,
               follow_redirects: bool = True) -> FormResult:
        token = self._xsrf(form_path)
        response = self.session.post(self.base_url + (action or form_path),
                                     data={**fields, "_xsrf": token}, timeout=60,
                                     allow_redirects=follow_redirects)
        # The hub's pages are UTF-8 without saying so in Content-Type
        # (requests would guess Latin-1 and garble "Đặng").
        return FormResult(response.status_code, response.url,
                          response.content.decode("utf-8", "replace"))

    def signup(self, name: str, password: str, confirmation: str | None = None,
               full_name: str | None = None) -> FormResult:
        """Fill in the sign-up form; the full name defaults to one made from
        the user name (siti.aminah: "Siti Aminah")."""
        return self.submit("/hub/signup", {
            "username": name, "signup_password": password,
            "signup_password_confirmation": password if confirmation is None else confirmation,
            "full_name": default_full_name(name) if full_name is None else full_name,
        })

    def approve(self, name: str) -> FormResult:
        """Press the admin's approve (or unapprove) button for `name`."""
        return self.submit("/hub/authorize", {}, action=f"/hub/authorize/{name}")

    def login(self, name: str, password: str, follow_redirects: bool = True) -> FormResult:
        """Log in through the form. Following the redirect, as a browser does,
        lands on /hub/spawn and so starts the user's server."""
        return self.submit("/hub/login", {"username": name, "password": password},
                           follow_redirects=follow_redirects)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Hub API with the login cookie, as the hub's own pages call it."""
        headers = {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""}
        return self.session.request(method, f"{self.base_url}/hub/api{path}",
                                    headers=headers, timeout=60, **kwargs)

    def new_token(self, name: str) -> str:
        response = self.api("POST", f"/users/{name}/tokens", json={"note": "tests", "expires_in": 7200})
        response.raise_for_status()
        return response.json()["token"]


def signed_in(user: "Learner") -> Browser:
    """A browser signed in as `user` (made by new_learner, which keeps her
    password): hub pages take the login cookie, never a token."""
    browser = Browser(user.base_url)
    assert browser.login(user.name, user.password, follow_redirects=False).status == 302
    return browser


class Learner:
    """A logged-in hub user with an API token, talking to their own server."""

    def __init__(self, base_url: str, name: str, token: str):
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.token = token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def hub(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/hub/api{path}", timeout=60, **kwargs)

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/user/{self.name}/api{path}",
                                 timeout=60, **kwargs)

    def server_model(self) -> dict:
        return self.hub("GET", f"/users/{self.name}").json().get("servers", {}).get("", {})

    def start_server(self, timeout: float = 180) -> None:
        response = self.hub("POST", f"/users/{self.name}/server")
        assert response.status_code in (201, 202, 400), response.text  # 400: already running
        poll(f"{self.name}'s server to be ready", lambda: self.server_model().get("ready"), timeout)
        poll(f"{self.name}'s server to answer through the proxy",
             lambda: self.server("GET", "/status").status_code == 200, 60)

    def stop_server(self) -> None:
        self.hub("DELETE", f"/users/{self.name}/server")
        poll(f"{self.name}'s server to stop", lambda: not self.server_model(), 120)

    def write_file(self, path: str, text: str) -> None:
        response = self.server("PUT", f"/contents/{path}",
                               json={"type": "file", "format": "text", "content": text})
        assert response.status_code in (200, 201), response.text

    def read_file(self, path: str) -> str | None:
        response = self.server("GET", f"/contents/{path}",
                               params={"content": 1, "type": "file", "format": "text"})
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()["content"]

    def run_code(self, code: str, timeout: float = 60) -> str:
        """Start a kernel, run code over the websocket through the proxy, return stdout."""
        kernel = self.server("POST", "/kernels", json={"name": "python3"})
        assert kernel.status_code == 201, kernel.text
        kernel_id = kernel.json()["id"]
        try:
            return execute(self.ws_url(f"/kernels/{kernel_id}/channels"), self.token, code, timeout)
        finally:
            self.server("DELETE", f"/kernels/{kernel_id}")

    def ws_url(self, path: str) -> str:
        return self.base_url.replace("http", "ws", 1) + f"/user/{self.name}/api{path}"


class KernelChannel:
    """One kernel websocket kept open, for running several cells in a row."""

    def __init__(self, url: str, token: str, timeout: float):
        self.session = uuid.uuid4().hex
        self.reply_seconds: float | None = None
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {token}"],
                                              timeout=timeout)

    def __enter__(self) -> "KernelChannel":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self.ws.close()

    def send(self, code: str) -> str:
        """Jupyter messaging protocol v5: an execute_request; returns its msg_id."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "balaikode-test", "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        return msg_id

    def run(self, code: str, timeout: float = 60) -> str:
        """Execute and return stdout, reading until the kernel is idle again;
        raise on an error in the cell or a timeout. `reply_seconds`: the
        round trip to the execute_reply."""
        started = time.perf_counter()
        msg_id = self.send(code)
        output, errors = [], []
        self.reply_seconds = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "execute_reply":
                self.reply_seconds = time.perf_counter() - started
            elif kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                errors.append(f"{message['content']['ename']}: {message['content']['evalue']}")
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                if errors:
                    raise RuntimeError("; ".join(errors))
                if self.reply_seconds is None:  # idle can overtake the reply (other channel)
                    self.reply_seconds = time.perf_counter() - started
                return "".join(output)
        raise TimeoutError(f"no result for {code[:60]!r} within {timeout}s")


def execute(url: str, token: str, code: str, timeout: float) -> str:
    """Run one cell over a new websocket (closed afterwards) and return stdout."""
    with KernelChannel(url, token, timeout) as channel:
        return channel.run(code, timeout)


class Terminal:
    """A JupyterLab terminal of a user's server, driven over its websocket
    (terminado's protocol: ["stdin", text] in, ["stdout", text] out), so a
    test types exactly what a person types in the Lab's terminal."""

    def __init__(self, user: Learner, timeout: float = 120):
        created = user.server("POST", "/terminals")
        assert created.status_code == 200, created.text
        self.user, self.name, self.timeout = user, created.json()["name"], timeout
        url = user.base_url.replace("http", "ws", 1) + f"/user/{user.name}/terminals/websocket/{self.name}"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {user.token}"],
                                              timeout=timeout)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *_) -> None:
        self.ws.close()
        self.user.server("DELETE", f"/terminals/{self.name}")

    def type(self, line: str) -> str:
        """Type one command line and Enter; return what the terminal printed
        until the command finished (a unique marker echoes its exit status)."""
        marker = uuid.uuid4().hex
        self.ws.send(json.dumps(["stdin", f"{line}\r"]))
        self.ws.send(json.dumps(["stdin", f"echo {marker[:16]}-$?-{marker[16:]}\r"]))
        seen, deadline = "", time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message[0] == "stdout":
                seen += message[1]
                # The echoed command line shows "$?"; only the output has the number.
                found = re.search(rf"{marker[:16]}-(\d+)-{marker[16:]}", seen)
                if found:
                    return seen[:found.start()] + f"[exit {found.group(1)}]"
        raise TimeoutError(f"terminal: no end of {line!r} within {self.timeout}s:\n{seen[-2000:]}")
