# Summit: two commands for a new machine.
#   make run    venv + install + migrate SQLite + demo summit + serve on http://127.0.0.1:5000
#   make test   everything the tests need (Chromium from Debian included) + the whole suite,
#               on SQLite and on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app summit
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Both databases unless told otherwise (SUMMIT_TEST_DBS=sqlite for a quick local run).
export SUMMIT_TEST_DBS ?= sqlite,postgresql
export DATABASE_URL_TEST_PG ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run install install-test system-deps test lint migrate demo serve bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# WeasyPrint needs Pango; badges need real fonts (CJK included); browser tests need Chromium.
# Installed from Debian's packages only when missing (root, or sudo).
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	$(FLASK) db upgrade

# Links and QR codes point at the address being served unless BASE_URL says otherwise.
SERVE_URL = $${BASE_URL:-http://$(HOST):$(PORT)}

demo: migrate
	@BASE_URL=$(SERVE_URL) $(FLASK) demo

run: demo
	@echo "Serving Summit on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@BASE_URL=$(SERVE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Re-extract the marked strings, merge them into each language's .po, compile the .mo files
# (committed, so nothing is compiled at run time). Then translate the new empty msgstr entries
# in summit/translations/<lang>/LC_MESSAGES/messages.po and run it again. See docs/i18n.md.
BABEL := $(BIN)/pybabel
translations: install
	$(BABEL) extract -F babel.cfg -k lazy_gettext -k _l -k N_ --sort-by-file --no-wrap \
	  --project Summit --copyright-holder "Summit contributors" \
	  -o summit/translations/messages.pot .
	$(BABEL) update -i summit/translations/messages.pot -d summit/translations -D messages \
	  --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BABEL) compile -d summit/translations -D messages --statistics

# The check-in benchmark drives the server with wrk (Debian's package).
BENCH_PACKAGES := wrk
bench: install-test
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(BENCH_PACKAGES)"
	@for b in bench/*/run.py; do echo "== $$b"; $(BIN)/python $$b; done
	$(BIN)/python bench/collect_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
