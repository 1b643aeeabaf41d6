#!/usr/bin/env sh
# Debian packages some tests drive, installed from Debian's registry when
# missing so the README's test command works on a fresh machine:
# - chromium: the web UI's end-to-end tests drive it through playwright-core,
#   which downloads no browser of its own (`npx playwright install` cannot work
#   on these machines);
# - pgbouncer: the PgBouncer test starts one in transaction pooling mode in
#   front of its database.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -x /usr/sbin/pgbouncer ] || missing="$missing pgbouncer"
if [ -z "$missing" ]; then exit 0; fi
echo "installing Debian's$missing for the tests"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing >/dev/null
