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

The form is shown only when a server is started on purpose from the hub's
pages (the Start button: ``/hub/spawn/NAME``), not on the automatic start
right after login (``/hub/spawn``), so a learner who just logs in goes
straight to JupyterLab with the profile above.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from tornado import web
from traitlets.config import Config

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


def default_profile(spawner, images: dict[str, str]) -> str:
    """Profile of a server started without an explicit choice (rules 2 and 3)."""
    from .courses import courses_of  # needs JupyterHub; course_image() does not

    teaches, learns = courses_of(spawner.user)
    return course_profile([*teaches, *learns], images) or next(iter(images))


def chosen_profile(spawner, images: dict[str, str]) -> str:
    """The profile this server will run (rules 1 to 3)."""
    choice = (spawner.user_options or {}).get("image")
    if isinstance(choice, str) and choice in images:
        return choice
    return default_profile(spawner, images)


def make_apply_user_options(images: dict[str, str]):
    """Spawner.apply_user_options (JupyterHub 5.3+; it runs before every start,
    with the options given or remembered): set the image of the chosen
    profile, or of the default one. An unknown choice is refused (400)."""

    def apply_user_options(spawner, user_options) -> None:
        choice = (user_options or {}).get("image")
        if choice in KNOWN_PROFILES and choice not in images:
            # A remembered choice the site no longer offers (BALAIKODE_PROFILES
            # changed): start with the default rather than refuse to start.
            spawner.log.warning("%s: profile %r is not offered; using the default",
                                spawner._log_name, choice)
            spawner.user_options = {k: v for k, v in user_options.items() if k != "image"}
            choice = None
        if choice:
            if choice not in images:
                raise web.HTTPError(400, f"Profil {choice!r} tidak ada (unknown profile); "
                                         f"pilih: {', '.join(images)}")
            spawner.image = images[choice]
        else:
            spawner.image = images[default_profile(spawner, images)]

    return apply_user_options


def _started_on_purpose(spawner) -> bool:
    """True for /hub/spawn/NAME (the Start buttons), False for the bare
    /hub/spawn that JupyterHub sends a user to right after login."""
    handler = getattr(spawner, "handler", None)
    if handler is None:
        return False
    path = handler.request.path.rstrip("/")
    return not path.endswith("/spawn")


def render_form(images: dict[str, str], selected: str) -> str:
    """The spawn form's fields (JupyterHub adds the <form> and the Start button)."""
    choices = []
    for name in images:
        profile = KNOWN_PROFILES[name]
        checked = " checked" if name == selected else ""
        choices.append(
            f'<div class="form-check balaikode-profile">\n'
            f'  <input class="form-check-input" type="radio" name="image" id="profil-{name}"'
            f' value="{name}" aria-describedby="profil-{name}-info"{checked}>\n'
            f'  <label class="form-check-label" for="profil-{name}"><strong>{html.escape(profile.label)}</strong></label>\n'
            f'  <p class="form-text" id="profil-{name}-info">{html.escape(profile.description)}</p>\n'
            f'</div>')
    return (
        '<fieldset class="balaikode-profiles">\n'
        '<legend>Pilih lingkungan kerja</legend>\n'
        '<p>Pilihanmu diingat untuk lain kali. File di folder rumahmu tetap sama '
        'di kedua lingkungan.</p>\n'
        + "\n".join(choices) + '\n</fieldset>')


def make_options_form(images: dict[str, str]):
    def options_form(spawner) -> str:
        if len(images) < 2 or not _started_on_purpose(spawner):
            return ""
        return render_form(images, chosen_profile(spawner, images))

    return options_form


def course_image(s: dict[str, Any], course: str) -> str:
    """Image for running a course's notebooks (e.g. the grading sandbox):
    the course rule, else the default profile."""
    images = enabled_images(s)
    return images[course_profile([course], images) or next(iter(images))]


def apply_profiles(c: Config, s: dict[str, Any], d) -> None:
    images = enabled_images(s)
    default = next(iter(images))
    c.DockerSpawner.image = images[default]
    # DockerSpawner's own mechanism: user_options["image"] names a key of
    # this dict (checked: anything else is refused with 400).
    c.DockerSpawner.allowed_images = dict(images)
    c.DockerSpawner.options_form = make_options_form(images)
    c.DockerSpawner.apply_user_options = make_apply_user_options(images)
