#!/usr/bin/env bash
# ./balaikode upgrade --from BUNDLE
# Moves the install in this folder to the release in BUNDLE (a newer
# ./balaikode bundle: the .tar or its unpacked folder), without network:
#   1. check the bundle (checksums, architecture) - nothing changes before;
#   2. stop the stack and learners' servers (their files are on their disks,
#      kept) and back everything up into backups/;
#   3. load the new images;
#   4. put the new program in this folder (the old one is kept in
#      backups/program-OLD-DATE/; .env, backups/ and bundles/ stay);
#   5. start the new release and wait for its hub;
#   6. if the hub does not come up: put the old program back, restore the
#      backup of step 2 and start the old release again.
# Learners' homes, courses, gradebooks and the hub database are volumes:
# the new release uses them as they are.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/host.sh"

usage="usage: ./balaikode upgrade --from BUNDLE   (the .tar file or its unpacked folder)"
[ "${1:-}" = --from ] && [ -n "${2:-}" ] && [ -e "$(bk_abs "$2")" ] || die "$usage"
[ "$(id -u)" = 0 ] || die "run this as root (sudo ./balaikode upgrade --from ...)"
HUB_WAIT=${BALAIKODE_UPGRADE_WAIT:-300}   # seconds; a new JupyterHub may migrate its database first

step() { say "[$1/6] $2"; }

step 1 "Checking the bundle / Memeriksa bundle"
trap '[ -z "${BUNDLE_TMP:-}" ] || rm -rf "$BUNDLE_TMP"' EXIT
open_bundle "$(bk_abs "$2")"
[ "$BUNDLE_DIR" != "$(cd "$ROOT" && pwd -P)" ] \
    || die "run upgrade from the folder of the install you are upgrading, not from the bundle's"
old_image=$(bk_hub_image)
old_version=${old_image##*:}
project=$(bk_project)
docker volume inspect "${project}_hub-data" >/dev/null 2>&1 \
    || die "no Balai Kode install here (project $project has no hub-data volume): use ./balaikode install --from"
echo "Upgrading $project from $old_version to $BUNDLE_VERSION"

step 2 "Stopping Balai Kode and backing up / Cadangan"
# A backup of a quiet stack: the hub and proxy stop first (nobody can start a
# server again), then the learners' servers; nothing is written after the
# backup, so going back to it on a failed upgrade loses nothing.
docker compose stop >/dev/null 2>&1 || true
mapfile -t servers < <(docker ps -q --filter "label=balaikode.project=$project")
[ ${#servers[@]} -eq 0 ] || docker stop -t 20 "${servers[@]}" >/dev/null
stamp=$(date -u +%Y%m%d-%H%M%S)
backup="$ROOT/backups/before-upgrade-$old_version-to-$BUNDLE_VERSION-$stamp.tar.gz"
"$OPS/backup.sh" "$backup" >/dev/null || die "the backup failed (above); nothing was changed"
echo "Backup: $backup"

step 3 "Loading the new images (a few minutes) / Memuat image"
load_bundle_images

# Everything in this folder except what belongs to this server.
KEEP=(.env backups bundles .git .venv-test)
program_entries() {
    local entry name
    for entry in "$1"/* "$1"/.[!.]*; do
        [ -e "$entry" ] || continue
        name=$(basename "$entry")
        printf '%s\n' "${KEEP[@]}" | grep -qxF "$name" || printf '%s\n' "$name"
    done
}
move_program() {  # move_program FROM TO
    mkdir -p "$2"
    local name
    while read -r name; do mv "$1/$name" "$2/"; done < <(program_entries "$1")
}

step 4 "The new program / Program baru"
old_program="$ROOT/backups/program-$old_version-$stamp"
move_program "$ROOT" "$old_program"
while read -r name; do cp -a "$BUNDLE_DIR/$name" "$ROOT/"; done < <(program_entries "$BUNDLE_DIR")
echo "The old program is in $old_program"

step 5 "Starting $BUNDLE_VERSION / Menyalakan"
compose_up_quietly
running_hub_image() { docker inspect -f '{{.Config.Image}}' "$(docker compose ps -q hub)" 2>/dev/null; }
if bk_wait_hub "$HUB_WAIT" && [ "$(running_hub_image)" = "balaikode/hub:$BUNDLE_VERSION" ]; then
    step 6 "Done / Selesai"
    say_ready
    echo "Learners start their servers again from the hub page (the new release's images)."
    exit 0
fi

step 6 "The new hub did not come up: going back to $old_version / Kembali ke versi lama"
docker compose logs --no-color --tail=40 hub >&2 || true
docker compose down --remove-orphans >/dev/null 2>&1 || true
failed_program="$ROOT/backups/program-$BUNDLE_VERSION-failed-$stamp"
move_program "$ROOT" "$failed_program"
move_program "$old_program" "$ROOT"
rmdir "$old_program" 2>/dev/null || true
# The old program restores the backup of step 2 (the new hub may have changed
# its database) and starts the old release.
"$OPS/restore.sh" --force --keep-settings "$backup" >/dev/null \
    || die "going back failed too. Your data is in $backup; restore it with ./balaikode restore --force $backup"
die "the upgrade to $BUNDLE_VERSION failed and was undone: Balai Kode $old_version runs again with the data of
$backup. The new hub's log is above; the new program is kept in $failed_program."
