# The project's front door. `make run` starts the product with its demo bank; `make test` runs the suite.
# Needs only Python 3.12+ (found by scripts/find-python; `make run PYTHON=/path/to/python3.12` picks one).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# Rewritten by every install: a second `make` does not reinstall until pyproject.toml changes.
STAMP  := $(VENV)/.installed
PORT   ?= 8000
export PORT

.PHONY: help install run test lint format demo migrate messages

help:
	@echo "make run      start the web server and one job worker on http://127.0.0.1:$(PORT)/ with the demo bank"
	@echo "make test     run the whole test suite (browser tests need /usr/bin/chromium)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make demo     load the demo bank (safe to run again)"
	@echo "make messages extract new strings into the zh_Hans catalogue and compile it"
	@echo "make install  create .venv and install the project with its dev tools"
	@echo "Environment: DATABASE_URL (default SQLite under var/), PORT (default 8000), PYTHON (interpreter)"

$(PY):
	@py="$$(scripts/find-python)" || exit 1; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "$(VENV) holds Python $$($(PY) -c 'import platform; print(platform.python_version())'), older than 3.12: remove it (rm -rf $(VENV)) and run make again." >&2; exit 1; }
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	@scripts/run.sh

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv' --ignore 'var' --ignore 'tests' --ignore 'static' --ignore 'bench'
	$(PY) manage.py compilemessages --ignore '.venv' --ignore 'var'
