"""The spawner's side of profiles (the rules are in balaikode/profiles.py):
the Start form, the user's remembered choice and the course rule applied
to each server before it starts.

The form is shown only when a server is started on purpose from the hub's
pages (the Start button: ``/hub/spawn/NAME``), not on the automatic start
right after login (``/hub/spawn``), so a learner who just logs in goes
straight to JupyterLab with the default profile.
"""

from __future__ import annotations

import html
from typing import Any

from balaikode.profiles import KNOWN_PROFILES, course_profile, enabled_images
from tornado import web
from traitlets.config import Config

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


def apply_profiles(c: Config, s: dict[str, Any], d) -> None:
    images = enabled_images(s)
    default = next(iter(images))
    c.DockerSpawner.image = images[default]
    # DockerSpawner's own mechanism: user_options["image"] names a key of
    # this dict (checked: anything else is refused with 400).
    c.DockerSpawner.allowed_images = dict(images)
    c.DockerSpawner.options_form = make_options_form(images)
    c.DockerSpawner.apply_user_options = make_apply_user_options(images)
