# The two commands: `make run` serves the site; `make test` runs the whole suite.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/leadgen
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# axe-core for the accessibility check, from npm (package.json); offline once installed.
NODE_TOOLS := node_modules/.installed

.PHONY: run test lint messages venv

$(VENV)/.installed-run: pyproject.toml
	@python=$$(scripts/find-python) && { [ -x $(PY) ] || $$python -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

$(NODE_TOOLS): package.json package-lock.json
	@scripts/ensure-node-tools
	@touch $@

venv: $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@scripts/run

# Style, the architecture's import contracts and the types: what `make test` runs first.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint $(NODE_TOOLS)
	@scripts/ensure-test-tools
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} PY=$(PY) scripts/ensure-services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

# Regenerate the Russian catalogue after changing user-facing text (needs gettext).
messages: $(VENV)/.installed-run
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=tests --ignore=bench --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv
