#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: set-up included.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/deploy/setup.sh"
cd "$ROOT"
"$ROOT/.venv/bin/ruff" check bot index tests
exec "$ROOT/.venv/bin/python" -m pytest -q "$@"
