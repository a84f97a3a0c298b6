#!/usr/bin/env bash
# `make test`: the suite on SQLite, then on PostgreSQL (TEST_DATABASE_URL's database when given, else a
# throwaway server, scripts/test-postgres-server.sh), then one line naming both runs' results. Both run even
# when the first fails; the exit status is non-zero if either failed.
#
#   scripts/test.sh [pytest arguments]       (BIN names the virtualenv's bin folder; .venv/bin by default)
set -uo pipefail
cd "$(dirname "$0")/.."

pytest=("${BIN:-.venv/bin}/python" -m pytest -n 2 --dist loadfile "$@")
# Colours kept for a terminal, though the output goes through tee.
[ -t 1 ] && pytest+=(--color=yes)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Ctrl-C ends the whole of `make test`, not only the run it fell in.
trap 'exit 130' INT

# The log's copy; tee ignores Ctrl-C so that pytest's own account of an interrupted run still shows.
keep() { (trap '' INT; tee "$logs/$1"); }

# pytest's last line ("=== 1439 passed, 1 skipped in 680.21s (0:11:20) ==="), or what stopped the run.
result() {
  local line
  line=$(sed -E 's/\x1b\[[0-9;]*m//g' "$logs/$1" | grep -E '^=+ .* in [0-9.]+s' | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
  if [ "$2" = 0 ]; then echo "${line:-passed}"; else echo "FAILED (exit $2)${line:+: $line}"; fi
}

echo "== The suite on SQLite"
env -u TEST_DATABASE_URL "${pytest[@]}" | keep sqlite
sqlite=${PIPESTATUS[0]}

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== The suite on PostgreSQL (TEST_DATABASE_URL)"
  "${pytest[@]}" | keep postgresql
else
  echo "== The suite on PostgreSQL (a server of its own, for this run)"
  bash scripts/test-postgres-server.sh "${pytest[@]}" | keep postgresql
fi
postgresql=${PIPESTATUS[0]}

echo
echo "SQLite: $(result sqlite "$sqlite") · PostgreSQL: $(result postgresql "$postgresql")"
[ "$sqlite" = 0 ] && [ "$postgresql" = 0 ]
