#!/bin/sh
# `make run`: bring the database up to date, seed it when empty, make sure an admin exists, and serve —
# with the admin's login in a box as the last thing printed before the server's own log lines, so that
# the one-time password of a first run is not lost among the setup output.
set -e
BIN=${BIN:-.venv/bin}
PORT=${PORT:-5000}
FLASK="$BIN/flask --app app"

$FLASK db upgrade
$FLASK seed --if-empty
$FLASK users ensure-admin --login-box --url "http://127.0.0.1:$PORT"

# The web server and, beside it, the one scheduler process (stopped together).
$FLASK scheduler &
scheduler=$!
trap 'kill $scheduler 2>/dev/null' EXIT INT TERM
$FLASK run --host 127.0.0.1 --port "$PORT"
