# Tandem — the two commands: `make run` (set up and serve the API on embedded defaults) and
# `make test` (set up and run lint, type check and the test suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CUSTOMER ?= alex_morgan_1001

.PHONY: install install-dev run chat test lint typecheck pytest studio bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/tandem serve

chat: install
	$(BIN)/tandem chat $(if $(CUSTOMER),--customer $(CUSTOMER))

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest

test: lint typecheck pytest

studio: install-dev
	$(BIN)/langgraph dev --no-browser

bench: install
	$(BIN)/python -m bench.turns
	$(BIN)/python -m bench.load --conversations 50
	$(BIN)/python -m bench.kb_retrieval
	$(BIN)/python -m bench.intent_bitext

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
