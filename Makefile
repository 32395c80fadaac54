# Two commands for a newcomer: `make run` and `make test`. Everything else is for CI and us.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The embedded defaults: SQLite in the project folder, Celery eager, console email.
DEV_ENV := DEBUG=true

.DEFAULT_GOAL := help
.PHONY: help run test test-embedded install install-dev migrate demo lint format browser-deps bench bench-deps \
	messages makemessages

help:
	@echo "make run   - set up and run the portal on http://127.0.0.1:8000 with demo data"
	@echo "make test  - run the whole test suite"
	@echo "make lint  - ruff check and format check"
	@echo "make bench - load benchmark on PostgreSQL (BENCH_ARGS=\"--scale quick\" for a short run)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The translations: locale/<language>/LC_MESSAGES/django.po compiled to .mo by Babel (pure Python,
# no GNU gettext needed); the .mo files are not committed (docs/translating.md).
messages: install
	$(PY) -m babel.messages.frontend compile -d locale -D django

# After marking new strings: refresh every catalog (needs GNU gettext's xgettext), then
# translate the new entries (docs/translating.md).
makemessages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l fr -l es -l pt_BR -l de -l sv -l zh_Hans -l ar \
	  --no-obsolete --ignore=.venv --ignore=tests \
	  --ignore=static --ignore=bench --ignore=scripts --add-location=file

# The world gazetteer (cities an officer adds partners from): loaded once, a few minutes the
# first time; later runs find every place there and insert nothing.
migrate: install messages
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_gazetteer

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_demo

run: demo
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The browser tests drive Debian's Chromium (Playwright's own download is not used).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium missing: browser tests will be skipped (sudo apt-get install chromium)"; \
	  fi; \
	fi

# Each test file on one worker (--dist loadfile): a module's shared world (tests/worlds.py) is
# built once, not once per worker that gets some of its tests.
test: install-dev browser-deps messages
	$(VENV)/bin/pytest -n 2 --dist loadfile

# The pages, the dossier, the exports and the search on the embedded default (SQLite, in a
# throwaway file): what PostgreSQL accepts and SQLite refuses (a query too deep for its parser)
# breaks `make run` only. About a minute; CI runs it after `make test`.
test-embedded: install-dev messages
	rm -f .test-embedded.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/.test-embedded.sqlite3 REDIS_URL= $(VENV)/bin/pytest -n 2 \
	  tests/partnerships/test_views_pages.py tests/partnerships/test_dossier.py \
	  tests/partnerships/test_exports.py tests/partnerships/test_saved_views.py tests/search \
	  tests/agenda tests/security/test_url_ids.py
	rm -f .test-embedded.sqlite3

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Backups of the database DATABASE_URL names (docs/reliability.md): pg_dump -Fc on PostgreSQL,
# dumpdata on SQLite, into backups/<timestamp>.dump|xml. DEBUG defaults to the laptop's.
.PHONY: backup restore soak
backup: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py backup

restore: install
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=backups/<timestamp>.dump|xml" >&2; exit 2; fi
	DEBUG=$${DEBUG:-true} $(PY) manage.py restore "$(FILE)" --noinput

# Soak: 50 users for 60 s against gunicorn on loopback, then Redis stopped and PostgreSQL
# restarted mid-run (private instances on free ports); prints figures, records them in
# docs/reliability.md. SOAK_ARGS="--users 10 --duration 10" for a short run.
SOAK_ARGS ?=
soak: install-dev
	$(PY) scripts/soak.py --record docs/reliability.md $(SOAK_ARGS)

# The load benchmark (docs/performance.md): re-creates the PostgreSQL database `bench` on
# 127.0.0.1 (DATABASE_URL to change it), serves it with gunicorn and drives it with Debian's wrk.
BENCH_ARGS ?=
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "wrk missing: sudo apt-get install wrk"; exit 1; \
	  fi; \
	fi

bench: install-dev bench-deps
	$(PY) bench/run.py $(BENCH_ARGS)

# --- Production processes (docs/deployment.md) ------------------------------------------------
# prod-local: the release step, then the Procfile's web, worker and beat under honcho, DEBUG off,
# plain http on this machine. Needs DATABASE_URL (PostgreSQL), REDIS_URL and PORTAL_BASE_URL
# (not a loopback address: the release step's check --deploy refuses it); SECRET_KEY is
# generated for the run when unset; PORT (8000) for the web process.
# cluster: two web nodes, two workers and one beat on loopback, loaded, one node and one worker
# killed mid-run; figures recorded in docs/reliability.md (about 3 minutes).
# CLUSTER_ARGS="--duration 15 --users 8" is the short form CI runs (about 2 minutes).
.PHONY: prod-local cluster
PROD_LOCAL_ENV := DEBUG=false SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false \
	CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 PATH="$(abspath $(VENV))/bin:$$PATH"
prod-local: install
	@for var in DATABASE_URL REDIS_URL PORTAL_BASE_URL; do \
	  if [ -z "$$(printenv $$var)" ]; then \
	    echo "make prod-local needs $$var (see docs/deployment.md)" >&2; exit 2; fi; \
	done
	export SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	  $(PROD_LOCAL_ENV) sh scripts/release.sh && \
	  $(PROD_LOCAL_ENV) $(VENV)/bin/honcho -f Procfile start -p $${PORT:-8000} web worker beat

CLUSTER_ARGS ?=
cluster: install-dev
	$(PY) scripts/cluster.py --record docs/reliability.md $(CLUSTER_ARGS)
