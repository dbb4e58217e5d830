"""balaikode-singleuser: JupyterHub's single-user server without the hub's
database code, started from JupyterHub's own package as it is installed.

The single-user server imports jupyterhub.log, .utils, .metrics and .scopes,
which import the hub's ORM, roles, request handlers and SQLAlchemy: about
40 MiB of memory and a quarter of a CPU-second in every learner's server
(bench/memory.py, docs/measurements.md) for code that only the hub runs.
While JupyterHub's single-user modules are imported, this entry point lends
them stand-ins for those hub-only modules, and takes the stand-ins out of
sys.modules again afterwards, so that any later import finds the real ones:

- `sqlalchemy`, `jupyterhub.orm`, `jupyterhub.roles` (scopes.py and
  metrics.py keep them as module globals for hub-only functions): a stand-in
  imports the real module at its first attribute access, which in a
  single-user server never comes;
- `jupyterhub.handlers.pages` and `sqlalchemy.exc`, from which JupyterHub
  takes one name each at import time: `HealthCheckHandler` (log.py lowers
  the log level of the hub's health checks, which this server never serves)
  and `SQLAlchemyError` (utils.catch_db_error wraps the hub's database
  handlers only) get classes that nothing is an instance of.

Two libraries the server imports at start for what a Balai Kode server
never does at start are lent the same way for the server's whole life (a
later `import` finds the stand-in, whose first attribute access brings the
real module): `requests` (jupyterlab_server's extension listings, which are
not configured) and `websocket` (jupyter_server's remote kernel gateway,
which is not used). About 50 ms of CPU in every server start, which a class
starting at once pays 30 times (bench/class_start.py --mode burst).

(The standard library's LazyLoader does not do it: on Python 3.11 an
`import` statement of a lazy module already loads it.) The hub image does
not use this; it runs JupyterHub unchanged. `--check`, run at image build,
fails the build if a JupyterHub release moved those imports so that the
server would load the database code again.
"""

from __future__ import annotations

import importlib
import sys
import types
from contextlib import contextmanager

HUB_ONLY = ("sqlalchemy", "jupyterhub.orm", "jupyterhub.roles", "jupyterhub.handlers")
ON_FIRST_USE = ("requests", "websocket")


class _OnFirstUse(types.ModuleType):
    """A hub-only module, imported at its first attribute access."""

    def __getattr__(self, attribute):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


class _NeverRaised(Exception):
    """Stands in for SQLAlchemyError."""


class _NeverServed:
    """Stands in for the hub's HealthCheckHandler."""


def _stand_ins() -> dict[str, types.ModuleType]:
    modules = {name: _OnFirstUse(name) for name in ("sqlalchemy", "jupyterhub.orm", "jupyterhub.roles")}
    for name, attributes in (("jupyterhub.handlers.pages", {"HealthCheckHandler": _NeverServed}),
                             ("sqlalchemy.exc", {"SQLAlchemyError": _NeverRaised})):
        modules[name] = types.ModuleType(name, "Balai Kode stand-in (balaikode_server.singleuser)")
        modules[name].__dict__.update(attributes)
    return modules


@contextmanager
def _lent(modules: dict[str, types.ModuleType]):
    lent = {name: module for name, module in modules.items() if name not in sys.modules}
    sys.modules.update(lent)
    try:
        yield
    finally:
        for name, module in lent.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def import_light():
    """Import JupyterHub's single-user server the light way; returns its main."""
    with _lent(_stand_ins()):
        import jupyterhub.singleuser
        import jupyterhub.singleuser.extension  # noqa: F401  (the module the server loads)
    return jupyterhub.singleuser.main


def lend_for_life() -> None:
    """Stand-ins for ON_FIRST_USE, kept: each makes way for the real module
    at its first attribute access."""
    sys.modules.update({name: _OnFirstUse(name) for name in ON_FIRST_USE if name not in sys.modules})


def loaded_hub_only_modules() -> list[str]:
    return sorted(name for name in HUB_ONLY if name in sys.modules)


def check() -> None:
    lend_for_life()
    import_light()
    loaded = loaded_hub_only_modules()
    assert not loaded, f"the single-user server loaded hub-only modules: {loaded}"
    used = [name for name in ON_FIRST_USE if not isinstance(sys.modules[name], _OnFirstUse)]
    assert not used, f"the single-user server's imports used {used}: lending them gains nothing"
    import requests
    import websocket
    assert callable(requests.request) and callable(websocket.create_connection)
    assert not isinstance(sys.modules["requests"], _OnFirstUse)
    # The real modules load on demand: the stand-ins are gone.
    from sqlalchemy.exc import SQLAlchemyError
    import jupyterhub.scopes
    assert SQLAlchemyError is not _NeverRaised
    assert jupyterhub.scopes.sa.inspect is importlib.import_module("sqlalchemy").inspect
    assert jupyterhub.scopes.orm.User.__tablename__ == "users"
    print("balaikode-singleuser: the single-user server imports without SQLAlchemy; "
          f"{', '.join(ON_FIRST_USE)} load at first use")


def main():
    if sys.argv[1:] == ["--check"]:
        return check()
    lend_for_life()
    return import_light()()


if __name__ == "__main__":
    sys.exit(main())
