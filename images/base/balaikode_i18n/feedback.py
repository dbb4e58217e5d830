"""nbgrader's feedback pages, written in the site's language.

The feedback page is a file in the learner's home that JupyterLab shows in a
sandboxed frame, where no script of ours can reach: so it is translated as
it is written (nbgrader_config.py makes this the feedback's exporter), with
the same table as the formgrader and the Assignments panel. Code blocks,
scripts and styles are left as they are: they hold the learner's code."""

from __future__ import annotations

from nbconvert.exporters import HTMLExporter

from .language import site_language
from .table import load, translate_html


class TranslatedFeedback(HTMLExporter):
    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources, **kw)
        if site_language() == "id":
            output = translate_html(output, load())
        return output, resources
