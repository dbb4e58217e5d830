import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The hub's config package is what the hub image runs (mounted read-only);
# the repository root holds graders/.
sys.path.insert(0, str(REPO / "hub_config"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

# Real-stack fixtures (stack, admin, new_learner, ...) for integration,
# browser and security tests. Importing them here registers them.
from support.browser import chromium  # noqa: E402,F401
from support.stack import (  # noqa: E402,F401
    admin, built_images, make_course, new_learner, pytest_runtest_makereport, stack)
