"""Calls from a trainer's server to the grader service, authenticated with
the server's own JupyterHub token (the service checks it with the hub)."""

import json
import os
import random
import time
import urllib.error
import urllib.request

from . import GRADER_URL_ENV


class GraderServiceError(RuntimeError):
    pass


# Answers that mean "this caller has enough going on, send it again soon":
# 429 while another of her uploads is received or her parallel executions
# are all running (src/balaikode/grader/app.py).
AGAIN = 429
AGAIN_SECONDS = 0.5


def call_grader(path: str, payload: dict, timeout: float, again: bool = False) -> dict:
    """The service's JSON answer. With `again`, a 429 is sent again after a
    moment until `timeout` (only for calls that may be repeated: executing a
    notebook may, a learner's submission must not be filed twice)."""
    url = os.environ.get(GRADER_URL_ENV, "http://grader:9000/services/grader") + path
    data = json.dumps(payload).encode()
    give_up = time.monotonic() + timeout
    while True:
        request = urllib.request.Request(
            url, data=data, method="POST",
            headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:2000]
            if again and error.code == AGAIN and time.monotonic() < give_up:
                time.sleep(AGAIN_SECONDS * (1 + random.random()))
                continue
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise GraderServiceError(f"layanan penilai menolak ({error.code}): {detail}") from None
        except (urllib.error.URLError, TimeoutError) as error:
            raise GraderServiceError(f"layanan penilai tidak menjawab: {error}") from None
