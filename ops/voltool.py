"""Balai Kode's volume tool, run by ops/*.sh inside a throwaway container of
the hub image (it has python3 and sqlite3), so the server itself needs
nothing but Docker. The stack's volumes are mounted at /volumes/KEY, where KEY
is the volume name without the compose project: hub-data, proxy-secret,
grader-secret, home-NAME, course-COURSE, exchange-COURSE.

    backup   write a tar.gz of /volumes/* (+ /site/env) to stdout
    inspect  check a whole archive on stdin and print what it holds
    check    tell which mounted volumes already hold data
    restore  extract an archive from stdin into /volumes/*
    verify   compare /volumes/* with a manifest (sha256, owner, mode, mtime)
    status   the admin's table: Docker's answers from /facts, disk use of /volumes/*

The work is done by the modules of ops/volumes/ (one job each; the archive
format is described in volumes/archive_format.py); this file is the command
line the scripts call.
"""

from __future__ import annotations

import argparse
import json
import sys

from volumes import archive_check, backup, existing_data, restore, status, verify
from volumes.messages import Refused

SITE_ENV = "/site/env"


def cmd_backup(args) -> int:
    volumes = []
    for item in args.volume:
        key, _, name = item.partition("=")
        volumes.append((key, name))
    backup.write_backup(sys.stdout.buffer, project=args.project, version=args.version,
                        volumes=volumes, volumes_root=args.volumes, site_env=args.site_env)
    return 0


def cmd_inspect(args) -> int:
    print("\n".join(archive_check.inspect_lines(archive_check.check_archive(sys.stdin.buffer))))
    return 0


def cmd_check(args) -> int:
    for line in existing_data.check_lines(args.volumes):
        print(line)
    return 0


def cmd_restore(args) -> int:
    problems = restore.restore_archive(sys.stdin.buffer, args.volumes, args.out)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def cmd_verify(args) -> int:
    with open(args.manifest) as handle:
        manifest = json.load(handle)
    problems, checked = verify.verify_volumes(manifest, args.volumes)
    for problem in problems:
        print(problem)
    print(f"checked {checked} entries against the manifest: "
          f"{'all match' if not problems else f'{len(problems)} difference(s)'}")
    return 1 if problems else 0


def cmd_status(args) -> int:
    print(status.report(project=args.project, version=args.version, url=args.url,
                        hub_health=args.hub_health, facts=status.read_facts(args.facts),
                        volumes_root=args.volumes))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="voltool", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--volumes", default="/volumes", help="where the volumes are mounted")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("backup")
    p.add_argument("--project", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--volume", action="append", default=[], help="KEY=NAME, mounted at /volumes/KEY")
    p.add_argument("--site-env", default=SITE_ENV, help="the settings file, if there is one")
    sub.add_parser("inspect")
    sub.add_parser("check")
    p = sub.add_parser("restore")
    p.add_argument("--out", default="/out")
    p = sub.add_parser("verify")
    p.add_argument("--manifest", default="/out/MANIFEST.json")
    p = sub.add_parser("status")
    p.add_argument("--project", default="")
    p.add_argument("--version", default="")
    p.add_argument("--url", default="", help="the proxy's published address, HOST:PORT")
    p.add_argument("--hub-health", choices=("ok", "fail"), default="fail")
    p.add_argument("--facts", default="/facts", help="the folder status.sh filled")
    return top


COMMANDS = {"backup": cmd_backup, "inspect": cmd_inspect, "check": cmd_check,
            "restore": cmd_restore, "verify": cmd_verify, "status": cmd_status}


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except Refused as refusal:
        for detail in refusal.details:
            print(f"voltool: {detail}", file=sys.stderr)
        print(f"voltool: {refusal}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a volume not writable: said, not a traceback
        print(f"voltool: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
