# The README's words as targets: `make demo`, `make test`, `make lint`, `make bench`.
# Each target installs what it needs: a bootstrap venv with uv (.tools), then the project's
# locked environment (.venv).

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

API_PORT ?= 8000
DAGSTER_PORT ?= 3000

.PHONY: install demo serve test test-sqlite test-postgres lint format bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

## install: the locked environment in .venv
install: $(VENV)/.installed

## demo: migrate, seed demo data, build the warehouse, serve the API (:8000) and Dagster (:3000)
demo: install
	$(BIN)/bankdash migrate
	$(BIN)/bankdash seed-demo
	./scripts/demo.sh $(API_PORT) $(DAGSTER_PORT)

## serve: the API only, on the configured stores
serve: install
	$(BIN)/uvicorn --factory api.main:create_app --host 0.0.0.0 --port $(API_PORT)

## test: the whole suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set
test: install
	$(BIN)/pytest -q

## lint: ruff, formatting, mypy
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: the benchmarks in bench/ (each prints ratios measured in one run)
bench: install
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_list_transactions.py
	$(BIN)/python bench/bench_rules.py
	$(BIN)/python bench/bench_warehouse.py
	$(BIN)/python bench/bench_insights.py

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache dbt_project/target dbt_project/logs
