"""python -m balaikode settings-doc: print docs/settings.md's table."""

import sys

from .settings import settings_reference

if sys.argv[1:] == ["settings-doc"]:
    sys.stdout.write(settings_reference())
else:
    sys.exit("usage: python -m balaikode settings-doc")
