# Import paths are in pytest.ini (pythonpath): the same code the containers run.

# Real-stack fixtures (stack, admin, new_learner, ...) for integration,
# browser and security tests. Importing them here registers them.
from support.browser import chromium  # noqa: F401
from support.stack import (  # noqa: F401
    admin, built_images, debian_image, make_course, new_learner, pytest_runtest_makereport, stack)
from support.swarm import swarm_engine, swarm_learner, swarm_stack  # noqa: F401
