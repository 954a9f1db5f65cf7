#!/usr/bin/env bash
# Runs the bot from a fresh clone: set-up, a seed index if none exists, then
# Telegram when TELEGRAM_BOT_TOKEN is set, else a terminal chat on the index.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/deploy/setup.sh"
cd "$ROOT"
export NIANBAO_DB="${NIANBAO_DB:-$ROOT/var/nianbao.db}"
export NIANBAO_REPORTS="${NIANBAO_REPORTS:-$ROOT/seeds}"
mkdir -p "$(dirname "$NIANBAO_DB")"
"$ROOT/.venv/bin/nianbao" index build "$NIANBAO_REPORTS" --db "$NIANBAO_DB"
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  exec "$ROOT/.venv/bin/nianbao" serve "$@"
fi
exec "$ROOT/.venv/bin/nianbao" chat --db "$NIANBAO_DB" "$@"
