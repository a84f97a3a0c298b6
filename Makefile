# `make run` and `make test` work on a fresh clone: each builds what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
NPM ?= npm

.PHONY: run serve lint test test-sqlite test-postgres bench bench-pages setup install install-test clean translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## The front-end packages (Tom Select) from the npm registry, exactly as package-lock.json pins them, into
## node_modules/, which the app serves them from; the sentinel keeps later runs (and `make test`) offline.
node_modules/.installed: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm (Node.js) installs the front-end packages: apt-get install npm"; exit 2; }
	$(NPM) ci --no-audit --no-fund
	touch $@

## The message catalogues, compiled from translations/*/LC_MESSAGES/messages.po (the .mo files are built,
## never committed).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(VENV)/.installed node_modules/.installed $(CATALOGUES)
install-test: $(VENV)/.installed-test node_modules/.installed $(CATALOGUES)

## After changing the interface's strings: extract them (translations/messages.pot), then add the new ones to
## each language's catalogue, for a translator to fill in (tests/test_translations.py names what is missing).
## --ignore-dirs replaces Babel's default, which skips every folder named _* (templates/_macros/ too).
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location \
		--sort-output --no-wrap --project tracker --version 1 -o translations/messages.pot \
		--ignore-dirs '.* __pycache__ node_modules build instance' .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --no-fuzzy-matching \
		--ignore-obsolete

## Upgrade the database, seed it when empty, make sure an admin exists.
setup: install
	$(FLASK) db upgrade
	$(FLASK) seed --if-empty
	$(FLASK) users ensure-admin

## The same setup, then the web server and the one scheduler process beside it (scripts/run.sh): the admin's
## login is printed in a box after all setup output, as the last lines before the server's own.
run: install
	@BIN=$(BIN) PORT=$(PORT) sh scripts/run.sh

## Production's processes on this machine: gunicorn (gunicorn.conf.py) and the one scheduler (scripts/serve.sh).
serve: install
	@BIN=$(BIN) sh scripts/serve.sh

LINT_PATHS ?= .

## ruff: pyflakes, pycodestyle, import order, bugbear, pyupgrade (settings in pyproject.toml).
lint: install-test
	$(BIN)/ruff check $(LINT_PATHS)

## Arguments for pytest in the test targets: `make test PYTEST_ARGS="tests/test_app.py -x"` runs that file on both
## databases (a later -n overrides the two processes: -n 0 runs in one).
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile

## The suite on SQLite, then on PostgreSQL (TEST_DATABASE_URL's database when given, else a server of its own
## started for the run and removed after it), then one line naming both results (scripts/test.sh). Each run's
## files go to two processes: every test has its own SQLite file, and each process its own PostgreSQL database.
test: lint
	@BIN=$(BIN) bash scripts/test.sh $(PYTEST_ARGS)

test-sqlite: lint
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

## The PostgreSQL run alone: on TEST_DATABASE_URL=postgresql+psycopg://user:pw@127.0.0.1/db (its role needs
## CREATEDB for the processes' databases), or without it on a throwaway server (scripts/test-postgres-server.sh).
test-postgres: lint
	$(if $(TEST_DATABASE_URL),,bash scripts/test-postgres-server.sh) $(PYTEST) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache node_modules

## Issue 18's table at national scale (README, Performance): the synthetic plan of 10,000 items served by
## production's gunicorn on loopback, on SQLite and on PostgreSQL (BENCH_DATABASE_URL, or the local server's
## tracker_bench when it answers, else a throwaway server as make test's). About 15 minutes a database;
## BENCH_ARGS=--quick for a look.
bench: install-test
	@if [ -n "$$BENCH_DATABASE_URL" ] || $(BIN)/python -c 'import sys; from bench.run import postgres_available; \
		sys.exit(not postgres_available())' 2>/dev/null; then $(BIN)/python -m bench.run $(BENCH_ARGS); \
	else bash scripts/test-postgres-server.sh sh -c \
		'BENCH_DATABASE_URL=$$TEST_DATABASE_URL exec $(BIN)/python -m bench.run $(BENCH_ARGS)'; fi

## The main pages, indicators and the Rapporteur's report timed in-process at 2,000 items.
bench-pages: install-test
	$(BIN)/python scripts/benchmark.py --items 2000 --repeat 20
