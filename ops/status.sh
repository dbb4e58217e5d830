#!/usr/bin/env bash
# ./balaikode status
# The hub's health, the services, and for every learner: server state, CPU
# and memory use (Docker's stats API) and disk use of their home volume
# (measured in a throwaway container that mounts the homes read-only).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

project=$(bk_project)
image=$(bk_hub_image)
version=${image##*:}

mounts=()
while read -r key name; do
    case "$key" in home-*|course-*|exchange-*) mounts+=(-v "$name:/volumes/$key:ro") ;; esac
done < <(bk_volumes "$project")

mapfile -t learners < <(docker ps -aq --filter "label=balaikode.project=$project")
mapfile -t running < <(docker ps -q --filter "label=balaikode.project=$project")
mapfile -t services < <(docker compose ps -q 2>/dev/null)

# Everything voltool's `status` formats, in "@@ section" blocks.
collect() {
    echo "@@ project"; echo "$project"
    echo "@@ version"; echo "$version"
    echo "@@ url"; docker compose port proxy 8000 2>/dev/null || true
    echo "@@ services"; docker compose ps --all --format json 2>/dev/null || true
    echo "@@ hub-health"
    if bk_hub_answers; then
        echo ok
        echo "@@ users"
        docker compose exec -T hub balaikode-admin users </dev/null 2>/dev/null || true
    else
        echo fail
    fi
    if [ ${#learners[@]} -gt 0 ]; then
        echo "@@ containers"; docker inspect "${learners[@]}" 2>/dev/null || true
    fi
    if [ $((${#running[@]} + ${#services[@]})) -gt 0 ]; then
        echo "@@ stats"
        docker stats --no-stream --format '{{json .}}' "${running[@]}" "${services[@]}" 2>/dev/null || true
    fi
}

collect | bk_run -i --cap-drop ALL --cap-add DAC_READ_SEARCH "${mounts[@]}" "$image" \
    python3 /ops/voltool.py status
