#!/usr/bin/env bash
# Runs a command with PostgreSQL and Redis available and migrated. Uses DATABASE_URL / REDIS_URL
# when set; otherwise starts the project-local throwaway servers and stops them afterwards
# (unless they were already running, e.g. after `make up`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
started=0
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  # Read whole before matching: `grep -q` leaving a pipe early fails the pipeline under pipefail,
  # which once made servers started by `make up` look stopped (and stopped them at the end).
  status="$("$root/scripts/servers.sh" status)"
  if ! grep -q "postgres: running" <<<"$status" || ! grep -q "redis: running" <<<"$status"; then
    started=1
  fi
  "$root/scripts/servers.sh" up >/dev/null
  local_env="$("$root/scripts/servers.sh" env)"
  # Only fill in what the caller did not set.
  [ -z "${DATABASE_URL:-}" ] && export "$(echo "$local_env" | grep ^DATABASE_URL=)"
  [ -z "${REDIS_URL:-}" ] && export "$(echo "$local_env" | grep ^REDIS_URL=)"
fi
if [ "$started" = 1 ]; then trap '"$root/scripts/servers.sh" down' EXIT; fi
node "$root/dist/cli/flowcast.js" migrate
"$@"
