# The project's front door. `make run` starts the product with its demo bank; `make test` runs the suite.
# Needs only Python 3.12+ (found by scripts/find-python; `make run PYTHON=/path/to/python3.12` picks one).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
# Rewritten by every install: a second `make` does not reinstall until the lock file changes.
STAMP  := $(VENV)/.installed
# Every package with its exact version and hashes, the dev tools included: a new release of anything
# reaches a machine only when `make lock` is run and the changed file committed.
LOCK   := requirements.lock
PORT   ?= 8000
export PORT

.PHONY: help install run test lint format demo migrate messages lock

help:
	@echo "make run      start the web server and one job worker on http://127.0.0.1:$(PORT)/ with the demo bank"
	@echo "make test     run the whole test suite (browser tests need /usr/bin/chromium)"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make demo     load the demo bank (safe to run again)"
	@echo "make messages extract new strings into the zh_Hans catalogue and compile it"
	@echo "make install  create .venv and install the project with its dev tools from requirements.lock"
	@echo "make lock     pin pyproject.toml's dependencies anew, with hashes, into requirements.lock"
	@echo "Environment: DATABASE_URL (default SQLite under var/), PORT (default 8000), PYTHON (interpreter),"
	@echo "             HOST (make run's address: 127.0.0.1, this machine only; HOST=0.0.0.0 opens it to the network)"

$(PY):
	@py="$$(scripts/find-python)" || exit 1; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "$(VENV) holds Python $$($(PY) -c 'import platform; print(platform.python_version())'), older than 3.12: remove it (rm -rf $(VENV)) and run make again." >&2; exit 1; }
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --quiet --require-hashes -r $(LOCK)
	@# The project itself, with nothing more: its build backend (setuptools) is in the lock too.
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --quiet --no-deps --no-build-isolation -e .
	@touch $@

# Pins every dependency of pyproject.toml (dev tools included) with hashes, for this Python and later ones.
lock: | $(PY)
	$(PY) -m pip install --quiet pip-tools
	PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(VENV)/bin/pip-compile --quiet --extra dev --all-build-deps --generate-hashes \
	  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

install: $(STAMP)

# `make run HOST=0.0.0.0` opens it to the network; by default only this machine reaches it. Only a HOST
# given on the command line counts: csh and tcsh export HOST as the machine's own name.
run: $(STAMP)
	@$(if $(filter command line,$(origin HOST)),BIND='$(HOST)' )scripts/run.sh

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
