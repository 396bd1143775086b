# make run: create .venv, install, build dist/ from data/.   make test: the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run build test lint clean

run: build

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/migration-lod build --data data --out dist

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check src tests

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf dist .pytest_cache .ruff_cache
