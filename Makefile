# make run: create .venv, install, build dist/ from data/.   make test: the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run build serve test test-servers lint bench clean records-page

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

# Tests talk to real servers and clients: Oxigraph comes with the test extras (pip); Virtuoso (push) and
# OpenRefine (reconciliation) from Debian, installed here when missing and running as root (as CI does);
# otherwise their tests are skipped, saying why.
test-servers:
	@for pair in virtuoso-t:virtuoso-opensource-7 openrefine:openrefine; do \
	  command -v $${pair%%:*} >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $${pair#*:} for the tests that need it"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $${pair#*:} >/dev/null; \
	  else echo "$${pair#*:} is not installed and this is not root: the tests that need it will be skipped"; fi; \
	done

# One worker per core; a test file stays on one worker, so that its servers and fixtures start once.
test: $(STAMP) test-servers
	$(BIN)/python -m pytest -n auto --dist loadfile
	$(BIN)/ruff check src tests bench

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

# RECORDS.md ships with the package; it is written from the kinds table (a test says when it is stale).
records-page: $(STAMP)
	$(BIN)/migration-lod fields > src/migration_lod/RECORDS.md

clean:
	rm -rf dist .pytest_cache .ruff_cache .hypothesis

bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES),)
