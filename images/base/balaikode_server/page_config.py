"""JupyterLab and Notebook 7 pages download no extension that is switched off.

JupyterLab loads every federated extension's code at start, also one whose
every plugin `disabledExtensions` turns off (it only skips the styles). For
learners that was 210 KB of 1.6 MB on a cold load over a village link
(ipywidgets' manager, the Notebook 7 switcher, nbconvert's pygments styles:
bench/page_weight.py). Installed as tornado's `page_config_hook`, which both
the JupyterLab and the Notebook 7 page handlers call: an extension disabled
by its whole name is left out of the page's `federated_extensions`, so the
browser never asks for it. Disabling single plugins (`name:plugin`) keeps
the extension, as before.

JupyterHub's single-user extension sets the hook too (the hub's address and
the page's token), replacing any set in the config: `install` runs once
every extension is loaded and puts this one after JupyterHub's.
"""

from __future__ import annotations


def drop_disabled_extensions(handler, page_config: dict) -> dict:
    """A copy of `page_config` without the federated extensions that are
    disabled by name (the handlers share one page_config dict between
    requests: it is never changed in place)."""
    disabled = set(page_config.get("disabledExtensions") or ())
    extensions = page_config.get("federated_extensions") or []
    kept = [extension for extension in extensions if extension.get("name") not in disabled]
    if len(kept) == len(extensions):
        return page_config
    return {**page_config, "federated_extensions": kept}


def install(settings: dict) -> None:
    """Chain drop_disabled_extensions after the hook already in the web
    application's settings (JupyterHub's), if any."""
    earlier = settings.get("page_config_hook")

    def hook(handler, page_config: dict) -> dict:
        if earlier is not None:
            page_config = earlier(handler, page_config)
        return drop_disabled_extensions(handler, page_config)

    settings["page_config_hook"] = hook
