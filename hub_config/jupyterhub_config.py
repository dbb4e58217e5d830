# Balai Kode hub configuration. Site settings belong in .env (see
# docs/settings.md), not here: this file only hands them to balaikode_hub.
from balaikode_hub.config import configure

configure(c)  # noqa: F821 (c is provided by JupyterHub)
