#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser), unless it is already there.
# Playwright drives this system browser through executable_path; no test tool downloads one.
set -euo pipefail
CHROMIUM="${FUNNELGUIDE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "Chromium already installed: $CHROMIUM"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium
"$CHROMIUM" --version
