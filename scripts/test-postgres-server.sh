#!/usr/bin/env bash
# Runs a command (the test suite) against a throwaway PostgreSQL server:
#
#   scripts/test-postgres-server.sh .venv/bin/python -m pytest ...
#
# The server lives in a temporary folder, listens on 127.0.0.1 only, on a free port (never 5432, where a
# system cluster may run), with its socket in that folder; the command gets TEST_DATABASE_URL naming a
# database in it. On every exit (success, failure, Ctrl-C, kill) the server is stopped and the folder
# removed; the command's exit status is the script's.
set -euo pipefail

# Debian keeps initdb and pg_ctl off PATH, under /usr/lib/postgresql/<version>/bin: take the newest.
find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing PostgreSQL (Debian's postgresql) for the test run …"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(find_bindir || true)
fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL's initdb was not found: install PostgreSQL (apt-get install postgresql)," \
       "or set TEST_DATABASE_URL to a database of a server of your own." >&2
  exit 2
fi

# initdb refuses to run as root: root runs the server as Debian's postgres user, who owns the folder (and
# works from it: the repository may be in a home postgres cannot enter).
as_server() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  as_server() { (cd "$folder" && runuser -u postgres -- "$@"); }
fi

folder=$(mktemp -d "${TMPDIR:-/tmp}/tracker-test-postgres.XXXXXX")
data="$folder/data"
child=""
stop_server() {
  trap - EXIT INT TERM HUP
  # Interrupted: the run (pytest and its workers, a process group of their own) is told as Ctrl-C would
  # tell it, and the server outlives it so that its last tests end cleanly.
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -INT -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ -f "$data/postmaster.pid" ]; then
    as_server "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$folder"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[ "$(id -u)" = 0 ] && chown postgres: "$folder"
chmod 700 "$folder"
user=tracker_test
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# The password file is read by initdb only, then removed.
(umask 077 && echo "$password" >"$folder/password")
[ "$(id -u)" = 0 ] && chown postgres: "$folder/password"
as_server "$bindir/initdb" -D "$data" -U "$user" --pwfile="$folder/password" --auth=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$folder/initdb.log" 2>&1 \
  || { cat "$folder/initdb.log" >&2; exit 2; }
rm -f "$folder/password"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A throwaway cluster: durability buys nothing, and skipping it makes every test's commits cheaper.
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$folder'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
as_server "$bindir/pg_ctl" -D "$data" -l "$folder/server.log" -w -t 60 start >/dev/null \
  || { cat "$folder/server.log" >&2; exit 2; }

database=tracker_test
PGPASSWORD="$password" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$database"
echo "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (in $folder), for this run only"

export TEST_DATABASE_URL="postgresql+psycopg://$user:$password@127.0.0.1:$port/$database"
# In the background, so that a signal to this script is handled at once (a foreground command would have
# to end first), and in a process group of its own (set -m), which keeps Ctrl-C's SIGINT from being ignored
# in it and lets the trap pass it on to the whole run.
set -m
"$@" &
child=$!
set +m
status=0
wait "$child" || status=$?
child=""
exit "$status"
