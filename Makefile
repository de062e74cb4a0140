# Tandem — the two commands: `make run` (set up and serve the API on embedded defaults) and
# `make test` (set up and run lint, type check and the test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CUSTOMER ?= alex_morgan_1001
NPM    ?= npm
STUDIO_PORT ?= 2024
# Installed with their bytecode, so that no command compiles its libraries at every start
# (where PYTHONDONTWRITEBYTECODE is set, nothing would ever cache it).
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python
PACKAGES = config cloud graphs tools memory prompts conversations wiring channels server evals cli bench

.PHONY: install install-dev install-bench install-deploy web web-test mobile mobile-test run chat test lint typecheck pytest studio bench events deploy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(UV_INSTALL) -e .
	$(BIN)/python -m compileall -q $(PACKAGES) >/dev/null
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(UV_INSTALL) -e '.[dev]'
	$(BIN)/python -m compileall -q $(PACKAGES) >/dev/null
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(UV_INSTALL) -e '.[bench]'
	$(BIN)/python -m compileall -q $(PACKAGES) >/dev/null
	touch $@ $(VENV)/.installed

$(VENV)/.installed-deploy: $(BIN)/python pyproject.toml
	$(UV_INSTALL) -e '.[deploy]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

install-bench: $(VENV)/.installed-bench

install-deploy: $(VENV)/.installed-deploy

# The browser apps need Node.js 20+; without it the API still runs and the server says
# how to build them.
web:
	@if command -v node >/dev/null 2>&1; then \
		cd web && $(NPM) ci --no-audit --no-fund --loglevel=error && $(NPM) run build; \
	else echo "Node.js not found: skipping the web apps (the server explains how to build them)."; fi

web-test: web
	@if command -v node >/dev/null 2>&1; then cd web && $(NPM) test; \
	else echo "Node.js not found: skipping the web app tests."; fi

# The customer app for phones (mobile/, Expo): install, type check, lint, component tests and
# its web build (driven by the browser tests). Skipped, like the web apps, without Node.js.
mobile:
	@if command -v node >/dev/null 2>&1; then \
		cd mobile && $(NPM) ci --no-audit --no-fund --loglevel=error && $(NPM) run export:web; \
	else echo "Node.js not found: skipping the mobile app."; fi

mobile-test: mobile
	@if command -v node >/dev/null 2>&1; then \
		cd mobile && $(NPM) run typecheck && $(NPM) run lint && $(NPM) test -- --ci; \
	else echo "Node.js not found: skipping the mobile app tests."; fi

run: install web
	TANDEM_EMAIL_SMTP_PORT=$${TANDEM_EMAIL_SMTP_PORT-2525} $(BIN)/tandem serve

chat: install
	$(BIN)/tandem chat $(if $(CUSTOMER),--customer $(CUSTOMER))

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy
	$(BIN)/mypy -p deploy

pytest: install-dev web mobile
	$(BIN)/pytest

test: lint typecheck web-test mobile-test pytest

studio: install-dev
	$(BIN)/langgraph dev --no-browser --port $(STUDIO_PORT)

bench: install-bench
	$(BIN)/python -m bench.turns
	$(BIN)/python -m bench.load --conversations 50
	$(BIN)/python -m bench.fast_path --conversations 5
	$(BIN)/python -m bench.kb_retrieval
	$(BIN)/python -m bench.intent_bitext
	$(BIN)/python -m bench.kb_latency
	$(BIN)/python -m bench.sentiment
	$(BIN)/python -m bench.pii_redaction
	$(BIN)/python -m bench.checkpoints --samples 100 --conversations 5
	$(BIN)/python -m bench.tau_replay --tasks 20
	$(BIN)/python -m bench.cli_startup

# The event types of the web and mobile apps (packages/client/src/events.ts, the shared API
# client) from the pydantic models in graphs/event_schema.py; run after changing an event.
events: install
	$(BIN)/python scripts/gen_event_types.py

# Deploy to AWS with the CDK app in deploy/ (credentials and region from the AWS CLI profile;
# the image is built with Docker). CDK_ARGS passes context, e.g. CDK_ARGS="-c alarmEmail=...".
deploy: install-deploy web
	cd deploy && $(NPM) exec --yes -- aws-cdk@2 deploy $(CDK_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache artifacts web/dist web/node_modules mobile/dist mobile/node_modules
