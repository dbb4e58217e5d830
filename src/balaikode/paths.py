"""Where things live inside Balai Kode's containers (docker-compose.yml
mounts them there). One place, so a moved volume is one edit."""

from pathlib import Path as P

# The repository's code, mounted read-only into the hub and the services.
HUB_CONFIG = P("/srv/balaikode/hub_config")
TEMPLATES = HUB_CONFIG / "templates"
LOGO = HUB_CONFIG / "static" / "balaikode-logo.svg"

# The hub's own data volume: database, cookie secret, admin password.
HUB_DATA = P("/srv/jupyterhub/data")
# The grader's API token (written by the hub, read by the grader).
GRADER_TOKEN = P("/srv/grader-secret/token")
# The disks service: its socket (a volume only the hub shares) and its images.
DISKS_SOCKET = P("/srv/balaikode/disks-socket/disks.sock")
DISK_IMAGES = P("/srv/balaikode/disks")

# Inside learner containers: nbgrader's exchange and the courses trainers grade.
EXCHANGE = P("/srv/nbgrader/exchange")
COURSES = P("/srv/nbgrader/courses")
