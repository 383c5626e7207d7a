# One command to run the app locally, one to run the tests; both set up what they need, idempotently.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# `make try USER=U123`: USER from the shell environment (your login name) is not a Slack user id.
SLACK_USER := $(if $(filter command line,$(origin USER)),$(USER),U0LOCALUSER)
TEXT ?=

# `make deploy`: see README.md, "Deploy to Azure". DRY_RUN=1 prints a first deploy's commands and runs
# nothing; PLAN=1 reads the subscription and says what would be created, changed or kept.
NAME ?=
LOCATION ?=
STORAGE_ACCOUNT ?=
ALWAYS_READY_HTTP ?= 1
ALWAYS_READY_WORKER ?= 1
MAX_INSTANCES ?= 10
INSTANCE_MEMORY ?= 2048
TAGS ?= app=interactions
ALERT_EMAIL ?=
# A file holding an existing pseudonym key (an app moved from elsewhere, or a restore): never the key itself.
PSEUDONYM_KEY_FILE ?=
# YES=1, exactly, skips the subscription's confirmation (any other value asks).
YES ?=
DRY_RUN ?=
PLAN ?=
# The pinned Azure CLI that check-deploy parses the dry run's commands with; re-made when its pin changes.
AZ_VENV := .cache/azure-cli

.PHONY: setup run try press shortcut expire test check bench prove clean deploy check-deploy destroy

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
# `make try hello +`: without TEXT, the words after `try` are the text, and make is told they need no building
# (.DEFAULT is the recipe of every target without a rule). make drops a lone `-`, a rating, from those words:
# --make-pid lets try_command read them again from make's own command line.
TRY_WORDS := $(if $(filter try,$(firstword $(MAKECMDGOALS))),$(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS)))
ifneq ($(TRY_WORDS),)
ifneq ($(TEXT),)
$(error make try: give the text once, either after try or as TEXT='...', as in: make try @U0DON + Random Guy -)
endif
ifneq ($(filter setup run try press shortcut expire test check bench prove clean deploy check-deploy destroy,$(TRY_WORDS)),)
$(error make try: a word of the text is also a make target; quote the text instead: make try TEXT='$(TRY_WORDS)')
endif
.DEFAULT: ; @:
# A word typed twice (`+`) is a goal make meets twice: silent, it does not say "'+' is up to date".
MAKEFLAGS += --silent
endif
TRY_TEXT := $(if $(TEXT),,--make-pid $$PPID)
override TEXT := $(if $(TEXT),$(TEXT),$(TRY_WORDS))
export TEXT
try: $(VENV)/.installed
	$(PY) -m local.act try --user "$(SLACK_USER)" $(TRY_TEXT) $(ARGS) -- "$$TEXT"

# `make press 3`: press the control `make try` printed as [3] (`make press 3 cancel`: answer Cancel when it asks to
# confirm); `make press again`: the last press once more; `make press home`: open the app's Home tab. In a modal:
# `make press pick U0DON`, `make press names "Random Guy"`, `make press rate 1 -`, `make press submit` (local/form.py).
# make drops a lone `-` from the words: --make-pid lets press read them again, quoted text whole.
PRESS_WORDS := $(if $(filter press,$(firstword $(MAKECMDGOALS))),$(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS)))
ifneq ($(PRESS_WORDS),)
.DEFAULT: ; @:
MAKEFLAGS += --silent
endif
press: $(VENV)/.installed
	@$(PY) -m local.act press --user "$(SLACK_USER)" --make-pid $$PPID $(ARGS) $(PRESS_WORDS)

# `make shortcut`: the global shortcut "Log an interaction"; `make shortcut message [TEXT]`: the message shortcut,
# on a sample message or on one of this text (@U0DON typed is a mention); ARGS='--from-app' or '--author U0SAM'.
SHORTCUT_WORDS := $(if $(filter shortcut,$(firstword $(MAKECMDGOALS))),$(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS)))
ifneq ($(SHORTCUT_WORDS),)
.DEFAULT: ; @:
MAKEFLAGS += --silent
endif
shortcut: $(VENV)/.installed
	@$(PY) -m local.act shortcut --user "$(SLACK_USER)" --make-pid $$PPID $(ARGS) $(SHORTCUT_WORDS)

# The retention sweep, once, now: the local host does not run the daily timer (README.md, Privacy).
expire: $(VENV)/.installed
	$(PY) -m local.expire

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

deploy:
	@test -n "$(NAME)" && test -n "$(LOCATION)" || \
		{ echo "usage: make deploy NAME=<prefix> LOCATION=<region> [DRY_RUN=1]" >&2; exit 2; }
	@$(PYTHON) -m deploy --name "$(NAME)" --location "$(LOCATION)" --storage-account "$(STORAGE_ACCOUNT)" \
		--always-ready-http "$(ALWAYS_READY_HTTP)" --always-ready-worker "$(ALWAYS_READY_WORKER)" \
		--max-instances "$(MAX_INSTANCES)" --instance-memory "$(INSTANCE_MEMORY)" --tags "$(TAGS)" \
		--alert-email "$(ALERT_EMAIL)" --pseudonym-key-file "$(PSEUDONYM_KEY_FILE)" $(if $(filter 1,$(YES)),--yes,) $(if $(DRY_RUN),--dry-run,) $(if $(PLAN),--plan,)

# Deletes NAME-rg and everything in it, after you type its name (YES=1: without asking).
destroy:
	@test -n "$(NAME)" || { echo "usage: make destroy NAME=<prefix> [YES=1]" >&2; exit 2; }
	@$(PYTHON) -m deploy.destroy --name "$(NAME)" $(if $(filter 1,$(YES)),--yes,)

$(AZ_VENV)/.installed: requirements-deploy.txt
	rm -rf $(AZ_VENV)
	$(PYTHON) -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	touch $@

# Every az command of the dry run, parsed by the real CLI without a login: a wrong flag fails here.
check-deploy: $(AZ_VENV)/.installed
	$(PYTHON) -m deploy.check --az $(AZ_VENV)/bin/az

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
