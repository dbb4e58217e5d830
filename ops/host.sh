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

# open_bundle BUNDLE: check a bundle (./balaikode bundle) before anything
# changes, and set BUNDLE_DIR (its unpacked folder) and BUNDLE_VERSION.
# A .tar is unpacked into a temporary folder that the caller removes
# (BUNDLE_TMP). Dies with what to do when it is damaged or for another machine.
open_bundle() {
    local from=$1
    BUNDLE_TMP=""
    if [ -f "$from" ]; then
        BUNDLE_TMP=$(mktemp -d /tmp/balaikode-bundle.XXXXXX)
        tar -C "$BUNDLE_TMP" -xf "$from" 2>/dev/null \
            || die "$from is not a Balai Kode bundle (not a readable .tar): copy it again"
        from=$(find "$BUNDLE_TMP" -mindepth 2 -maxdepth 2 -name SHA256SUMS -printf '%h\n' | sed -n 1p)
        [ -n "$from" ] || die "$1 is not a Balai Kode bundle (no SHA256SUMS inside)"
    fi
    [ -f "$from/SHA256SUMS" ] && [ -f "$from/bundle/MANIFEST" ] \
        || die "$from is not a Balai Kode bundle (no SHA256SUMS or bundle/MANIFEST)"
    local bad
    if ! bad=$(cd "$from" && sha256sum --check --quiet SHA256SUMS 2>&1); then
        die "the bundle is damaged, nothing was changed. Copy it again (the USB stick may be failing):
$bad"
    fi
    BUNDLE_DIR=$(cd "$from" && pwd -P)
    BUNDLE_VERSION=$(bundle_manifest version)
    local arch host_arch
    arch=$(bundle_manifest architecture)
    host_arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
    echo "Balai Kode $BUNDLE_VERSION for $arch, made $(bundle_manifest created)"
    [ "$host_arch" = "$arch" ] || die "this bundle is for $arch servers; this server is $host_arch"
}

bundle_manifest() { sed -n "s/^$1=//p" "$BUNDLE_DIR/bundle/MANIFEST"; }

# Load the bundle's images into Docker and check that every one is there.
load_bundle_images() {
    gzip -dc "$BUNDLE_DIR/bundle/images.tar.gz" | docker load -q >/dev/null \
        || die "could not load the images (is the disk full? df -h /var/lib/docker)"
    local image
    for image in $(bundle_manifest images); do
        docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing after loading the bundle"
    done
}

# Start the stack of this folder from images already here, printing only
# what is not routine.
compose_up_quietly() {
    docker compose up -d --no-build --pull never --remove-orphans "$@" 2>&1 \
        | grep -v -e '^ *\(Container\|Network\|Volume\) .* \(Created\|Creating\|Recreate\|Recreated\|Starting\|Started\|Running\|Waiting\|Healthy\|Stopping\|Stopped\|Removing\|Removed\)$' || true
}
