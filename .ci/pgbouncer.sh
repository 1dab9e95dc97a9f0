#!/usr/bin/env bash
# PgBouncer in transaction mode in front of a PostgreSQL server, for the test suite (.ci/run runs
# its PostgreSQL pass through it; a developer can too, see the README's "PgBouncer").
#
#   .ci/pgbouncer.sh start DIR [PORT [UPSTREAM_HOST UPSTREAM_PORT]]   writes DIR/pgbouncer.ini, starts it
#   .ci/pgbouncer.sh stop DIR                                         stops the one started in DIR, by its pid
#
# Every database name is forwarded (the `*` entry), so the databases the tests create per file are
# reached through it too. Trust authentication for the user postgres, like the local server CI uses.
# PgBouncer refuses to run as root: as root it runs as the user postgres (its -u option).
set -euo pipefail

command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT [UPSTREAM_HOST UPSTREAM_PORT]]" >&2; exit 2; }

case "$command" in
start)
  port=${3:-6432}
  upstream_host=${4:-127.0.0.1}
  upstream_port=${5:-5432}
  binary=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  [ -x "$binary" ] || { echo "pgbouncer is not installed" >&2; exit 1; }
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=$upstream_host port=$upstream_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
stats_users = postgres
; The suite opens a few pools per test file and drops each file's database when it is done.
max_client_conn = 2000
default_pool_size = 20
; Connections PgBouncer keeps to a database are closed after this long unused (a database cannot
; be used as a template, nor dropped without force, while a connection to it is open).
server_idle_timeout = 10
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
EOF
  echo '"postgres" ""' >"$dir/userlist.txt"
  user_option=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$dir"
    user_option=(-u postgres)
  fi
  "$binary" -d "${user_option[@]}" "$dir/pgbouncer.ini"
  for _ in $(seq 1 50); do
    if [ -s "$dir/pgbouncer.pid" ] && pg_isready -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; then exit 0; fi
    sleep 0.1
  done
  echo "pgbouncer did not start listening on 127.0.0.1:$port; its log:" >&2
  cat "$dir/pgbouncer.log" >&2 2>/dev/null || true
  exit 1
  ;;
stop)
  [ -s "$dir/pgbouncer.pid" ] || exit 0
  pid=$(cat "$dir/pgbouncer.pid")
  kill "$pid" 2>/dev/null || exit 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start|stop DIR [PORT [UPSTREAM_HOST UPSTREAM_PORT]]" >&2
  exit 2
  ;;
esac
