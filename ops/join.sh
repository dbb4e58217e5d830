#!/usr/bin/env bash
# ./balaikode join --manager ADDRESS --token TOKEN --secret SECRET [--project NAME]
#                  [--advertise-addr ADDRESS]
# Makes this machine another machine of a Balai Kode swarm (docs/scaling.md):
# it joins the main server's swarm as a worker and starts this machine's
# disks and firewall services (docker-compose.node.yml). The main server's
# `./balaikode swarm --join-command` prints the whole line to type here.
# Needs the release's images on this machine first (./balaikode build, or
# ./balaikode install --bundle FILE --no-start from the same bundle).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/ops/host.sh"
cd "$ROOT"

usage="usage: ./balaikode join --manager ADDRESS --token TOKEN --secret SECRET [--project NAME] [--advertise-addr ADDRESS]"
manager="" token="" secret="" project=balaikode advertise=""
while [ $# -gt 0 ]; do
    [ -n "${2:-}" ] || die "$usage"
    case "$1" in
        --manager) manager=$2 ;;
        --token) token=$2 ;;
        --secret) secret=$2 ;;
        --project) project=$2 ;;
        --advertise-addr) advertise=$2 ;;
        *) die "$usage" ;;
    esac
    shift 2
done
[ -n "$manager" ] && [ -n "$token" ] && [ -n "$secret" ] || die "$usage"
need_root join
[[ "$secret" =~ ^[A-Za-z0-9]{32,}$ ]] || die "--secret: copy it whole from the main server's ./balaikode swarm --join-command"
[[ "$project" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "--project: the main server's project name (lowercase letters, digits, - and _)"
case "$manager" in *:*) ;; *) manager="$manager:2377" ;; esac
docker info >/dev/null 2>&1 || die "Docker is not running here: sudo ./balaikode setup first"

# The learners' servers and this machine's services run the release's images
# (balaikode/base only builds the others).
missing=$(docker compose -f docker-compose.yml config --images | grep -v '^balaikode/base:' | while read -r image; do
    docker image inspect "$image" >/dev/null 2>&1 || echo "$image"; done)
[ -z "$missing" ] || die "these images are not on this machine: $(echo $missing). Build them (sudo ./balaikode build) or load the main server's bundle, then run this again"

if [ -f .env ] && ! grep -qx "COMPOSE_FILE=docker-compose.node.yml" .env; then
    die "this folder already holds a Balai Kode server (.env): join from a fresh copy of the release"
fi

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case "$state" in
    inactive)
        say "Joining the swarm of $manager"
        docker swarm join --token "$token" ${advertise:+--advertise-addr "$advertise"} "$manager" >/dev/null ;;
    active)
        [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = false ] \
            || die "this machine is a swarm manager (a main server?): join only fresh machines" ;;
    *) die "Docker's swarm state is '$state'; wait for it to settle, or see 'docker info'" ;;
esac

node=$(docker info --format '{{.Name}}')
[[ "$node" =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || die "this machine's name '$node' is not a plain host name: rename it, then run this again"
(umask 077; cat > .env <<SETTINGS
# Another machine of the Balai Kode swarm of $manager (./balaikode join).
COMPOSE_PROJECT_NAME=$project
COMPOSE_FILE=docker-compose.node.yml
BALAIKODE_NODE_NAME=$node
BALAIKODE_NODE_SECRET=$secret
SETTINGS
)
say "Starting this machine's disks and firewall"
docker compose up -d
wait_for 180 "the disks service (docker compose logs disks)" \
    sh -c '[ "$(docker inspect -f "{{.State.Health.Status}}" "$(docker compose ps -q disks)")" = healthy ]'
say "Done. $node takes new learners' homes from now on; the main server's hub places them."
