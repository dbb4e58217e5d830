#!/usr/bin/env bash
# ./balaikode bundle [FILE]
# One archive that installs Balai Kode on a server with no network at all
# (./balaikode install --from FILE). Made on a machine with internet, from a
# git checkout whose images are built. It holds:
#   the program (every file git tracks, as in this working tree),
#   bundle/images.tar.gz     every image the stack runs (docker save: shared
#                            layers stored once),
#   bundle/docker-compose.gz the pinned Compose v2 plugin (static binary),
#   bundle/debian-12-amd64/  Docker Engine and everything it needs that a
#                            minimal Debian 12 lacks, as .deb files + index,
#   bundle/MANIFEST          version, architecture, images, what it supports,
#   SHA256SUMS               of every file above.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ "$(id -u)" = 0 ] || die "run this as root (sudo ./balaikode bundle)"
command -v git >/dev/null && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 \
    || die "make bundles from a git checkout of Balai Kode"
for tool in apt-get apt-cache dpkg-scanpackages gzip sha256sum; do
    command -v "$tool" >/dev/null || die "bundle needs $tool (Debian: apt-get install dpkg-dev)"
done

images=$(docker compose config --images 2>/dev/null | grep '^balaikode/' | sort -u) \
    || die "cannot read docker-compose.yml (docker compose config)"
version=$(sed -n 's/^balaikode\/hub://p' <<<"$images")
arch=$(dpkg --print-architecture)
name="balaikode-$version"
out=$(bk_abs "${1:-bundles/$name-$arch.tar}")
for image in $images; do
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is not built: ./balaikode build first"
done

work=$(mktemp -d /tmp/balaikode-bundle.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree="$work/$name"
mkdir -p "$tree/bundle"

step() { say "[$1/5] $2"; }

step 1 "The program (files tracked by git)"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && tar --null -T - -cf -) | tar -C "$tree" -xf -

step 2 "Images: $(echo $images)"
# gzip -1: the layers are mostly compressed files already; -9 saves ~3% for
# several times the CPU.
docker save $images | gzip -1 > "$tree/bundle/images.tar.gz"

step 3 "Docker Compose plugin"
plugin=$(docker info --format '{{range .ClientInfo.Plugins}}{{if eq .Name "compose"}}{{.Path}}{{end}}{{end}}' 2>/dev/null)
[ -x "$plugin" ] || die "no docker compose plugin found (./balaikode setup installs it)"
gzip -c "$plugin" > "$tree/bundle/docker-compose.gz"

step 4 "Docker Engine packages for Debian 12 ($arch)"
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] \
    || die "the Docker Engine packages are taken from Debian 12; run bundle on Debian 12 (this is ${PRETTY_NAME:-unknown})"
debs="$tree/bundle/debian-12-$arch"
mkdir -p "$debs"
apt-get update -q >/dev/null
# docker.io and everything below it. A target server keeps its own (maybe
# newer) versions of what it already has: install --from offers these as a
# repository, it does not force them.
wanted=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
            --no-replaces --no-enhances docker.io iptables \
         | grep -E '^[a-z0-9]' | sort -u)
real=()
for package in $wanted; do
    # Virtual packages have no candidate; what provides them is listed too.
    # (grep without -q: under pipefail an early exit would fail apt-cache)
    if apt-cache policy "$package" | grep 'Candidate: [^(]' >/dev/null; then real+=("$package"); fi
done
(cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "${real[@]}" >/dev/null)
(cd "$debs" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null | gzip -9 > Packages.gz)

step 5 "Checksums and the archive"
cat > "$tree/bundle/MANIFEST" <<EOF
version=$version
architecture=$arch
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- || echo "+changes")
images=$(echo $images)
docker_engine_for=debian-12-$arch
compose_version=$("$plugin" version --short 2>/dev/null || echo unknown)
EOF
(cd "$tree" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out.partial" "$name"
mv "$out.partial" "$out"

size() { du -sh "$1" | cut -f1; }
say "Bundle: $out ($(size "$out"))"
echo "  images        $(size "$tree/bundle/images.tar.gz")"
echo "  docker debs   $(size "$debs") ($(ls "$debs"/*.deb | wc -l) packages)"
echo "  compose       $(size "$tree/bundle/docker-compose.gz")"
echo "  program       $(du -sh --exclude=bundle "$tree" | cut -f1)"
echo "  sha256        $(sha256sum "$out" | cut -d' ' -f1)"
echo "On the server: tar -xf $(basename "$out") && cd $name && sudo ./balaikode install --from ."
