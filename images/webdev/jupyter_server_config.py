# Web-dev image: server settings on top of the base image's
# /etc/jupyter/jupyter_server_config.py. Jupyter reads both folders; this
# file sets only ServerProxy, which the base does not touch.
# The live preview: /user/NAME/balaikode-preview/ serves ~/web with PHP's
# built-in web server, through jupyter-server-proxy, behind the server's own
# login. See balaikode_webdev/preview.py.
from balaikode_webdev.preview import preview_server

c = get_config()  # noqa: F821
c.ServerProxy.servers = {"balaikode-preview": preview_server()}
