"""The grading runner's verdict rules, without a kernel."""


import pytest

nbformat = pytest.importorskip("nbformat")
from balaikode_nbgrader import grading_status as gs

TOKEN = "BK0123abcd"


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def error():
    return nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[f"x\nprint('{TOKEN}')"])


def test_pass_needs_ok_reply_and_the_token_once():
    outputs, seen = gs.take_token([stream(f"hai\n{TOKEN}\n")], TOKEN)
    assert seen and [o["text"] for o in outputs] == ["hai\n"]
    assert gs.verdict("ok", seen, outputs)
    assert not gs.verdict("error", seen, outputs)
    assert not gs.verdict(None, seen, outputs)  # no reply at all (kernel died)


def test_missing_or_doubled_token_fails():
    assert not gs.take_token([stream("lulus\n")], TOKEN)[1]
    assert not gs.take_token([stream(f"{TOKEN}\n{TOKEN}\n")], TOKEN)[1]


def test_error_output_fails_even_with_ok_reply_and_token_leaves_traceback():
    outputs, seen = gs.take_token([error(), stream(TOKEN + "\n")], TOKEN)
    assert not gs.verdict("ok", seen, outputs)
    assert TOKEN not in str(outputs)


def test_failed_cell_gets_one_error_output():
    cell = nbformat.v4.new_code_cell("assert x", outputs=[stream("hai\n")])
    gs.mark_cell_failed(cell, "alasan")
    gs.mark_cell_failed(cell, "alasan")
    assert [o["output_type"] for o in cell.outputs] == ["stream", "error"]


def test_only_locked_grade_cells_are_tests():
    cell = nbformat.v4.new_code_cell("x")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False}
    assert gs.is_test_cell(cell)
    cell.metadata["nbgrader"] = {"grade": True, "solution": True}
    assert not gs.is_test_cell(cell)
