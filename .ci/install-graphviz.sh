#!/usr/bin/env bash
# Install Debian's graphviz (the dot program) for pm.model_to_graphviz, unless it is already there.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then
  echo "Graphviz already installed: $(command -v dot)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y graphviz
dot -V
