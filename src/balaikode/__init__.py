"""Balai Kode's shared package: what the hub, the services and the learner
image all agree on. See docs/architecture.md for the map.

Shared modules (imported by everything, importing nothing of the project's):

- ``names``: the rules for user, course and assignment names;
- ``paths``: where things live inside the containers;
- ``settings``: the site settings' schema, defaults and validation;
- ``profiles``: which learner image a profile or a course runs;
- ``disks_socket``: how the hub asks the disks service.

Services, each in its own folder (they import the shared modules above,
never each other, never the hub's ``balaikode_hub``):

- ``grader``: the grading sandbox and the course exchange's writer;
- ``disks``: size-limited homes and exchanges on loop devices;
- ``firewall``: keeps learner networks off the host's own services.

This file stays empty of imports: the learner image carries only
``balaikode/names.py`` beside it.
"""
