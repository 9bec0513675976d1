#!/usr/bin/env bash
# The README's test command: installs everything the tests need, then runs the whole suite.
# Debian's chromium (for the browser test) comes from apt; Python packages from requirements-dev.txt.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k segment`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! [ -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium (browser test)"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

echo "== installing Python packages (requirements-dev.txt)"
python3 -m pip install -q -r requirements-dev.txt

echo "== running the tests"
python3 -m pytest "$@"
