#!/usr/bin/env bash
# ./balaikode restore [--force] [--keep-settings] FILE
# Puts a backup made by ./balaikode backup onto this server's stack (same or
# newer version): checks it would not overwrite anyone's work, stops the
# stack, writes every volume (numeric owners, modes and times as they were),
# restores the settings file, checks every file against the manifest's
# sha256, and starts the stack again.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    cat <<'EOF'
Usage: ./balaikode restore [--force] [--keep-settings] FILE

  --force          replace volumes that already hold data (their contents are
                   deleted); also restore a backup of a newer version or
                   of another project name
  --keep-settings  keep this server's settings file instead of the backup's
EOF
}

force=0
keep_settings=0
file=
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=1 ;;
        --keep-settings) keep_settings=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; die "unknown option $1" ;;
        *) [ -z "$file" ] || { usage >&2; die "only one FILE"; }; file=$1 ;;
    esac
    shift
done
[ -n "$file" ] || { usage >&2; exit 2; }
file=$(bk_abs "$file")
[ -f "$file" ] || die "no such file: $file"

project=$(bk_project)
image=$(bk_hub_image)
version=${image##*:}
docker image inspect "$image" >/dev/null 2>&1 \
    || die "image $image is missing: install Balai Kode first (./balaikode install or ./balaikode up)"

# 1. Read the whole archive before changing anything: complete (manifest at
#    its end) and every file's sha256 right.
say "Checking $file"
header=$(bk_run -i "$image" python3 /ops/voltool.py inspect <"$file") \
    || die "$file is not a complete, undamaged Balai Kode backup (above); nothing was changed"
from_project=$(sed -n 's/^project //p' <<<"$header")
from_version=$(sed -n 's/^version //p' <<<"$header")
from_date=$(sed -n 's/^date //p' <<<"$header")
mapfile -t keys < <(sed -n 's/^volume //p' <<<"$header")
say "Backup of project $from_project, Balai Kode $from_version, made $from_date: ${#keys[@]} volumes"

if [ "$(printf '%s\n%s\n' "$from_version" "$version" | sort -V | tail -n1)" != "$version" ]; then
    [ "$force" = 1 ] || die "this backup comes from a newer version ($from_version) than this server ($version); upgrade first, or use --force"
    echo "warning: restoring a backup of the newer version $from_version onto $version (--force)"
fi
if [ "$from_project" != "$project" ]; then
    # The hub database remembers the container names (PROJECT-learner-NAME) of
    # servers that ran during the backup; with both stacks on one host the
    # restored hub could take over the other stack's containers.
    [ "$force" = 1 ] || die "this backup is of project $from_project, this stack is $project. Restore it under the same name (COMPOSE_PROJECT_NAME=$from_project), or use --force if project $from_project has no learner servers running on this host"
    echo "warning: restoring project $from_project as $project (--force)"
fi

# 2. Would it overwrite someone's work? Checked before anything is stopped.
check_mounts=()
for key in "${keys[@]}"; do
    name=$(bk_volume_name "$project" "$key")
    if docker volume inspect "$name" >/dev/null 2>&1; then
        check_mounts+=(-v "$name:/volumes/$key:ro")
    fi
done
conflicts=()
if [ ${#check_mounts[@]} -gt 0 ]; then
    checked=$(bk_run --cap-drop ALL --cap-add DAC_READ_SEARCH "${check_mounts[@]}" "$image" \
                  python3 /ops/voltool.py check) || die "could not look into the existing volumes"
    while read -r key state detail; do
        if [ "$state" = data ]; then
            conflicts+=("$(bk_volume_name "$project" "$key"): $detail")
        fi
    done <<<"$checked"
fi
mapfile -t learner_containers < <(docker ps -aq --filter "label=balaikode.project=$project")
mapfile -t running_learners < <(docker ps -q --filter "label=balaikode.project=$project")
[ ${#running_learners[@]} -eq 0 ] || conflicts+=("${#running_learners[@]} learner server(s) running")
if [ ${#conflicts[@]} -gt 0 ]; then
    if [ "$force" != 1 ]; then
        printf '  %s\n' "${conflicts[@]}" >&2
        die "project $project already holds data (above). Restoring would replace it; run again with --force to do that."
    fi
    echo "--force: replacing existing data:"
    printf '  %s\n' "${conflicts[@]}"
fi

# 3. Stop everything that writes to the volumes.
for key in hub-data proxy-secret grader-secret; do
    if ! docker volume inspect "$(bk_volume_name "$project" "$key")" >/dev/null 2>&1; then
        say "Creating the stack's volumes"
        docker compose up --no-start >/dev/null
        break
    fi
done
# Learner homes and course exchanges are size-limited disks (the disks
# service): made before anything is written, at least as big as their files.
disk_keys=()
for key in "${keys[@]}"; do
    case "$key" in home-*|exchange-*) disk_keys+=("$key") ;; esac
done
if [ ${#disk_keys[@]} -gt 0 ]; then
    say "Preparing ${#disk_keys[@]} disks"
    docker compose up -d --wait --no-deps disks >/dev/null \
        || die "the disks service did not start (docker compose logs disks)"
    for key in "${disk_keys[@]}"; do
        bytes=$(sed -n "s/^bytes $key //p" <<<"$header")
        # Room for the files, ext4's own blocks and some work space.
        min=$(( ${bytes:-0} + ${bytes:-0} / 4 + 64 * 1024 * 1024 ))
        docker compose exec -T disks python3 -m balaikode.disks ensure \
            "$(bk_volume_name "$project" "$key")" --min-size "$min" >/dev/null \
            || die "could not prepare the disk of $key (above); nothing was written yet"
    done
fi
say "Stopping Balai Kode (project $project)"
docker compose stop
if [ ${#learner_containers[@]} -gt 0 ]; then
    docker rm -f "${learner_containers[@]}" >/dev/null
fi

# 4. Write the volumes.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mounts=()
for key in "${keys[@]}"; do
    mounts+=(-v "$(bk_volume_name "$project" "$key"):/volumes/$key")
done
say "Restoring ${#keys[@]} volumes from $file"
bk_run -i --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER --cap-add FSETID \
    "${mounts[@]}" -v "$work:/out" "$image" python3 /ops/voltool.py restore <"$file" \
    || die "restore failed (above). The stack is stopped; fix the cause and run again with --force."

# 5. Check every file against the manifest, read back from the volumes.
say "Checking every file against the manifest (sha256, owner, mode, time)"
verified=1
ro_mounts=()
for key in "${keys[@]}"; do
    ro_mounts+=(-v "$(bk_volume_name "$project" "$key"):/volumes/$key:ro")
done
bk_run --cap-drop ALL --cap-add DAC_READ_SEARCH "${ro_mounts[@]}" -v "$work:/out:ro" "$image" \
    python3 /ops/voltool.py verify || verified=0

# 6. The settings file.
settings=$(bk_env_file)
if [ -f "$work/site.env" ]; then
    if [ "$keep_settings" = 1 ]; then
        echo "Kept this server's settings ($settings); the backup's are not used (--keep-settings)."
    elif [ -f "$settings" ] && cmp -s "$work/site.env" "$settings"; then
        :
    else
        if [ -f "$settings" ]; then
            cp -p "$settings" "$settings.before-restore"
            echo "Settings restored to $settings (the previous file is $settings.before-restore)"
        else
            echo "Settings restored to $settings"
        fi
        install -m 0600 "$work/site.env" "$settings"
    fi
fi

# 7. Start again.
say "Starting Balai Kode"
docker compose up -d
bk_wait_hub 180 || die "the hub did not come back within 3 minutes: see ./balaikode logs hub"
url=$(bk_url || true)
echo "Restored ${#keys[@]} volumes in ${SECONDS}s: ${keys[*]}"
echo "Balai Kode is running again${url:+ at $url}. Learners log in with their old passwords."
if [ "$verified" != 1 ]; then
    die "some restored files differ from the manifest (listed above)"
fi
