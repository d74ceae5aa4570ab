# Mowakaba developer tasks. Every tool is called from .venv/bin explicitly; nothing needs activating.
#
#   make run     demo on http://127.0.0.1:5000 (DEMO_PASSWORD=... to choose the demo password)
#   make test    the suite on SQLite (with the browser tests), and on PostgreSQL alongside when
#                TEST_DATABASE_URL is set; STRICT=1 makes a missing PostgreSQL an error (CI)
#   make lint    ruff, then bandit on tracker/

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
FLASK := $(VENV)/bin/flask --app wsgi
PYBABEL := $(VENV)/bin/pybabel
PYTEST := $(VENV)/bin/pytest
TRANSLATIONS := tracker/translations
LOCALES := ar en
ARTIFACTS := tests/artifacts
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# What WeasyPrint (PDF reports) needs from the system, as Debian packages.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core

.PHONY: help venv dev-venv system-deps babel-extract babel-update babel-compile run test test-settings lint clean distclean

help:
	@echo "make run | test | lint | venv | dev-venv | system-deps | babel-extract | babel-update | babel-compile | clean"

# --- virtual environments: re-installed only when a requirements file is newer than its stamp ---------------

# Both also compile the translation catalogues: without them the app (and `flask report … --locale ar`) stops
# with a message rather than showing French (issue 18).
venv: $(VENV)/.stamp-runtime
	@$(COMPILE_CATALOGUES)

dev-venv: $(VENV)/.stamp-dev
	@$(COMPILE_CATALOGUES)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so the runtime stamp is fresh too.
$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-runtime

# --- system libraries --------------------------------------------------------------------------------------

system-deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for pkg in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	  done; \
	elif ! { pkg-config --exists pango 2>/dev/null || ldconfig -p 2>/dev/null | grep -q 'libpango-1.0'; }; then \
	  missing="$(SYSTEM_PACKAGES)"; \
	fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "Missing system packages (Pango, HarfBuzz, Noto fonts; needed for PDF reports):$$missing"; \
	  echo "Install them with: sudo apt-get install$$missing   (or your system's equivalents)"; \
	fi

# --- translations ------------------------------------------------------------------------------------------

babel-extract: venv
	@mkdir -p $(TRANSLATIONS)
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* ._ __pycache__ .venv node_modules' \
	  --add-comments=TRANSLATORS: --sort-by-file --project=Mowakaba -o $(TRANSLATIONS)/messages.pot .

# Creates the catalogue of a language that has none yet, then merges the template into every catalogue.
babel-update: babel-extract
	@for lang in $(LOCALES); do \
	  if [ ! -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(PYBABEL) init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang || exit 1; \
	  fi; \
	done
	$(PYBABEL) update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

# `make venv` compiles them already; kept as the name people know.
babel-compile: venv

define COMPILE_CATALOGUES
if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
  $(PYBABEL) -q compile -d $(TRANSLATIONS); \
else \
  echo "no catalogue under $(TRANSLATIONS) yet, nothing to compile"; \
fi
endef

# --- demo server -------------------------------------------------------------------------------------------

run: venv system-deps babel-compile
	$(FLASK) db upgrade
	@if [ -n "$${DEMO_PASSWORD:-}" ]; then $(FLASK) demo load --password "$$DEMO_PASSWORD"; else $(FLASK) demo load; fi
	@echo
	@echo "Mowakaba: http://$(HOST):$(PORT)"
	@if [ -n "$${DEMO_PASSWORD:-}" ]; then echo "Demo accounts (password: $$DEMO_PASSWORD, or their earlier one if they already existed):"; \
	else echo "Demo accounts (password: the one demo load printed when it created them; DEMO_PASSWORD=... chooses it):"; fi
	@echo "  admin@example.org     administrator"
	@echo "  manager@example.org   programme manager"
	@echo "  staff@example.org     support officer (also staff2@example.org)"
	@echo "  holder@example.org    project holder (also holder2@example.org)"
	@echo
	FLASK_DEBUG=0 $(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

# --- tests and lint ----------------------------------------------------------------------------------------

# Runs every part even when one fails, prints one summary, and fails if any part failed. First the suite without
# the browser tests on SQLite and, with TEST_DATABASE_URL, on PostgreSQL side by side (each its own database, temp
# folder, Redis queues and SMTP ports): both are CPU-bound, which fills a machine with two cores. Then the browser
# tests (SQLite) on their own: run alongside the rest they took twice as long and timed out under load.
# Each part's output is printed whole when it is done, and kept in $(ARTIFACTS)/{sqlite,postgresql,browser}.log.
test: test-settings dev-venv babel-compile
	@mkdir -p $(ARTIFACTS); rm -f $(ARTIFACTS)/{sqlite,postgresql,browser}.xml; status=0; \
	sqlite_run() { env -u TEST_DATABASE_URL_ACTIVE STRICT="$(STRICT)" $(PYTEST) -m "not browser" \
	  --basetemp="$$tmp/sqlite" --junitxml=$(ARTIFACTS)/sqlite.xml $(PYTEST_ARGS); }; \
	pg_run() { TEST_DATABASE_URL_ACTIVE="$(TEST_DATABASE_URL)" STRICT="$(STRICT)" $(PYTEST) -m "not browser" \
	  --basetemp="$$tmp/postgresql" --junitxml=$(ARTIFACTS)/postgresql.xml $(PYTEST_ARGS); }; \
	browser_run() { env -u TEST_DATABASE_URL_ACTIVE STRICT="$(STRICT)" $(PYTEST) -m browser \
	  --basetemp="$$tmp/browser" --junitxml=$(ARTIFACTS)/browser.xml $(PYTEST_ARGS); }; \
	tmp=$$(mktemp -d); \
	if [ -n "$(TEST_DATABASE_URL)" ]; then \
	  echo "== pytest on SQLite and on PostgreSQL, side by side, without the browser tests =="; \
	  pg_run > $(ARTIFACTS)/postgresql.log 2>&1 & pg_pid=$$!; \
	  sqlite_run > $(ARTIFACTS)/sqlite.log 2>&1 || status=1; \
	  wait $$pg_pid || status=1; \
	  echo "== pytest on SQLite =="; cat $(ARTIFACTS)/sqlite.log; \
	  echo "== pytest on PostgreSQL =="; cat $(ARTIFACTS)/postgresql.log; \
	else \
	  echo "== pytest on SQLite, without the browser tests =="; \
	  sqlite_run 2>&1 | tee $(ARTIFACTS)/sqlite.log; [ "$${PIPESTATUS[0]}" = 0 ] || status=1; \
	  echo "== PostgreSQL run skipped: TEST_DATABASE_URL is not set =="; \
	fi; \
	echo "== pytest: the browser tests (Chromium, SQLite) =="; \
	browser_run 2>&1 | tee $(ARTIFACTS)/browser.log; [ "$${PIPESTATUS[0]}" = 0 ] || status=1; \
	rm -rf "$$tmp"; \
	$(PY) -c "$$TEST_SUMMARY" $(ARTIFACTS); \
	exit $$status

# Checked before anything is installed, so CI fails fast on a missing database.
test-settings:
	@if [ "$(STRICT)" = 1 ] && [ -z "$(TEST_DATABASE_URL)" ]; then \
	  echo "make test STRICT=1 needs TEST_DATABASE_URL (a PostgreSQL database the suite may wipe)," \
	       "e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mowakaba_test" >&2; \
	  exit 2; \
	fi

# bandit: no medium or high finding in tracker/ may stay unexplained (an inline `# nosec BXXX  reason`).
lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r tracker --severity-level medium

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache $(ARTIFACTS) test-results
	find $(TRANSLATIONS) -name '*.mo' -delete 2>/dev/null || true

distclean: clean
	rm -rf $(VENV)

# Reads pytest's junit files: passed / failed / skipped per part.
define TEST_SUMMARY
import sys, xml.etree.ElementTree as ET
from pathlib import Path
folder = Path(sys.argv[1])
def count(path):
    c = {"passed": 0, "failed": 0, "skipped": 0}
    for case in ET.parse(path).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            c["failed"] += 1
        elif case.find("skipped") is not None:
            c["skipped"] += 1
        else:
            c["passed"] += 1
    return c
print("== test summary ==")
for label, name in (("SQLite", "sqlite"), ("PostgreSQL", "postgresql"), ("Browser (Chromium, SQLite)", "browser")):
    path = folder / f"{name}.xml"
    if not path.exists():
        print(f"{label:28} not run")
        continue
    c = count(path)
    print(f"{label:28} {c['passed']:4} passed, {c['failed']} failed or errored, {c['skipped']} skipped")
endef
export TEST_SUMMARY
