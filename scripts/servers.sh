#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for development and tests, with their data under .data/ and on
# project-local ports. Usage: scripts/servers.sh up|down|status|env
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/.data"
pg_port="${FLOWCAST_PG_PORT:-55432}"
redis_port="${FLOWCAST_REDIS_PORT:-56379}"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

# initdb and postgres refuse to run as root; the Debian package brings the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [ -f "$data/pg/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; }
redis_running() { redis-cli -p "$redis_port" ping >/dev/null 2>&1; }

pg_up() {
  if pg_running; then return; fi
  mkdir -p "$data"
  if [ ! -f "$data/pg/PG_VERSION" ]; then
    mkdir -p "$data/pg"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data/pg"
    as_pg "$pg_bin/initdb" -D "$data/pg" -U flowcast -A trust -E UTF8 --locale=C.UTF-8 >"$data/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"/pg && touch "$data/pg.log" && chown postgres "$data/pg.log"
  # Telemetry tolerates losing the last few hundred ms on a crash (producers resend unacked
  # messages), so commits do not wait for the WAL flush.
  as_pg "$pg_bin/pg_ctl" -D "$data/pg" -l "$data/pg.log" -w -t 60 start -o \
    "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min -c max_connections=200" >/dev/null
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U flowcast -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='flowcast'" | grep -q 1 \
    || "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U flowcast flowcast
}

redis_up() {
  if redis_running; then return; fi
  mkdir -p "$data/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --daemonize yes \
    --pidfile "$data/redis.pid" --logfile "$data/redis.log" --save "" --appendonly no
  for _ in $(seq 1 50); do redis_running && return; sleep 0.1; done
  echo "redis did not start; see $data/redis.log" >&2; exit 1
}

down() {
  if pg_running; then as_pg "$pg_bin/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null; fi
  if redis_running; then redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; fi
}

case "${1:-}" in
  up) pg_up; redis_up; echo "postgres on 127.0.0.1:$pg_port, redis on 127.0.0.1:$redis_port" ;;
  down) down ;;
  status) pg_running && echo "postgres: running" || echo "postgres: stopped"; redis_running && echo "redis: running" || echo "redis: stopped" ;;
  env) echo "DATABASE_URL=postgres://flowcast@127.0.0.1:$pg_port/flowcast"; echo "REDIS_URL=redis://127.0.0.1:$redis_port" ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
