#!/usr/bin/env bash
# Makes sure the real PostgreSQL and Redis the tests use are up: starts them when they are
# installed but stopped, and says what to install when they are not. Honours DATABASE_URL /
# REDIS_URL when they point elsewhere (then it only checks).
set -uo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
pg_host=127.0.0.1; pg_port=5432; redis_port=6379

pg_up() { pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; }

if ! command -v pg_isready >/dev/null || ! command -v pg_restore >/dev/null; then
  echo "PostgreSQL client tools are missing: install them with 'apt-get install postgresql postgresql-client'." >&2
  exit 1
fi
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 || true
    done
    for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
  fi
  pg_up || { echo "PostgreSQL is not running on $pg_host:$pg_port and could not be started: install it with 'apt-get install postgresql' (trust auth for local connections, database 'test')." >&2; exit 1; }
fi
psql -h "$pg_host" -p "$pg_port" -U postgres -tAc "select 1 from pg_database where datname='test'" 2>/dev/null | grep -q 1 \
  || psql -h "$pg_host" -p "$pg_port" -U postgres -c "create database test" >/dev/null 2>&1 || true

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
  fi
  redis_up || { echo "Redis is not running on 127.0.0.1:$redis_port and could not be started: install it with 'apt-get install redis-server'." >&2; exit 1; }
fi
echo "services: PostgreSQL on $pg_host:$pg_port and Redis on 127.0.0.1:$redis_port are up" >&2
