"""Balai Kode's JupyterHub configuration: settings -> traitlets config.

jupyterhub_config.py calls config.configure(); settings.py holds the schema.
Kept import-free so `python -m balaikode_hub settings-doc` needs no JupyterHub.
"""
