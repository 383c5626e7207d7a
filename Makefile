# One command to run the app locally, one to run the tests; both set up what they need, idempotently.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `make try USER=U123`: USER from the shell environment (your login name) is not a Slack user id.
SLACK_USER := $(if $(filter command line,$(origin USER)),$(USER),U0LOCALUSER)
TEXT ?=

.PHONY: setup run try test check bench prove clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(PY) -m local.run $(ARGS)

# TEXT goes through the environment unexpanded, so quotes, $ and backticks reach the app as typed.
override TEXT := $(value TEXT)
export TEXT
try: $(VENV)/.installed
	$(PY) -m local.try_command --user "$(SLACK_USER)" -- "$$TEXT"

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

check: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: setup
	$(PY) -m bench.run $(if $(QUICK),--quick,--write BENCHMARKS.md)

# Load, faults, bad input and privacy against the local host on Azurite, as a table (QUICK=1: the CI size).
prove: setup
	$(PY) -m prove.run $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
