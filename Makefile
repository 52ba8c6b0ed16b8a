# lianfang: the two commands of the README, and a few helpers.
#   make run    set up .venv, initialise the SQLite store with demo data, serve http://127.0.0.1:5000
#   make test   install the system packages the tests need, set up .venv with '.[dev]', run pytest

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
ADMIN_PASSWORD ?= admin
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint bench migration clean

$(BIN)/pip:
	.ci/install-system-deps run
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(BIN)/lianfang: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q -e .
	touch $@

install: $(BIN)/lianfang

install-dev: install
	$(BIN)/pip install -q -e '.[dev]'

run: install
	LIANFANG_ADMIN_PASSWORD='$(ADMIN_PASSWORD)' $(BIN)/lianfang init
	$(BIN)/lianfang demo
	@echo "管理员 admin / $(ADMIN_PASSWORD)  —  http://$(HOST):$(PORT)"
	$(BIN)/lianfang serve --host $(HOST) --port $(PORT)

test: install-dev
	.ci/install-system-deps test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check service parsers tests bench

bench: install
	$(BIN)/python bench/store_bench.py

# make migration MSG="add a column": a new Alembic revision from the models, against an empty store
migration: install
	tmp=$$(mktemp -d) && LIANFANG_HOME=$$tmp LIANFANG_DATABASE_URL= $(BIN)/python -c \
	  "from alembic import command; from service.store.bootstrap import alembic_config, upgrade; \
	   upgrade(); command.revision(alembic_config(), autogenerate=True, message='$(MSG)')"; rm -rf $$tmp

clean:
	rm -rf $(VENV) instance .pytest_cache
