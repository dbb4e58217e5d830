"""The hub's Jinja environment as JupyterHub builds it (app.py
init_tornado_settings, the same in 5.5.4 and 6.1.1), for tests that render or
read Balai Kode's templates without a hub."""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub._data import DATA_FILES_PATH
from nativeauthenticator.handlers import TEMPLATE_DIR as NATIVE_TEMPLATES

from balaikode_hub.language import LanguageExtension

REPO = Path(__file__).resolve().parents[2]
OURS = REPO / "hub_config" / "templates"
HUB_TEMPLATES = Path(DATA_FILES_PATH) / "templates"


def environment(enable_async: bool = False) -> Environment:
    """JupyterHub's loaders: its own templates under the prefix "templates/",
    then c.JupyterHub.template_paths (Balai Kode's folder, then JupyterHub's);
    plus the ChoiceLoader NativeAuthenticator appends for its own templates."""
    hub_loader = ChoiceLoader([
        PrefixLoader({"templates": FileSystemLoader([str(HUB_TEMPLATES)])}, "/"),
        FileSystemLoader([str(OURS), str(HUB_TEMPLATES)]),
    ])
    return Environment(loader=ChoiceLoader([hub_loader, FileSystemLoader([NATIVE_TEMPLATES])]),
                       autoescape=True, enable_async=enable_async,
                       extensions=[LanguageExtension])
