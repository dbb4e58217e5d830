# What ./balaikode needs from the server itself (sourced, not run): Docker
# Engine, the settings file, waiting for the hub, and the lines an admin
# reads when the install is done. Shared by the online install (./balaikode
# install) and the offline one (ops/install_bundle.sh).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_root() { [ "$(id -u)" = 0 ] || die "run this as root (sudo ./balaikode $1)"; }

apt_install() {
    [ -n "${APT_UPDATED:-}" ] || { apt-get update -q; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# apt_install_offline DIR PACKAGE...: install from a folder of .deb files with
# a Packages.gz index (a bundle's), and from nowhere else. Packages the
# server already has stay as they are, even when the folder has other versions.
apt_install_offline() {
    local debs=$1; shift
    local state; state=$(mktemp -d /tmp/balaikode-apt.XXXXXX)
    mkdir -p "$state/lists/partial"
    echo "deb [trusted=yes] file:$debs ./" > "$state/sources.list"
    local options=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                   -o "Dir::State::Lists=$state/lists" -o "APT::Get::List-Cleanup=0")
    apt-get "${options[@]}" update -q >/dev/null || { rm -rf "$state"; die "cannot read the packages in $debs"; }
    DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" install -y -q --no-install-recommends "$@" \
        || { rm -rf "$state"; die "installing $* from $debs failed (see the lines above)"; }
    rm -rf "$state"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local deadline=$((SECONDS + $1)) what=$2; shift 2
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what"
        sleep 1
    done
}

start_docker_daemon() {
    docker info >/dev/null 2>&1 && return
    say "Starting the Docker daemon"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl enable --now docker
    else
        setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
    fi
    wait_for 60 "the Docker daemon (see /var/log/dockerd.log)" docker info
}

ensure_env_file() {
    # The site's settings. Created once, root-only: it holds the first admin password.
    [ -f .env ] && return
    local password=${BALAIKODE_ADMIN_PASSWORD:-}
    if [ -z "$password" ]; then
        password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
        GENERATED_PASSWORD=$password
    fi
    (umask 077; sed "s/^BALAIKODE_ADMIN_PASSWORD=.*/BALAIKODE_ADMIN_PASSWORD=$password/" .env.example > .env)
}

env_value() {  # env_value KEY DEFAULT: from the shell, else the settings file, else DEFAULT
    local value=${!1:-}
    [ -n "$value" ] || value=$(sed -n "s/^$1=//p" "${COMPOSE_ENV_FILES:-.env}" 2>/dev/null | tail -n1)
    echo "${value:-$2}"
}

hub_url() {
    local domain; domain=$(env_value BALAIKODE_DOMAIN "")
    if [ -n "$domain" ]; then
        echo "https://$domain:$(env_value BALAIKODE_PORT 8000)"
    else
        echo "http://127.0.0.1:$(env_value BALAIKODE_PORT 8000)"
    fi
}

# The last lines of an install, in Bahasa Indonesia and English: what to open
# and how the admin logs in.
say_ready() {
    local admins; admins=$(env_value BALAIKODE_ADMIN_USERS admin)
    say "Balai Kode sudah berjalan / is running: $(hub_url)/"
    if [ -n "$(env_value BALAIKODE_DOMAIN "")" ]; then
        echo "    DNS di jaringan harus menjawab nama domain dan *.domain; sertifikat CA untuk laptop:"
        echo "    ./balaikode tls ca FILE (docs/domain.md)"
        echo "    The LAN's DNS must answer for the domain and *.domain; the CA for laptops: ./balaikode tls ca FILE"
    else
        echo "    Dari komputer lain / from other computers: http://ALAMAT-SERVER:$(env_value BALAIKODE_PORT 8000)/"
    fi
    echo "Admin: $admins"
    if [ -n "${GENERATED_PASSWORD:-}" ]; then
        echo "Kata sandi admin pertama / first admin password (hanya ditampilkan sekarang, juga ada di .env / shown only now, also in .env):"
        echo "    $GENERATED_PASSWORD"
    fi
}
