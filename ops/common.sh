# Shared by ops/backup.sh, ops/restore.sh and ops/status.sh (sourced, not run).
# The host needs only bash, coreutils and Docker: all reading and writing of
# volumes happens in throwaway containers of the hub image running
# ops/voltool.py (its modules are in ops/volumes/).
#
# The stack is the one `docker compose` in the repository selects:
# COMPOSE_PROJECT_NAME if set (that is how tests and second stacks are
# chosen), else `name:` in docker-compose.yml (balaikode).

OPS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$OPS")
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'balaikode: %s\n' "$*" >&2; exit 1; }

# The compose project name: volumes are PROJECT_hub-data, PROJECT-home-NAME, ...
bk_project() {
    if [ -n "${COMPOSE_PROJECT_NAME:-}" ]; then
        echo "$COMPOSE_PROJECT_NAME"
    else
        local config
        config=$(docker compose config 2>/dev/null) || die "cannot read docker-compose.yml (docker compose config)"
        sed -n 's/^name: *//p' <<<"$config" | sed -n 1p | grep . || die "no project name in docker-compose.yml"
    fi
}

# The hub image of this release (throwaway containers run it) and its version.
bk_hub_image() {
    local images
    images=$(docker compose config --images 2>/dev/null) || die "cannot read docker-compose.yml (docker compose config)"
    grep '^balaikode/hub:' <<<"$images" | sed -n 1p | grep . || die "no balaikode/hub image in docker-compose.yml"
}

# The site's settings file, as docker-compose.yml's env_file names it.
bk_env_file() {
    local file=${COMPOSE_ENV_FILES:-.env}
    case "$file" in /*) echo "$file" ;; *) echo "$ROOT/$file" ;; esac
}

# A path the user typed, relative to the folder they ran ./balaikode from.
bk_abs() {
    case "$1" in
        /*) echo "$1" ;;
        *) echo "${BALAIKODE_CALLER_DIR:-$PWD}/$1" ;;
    esac
}

# The volume name of KEY (hub-data, home-budi, ...) in project $1.
bk_volume_name() {
    case "$2" in
        hub-data|proxy-secret|grader-secret) echo "$1_$2" ;;
        *) echo "$1-$2" ;;
    esac
}

# "KEY NAME" for every volume of project $1 worth keeping. The curriculum
# volume is left out: it is rebuilt from the release at every start.
bk_volumes() {
    local project=$1 name
    docker volume ls --format '{{.Name}}' | sort | while read -r name; do
        case "$name" in
            "${project}_hub-data"|"${project}_proxy-secret"|"${project}_grader-secret")
                echo "${name#"${project}_"} $name" ;;
            "${project}"-home-*|"${project}"-course-*|"${project}"-exchange-*)
                echo "${name#"${project}-"} $name" ;;
        esac
    done
}

# docker run for voltool: no network, no new privileges, removed afterwards.
bk_run() {
    docker run --rm --network none --security-opt no-new-privileges \
        --label balaikode.ops=voltool -v "$OPS:/ops:ro" "$@"
}

bk_hub_answers() {
    docker compose exec -T hub python3 -c \
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/hub/health', timeout=5)" \
        </dev/null >/dev/null 2>&1
}

bk_wait_hub() {  # bk_wait_hub SECONDS
    local deadline=$((SECONDS + $1))
    until bk_hub_answers; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 1
    done
}

bk_url() {
    local address domain
    address=$(docker compose port proxy 8000 2>/dev/null | tail -n1)
    [ -n "$address" ] || return 1
    domain=$(docker compose exec -T proxy printenv BALAIKODE_DOMAIN 2>/dev/null </dev/null || true)
    if [ -n "$domain" ]; then
        echo "https://$domain:${address##*:}/"
    else
        echo "http://${address/0.0.0.0/SERVER-ADDRESS}/"
    fi
}
