#!/usr/bin/env bash
# ./balaikode backup [FILE]
# One tar.gz with everything that matters: the hub database and secrets,
# every learner's home, every course folder with its gradebook, every
# exchange, and the site's settings file, plus MANIFEST.json (version, date,
# project, volumes, sha256 of every file). Safe while Balai Kode runs: volumes
# are mounted read-only in a throwaway container, and every SQLite database
# (jupyterhub.sqlite, gradebook.db, ...) is copied with SQLite's online backup.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case "${1:-}" in
    -h|--help)
        echo "Usage: ./balaikode backup [FILE]   (default: backups/balaikode-PROJECT-DATE.tar.gz)"
        exit 0 ;;
    -*) die "unknown option $1 (usage: ./balaikode backup [FILE])" ;;
esac

project=$(bk_project)
image=$(bk_hub_image)
version=${image##*:}
file=${1:-$ROOT/backups/balaikode-$project-$(date -u +%Y%m%d-%H%M%S).tar.gz}
file=$(bk_abs "$file")
[ ! -e "$file" ] || die "$file already exists; choose another name"
mkdir -p "$(dirname "$file")"
[ -z "${1:-}" ] && chmod 0700 "$(dirname "$file")"

mounts=()
keys=()
while read -r key name; do
    mounts+=(-v "$name:/volumes/$key:ro")
    keys+=(--volume "$key=$name")
done < <(bk_volumes "$project")
[ ${#keys[@]} -gt 0 ] || die "project $project has no volumes: is Balai Kode installed here? (COMPOSE_PROJECT_NAME selects another stack)"
settings=$(bk_env_file)
if [ -f "$settings" ]; then
    mounts+=(-v "$(readlink -f "$settings"):/site/env:ro")
else
    echo "note: no settings file $settings; the backup has the volumes only"
fi

say "Backing up Balai Kode $version (project $project): $((${#keys[@]} / 2)) volumes"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
# Root in the container reads every learner's files (DAC_READ_SEARCH) but
# cannot change anything: the volumes are read-only.
(
    umask 077
    bk_run --cap-drop ALL --cap-add DAC_READ_SEARCH "${mounts[@]}" "$image" \
        python3 /ops/voltool.py backup --project "$project" --version "$version" "${keys[@]}" \
        >"$partial"
) || die "backup failed (nothing was written to $file)"
mv "$partial" "$file"
trap - EXIT
echo "Backup written: $file ($(du -h "$file" | cut -f1), ${SECONDS}s)"
echo "Keep a copy on another disk. Restore with: ./balaikode restore $file"
