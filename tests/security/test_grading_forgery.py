"""Issue 13, item 4: an answer cell cannot forge its grade or read the hidden tests.

Each learner answers `hitung_total` WRONGLY (returns 1) plus one trick that
would hide the failure; `format_rupiah` is answered correctly. The real flow
(submit, collect, sandboxed autograde) runs and the score is read back from
the gradebook (formgrader API): 5 of 10 means the trick failed, 10 means it
worked. Before this change the transformer/AST/showtraceback tricks scored
10 (see /tmp/brief/evidence-h3-before.log).
"""

import pytest

from support.course import answer

COURSE = "kelas-uji-curang"
TASK = "01-variabel"
WRONG_TOTAL = "def hitung_total(harga, jumlah):\n    return 1\n"
TOTAL_OK = "def hitung_total(harga, jumlah):\n    return harga * jumlah\n"
RUPIAH_OK = "def format_rupiah(angka):\n    return 'Rp ' + f'{angka:,}'.replace(',', '.')\n"

TRICKS = {
    "showtraceback": "get_ipython().showtraceback = lambda *a, **k: None\n",
    "excepthook": "import sys\nsys.excepthook = lambda *a: None\n",
    "builtins": ("import builtins\nclass Lolos(Exception):\n    pass\n"
                 "builtins.AssertionError = Lolos\nbuiltins.repr = lambda *a: 'lulus'\n"),
    "faked_output": "print('Tes: lulus. 5/5')\n",
    "transformer": ("get_ipython().input_transformers_post.append(\n"
                    "    lambda lines: [l for l in lines if 'assert' not in l])\n"),
    "ast": ("import ast\nclass T(ast.NodeTransformer):\n    def visit_Assert(self, node):\n"
            "        return ast.Pass()\nget_ipython().ast_transformers.append(T())\n"),
    "run_cell": ("ip = get_ipython()\n_asli = ip.run_cell_async\n"
                 "async def run_cell_async(raw_cell, *a, **k):\n"
                 "    raw_cell = '\\n'.join(l for l in raw_cell.splitlines() if 'assert' not in l)\n"
                 "    return await _asli(raw_cell, *a, **k)\nip.run_cell_async = run_cell_async\n"),
    "sys_exit": "import sys\nsys.exit(0)\n",
    "os_exit_in_answer": "import os\nos._exit(0)\n",
}
# A test helper redefined: the answer itself exits the kernel when the test calls it.
EXITS_WHEN_TESTED = "def hitung_total(harga, jumlah):\n    import os\n    os._exit(0)\n"
# Her answer keeps the source of whoever calls it, then prints it later.
LEAK = ("import inspect, sys, glob\n"
        "BOCOR = []\n"
        "def hitung_total(harga, jumlah):\n"
        "    for frame in inspect.stack():\n"
        "        BOCOR.append(''.join(frame.code_context or []))\n"
        "        BOCOR.append(str(frame.frame.f_globals.get('In', '')))\n"
        "    BOCOR.append(str(sys._getframe(1).f_code.co_consts))\n"
        "    for path in [p for d in ('/tmp', '/home', '/srv') for p in glob.glob(d + '/**/*.ipynb', recursive=True)][:20]:\n"
        "        BOCOR.append(open(path).read())\n"
        "    print(BOCOR)\n"
        "    raise ValueError(repr(BOCOR))\n")
LEAK_RUPIAH = RUPIAH_OK + "print(BOCOR)\n"

CASES = {
    **{name: ({"jawab_total": WRONG_TOTAL + trick, "jawab_rupiah": RUPIAH_OK}, 5.0)
       for name, trick in TRICKS.items()},
    "exit_when_tested": ({"jawab_total": EXITS_WHEN_TESTED, "jawab_rupiah": RUPIAH_OK}, 0.0),
    "honest_right": ({"jawab_total": TOTAL_OK, "jawab_rupiah": RUPIAH_OK}, 10.0),
    "honest_wrong": ({"jawab_total": WRONG_TOTAL, "jawab_rupiah": RUPIAH_OK}, 5.0),
    "leak": ({"jawab_total": LEAK, "jawab_rupiah": LEAK_RUPIAH}, 5.0),
}
# os._exit in the answer kills the kernel before any test: both tests fail.
CASES["os_exit_in_answer"] = (CASES["os_exit_in_answer"][0], 0.0)
# sys.exit only raises SystemExit in its cell; the kernel lives on and the
# wrong hitung_total fails its test as usual.

HIDDEN_TEXT = ["hitung_total(2500, 4)", "hitung_total(0, 10)", "format_rupiah(1000000)",
               "hasil = format_rupiah(500)"]  # "format_rupiah(500)" alone is in the question


@pytest.fixture(scope="module")
def graded(make_course):
    trainer, students = make_course(COURSE, TASK, learners=len(CASES))
    by_case = dict(zip(CASES, students))
    for case, student in by_case.items():
        assert student.act("fetch", TASK)["success"], case
        student.save_notebook(TASK, answer(student.read_notebook(TASK), CASES[case][0]))
        assert student.act("submit", TASK)["success"], case
    trainer.collect(TASK)
    for student in by_case.values():
        trainer.autograde(TASK, student.user.name)
    return trainer, by_case


@pytest.mark.parametrize("case", list(CASES))
def test_gradebook_records_what_the_answer_deserves(graded, case):
    trainer, by_case = graded
    recorded = trainer.submissions(TASK)[by_case[case].user.name]["score"]
    assert recorded == CASES[case][1], (case, recorded)


def test_hidden_tests_never_reach_her_feedback(graded):
    trainer, by_case = graded
    trainer.generate_and_release_feedback(TASK)
    leak = by_case["leak"]
    assert leak.act("fetch_feedback", TASK)["success"]
    html = leak.feedback_html(TASK)
    assert html is not None and "5.0" in html
    for text in HIDDEN_TEXT:
        assert text not in html, text
    # The trainer's autograded copy does have them: the leak really ran.
    notebook = trainer.user.read_file(
        f"kursus/{COURSE}/autograded/{leak.user.name}/{TASK}/{TASK}.ipynb")
    assert "hitung_total(0, 10)" in notebook
