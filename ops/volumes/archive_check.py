"""inspect: read a whole archive and check it before anything is changed.
The manifest is there (the archive is complete), every member follows the
rules restore will apply, and every member matches the manifest (every
file's content its sha256)."""

from __future__ import annotations

from .archive_format import (INCOMPLETE, MemberRules, compare_with_manifest, damage_is_refused,
                             members, open_for_reading, read_header, read_json, sha256_of,
                             volume_keys, volume_part)
from .messages import Refused

SHOWN_PROBLEMS = 20


def check_archive(stream) -> dict:
    """What the archive holds: its header's project, version, date,
    settings (bool) and volume keys; bytes per volume (its files' total
    size); files (the manifest's number of entries). Refuses an archive that
    is damaged, incomplete, breaks a rule or differs from its manifest; the
    first differences are the refusal's details."""
    with damage_is_refused():
        tar = open_for_reading(stream)
        header, first = read_header(tar)
        keys = volume_keys(header)
        rules = MemberRules(keys)
        hashes: dict[str, str] = {}
        sizes = dict.fromkeys(keys, 0)
        manifest = None
        for member in members(tar, first):
            kind = rules.check(member)
            if kind == "manifest":
                manifest = read_json(tar, member)
            elif kind == "file":
                hashes[member.name] = sha256_of(tar.extractfile(member))
                if member.name.startswith("volumes/"):
                    sizes[volume_part(member.name)[0]] += member.size
    if manifest is None:
        raise Refused(INCOMPLETE)
    problems = compare_with_manifest(manifest, rules.types, hashes)
    if problems:
        raise Refused(f"{len(problems)} entr{'y' if len(problems) == 1 else 'ies'} of the archive "
                      f"do not match its manifest: it is damaged or was altered",
                      details=problems[:SHOWN_PROBLEMS])
    return {**{field: header[field] for field in ("project", "version", "date", "settings")},
            "volumes": keys, "bytes": sizes, "files": len(manifest["files"])}


def inspect_lines(summary: dict) -> list[str]:
    """The lines restore.sh reads: `project P`, `version V`, `date D`,
    `settings yes|no`, `volume KEY` for each volume, `bytes KEY N`, `files N`."""
    lines = [f"{field} {summary[field]}" for field in ("project", "version", "date")]
    lines.append(f"settings {'yes' if summary['settings'] else 'no'}")
    lines += [f"volume {key}" for key in summary["volumes"]]
    lines += [f"bytes {key} {size}" for key, size in summary["bytes"].items()]
    lines.append(f"files {summary['files']}")
    return lines
