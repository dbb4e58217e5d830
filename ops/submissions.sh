#!/usr/bin/env bash
# ./balaikode submissions COURSE [--remove NAME | --remove-all] [--assignment A]
# What each learner's submissions take in a course's exchange, and removing
# them (a learner who used up her share, or a course starting over). Runs the
# learner image's balaikode_nbgrader.deposit as root in a throwaway container
# with only that exchange mounted.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage="usage: ./balaikode submissions COURSE [--remove NAME | --remove-all] [--assignment ASSIGNMENT]"
course=${1:-}
[ -n "$course" ] || die "$usage"
shift
action=(--usage)
while [ $# -gt 0 ]; do
    case "$1" in
        --remove) [ -n "${2:-}" ] || die "$usage"; action=(--remove "$2"); shift 2 ;;
        --remove-all) action=(--remove '*'); shift ;;
        --assignment) [ -n "${2:-}" ] || die "$usage"; action+=(--assignment "$2"); shift 2 ;;
        *) die "$usage" ;;
    esac
done

images=$(docker compose config --images 2>/dev/null) || die "cannot read docker-compose.yml (docker compose config)"
image=$(grep '^balaikode/python:' <<<"$images" | sed -n 1p)
[ -n "$image" ] || die "no balaikode/python image in docker-compose.yml"
# The course-name rule is the image's copy of src/balaikode/names.py.
bk_run --entrypoint python3 "$image" -I -m balaikode.names course "$course" || die "$usage"
volume="$(bk_project)-exchange-$course"
docker volume inspect "$volume" >/dev/null 2>&1 || die "course $course has no exchange (no volume $volume); ./balaikode courses lists the courses"

bk_run --user 0:0 --cap-drop ALL --cap-add DAC_OVERRIDE --cap-add FOWNER \
    -v "$volume:/exchange" --entrypoint python3 "$image" -I \
    -m balaikode_nbgrader.deposit --text "${action[@]}"
