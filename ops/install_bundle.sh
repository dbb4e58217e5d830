#!/usr/bin/env bash
# ./balaikode install --from BUNDLE
# Installs and starts Balai Kode from a bundle (./balaikode bundle) on a
# server with no network at all. BUNDLE is the .tar file or the folder it
# was unpacked to (a USB stick works). Nothing is downloaded and nothing is
# changed before every checksum in the bundle is right.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host.sh"

usage="usage: ./balaikode install --from BUNDLE   (the .tar file or its unpacked folder)"
[ "$(id -u)" = 0 ] || die "run this as root (sudo ./balaikode install --from ...)"
from=$(bk_abs "${1:-}")
[ -n "${1:-}" ] && [ -e "$from" ] || die "$usage"

step() { say "[$1/6] $2"; }

step 1 "Checking the bundle / Memeriksa bundle"
work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
if [ -f "$from" ]; then
    work=$(mktemp -d /tmp/balaikode-install.XXXXXX)
    tar -C "$work" -xf "$from" 2>/dev/null || die "$from is not a Balai Kode bundle (not a readable .tar): copy it again"
    from=$(find "$work" -mindepth 2 -maxdepth 2 -name SHA256SUMS -printf '%h\n' | sed -n 1p)
    [ -n "$from" ] || die "$1 is not a Balai Kode bundle (no SHA256SUMS inside)"
fi
[ -f "$from/SHA256SUMS" ] && [ -f "$from/bundle/MANIFEST" ] \
    || die "$from is not a Balai Kode bundle (no SHA256SUMS or bundle/MANIFEST)"
if ! bad=$(cd "$from" && sha256sum --check --quiet SHA256SUMS 2>&1); then
    die "the bundle is damaged, nothing was installed. Copy it again (the USB stick may be failing):
$bad"
fi
manifest() { sed -n "s/^$1=//p" "$from/bundle/MANIFEST"; }
version=$(manifest version)
arch=$(manifest architecture)
echo "Balai Kode $version for $arch, made $(manifest created)"

host_arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
[ "$host_arch" = "$arch" ] || die "this bundle is for $arch servers; this server is $host_arch"

step 2 "Docker Engine"
if docker info >/dev/null 2>&1; then
    echo "Docker is already installed: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
else
    if ! command -v dockerd >/dev/null 2>&1; then
        . /etc/os-release 2>/dev/null || true
        debs="$from/bundle/$(manifest docker_engine_for)"
        if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ] || [ ! -d "$debs" ]; then
            die "Docker Engine is not installed, and this bundle carries it only for Debian 12 ($arch);
this server is ${PRETTY_NAME:-an unknown system}. Install Docker Engine from this system's own
packages or media first (Ubuntu 24.04: apt install docker.io), then run this command again."
        fi
        apt_install_offline "$debs" docker.io iptables
    fi
    start_docker_daemon
fi
if ! docker compose version >/dev/null 2>&1; then
    mkdir -p /usr/local/lib/docker/cli-plugins
    gzip -dc "$from/bundle/docker-compose.gz" > /usr/local/lib/docker/cli-plugins/docker-compose
    chmod 0755 /usr/local/lib/docker/cli-plugins/docker-compose
fi
echo "Compose $(docker compose version --short)"

step 3 "Loading the images (a few minutes) / Memuat image"
gzip -dc "$from/bundle/images.tar.gz" | docker load -q >/dev/null \
    || die "could not load the images (is the disk full? df -h /var/lib/docker)"
for image in $(manifest images); do
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is missing after loading the bundle"
done

step 4 "The program / Program"
if [ "$(cd "$from" && pwd -P)" != "$(cd "$ROOT" && pwd -P)" ]; then
    # Installing from another folder (a USB stick): this checkout must be the
    # same release, or the images would not match the compose file.
    [ "$(bk_hub_image)" = "balaikode/hub:$version" ] \
        || die "this folder is Balai Kode $(bk_hub_image | cut -d: -f2), the bundle is $version:
run the command from the bundle's own folder: cd $from && sudo ./balaikode install --from ."
fi
ensure_env_file

step 5 "Starting / Menyalakan"
docker compose up -d --no-build --pull never --quiet-pull 2>&1 | grep -v -e '^ *Container .* \(Created\|Starting\|Started\|Running\|Waiting\|Healthy\)$' -e '^ *Network .* Created$' -e '^ *Volume .* Created$' || true

step 6 "Waiting for the hub / Menunggu hub"
wait_for 180 "the hub (see ./balaikode logs hub)" bk_hub_answers
say_ready
