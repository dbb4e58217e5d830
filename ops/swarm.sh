#!/usr/bin/env bash
# ./balaikode swarm [--advertise-addr ADDRESS]: learners' servers become
# Docker Swarm services (docs/scaling.md). Makes this machine a swarm manager
# if it is not one, and turns the setting on in the settings file together
# with the overlay networks of docker-compose.swarm.yml (COMPOSE_FILE, which
# a plain `docker compose` reads too), then starts the stack again.
# ./balaikode swarm --off: back to plain containers (the swarm is left as it is).
# ./balaikode swarm --join-command: the line to type on another machine to
# add it (./balaikode join).
# Learners' files, accounts and courses stay where they are.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/ops/host.sh"
cd "$ROOT"

usage="usage: ./balaikode swarm [--advertise-addr ADDRESS] | swarm --off | swarm --join-command"
address=""
off=0
join_command=0
while [ $# -gt 0 ]; do
    case "$1" in
        --advertise-addr) [ -n "${2:-}" ] || die "$usage"; address=$2; shift 2 ;;
        --off) off=1; shift ;;
        --join-command) join_command=1; shift ;;
        *) die "$usage" ;;
    esac
done

need_root swarm
project=$(bk_project)
env_file=$(bk_env_file)
[ -f "$env_file" ] || die "no settings file $env_file: install first (./balaikode install)"

# Set KEY=VALUE in the settings file, replacing an earlier line of KEY.
set_setting() {
    if grep -q "^$1=" "$env_file"; then
        sed -i "s|^$1=.*|$1=$2|" "$env_file"
    else
        printf '%s=%s\n' "$1" "$2" >> "$env_file"
    fi
}

SWARM_FILES=docker-compose.yml:docker-compose.swarm.yml
settings_on() { set_setting BALAIKODE_SWARM true; set_setting COMPOSE_FILE "$SWARM_FILES"; ensure_node_secret; }
# The key the hub and other machines' disks services share (made once).
node_secret() { env_value BALAIKODE_NODE_SECRET ""; }
ensure_node_secret() {
    [ -n "$(node_secret)" ] || set_setting BALAIKODE_NODE_SECRET "$(tr -dc A-Za-z0-9 </dev/urandom | head -c 40)"
}
print_join_command() {
    local address
    address=$(docker info --format '{{.Swarm.NodeAddr}}')
    echo "sudo ./balaikode join --manager $address:2377 --token $(docker swarm join-token -q worker)" \
         "--secret $(node_secret) --project $project"
}

if [ "$join_command" = 1 ]; then
    [ "$off" = 0 ] && [ -z "$address" ] || die "$usage"
    [ "$(env_value BALAIKODE_SWARM false)" = true ] && [ -n "$(node_secret)" ] \
        || die "this server is not on Docker Swarm yet: sudo ./balaikode swarm first"
    echo "On the other machine, in a copy of this release with its images built or loaded, run:"
    print_join_command
    exit 0
fi
settings_off() {
    set_setting BALAIKODE_SWARM false
    sed -i "/^COMPOSE_FILE=${SWARM_FILES//./\\.}\$/d" "$env_file"
}

# The learner networks change driver, which Docker only does by making them
# anew: no learner server may be on them then. Stopping them here would lose
# unsaved notebooks, so the admin does it knowingly.
learner_containers() {  # learner_containers [DOCKER-PS-FILTER...]: how many run
    docker ps -q --filter "label=balaikode.project=$project" --filter "label=balaikode.role=learner" "$@" | wc -l
}
# A swarm task's container whose service the hub removed: swarm ends it a few seconds later.
no_task_containers() { [ "$(learner_containers --filter label=com.docker.swarm.task.id)" = 0 ]; }
no_learner_servers() {
    local services=0 containers tasks servers
    if [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ]; then
        services=$(docker service ls -q --filter "label=balaikode.project=$project" | wc -l)
    fi
    containers=$(learner_containers)
    tasks=$(learner_containers --filter label=com.docker.swarm.task.id)
    servers=$((services + containers - tasks))
    [ "$servers" = 0 ] \
        || die "$servers learner servers are running: stop them first (admin page /hub/admin, \"Stop All\"), then run this again"
    [ "$tasks" = 0 ] || wait_for 60 "the stopped servers' containers to end" no_task_containers
}

restart_stack() {
    say "Stopping the stack (files, accounts and courses stay)"
    docker compose down
    "$@"
    say "Starting it again"
    docker compose up -d
    bk_wait_hub 180 || die "the hub did not come back; see ./balaikode logs hub"
}

if [ "$off" = 1 ]; then
    [ -z "$address" ] || die "$usage"
    no_learner_servers
    # COMPOSE_FILE is read when compose starts: `down` must still see the
    # overlay networks, so the file changes between down and up.
    restart_stack settings_off
    say "Done. Learners' servers are plain containers again; this machine is still in its swarm (docker swarm leave --force, if nothing else uses it)."
    exit 0
fi

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
case "$state" in
    active)
        [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] \
            || die "this machine is a worker of another swarm: run ./balaikode swarm on its manager" ;;
    inactive)
        if [ -z "$address" ]; then
            # The address other machines of the class's network reach this one at.
            address=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
            [ -n "$address" ] || die "cannot tell this machine's address; give it: $usage"
        fi
        docker swarm init --advertise-addr "$address" >/dev/null
        say "This machine is now a Docker Swarm manager at $address" ;;
    *) die "Docker's swarm state is '$state'; wait for it to settle, or see 'docker info'" ;;
esac

no_learner_servers
if [ "$(env_value BALAIKODE_SWARM false)" = true ] && docker network inspect -f '{{.Driver}}' "${project}_learners" 2>/dev/null | grep -qx overlay; then
    if [ -z "$(node_secret)" ]; then
        # Switched before other machines could join: the hub needs the key.
        ensure_node_secret
        docker compose up -d
        bk_wait_hub 180 || die "the hub did not come back; see ./balaikode logs hub"
    fi
    say "Already on Docker Swarm. To add a machine, run this on it:"
    print_join_command
    exit 0
fi
restart_stack settings_on
say "Done. Learners' servers now run as swarm services (docker service ls). To add a machine, run this on it:"
print_join_command
