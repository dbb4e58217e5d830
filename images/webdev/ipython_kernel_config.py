# Every IPython kernel in the web-dev image loads the %%php cell magic
# (balaikode_webdev/php_magic.py). /opt/venv/etc/ipython is IPython's
# per-environment config folder; a learner's own profile can still add more.
c = get_config()  # noqa: F821
c.InteractiveShellApp.extensions = ["balaikode_webdev.php_magic"]
