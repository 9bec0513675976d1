#!/usr/bin/env bash
# The README's test command: installs everything the tests need, checks lint and types, then runs
# the whole suite. Debian's chromium (for the browser test) comes from apt; Python packages from
# requirements-dev.txt. Extra arguments go to pytest, e.g. `bash scripts/test.sh -k segment`, or
# the fast run without slow and browser tests: `bash scripts/test.sh -m "not slow and not browser"`.
# The tests run in two worker processes (pytest-xdist; most tests wait on a subprocess, a browser or
# a server as often as they compute); TEST_WORKERS=N chooses another number, 0 none.
# A lint, type or layers (import-linter) finding fails the command, after the tests have run.
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

echo "== lint, types and layers (ruff, mypy, import-linter; configured in pyproject.toml)"
lint=0
python3 -m ruff check . || lint=1
python3 -m ruff format --check . || lint=1
python3 -m mypy || lint=1
lint-imports || lint=1

echo "== running the tests (two worker processes, a test file per worker at a time: TEST_WORKERS=0 runs them in this one)"
tests=0
workers=(-n "${TEST_WORKERS:-2}" --dist loadfile)
[ "${TEST_WORKERS:-2}" != 0 ] || workers=(-p no:xdist)
python3 -m pytest "${workers[@]}" "$@" || tests=$?
if [ "$lint" != 0 ]; then
  echo "lint, type or layers check failed (see above): ruff check --fix . && ruff format . fix most findings" >&2
  [ "$tests" != 0 ] || tests=1
fi
exit "$tests"
