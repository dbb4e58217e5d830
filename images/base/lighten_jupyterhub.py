"""Make jupyterhub-singleuser start without the hub's database code.

JupyterHub's single-user server imports jupyterhub.log, .utils and
.services.auth, which import the hub's ORM, roles, metrics and request
handlers, and with them SQLAlchemy: about 40 MiB of memory and a quarter of a
second of CPU in every learner's server (measured with bench/memory.py and
py-spy, docs/measurements.md), for code only the hub runs. This build step
(learner images only; the hub image keeps JupyterHub as it is) defers those
imports to their first use, which in a single-user server never comes:

- log.py: HealthCheckHandler is looked up only if the hub's pages are loaded;
- utils.py: SQLAlchemyError is imported inside catch_db_error (hub only);
- metrics.py, scopes.py: orm, roles and sqlalchemy become modules that load
  at their first attribute access.

Each edit must match the pinned JupyterHub exactly (the build fails if not)
and the result is checked: the single-user extension imports without
SQLAlchemy. Usage: python3 lighten_jupyterhub.py (in the image's venv).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import jupyterhub

PACKAGE = Path(jupyterhub.__file__).parent
EXPECTED_VERSION = "5.5.4"

LAZY_MODULE = '''"""Added by Balai Kode's image build (images/base/lighten_jupyterhub.py)."""
import importlib


class LazyModule:
    """A module imported at the first attribute access."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)
'''

EDITS = {
    "log.py": [
        ("from .handlers.pages import HealthCheckHandler\n", "import sys\n"),
        ("isinstance(handler, (StaticFileHandler, HealthCheckHandler))",
         "isinstance(handler, (StaticFileHandler, getattr(sys.modules.get("
         "'jupyterhub.handlers.pages'), 'HealthCheckHandler', StaticFileHandler)))"),
    ],
    "utils.py": [
        ("from sqlalchemy.exc import SQLAlchemyError\n", ""),
        ("    async def catching(self, *args, **kwargs):\n        try:\n",
         "    async def catching(self, *args, **kwargs):\n"
         "        from sqlalchemy.exc import SQLAlchemyError\n\n        try:\n"),
    ],
    "metrics.py": [
        ("from . import orm\n",
         "from ._balaikode_lazy import LazyModule\n\norm = LazyModule('jupyterhub.orm')\n"),
    ],
    "scopes.py": [
        ("import sqlalchemy as sa\n",
         "from ._balaikode_lazy import LazyModule\n\nsa = LazyModule('sqlalchemy')\n"),
        ("from . import orm, roles\n",
         "orm = LazyModule('jupyterhub.orm')\nroles = LazyModule('jupyterhub.roles')\n"),
    ],
}

CHECK = """
import sys
import jupyterhub.singleuser.extension, jupyterhub.singleuser
heavy = sorted(m for m in ('sqlalchemy', 'jupyterhub.orm', 'jupyterhub.handlers') if m in sys.modules)
assert not heavy, heavy
import jupyterhub.scopes, jupyterhub.orm, jupyterhub.roles  # the hub's way still imports
assert jupyterhub.scopes.orm.User is jupyterhub.orm.User
"""


def main() -> int:
    if jupyterhub.__version__ != EXPECTED_VERSION:
        sys.exit(f"lighten_jupyterhub: made for JupyterHub {EXPECTED_VERSION}, found "
                 f"{jupyterhub.__version__}: check the edits and update EXPECTED_VERSION")
    (PACKAGE / "_balaikode_lazy.py").write_text(LAZY_MODULE)
    for name, edits in EDITS.items():
        path = PACKAGE / name
        text = path.read_text()
        for old, new in edits:
            if text.count(old) != 1:
                sys.exit(f"lighten_jupyterhub: {name}: expected exactly one {old!r}")
            text = text.replace(old, new)
        path.write_text(text)
    importlib.invalidate_caches()
    subprocess.run([sys.executable, "-c", CHECK], check=True)
    print("lighten_jupyterhub: single-user server imports without SQLAlchemy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
