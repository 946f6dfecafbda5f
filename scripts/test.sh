#!/usr/bin/env bash
# Install what the tests need and run them: the README's test command, and what CI runs.
#
#   bash scripts/test.sh [pytest args...]
#
# - Debian packages for the browser tests (chromium, fonts-noto-cjk), via apt-get when root;
# - a virtual environment .venv with chaingraph and its test extras (ArcadeDB's Bolt server
#   for the Neo4j tests comes with them, Java included);
# - ruff, mypy and the README command reference check (cog), then pytest: the Neo4j tests
#   start that server themselves unless NEO4J_URI names one.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
  else
    echo "Please install: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

# lint, types (src, tests, scripts) and the README's command reference, before the tests
.venv/bin/ruff check .
.venv/bin/ruff format --check src tests scripts
.venv/bin/mypy
.venv/bin/python -m cogapp --check README.md

set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$rc"
