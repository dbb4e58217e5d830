#!/bin/sh
# Regenerate the pinned requirement files from the *.in files, resolving with
# the same Debian Python the images use (trixie: 3.13.5; the version matters:
# some packages need a newer patch release). Run from anywhere:
#   sh images/requirements/lock.sh            (every lock file)
#   sh images/requirements/lock.sh baseline   (only the named ones)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
images=$(dirname "$here")
docker run --rm -v "$images:/images" -w /images/requirements debian:trixie-slim sh -c '
  only=" $* "
  set -eu
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 python3-venv ca-certificates >/dev/null
  # jsonschema[format-nongpl] (asked for by jupyter-events) brings format
  # checkers that jsonschema imports when it is imported: rfc3987-syntax (and
  # its lark) compiles a grammar, which made every server start seconds
  # slower; arrow, isoduration, the RFC 3339/3986 validators (large regexes),
  # fqdn, uri-template, webcolors and jsonpointer cost about 30 ms of every
  # server start. Nothing else imports them: jsonschema works without them,
  # and jupyter-events then checks those formats in its own event records no
  # more. The images install with --no-deps, so what is left out here stays out.
  leave_out="|rfc3987-syntax|lark|arrow|isoduration|rfc3339-validator|rfc3986-validator|fqdn|uri-template|webcolors|jsonpointer"
  freeze() { pip freeze --all | grep -vE "^(pip|wheel$leave_out)=="; }
  lock() {  # lock NAME IN [BASE_LOCK]: pin IN (on top of BASE_LOCK) into NAME.txt
    [ "$only" = "  " ] || case "$only" in *" $1 "*) ;; *) return 0 ;; esac
    rm -rf /tmp/v && python3 -m venv /tmp/v && . /tmp/v/bin/activate
    ../with-extra-ca pip install -q ${3:+-r $3} -r "$2"
    { echo "# Pinned by lock.sh from $2 (Debian trixie Python)${3:+, on top of $3}"
      if [ -n "${3:-}" ]; then freeze | grep -vxFf "$3"; else freeze; fi; } > "$1.txt"
    deactivate
  }
  mkdir -p /tmp/extra-ca && cp ../extra-ca/*.pem /tmp/extra-ca/ 2>/dev/null || true
  lock hub hub.in
  lock learner learner.in
  lock python python.in learner.txt
  lock webdev webdev.in learner.txt
  # The stock baseline of bench/ (bench/baseline/Dockerfile): learner.txt
  # versions, and nothing left out, as a plain pip install would have it.
  leave_out=""
  lock baseline baseline.in
' lock "$@"
