# Two commands for a fresh clone: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint schema schema-check clean

$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/dengta demo
	$(BIN)/dengta verify
	$(BIN)/dengta rebuild
	$(BIN)/dengta serve $(if $(PORT),--port $(PORT))

test: $(VENV)/.dev-installed
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.append
	$(BIN)/python -m bench.projections
	$(BIN)/python -m bench.api --workers 2 --project-worker
	$(BIN)/python -m bench.export
	$(BIN)/python -m bench.peer
	$(BIN)/python -m bench.province

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/mypy

schema: $(VENV)/.dev-installed
	mkdir -p var
	$(BIN)/dengta schema > var/schema.graphql.new
	mv var/schema.graphql.new schema.graphql

schema-check: $(VENV)/.dev-installed
	mkdir -p var
	$(BIN)/dengta schema > var/schema.graphql.new
	diff -u schema.graphql var/schema.graphql.new && echo "schema.graphql is up to date"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
