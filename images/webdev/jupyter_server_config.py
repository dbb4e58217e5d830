# Web-dev image: server settings on top of the base image's
# /etc/jupyter/jupyter_server_config.py. Jupyter reads both folders; this
# file sets only ServerProxy, which the base does not touch.
# The live preview's logged-in entry, /user/NAME/balaikode-preview/, which
# starts PHP's built-in web server for ~/web and hands over to the sandboxed
# pages of the balaikode_webdev.preview server extension
# (jupyter_server_config.d/balaikode_webdev.json). See balaikode_webdev/preview.py.
from balaikode_webdev.preview import ENTRY, preview_server

c = get_config()  # noqa: F821
c.ServerProxy.servers = {ENTRY: preview_server()}
