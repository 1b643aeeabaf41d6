#!/usr/bin/env sh
# The web UI's end-to-end test drives Debian's chromium through playwright-core,
# which downloads no browser of its own (and `npx playwright install` cannot work
# on these machines). Installed from Debian's registry when missing, so the
# README's test command works on a fresh machine.
set -eu
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "installing Debian's chromium for the browser tests"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >/dev/null
