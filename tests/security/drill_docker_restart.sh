#!/bin/sh
# Manual drill: restart the Docker daemon under a running Balai Kode and check
# that nothing is lost. Part of the safety battery (tests/security/), but NOT
# run by the test suite: restarting dockerd stops every container on the
# machine, other people's included. Run it on a server you own, outside class
# hours, before trusting a new installation or a Docker upgrade.
#
# Usage, as root, in the Balai Kode folder (the one with docker-compose.yml):
#
#   sh tests/security/drill_docker_restart.sh                  # asks before restarting
#   sh tests/security/drill_docker_restart.sh --yes --start budi
#
#   --project NAME   compose project (default: balaikode, or $COMPOSE_PROJECT_NAME)
#   --port PORT      published port (default: $BALAIKODE_PORT or 8000)
#   --start NAME     after the restart, start NAME's server through the hub API
#                    and check it becomes ready (NAME must be a hub user)
#   --yes            do not ask for confirmation
#   --no-restart     rehearsal: every step and check except the restart itself
#                    (safe to run any time; used to test this script)
#
# It needs only docker (with compose v2), sh, curl and sha256sum; not the
# ./balaikode script or ops/.
#
# What it does and checks:
#   1. Before: the hub answers /hub/health; it notes the running learner
#      containers and a sha256 list of every file in every learner's home
#      volume (PROJECT-home-*), read by a throwaway container without network.
#   2. Restarts the Docker daemon: `systemctl restart docker` where systemd
#      runs, else `service docker restart`, else SIGTERM to dockerd and a new
#      `dockerd` in the background (log in /var/log/dockerd.log).
#   3. After: waits for `docker info`, then for proxy, hub and grader to be
#      running again (restart: unless-stopped) and the hub to answer.
#   4. Checks, each printed as PASS or FAIL:
#      - every home volume still exists and every file has the same checksum;
#      - proxy, hub and grader are running;
#      - the hub knows which learner servers died with the daemon (learner
#        containers have no restart policy: the hub lists them as stopped,
#        and a learner simply starts again);
#      - with --start NAME: NAME's server starts and is ready within 180 s.
#   Exit status 0 when every check passed, 1 otherwise.
set -eu

project=${COMPOSE_PROJECT_NAME:-balaikode}
port=${BALAIKODE_PORT:-8000}
start_user=""
assume_yes=no
restart=yes
while [ $# -gt 0 ]; do
    case $1 in
        --project) project=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --start) start_user=$2; shift 2 ;;
        --yes) assume_yes=yes; shift ;;
        --no-restart) restart=no; assume_yes=yes; shift ;;
        -h|--help) sed -n '2,42p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

[ "$(id -u)" = 0 ] || { echo "run as root (it restarts the Docker daemon)" >&2; exit 2; }
hub="$project-hub-1"
url="http://127.0.0.1:$port"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every second.
wait_for() {
    limit=$1; what=$2; shift 2
    i=0
    until "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -ge "$limit" ]; then
            echo "timed out after ${limit}s waiting for $what" >&2
            return 1
        fi
        sleep 1
    done
}

hub_healthy() { curl -fsS --max-time 5 "$url/hub/health"; }

# The hub image has sha256sum and find; it is the one image every site has.
image=$(docker inspect -f '{{.Config.Image}}' "$hub")

checksums() {  # checksums VOLUME -> sorted "sha256  ./path" lines
    docker run --rm --network none --entrypoint sh -v "$1:/x:ro" "$image" \
        -c 'cd /x && find . -type f -print0 | sort -z | xargs -0 -r sha256sum'
}

# The hub API with the balaikode-admin service token, from inside the hub
# container (python3 is there; the host may not have it).
hub_api() {  # hub_api GET|POST NAME -> ready | pending | stopped | requested | error CODE
    docker exec -i "$hub" python3 - "$1" "$2" <<'EOF'
import json, sys, urllib.error, urllib.request
token = open("/srv/jupyterhub/data/admin-cli-token").read().strip()
method, name = sys.argv[1], sys.argv[2]
path = f"/users/{name}/server" if method == "POST" else f"/users/{name}"
request = urllib.request.Request("http://127.0.0.1:8081/hub/api" + path, method=method,
                                 headers={"Authorization": "token " + token})
try:
    body = urllib.request.urlopen(request, timeout=30).read().decode()
except urllib.error.HTTPError as error:
    print("already running" if method == "POST" and error.code == 400 else f"error {error.code}")
    raise SystemExit(0)
if method == "POST":
    print("requested")
else:
    server = json.loads(body).get("servers", {}).get("", {})
    print("ready" if server.get("ready") else ("pending" if server else "stopped"))
EOF
}

# died_and_known CONTAINER: the hub lists the server as stopped, or it really runs.
died_and_known() {
    name=${1#"$project-learner-"}
    state=$(hub_api GET "$name" 2>/dev/null || echo unknown)
    running=$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null || echo gone)
    [ "$state" = stopped ] || { [ "$state" = ready ] && [ "$running" = true ]; }
}

server_ready() { [ "$(hub_api GET "$1" 2>/dev/null)" = ready ]; }

# -- 1. before ------------------------------------------------------------------
echo "== Balai Kode project '$project', hub at $url"
hub_healthy >/dev/null || { echo "the hub does not answer at $url/hub/health; start Balai Kode first" >&2; exit 2; }
docker ps --filter "label=balaikode.project=$project" --filter "label=balaikode.role=learner" \
    --format '{{.Names}}' | sort > "$work/learners-before"
docker volume ls -q | grep "^$project-home-" | sort > "$work/volumes" || true
echo "   running learner servers: $(wc -l < "$work/learners-before"); home volumes: $(wc -l < "$work/volumes")"
while read -r volume; do
    checksums "$volume" > "$work/$volume.before"
done < "$work/volumes"

if [ "$assume_yes" != yes ]; then
    echo "This restarts the Docker daemon: EVERY container on this machine stops."
    printf 'Type YES to go on: '
    read -r answer
    [ "$answer" = YES ] || { echo "nothing done"; exit 2; }
fi

# -- 2. restart the daemon --------------------------------------------------------
if [ "$restart" = no ]; then
    echo "== rehearsal: NOT restarting the Docker daemon"
elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    echo "== restarting the Docker daemon (systemctl)"
    systemctl restart docker
elif command -v service >/dev/null && service docker status >/dev/null 2>&1; then
    echo "== restarting the Docker daemon (service)"
    service docker restart
else
    echo "== restarting the Docker daemon (dockerd, log in /var/log/dockerd.log)"
    pid=$(cat /var/run/docker.pid)
    kill -TERM "$pid"
    wait_for 60 "dockerd to exit" sh -c "! kill -0 $pid"
    setsid dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &
fi
wait_for 120 "the Docker daemon" docker info

# -- 3. after -------------------------------------------------------------------
for service in proxy hub grader; do
    if wait_for 120 "$service" sh -c "[ \"\$(docker inspect -f '{{.State.Running}}' $project-$service-1)\" = true ]"; then
        pass "$service is running again"
    else
        fail "$service did not come back (docker compose -p $project logs $service)"
    fi
done
if wait_for 180 "the hub's health check" hub_healthy; then
    pass "the hub answers $url/hub/health"
else
    fail "the hub does not answer $url/hub/health"
fi

# -- 4. checks ------------------------------------------------------------------
while read -r volume; do
    if ! docker volume inspect "$volume" >/dev/null 2>&1; then
        fail "home volume $volume is gone"
    elif checksums "$volume" | cmp -s - "$work/$volume.before"; then
        pass "$volume: all $(wc -l < "$work/$volume.before") files unchanged"
    else
        fail "$volume: files differ from before the restart"
    fi
done < "$work/volumes"

# Learner servers died with the daemon (no restart policy); the hub checks
# its servers when it starts and must not list them as running.
while read -r container; do
    name=${container#"$project-learner-"}
    if wait_for 60 "the hub to notice $name's server" died_and_known "$container"; then
        pass "$name: hub says '$(hub_api GET "$name")', container running: $(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null || echo gone)"
    else
        fail "$name: hub says '$(hub_api GET "$name")' but the container is not running (see the hub's log)"
    fi
done < "$work/learners-before"

if [ -n "$start_user" ]; then
    echo "   starting $start_user's server: $(hub_api POST "$start_user")"
    if wait_for 180 "$start_user's server" server_ready "$start_user"; then
        pass "$start_user's server started again after the restart"
    else
        fail "$start_user's server did not become ready (docker compose -p $project logs hub)"
    fi
fi

echo
if [ "$failures" = 0 ]; then
    echo "drill passed: the Docker daemon restart lost nothing"
else
    echo "drill FAILED: $failures check(s) failed"
    exit 1
fi
