"""A file a learner hands in never runs as the trainer who opens her work.

Opening a submitted notebook in JupyterLab starts the trainer's kernel in its
folder, and IPython puts that folder on sys.path before the installed
packages: a learner's `numpy.py` beside her notebook would run, as the
trainer (her token, the gradebook, the hidden tests at hand), at the
trainer's first `import numpy` there. The collector
(images/base/balaikode_nbgrader/inbound.py) writes every file Python could
import under a name it cannot (`numpy.py.txt`), still there to read."""

from support.hub_client import execute

COURSE = "kelas-impor"
TASK = "01-variabel"
MARK = "DIBOBOL"
# Writes a mark into the home of whoever imports it, then hides as numpy.
FAKE_NUMPY = (f"import pathlib\npathlib.Path.home().joinpath({MARK!r}).write_text(__file__)\n"
              "__version__ = 'palsu'\n")
CHECK = ("import os, numpy\n"
         "print(numpy.__file__)\n"
         f"print('MARK', os.path.exists(os.path.expanduser('~/{MARK}')))\n")


def test_her_numpy_py_stays_inert_where_the_trainer_opens_her_submission(make_course):
    trainer, (siti,) = make_course(COURSE, TASK, learners=1)
    assert siti.act("fetch", TASK)["success"]
    siti.user.write_file(f"{COURSE}/{TASK}/numpy.py", FAKE_NUMPY)
    assert siti.act("submit", TASK)["success"]
    trainer.collect(TASK)

    folder = f"kursus/{COURSE}/submitted/{siti.user.name}/{TASK}"
    listing = trainer.user.server("GET", f"/contents/{folder}")
    assert listing.status_code == 200, listing.text
    names = {item["name"] for item in listing.json()["content"]}
    assert f"{TASK}.ipynb" in names and "numpy.py" not in names, names
    # Kept for the trainer to read, under a name no import finds.
    assert trainer.user.read_file(f"{folder}/numpy.py.txt") == FAKE_NUMPY

    # The trainer's kernel where JupyterLab starts it for that notebook.
    kernel = trainer.user.server("POST", "/kernels", json={"name": "python3", "path": folder})
    assert kernel.status_code == 201, kernel.text
    try:
        output = execute(trainer.user.ws_url(f"/kernels/{kernel.json()['id']}/channels"),
                         trainer.user.token, CHECK, timeout=120)
    finally:
        trainer.user.server("DELETE", f"/kernels/{kernel.json()['id']}")
    assert "/opt/venv/" in output and "MARK False" in output, output
