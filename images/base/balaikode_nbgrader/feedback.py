"""Keep hidden tests hidden in the feedback learners receive.

The autograded notebook has the hidden tests restored (that is how they are
scored), and nbgrader's feedback is rendered from it. This removes the hidden
regions from the source and the tracebacks that quote them, keeping only the
error's name and message (which the trainer wrote for the learner).
"""

import re

from nbgrader.preprocessors import NbGraderPreprocessor

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                    re.S | re.M)
NOTE = "# (tes tersembunyi: hanya hasilnya yang ditampilkan)\n"


class HideHiddenTests(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and HIDDEN.search(cell.source):
            cell.source = HIDDEN.sub(NOTE, cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
