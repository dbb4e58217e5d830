import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The hub's config package is what the hub image runs (mounted read-only).
sys.path.insert(0, str(REPO / "hub_config"))
