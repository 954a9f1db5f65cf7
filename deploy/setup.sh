#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: a virtualenv in .venv with nianbao and its extras.
# Sourced by run.sh and test.sh; safe to run again (pip skips what is installed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
# Debian packages (fonts for charts, a browser for the web tests): only what is missing.
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  want=$(grep -v '^#' "$ROOT/deploy/apt-packages.txt" | awk '{print $1}' | grep -v '^$' || true)
  missing=""
  for pkg in $want; do dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"; done
  if [ -n "$missing" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    # not fatal: without them the chart font falls back and the browser test skips, saying why
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
      || echo "setup: could not install Debian packages:$missing" >&2
  fi
fi
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PY" -m venv "$ROOT/.venv"
fi
stamp="$ROOT/.venv/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
  "$ROOT/.venv/bin/python" -m pip install -q -e "$ROOT[test,web,ocr]"
  touch "$stamp"
fi
