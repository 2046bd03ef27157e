# Terugbel: `make run` starts the whole app on this machine, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python 3.12+ interpreter: python3.13/python3.12 on PATH, else one installed by pyenv.
# Override with `make run PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for c in python3.13 python3.12 \
	$${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 \
	$${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12; do \
	if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$c"; break; fi; done)

VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=true

.PHONY: help run lint lock test test-sqlite test-postgres test-shifted install install-test assets messages makemessages migrate seed check-python clean

help:
	@echo "make run   - install, migrate, load demo data, start web + Celery worker + beat (Ctrl-C stops all)"
	@echo "make lint  - ruff check and format, the import contracts in .importlinter, hadolint on the Dockerfile, compose.yaml's schema"
	@echo "make test  - install what is missing, lint, and run the whole suite (SQLite, then PostgreSQL)"
	@echo "make test-shifted [AT='2028-02-29 09:00:00'] - the SQLite pass with the machine's clock moved (faketime)"
	@echo "make lock  - recompile requirements.txt and requirements-test.txt (with hashes) from pyproject.toml"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "No Python 3.12+ found: install python3.12 or set PYTHON=..." >&2; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

# The locks, compiled from pyproject.toml: requirements.txt is what production runs (the Docker image
# installs exactly it); requirements-test.txt adds the test and dev groups (pytest, ruff, honcho, pip-tools)
# at the same versions. Every file is checked against its hash.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.txt
	touch $@

# One command to update the dependencies: newest versions within pyproject.toml's ranges, both locks.
# `make lock UPGRADE=` keeps the current pins and only adds what pyproject.toml gained.
UPGRADE ?= --upgrade
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links
lock: $(VENV)/.test-installed
	$(PIP_COMPILE) $(UPGRADE) --output-file requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra test --extra dev --constraint requirements.txt --output-file requirements-test.txt \
		pyproject.toml

install: $(VENV)/.runtime-installed assets messages
install-test: $(VENV)/.test-installed assets messages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

locale/nl/LC_MESSAGES/django.mo: locale/nl/LC_MESSAGES/django.po $(VENV)/.runtime-installed
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --locale nl --verbosity 0

messages: locale/nl/LC_MESSAGES/django.mo

makemessages: $(VENV)/.runtime-installed
	$(DEV_ENV) $(BIN)/python manage.py makemessages --locale nl --no-obsolete --no-location --ignore '.venv/*' --ignore 'node_modules/*'

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --verbosity 0

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py phone_demo

# honcho comes with the dev group (requirements-test.txt), not with the runtime set.
run: seed $(VENV)/.test-installed
	@echo
	@echo "Terugbel runs at http://127.0.0.1:8000/"
	@echo "Demo logins (password 'demo'): anna (receptionist), bram, carla, daan, eva (colleagues), mira (manager)"
	@echo "Demo phone system webhook (README.md, Phone system): http://127.0.0.1:8000/cti/demo-token-alleen-voor-ontwikkeling/"
	@echo "Ctrl-C stops the web server, the Celery worker and beat together."
	@echo
	$(DEV_ENV) $(BIN)/honcho --procfile Procfile.dev start

# lint-imports reads .importlinter: callbacks' layers (views and tasks over services over selectors over
# models over domain) and accounts never importing callbacks. CI runs it through `make test`.
lint: install-test
	$(BIN)/ruff check accounts callbacks config telephony tests bench
	$(BIN)/ruff format --check accounts callbacks config telephony tests bench
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml

test: lint test-sqlite test-postgres

test-sqlite: install-test
	$(BIN)/pytest -n 2

test-postgres: install-test
	TERUGBEL_TEST_DB=postgres $(BIN)/pytest -m postgres -p no:xdist

# The SQLite pass again with the machine's clock moved by libfaketime (Debian package faketime), so a test
# that mixes a fixed date with the wall clock fails. AT is a moment in UTC; by default a Sunday night about a
# year ahead (.ci/shifted_date.py). README.md lists the other dates worth a run.
AT ?= $(shell python3 .ci/shifted_date.py)
test-shifted: install-test
	@echo "The SQLite pass with the machine's clock at $(AT) UTC"
	TZ=UTC faketime -f "@$(AT)" $(BIN)/pytest -n 2

clean:
	rm -rf $(VENV) node_modules staticfiles var

.PHONY: bench
bench: install-test
	$(DEV_ENV) $(BIN)/python bench/sweep.py

# Static analysis and known vulnerabilities (docs/SECURITY.md). --strict: a dependency that could
# not be checked fails the audit instead of being skipped with "No known vulnerabilities found".
.PHONY: audit
audit: $(VENV)/.test-installed
	$(BIN)/bandit -q -r accounts callbacks config telephony -x tests
	$(BIN)/pip-audit --strict -r requirements.txt

# The other benchmarks (docs/PERFORMANCE.md); each starts its own throw-away PostgreSQL (and Redis),
# fills 1,000,000 messages and runs with production settings, so no DJANGO_DEBUG here. bench-pages
# measures two data profiles (office history, 1,000,000 messages; backlog, 200,000) in about 3 minutes;
# narrow or change a run with e.g. `make bench-pages PAGES_ARGS="--profiles backlog --rounds 50"`.
.PHONY: bench-dashboard bench-pages bench-compare bench-load bench-all
bench-dashboard: install-test
	$(BIN)/python bench/dashboard.py

bench-pages: install-test
	$(BIN)/python bench/pages.py $(PAGES_ARGS)

# Two revisions side by side on one database: `make bench-compare BASE=main~3 [COMPARE_ARGS="--profile office"]`.
bench-compare: install-test
	$(BIN)/python bench/compare.py --base $(or $(BASE),HEAD) $(COMPARE_ARGS)

bench-load: install-test
	$(BIN)/python bench/load.py

bench-all: bench bench-dashboard bench-pages bench-load
