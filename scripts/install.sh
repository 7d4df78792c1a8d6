#!/usr/bin/env bash
# Installs what is missing on a fresh Debian machine: npm packages, and PostgreSQL and Redis
# from Debian's packages unless DATABASE_URL / REDIS_URL point at servers elsewhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
need=()
if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then need+=(redis-server); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian's packages"
  sudo_cmd=""; [ "$(id -u)" != 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# npm ci only when the lock file changed since the last install.
stamp=node_modules/.flowcast-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # npm ci refuses a lock file that lacks optional packages for other platforms, and the
  # registry reachable here lacks some of those versions; npm install then installs exactly
  # the locked versions all the same.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
