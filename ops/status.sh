#!/usr/bin/env bash
# ./balaikode status
# The hub's health, the services, and for every learner: server state, CPU
# and memory use (Docker's stats API) and disk use of their home volume
# (measured in a throwaway container that mounts the homes read-only).
#
# Docker's and the hub's answers are saved here, each as it comes (JSON from
# Docker), in a folder the throwaway container reads (ops/volumes/status.py
# names the files). The container itself gets no Docker socket: it reads
# every learner's files, and the socket would let it do anything on the host.
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

facts=$(mktemp -d)
trap 'rm -rf "$facts"' EXIT
docker compose ps --all --format json >"$facts/services.json" 2>/dev/null || true
hub_health=fail
if bk_hub_answers; then
    hub_health=ok
    docker compose exec -T hub balaikode-admin users </dev/null >"$facts/users.tsv" 2>/dev/null || true
fi
if [ ${#learners[@]} -gt 0 ]; then
    docker inspect "${learners[@]}" >"$facts/containers.json" 2>/dev/null || true
fi
if [ $((${#running[@]} + ${#services[@]})) -gt 0 ]; then
    docker stats --no-stream --format '{{json .}}' "${running[@]}" "${services[@]}" \
        >"$facts/stats.json" 2>/dev/null || true
fi
url=$( (docker compose port proxy 8000 2>/dev/null || true) | sed -n 1p)

bk_run --cap-drop ALL --cap-add DAC_READ_SEARCH "${mounts[@]}" -v "$facts:/facts:ro" "$image" \
    python3 /ops/voltool.py status --project "$project" --version "$version" --url "$url" \
    --hub-health "$hub_health"
