# lianfang: the two commands of the README, and a few helpers.
#   make run    system packages of the main job (LibreOffice, CJK fonts), .venv, the SQLite store
#               with demo data, serve http://127.0.0.1:5000
#   make test   the system packages the tests need too, .venv with '.[dev]', run pytest
# The system packages come from .ci/install-system-deps, which installs only what is missing.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
ADMIN_PASSWORD ?= admin
PYTEST_ARGS ?=
# the list .ci/install-system-deps installs: run (the main job) or test (run + the test tools)
DEPS ?= run

.PHONY: run test system-deps install install-dev lint bench migration clean

system-deps:
	.ci/install-system-deps $(DEPS)

$(BIN)/pip: | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(BIN)/lianfang: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install -q -e .
	touch $@

install: $(BIN)/lianfang

install-dev: install
	$(BIN)/pip install -q -e '.[dev]'

run: system-deps install
	LIANFANG_ADMIN_PASSWORD='$(ADMIN_PASSWORD)' $(BIN)/lianfang init
	$(BIN)/lianfang demo
	@echo "管理员 admin / $(ADMIN_PASSWORD)  —  http://$(HOST):$(PORT)"
	$(BIN)/lianfang serve --host $(HOST) --port $(PORT)

test: DEPS = test
test: system-deps install-dev
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
