"""Profiles: which learner image (Python or Web) a server runs.

A profile is a name, an image and a label for the spawn form:

- ``python``: BALAIKODE_LEARNER_IMAGE (balaikode/python), the Python track;
- ``webdev``: BALAIKODE_WEBDEV_IMAGE (balaikode/webdev): HTML, CSS,
  JavaScript (Deno kernel, Node.js) and PHP, with the live preview.

BALAIKODE_PROFILES lists the ones offered (empty: all whose image is set).
Both images are built on balaikode/base and start the same way, so every
other spawner setting (limits, volumes, courses) applies to both.

Which one a server gets, first match wins:

1. the user's explicit choice, ``user_options["image"]`` (DockerSpawner's own
   key): the spawn form, a link such as ``/hub/spawn?image=webdev``, or the
   REST API (``POST /hub/api/users/NAME/server`` with ``{"image": "webdev"}``).
   JupyterHub keeps the last options in its database and reuses them when a
   server is started without any, so a choice is remembered;
2. the course rule: a member (learner or trainer) of a course whose id starts
   with ``web-`` gets ``webdev``;
3. the first profile in BALAIKODE_PROFILES.

The hub applies them to each server (hub_config/balaikode_hub/profile_choice.py);
the grader runs a course's notebooks in the image its course rule gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .settings import SettingsError

WEB_COURSE_PREFIX = "web-"


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    description: str
    setting: str  # the setting that names its image


KNOWN_PROFILES = {
    "python": Profile(
        "python", "Python",
        "Untuk kelas Python: notebook Python, grafik (matplotlib) dan terminal.",
        "BALAIKODE_LEARNER_IMAGE"),
    "webdev": Profile(
        "webdev", "Web (HTML, CSS, JavaScript, PHP)",
        "Untuk kelas membuat situs web: HTML, CSS, JavaScript (Node.js dan notebook "
        "JavaScript), PHP, dan Pratinjau Web untuk melihat halamanmu di tab baru.",
        "BALAIKODE_WEBDEV_IMAGE"),
}


def enabled_images(s: dict[str, Any]) -> dict[str, str]:
    """{profile name: image} of the offered profiles, default first."""
    wanted = s.get("BALAIKODE_PROFILES")
    if wanted is None:  # not set: every profile whose image is known
        return {name: s[p.setting] for name, p in KNOWN_PROFILES.items() if s.get(p.setting)}
    missing = [KNOWN_PROFILES[name].setting for name in wanted if not s.get(KNOWN_PROFILES[name].setting)]
    if missing:
        raise SettingsError([f"{key}: not set, but BALAIKODE_PROFILES offers its profile"
                             for key in missing])
    return {name: s[KNOWN_PROFILES[name].setting] for name in wanted}


def course_profile(course_ids, images: dict[str, str]) -> str | None:
    """The profile the course rule gives to a member of these courses, if any."""
    if "webdev" in images and any(c.startswith(WEB_COURSE_PREFIX) for c in course_ids):
        return "webdev"
    return None


def course_image(s: dict[str, Any], course: str) -> str:
    """Image for running a course's notebooks (e.g. the grading sandbox):
    the course rule, else the default profile."""
    images = enabled_images(s)
    return images[course_profile([course], images) or next(iter(images))]
