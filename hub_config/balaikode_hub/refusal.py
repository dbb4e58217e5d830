"""Why a learner's server did not start, in words she can act on."""

from __future__ import annotations


class StartRefused(RuntimeError):
    """A start refused for a reason the learner (or her admin) can act on.

    JupyterHub's progress stream shows any exception's text after "Spawn
    failed:", but its start page, once reloaded (or when the stream asked
    while the hub was still cleaning up, which it answers with a bare
    400), shows only an exception's ``jupyterhub_message``."""

    @property
    def jupyterhub_message(self) -> str:
        return str(self)
