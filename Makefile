# The few commands people use. `make run` and `make test` do all set-up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The address links in notifications point at: where `make run` serves, unless SITE_URL is
# set (behind a proxy or a domain name). Served on every interface, the machine's first
# address is the one a phone on the same network can reach.
SITE_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),$(or $(firstword $(shell hostname -I 2>/dev/null)),127.0.0.1),$(HOST))
SITE_URL ?= http://$(SITE_HOST):$(PORT)
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export DJANGO_SETTINGS_MODULE := suishoupai.settings

.PHONY: run setup test test-postgres browser lint fmt typecheck bench soak clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"' \
	  || { echo "Python 3.11 is required (found $(PYTHON))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed: on Debian install it with: sudo apt-get install python3-venv"; \
	  rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime only for `make run`; dev/test tools on top for `make test`.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

setup: $(VENV)/.runtime
	SUISHOUPAI_DEMO=true $(BIN)/python manage.py migrate --noinput
	SUISHOUPAI_DEMO=true $(BIN)/python manage.py createcachetable
	SUISHOUPAI_DEMO=true $(BIN)/python manage.py collectstatic --noinput -v 0
	SUISHOUPAI_DEMO=true $(BIN)/python manage.py load_reference
	SUISHOUPAI_DEMO=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo
	SUISHOUPAI_DEMO=true $(BIN)/python manage.py train_triage --if-missing

# The product on its embedded default: SQLite, huey on SQLite, granian.
run: setup
	SUISHOUPAI_DEMO=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev browser lint typecheck
	$(BIN)/pytest -n 2 -q

test-postgres: $(VENV)/.dev browser
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser
# here) and need a CJK font or Chinese renders as boxes. Installed once, with apt.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei"; then \
	  echo "Installing chromium and fonts-wqy-microhei (apt) for the browser tests"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium fonts-wqy-microhei >/dev/null; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.dev
	SUISHOUPAI_TESTING=true $(BIN)/mypy suishoupai

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

# Re-extract the source strings into the zh_Hans catalogue, then compile it.
# Needs GNU gettext (Debian: sudo apt-get install gettext). Commit both the
# .po and the .mo: the product runs without gettext installed.
messages: $(VENV)/.runtime
	SUISHOUPAI_TESTING=true $(BIN)/python manage.py makemessages -l zh_Hans --no-location \
	  --ignore=.venv --ignore=data --ignore=scripts
	SUISHOUPAI_TESTING=true $(BIN)/python manage.py compilemessages -l zh_Hans \
	  --ignore=.venv --ignore=data --ignore=scripts

# Speed targets live here, never in timed unit tests: ratios against a baseline timed in
# the same run, written to BENCHMARKS.md. A temporary database; data/ is not touched.
# Function-level benchmarks (scripts/bench.py), then the server level (scripts/bench_server.py:
# wrk against `manage.py serve`, SQLite and, with BENCH_PG set, PostgreSQL). wrk is
# installed once with apt, the way the browser target installs Chromium.
BENCH_PG ?=
BENCH_SERVER_ARGS ?=
# Databases already holding a city's full history (generate_history --cases 1000000), e.g.
# BENCH_PAGES_DB="sqlite:////work/bench/1m.sqlite3 postgresql://postgres@127.0.0.1:5432/bench_1m":
# the dashboard and public pages timed on each (scripts/bench_pages.py, issue 12's targets).
BENCH_PAGES_DB ?=
bench: $(VENV)/.dev
	@if ! command -v wrk >/dev/null; then \
	  echo "Installing wrk (apt) for the server benchmark"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_server.py --database-url sqlite \
	  $(if $(BENCH_PG),--database-url $(BENCH_PG)) $(BENCH_SERVER_ARGS)
	$(foreach db,$(BENCH_PAGES_DB),$(BIN)/python scripts/bench_pages.py --database-url $(db) \
	  --output BENCHMARKS.md &&) true

# Ten minutes of mixed load on loopback against two web servers and two task consumers
# (reports with photos, staff moves, public reads, Open311): no error, no answer over 2 s,
# memory flat, queues drained; the result goes into BENCHMARKS.md. SOAK_ARGS adds
# e.g. --database-url postgresql://… --redis-url redis://127.0.0.1:6379/8 --s3.
SOAK_ARGS ?=
soak: $(VENV)/.dev
	$(BIN)/python scripts/soak.py --minutes 10 $(SOAK_ARGS)
