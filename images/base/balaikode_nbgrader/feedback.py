"""Keep hidden tests hidden in the feedback learners receive.

The autograded notebook has the hidden tests restored (that is how they are
scored), and nbgrader's feedback is rendered from it. Removing the hidden
regions from the source is not enough: the learner's own code runs when a
hidden test calls it and can print, raise with, or keep for later the
caller's source (inspect, sys._getframe, In[...]). So from the first cell
with hidden tests on, no output the kernel produced reaches the feedback:
each code cell shows only a fixed note, and test cells say in fixed words
whether they passed (from the error output the grading runner guarantees
on a failed test, see grading_status.py). Cells before the first hidden
test ran before any hidden code was in the kernel and keep their outputs.
"""

import re

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                    re.S | re.M)
NOTE = "# (tes tersembunyi: hanya hasilnya yang ditampilkan)\n"
PASSED = "Tes: lulus."
FAILED = "Tes: tidak lulus."
WITHHELD = "(keluaran sel ini tidak ditampilkan karena dijalankan setelah tes tersembunyi)"


def is_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


class HideHiddenTests(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        after_hidden = False
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if HIDDEN.search(cell.source):
                cell.source = HIDDEN.sub(NOTE, cell.source)
                after_hidden = True
            if not after_hidden:
                continue
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            if is_test(cell):
                text = FAILED if failed else PASSED
            else:
                text = WITHHELD
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
        return nb, resources
