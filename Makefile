# make run: create .venv, install, build dist/ from data/.   make test: the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run build serve test lint clean

run: build

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/migration-lod build --data data --out dist

dist/migration-lod.nt: $(STAMP) $(wildcard data/*.yaml data/*.csv data/*.json ontology/*.ttl shapes/*.ttl)
	$(BIN)/migration-lod build --data data --out dist

serve: dist/migration-lod.nt
	$(BIN)/migration-lod serve dist/migration-lod.nt --host 127.0.0.1 --port $${PORT:-8000}

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check src tests

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf dist .pytest_cache .ruff_cache
