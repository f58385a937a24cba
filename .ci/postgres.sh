#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite, installing it if needed.
# Source it: it exports VEILLE_TEST_POSTGRES_URL and stops the server when the calling shell exits.
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ]; then
  echo "postgres: installing the server (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bin)
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PG_DATA=$(mktemp -d /tmp/veille-pg.XXXXXX)

# PostgreSQL refuses to run as root: the cluster belongs to the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"

as_pg "'$PG_BIN/initdb' -D '$PG_DATA' -U postgres -A trust --no-sync -E UTF8" >/dev/null
as_pg "'$PG_BIN/pg_ctl' -D '$PG_DATA' -l '$PG_DATA/server.log' -w start \
  -o \"-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\"" >/dev/null

stop_postgres() {
  as_pg "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PG_DATA"
}
trap stop_postgres EXIT

export VEILLE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "postgres: test server on 127.0.0.1:$PG_PORT ($("$PG_BIN/postgres" --version))" >&2
