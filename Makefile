# Two commands for a newcomer: `make run` and `make test`. Everything else is for CI and us.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# The embedded defaults: SQLite in the project folder, Celery eager, console email.
DEV_ENV := DEBUG=true

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev migrate demo lint format browser-deps bench bench-deps

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

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

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

test: install-dev browser-deps
	$(VENV)/bin/pytest -n 2

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
