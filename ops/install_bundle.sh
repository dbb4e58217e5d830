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
[ -n "${1:-}" ] && [ -e "$(bk_abs "$1")" ] || die "$usage"

step() { say "[$1/6] $2"; }

step 1 "Checking the bundle / Memeriksa bundle"
trap '[ -z "${BUNDLE_TMP:-}" ] || rm -rf "$BUNDLE_TMP"' EXIT
open_bundle "$(bk_abs "$1")"

step 2 "Docker Engine"
if docker info >/dev/null 2>&1; then
    echo "Docker is already installed: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
else
    if ! command -v dockerd >/dev/null 2>&1; then
        . /etc/os-release 2>/dev/null || true
        debs="$BUNDLE_DIR/bundle/$(bundle_manifest docker_engine_for)"
        if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ] || [ ! -d "$debs" ]; then
            die "Docker Engine is not installed, and this bundle carries it only for Debian 12 ($(bundle_manifest architecture));
this server is ${PRETTY_NAME:-an unknown system}. Install Docker Engine from this system's own
packages or media first (Ubuntu 24.04: apt install docker.io), then run this command again."
        fi
        apt_install_offline "$debs" docker.io iptables
    fi
    start_docker_daemon
fi
if ! docker compose version >/dev/null 2>&1; then
    mkdir -p /usr/local/lib/docker/cli-plugins
    gzip -dc "$BUNDLE_DIR/bundle/docker-compose.gz" > /usr/local/lib/docker/cli-plugins/docker-compose
    chmod 0755 /usr/local/lib/docker/cli-plugins/docker-compose
fi
echo "Compose $(docker compose version --short)"

step 3 "Loading the images (a few minutes) / Memuat image"
load_bundle_images

step 4 "The program / Program"
if [ "$BUNDLE_DIR" != "$(cd "$ROOT" && pwd -P)" ]; then
    # Installing from another folder (a USB stick): this checkout must be the
    # same release, or the images would not match the compose file.
    [ "$(bk_hub_image)" = "balaikode/hub:$BUNDLE_VERSION" ] \
        || die "this folder is Balai Kode $(bk_hub_image | cut -d: -f2), the bundle is $BUNDLE_VERSION:
run the command from the bundle's own folder: cd $BUNDLE_DIR && sudo ./balaikode install --from ."
fi
ensure_env_file

step 5 "Starting / Menyalakan"
compose_up_quietly

step 6 "Waiting for the hub / Menunggu hub"
wait_for 180 "the hub (see ./balaikode logs hub)" bk_hub_answers
say_ready
