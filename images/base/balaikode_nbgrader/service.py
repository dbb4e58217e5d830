"""Calls from a trainer's server to the grader service, authenticated with
the server's own JupyterHub token (the service checks it with the hub)."""

import json
import os
import urllib.error
import urllib.request

from . import GRADER_URL_ENV


class GraderServiceError(RuntimeError):
    pass


def call_grader(path: str, payload: dict, timeout: float) -> dict:
    url = os.environ.get(GRADER_URL_ENV, "http://grader:9000/services/grader") + path
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST",
        headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}",
                 "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:2000]
        try:
            detail = json.loads(detail).get("message", detail)
        except ValueError:
            pass
        raise GraderServiceError(f"layanan penilai menolak ({error.code}): {detail}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise GraderServiceError(f"layanan penilai tidak menjawab: {error}") from None
