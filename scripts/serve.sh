#!/bin/sh
# `make serve`: production's two processes on this machine — gunicorn with gunicorn.conf.py, and beside it the
# one scheduler process — after bringing the database up to date. Set DATABASE_URL (PostgreSQL in production),
# SECRET_KEY and TRACKER_BIND first; README's Production section runs the same two commands under systemd.
set -e
BIN=${BIN:-.venv/bin}

"$BIN/flask" --app app db upgrade
"$BIN/flask" --app app scheduler &
scheduler=$!
trap 'kill $scheduler 2>/dev/null' EXIT INT TERM
"$BIN/gunicorn" --config gunicorn.conf.py
