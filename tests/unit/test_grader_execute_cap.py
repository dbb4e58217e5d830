"""Each trainer may have BALAIKODE_SANDBOX_PARALLEL executions running or
waiting at the grader (src/balaikode/grader/app.py ExecuteHandler); more are
answered 429 before any sandbox is made, and other trainers are not held up.
The real app against stand-ins for the hub and the Docker engine."""

import pytest

nbformat = pytest.importorskip("nbformat")
from support.grader_doubles import Servers
from test_grader_auth import Grader


@pytest.fixture
def grader(tmp_path):
    running = Servers()
    yield Grader(running, tmp_path, token_cache_seconds=1)
    running.stop()


def executing(grader):
    """The grader's count of executions per caller."""
    [counter] = [rule.target_kwargs["executing"] for rule in grader.app.wildcard_router.rules
                 if "executing" in rule.target_kwargs]
    return counter


def test_a_trainer_over_her_share_gets_429_and_no_sandbox(grader):
    notebook = nbformat.writes(nbformat.v4.new_notebook())
    executing(grader)["guru"] = grader.settings.max_parallel  # all hers are running
    status, reply = grader.post("execute", {"course": "kelas-a", "notebook": notebook},
                                token="token-guru")
    assert status == 429, reply
    assert "Terlalu banyak" in reply["message"]
    assert not [job for job in grader.engine.jobs if job["role"] == "sandbox"]
    # Another trainer's notebook goes on to a sandbox (the stand-in engine
    # cannot run it: what counts is that one was made for her).
    grader.post("execute", {"course": "kelas-b", "notebook": notebook}, token="token-guru-b")
    assert [job["labels"]["balaikode.trainer"] for job in grader.engine.jobs
            if job["role"] == "sandbox"] == ["guru-b"]
    assert executing(grader)["guru-b"] == 0  # given back, whatever the outcome
